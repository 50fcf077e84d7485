import { describe, expect, it } from 'vitest';
import type { CaseFacts } from '../../domain/case-facts.js';
import { previewStrategy, type PreviewAccount, type PreviewEntry } from '../../domain/preview.js';
import { migrateCursor } from '../../domain/strategy-migration.js';
import { afterMove, nextMove, planContext, startCursor } from '../../domain/timeline.js';
import { plainTemplates as templates, strategy, twoVersions } from '../support/strategies.js';

/**
 * The timeline walk shared by the workflow and the preview: fallbacks (channel unavailable,
 * send failed for good), `when` conditions over the case's progress, holds, events, and where a
 * case continues after a version change.
 */

const day = 86_400_000;
// 15:00 UTC: 09:00 in Chicago, inside the default contact hours.
const start = Date.parse('2026-01-05T15:00:00Z');


const contacts = {
  email: { address: 'ana@example.com', valid: true, optedOut: false, consent: false },
  sms: { address: '+15555550100', valid: true, optedOut: false, consent: true },
  letter: { address: 'Ana | 1 Main St', valid: true, optedOut: false, consent: false },
};

function account(overrides: Partial<PreviewAccount> & { without?: (keyof typeof contacts)[] } = {}): PreviewAccount {
  const { without = [], ...rest } = overrides;
  const kept = Object.fromEntries(Object.entries(contacts).filter(([channel]) => !without.includes(channel as keyof typeof contacts)));
  return { balance: 125_000, daysPastDue: 30, timeZone: 'America/Chicago', contacts: kept, ...rest };
}

/** `day stepId outcome` per entry, for compact expectations. */
const lines = (entries: PreviewEntry[]) => entries.map((entry) => `+${Math.round((Date.parse(entry.at) - start) / day)} ${entry.stepId} ${entry.outcome}${entry.result && entry.result !== 'sent' ? `:${entry.result}` : ''}`);

