import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { previewStrategy } from '../../domain/preview.js';
import { loadStrategyFile, parseStrategyText } from '../../domain/strategy-file.js';

/** Strategy files in JSON and YAML, and the example strategies shipped in examples/. */

const examplesDir = new URL('../../examples/', import.meta.url);
const exampleFiles = readdirSync(examplesDir).filter((file) => /\.(json|ya?ml)$/.test(file));

describe('the example strategies', () => {
  it('include the consumer, small-business and post-charge-off strategies', () => {
    expect(exampleFiles).toEqual(expect.arrayContaining(['consumer-early.json', 'small-business-b2b.yaml', 'post-charge-off.json']));
  });

  it.each(exampleFiles)('%s is valid and previews to its end', async (file) => {
    const loaded = await loadStrategyFile(new URL(file, examplesDir).pathname);
    if (!loaded.ok) throw new Error(`${file}: ${JSON.stringify(loaded.problems)}`);
    expect(file.startsWith(loaded.value.key)).toBe(true);
    const preview = previewStrategy({
      definition: loaded.value,
      account: {
        balance: 300_000,
        daysPastDue: 40,
        timeZone: 'America/New_York',
        contacts: {
          email: { address: 'a@example.com', valid: true, optedOut: false, consent: false },
          sms: { address: '+15555550100', valid: true, optedOut: false, consent: true },
          letter: { address: 'A | 1 Main St | Boston, MA 02108 | US', valid: true, optedOut: false, consent: false },
        },
      },
      startedAt: Date.parse('2026-03-02T14:00:00Z'),
    });
    expect(['placed', 'timeline_complete']).toContain(preview.end.reason);
    expect(preview.entries.filter((entry) => entry.outcome === 'run').length).toBeGreaterThanOrEqual(3);
  });

  it('uses the new language: fallbacks, conditions, the new actions and event branches', async () => {
    const b2b = await loadStrategyFile(new URL('small-business-b2b.yaml', examplesDir).pathname);
    const chargeOff = await loadStrategyFile(new URL('post-charge-off.json', examplesDir).pathname);
    if (!b2b.ok || !chargeOff.ok) throw new Error('example invalid');
    const steps = [...b2b.value.steps, ...chargeOff.value.steps];
    expect(new Set(steps.map((step) => step.action))).toEqual(
      new Set(['email', 'sms', 'letter', 'call', 'plan_monitoring', 'legal_review', 'note', 'agency_referral']),
    );
    expect(steps.some((step) => typeof step.fallback === 'string')).toBe(true);
    expect(steps.some((step) => typeof step.fallback === 'object')).toBe(true);
    expect(b2b.value.on?.brokenPromise).toBe('restart');
    expect(b2b.value.contact.allowedHours).toEqual({ start: '09:00', end: '17:00' });
  });
});

describe('parseStrategyText', () => {
  const yaml = [
    'key: tiny',
    'name: Tiny',
    'templates:',
    '  reminder:',
    '    channel: email',
    '    subject: Overdue',
    '    body: "Hello {{debtor.name}}"',
    'steps:',
    '  - id: reminder',
    '    at: P0D',
    '    action: email',
    '    template: reminder',
    '  - id: call',
    '    at: P1D',
    '    action: call',
  ].join('\n');

  it('reads YAML and JSON to the same strategy', () => {
    const fromYaml = parseStrategyText(yaml, 'yaml');
    if (!fromYaml.ok) throw new Error(JSON.stringify(fromYaml.problems));
    const fromJson = parseStrategyText(JSON.stringify(fromYaml.value), 'json');
    expect(fromJson).toEqual(fromYaml);
  });

  it('names the line of each problem in a YAML file', () => {
    const broken = yaml.replace('action: call', 'action: call\n    fallback: nowhere').replace('at: P1D', 'at: one day');
    const result = parseStrategyText(broken, 'yaml');
    expect(result).toEqual({
      ok: false,
      problems: [
        { path: ['steps', 1, 'at'], message: expect.stringContaining('ISO-8601'), line: 14 },
        { path: ['steps', 1, 'fallback'], message: expect.stringContaining('a call step never uses it'), line: 16 },
      ],
    });
  });

  it('reports YAML syntax errors with their line, and refuses duplicate keys', () => {
    expect(parseStrategyText('key: a\nsteps: [\n', 'yaml')).toMatchObject({ ok: false, problems: [{ path: [], message: expect.stringMatching(/^YAML: /), line: expect.any(Number) }] });
    expect(parseStrategyText('key: a\nkey: b\n', 'yaml')).toMatchObject({ ok: false, problems: [{ message: expect.stringContaining('unique') }] });
  });

  it('keeps YAML 1.2 scalars as written: "no" is a string, not false', () => {
    const result = parseStrategyText(yaml.replace('name: Tiny', 'name: no'), 'yaml');
    expect(result).toMatchObject({ ok: true, value: { name: 'no' } });
  });

  it('reports a JSON syntax error', () => {
    expect(parseStrategyText('{ "key": ', 'json')).toMatchObject({ ok: false, problems: [{ path: [], message: expect.stringMatching(/^JSON: /) }] });
  });
});