describe('fallbacks', () => {
  const definition = strategy({
    key: 'fallbacks',
    name: 'Fallbacks',
    templates,
    steps: [
      { id: 'reminder', at: 'P0D', action: 'email', template: 'reminder', fallback: 'letter' },
      { id: 'nudge', at: 'P3D', action: 'sms', template: 'nudge', fallback: { action: 'letter', template: 'demand' } },
      { id: 'after-nudge', at: 'P4D', action: 'note', note: 'The SMS bounced.', when: { previousStepResult: ['bounced'] } },
      { id: 'letter', at: 'P10D', action: 'letter', template: 'demand' },
    ],
  });

  it('runs nothing in place of a step whose channel works', () => {
    const { entries, end } = previewStrategy({ definition, account: account(), startedAt: start });
    expect(lines(entries)).toEqual(['+0 reminder run', '+3 nudge run', '+4 after-nudge skipped', '+10 letter run']);
    expect(end.reason).toBe('timeline_complete');
  });

  it('runs the named step at once when the channel is unavailable, and not again at its own time', () => {
    const { entries } = previewStrategy({ definition, account: account({ without: ['email'] }), startedAt: start });
    expect(lines(entries)).toEqual(['+0 reminder skipped', '+0 letter run', '+3 nudge run', '+4 after-nudge skipped', '+10 letter skipped']);
    expect(entries[0]?.reason).toBe('no email address on file; falling back');
    expect(entries[1]?.reason).toBe('in place of "reminder"');
    expect(entries.at(-1)?.reason).toContain('already ran');
  });

  it('runs an inline fallback under <step>.fallback', () => {
    const { entries } = previewStrategy({ definition, account: account({ without: ['sms'] }), startedAt: start });
    expect(lines(entries)).toContain('+3 nudge.fallback run');
    expect(entries.find((entry) => entry.stepId === 'nudge.fallback')?.action).toBe('letter');
  });

  it('runs the fallback right after a send that bounced, and the next step sees the bounce', () => {
    const { entries } = previewStrategy({ definition, account: account(), startedAt: start, failures: { nudge: 'bounced' } });
    expect(lines(entries)).toEqual(['+0 reminder run', '+3 nudge run:bounced', '+3 nudge.fallback run', '+4 after-nudge run', '+10 letter run']);
  });

  it('does not fall back when the step was ruled out by its own conditions', () => {
    const conditional = strategy({
      key: 'conditional',
      name: 'Conditional',
      templates,
      steps: [
        { id: 'big', at: 'P0D', action: 'email', template: 'reminder', when: { minBalance: 500_000 }, fallback: { action: 'letter', template: 'demand' } },
      ],
    });
    const { entries } = previewStrategy({ definition: conditional, account: account({ without: ['email'] }), startedAt: start });
    expect(lines(entries)).toEqual(['+0 big skipped']);
    expect(entries[0]?.reason).toBe("balance 125000 is below the step's minimum 500000");
  });

  it('follows a chain of fallbacks and explains a chain that ends nowhere', () => {
    const chained = strategy({
      key: 'chained',
      name: 'Chained',
      templates,
      steps: [
        { id: 'text', at: 'P0D', action: 'sms', template: 'nudge', fallback: 'mail' },
        { id: 'mail', at: 'P2D', action: 'email', template: 'reminder', fallback: { action: 'letter', template: 'demand' } },
      ],
    });
    const reached = previewStrategy({ definition: chained, account: account({ without: ['sms', 'email'] }), startedAt: start });
    expect(lines(reached.entries)).toEqual(['+0 text skipped', '+0 mail skipped', '+0 mail.fallback run', '+2 mail skipped']);
    const nowhere = previewStrategy({ definition: chained, account: account({ without: ['sms', 'email', 'letter'] }), startedAt: start });
    expect(lines(nowhere.entries)).toEqual(['+0 text skipped', '+2 mail skipped']);
    expect(nowhere.entries[0]?.reason).toBe('text: no mobile number on file; mail: no email address on file; fallback mail.fallback: no postal address on file');
  });

  it('waits for the contact window when the fallback is held, and says so', () => {
    const held = strategy({
      key: 'held',
      name: 'Held',
      templates,
      steps: [{ id: 'letter-first', at: 'P0D', action: 'letter', template: 'demand', fallback: 'mail' }, { id: 'mail', at: 'P5D', action: 'email', template: 'reminder' }],
    });
    const facts: CaseFacts = { balance: 1, timeZone: 'America/Chicago', contacts: { email: contacts.email } };
    // 04:00 in Chicago.
    const now = Date.parse('2026-01-05T10:00:00Z');
    const move = nextMove({
      definition: held,
      cursor: startCursor(),
      context: planContext({ definition: held, facts, startedAt: now, now }),
      progress: { daysPastDue: 0, lastContactOutcome: null, arrangement: 'none' },
    });
    expect(move).toMatchObject({
      kind: 'wait',
      held: true,
      step: { id: 'mail', at: 'P0D' },
      until: Date.parse('2026-01-05T14:00:00Z'),
      replaces: [{ stepId: 'letter-first', reason: 'no postal address on file' }],
    });
    expect(afterMove({ definition: held, cursor: startCursor(), move })).toEqual(startCursor());
  });
});

describe('conditions over the case', () => {
  const definition = strategy({
    key: 'conditions',
    name: 'Conditions',
    templates,
    steps: [
      { id: 'early', at: 'P0D', action: 'email', template: 'reminder', when: { maxDaysPastDue: 60 } },
      { id: 'call', at: 'P2D', action: 'call' },
      { id: 'retry-call', at: 'P5D', action: 'call', when: { lastContactOutcome: ['no_answer', 'left_message'] } },
      { id: 'late', at: 'P20D', action: 'letter', template: 'demand', when: { minDaysPastDue: 50 } },
      { id: 'plan-check', at: 'P25D', action: 'plan_monitoring' },
      { id: 'no-email', at: 'P26D', action: 'call', when: { channelAvailable: { email: false } } },
    ],
  });

  it('reads days past due as at enrollment plus the days since', () => {
    const at30 = previewStrategy({ definition, account: account({ daysPastDue: 30 }), startedAt: start });
    expect(lines(at30.entries)).toEqual(['+0 early run', '+2 call run', '+5 retry-call skipped', '+20 late run', '+25 plan-check skipped', '+26 no-email skipped']);
    const at29 = previewStrategy({ definition, account: account({ daysPastDue: 29 }), startedAt: start });
    expect(lines(at29.entries)).toContain('+20 late skipped');
    expect(at29.entries.find((entry) => entry.stepId === 'late')?.reason).toBe("49 days past due is below the step's minimum 50");
    const at61 = previewStrategy({ definition, account: account({ daysPastDue: 61 }), startedAt: start });
    expect(lines(at61.entries)[0]).toBe('+0 early skipped');
  });

  it('runs a step on the last contact outcome, and skips plan monitoring without a plan', () => {
    const { entries } = previewStrategy({
      definition,
      account: account({ without: ['email'] }),
      startedAt: start,
      events: [{ type: 'outcome', at: start + 3 * day, outcome: 'no_answer' }],
    });
    expect(lines(entries)).toEqual(['+0 early skipped', '+2 call run', '+5 retry-call run', '+20 late run', '+25 plan-check skipped', '+26 no-email run']);
    expect(entries.find((entry) => entry.stepId === 'plan-check')?.reason).toBe('no payment plan is active');
  });
});

describe('events during a preview', () => {
  const definition = strategy({
    key: 'events',
    name: 'Events',
    templates,
    steps: [
      { id: 'nudge', at: 'P1D', action: 'sms', template: 'nudge' },
      { id: 'reminder', at: 'P2D', action: 'email', template: 'reminder' },
      { id: 'nudge-2', at: 'P3D', action: 'sms', template: 'nudge' },
    ],
  });

  it('skips SMS after a STOP reply and ends when the balance is paid', () => {
    const { entries, end } = previewStrategy({
      definition,
      account: account(),
      startedAt: start,
      events: [
        { type: 'reply', at: start + 1.5 * day, channel: 'sms', intent: 'stop' },
        { type: 'payment', at: start + 4 * day, amount: 125_000 },
      ],
    });
    expect(lines(entries)).toEqual(['+1 nudge run', '+2 reminder run', '+3 nudge-2 skipped']);
    expect(end).toEqual({ at: new Date(start + 3 * day).toISOString(), reason: 'timeline_complete' });

    const paidEarly = previewStrategy({ definition, account: account(), startedAt: start, events: [{ type: 'payment', at: start + 1.5 * day, amount: 125_000 }] });
    expect(lines(paidEarly.entries)).toEqual(['+1 nudge run']);
    expect(paidEarly.end).toEqual({ at: new Date(start + 1.5 * day).toISOString(), reason: 'paid' });
  });

  it('reports a hold once, with when it lifts, then the run at that minute', () => {
    // 23:00 in Chicago: the first step is held until 08:00.
    const night = Date.parse('2026-01-06T05:00:00Z');
    const { entries } = previewStrategy({ definition, account: account(), startedAt: night - day });
    expect(entries.slice(0, 2)).toEqual([
      expect.objectContaining({ stepId: 'nudge', outcome: 'held', at: new Date(night).toISOString(), until: '2026-01-06T14:00:00.000Z' }),
      expect.objectContaining({ stepId: 'nudge', outcome: 'run', at: '2026-01-06T14:00:00.000Z', reason: 'due P1D after the start; held until now by the contact rules' }),
    ]);
  });
});

describe('migrateCursor', () => {
  const { v1: from, v2: to } = twoVersions('versions');
  const cursorAt = (stepIndex: number) => ({ stepIndex, results: { reminder: 'sent' as const }, pendingFallback: { step: from.steps[0]!, fallbackOf: 'x' } });

  it.each<[string, number, object]>([
    ['by step id when the next step exists in the new version', 3, { mappedBy: 'step_id', stepId: 'call', cursor: { stepIndex: 3 } }],
    ['by offset to the first step due at or after it', 1, { mappedBy: 'offset', stepId: 'demand', cursor: { stepIndex: 2 } }],
    ['by offset, skipping to a later step when the gap has none', 2, { mappedBy: 'offset', stepId: 'call', cursor: { stepIndex: 3 } }],
    ['to the end when the old timeline was complete', 4, { mappedBy: 'end', stepId: null, cursor: { stepIndex: 5 } }],
  ])('%s', (_name, stepIndex, expected) => {
    const mapped = migrateCursor({ from, to, cursor: cursorAt(stepIndex), startedAt: start });
    expect(mapped).toMatchObject(expected);
    // Results carry over (a step never runs twice); a fallback owed under the old version does not.
    expect(mapped.cursor.results).toEqual({ reminder: 'sent' });
    expect(mapped.cursor.pendingFallback).toBeNull();
  });

  it('ends the timeline when no step of the new version is due after the position', () => {
    const short = strategy({ key: 'versions', name: 'v3', templates, steps: [{ id: 'only', at: 'P1D', action: 'call' }] });
    expect(migrateCursor({ from, to: short, cursor: cursorAt(2), startedAt: start })).toMatchObject({ mappedBy: 'end', stepId: null, cursor: { stepIndex: 1 } });
  });
});
