import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseStrategyDefinition, ZNegotiationPolicy, type StrategyProblem } from '../../domain/strategy.js';
import { consumerEarly } from '../support/strategies.js';

/** A mutable copy of the DESIGN example, for tables that break one thing at a time. */
type Definition = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test input is deliberately untyped JSON
const design = (): Definition => structuredClone(consumerEarly);

function example(file: string): unknown {
  return JSON.parse(readFileSync(new URL(`../../examples/${file}`, import.meta.url), 'utf8'));
}

function problemsOf(definition: unknown): StrategyProblem[] {
  const result = parseStrategyDefinition(definition);
  if (result.ok) throw new Error('expected the definition to be refused');
  return result.problems;
}

const problem = (path: StrategyProblem['path'], message: string) => ({ path, message: expect.stringContaining(message) });

describe('parseStrategyDefinition accepts', () => {
  it.each([
    ['the DESIGN example (test/support consumerEarly)', consumerEarly],
    ['examples/consumer-early.json', example('consumer-early.json')],
    ['examples/demo-fast.json', example('demo-fast.json')],
  ])('%s', (_name, definition) => {
    const result = parseStrategyDefinition(definition);
    expect(result).toMatchObject({ ok: true });
  });

  it('fills the defaults for negotiation and contact', () => {
    const result = parseStrategyDefinition(consumerEarly);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.value.contact.allowedHours).toEqual({ start: '08:00', end: '21:00' });
    expect(result.value.negotiation).toEqual(ZNegotiationPolicy.parse({}));
  });

  // Each row sits right next to a rule's boundary and must not trip it.
  it.each<[string, (d: Definition) => void]>([
    ['two steps at the same offset', (d) => (d.steps[1].at = 'P0D')],
    ['offsets that land on the same instant (PT72H after P3D)', (d) => (d.steps[2].at = 'PT72H')],
    ['the terminal step last', () => undefined],
    ['a call step without a template', (d) => delete d.steps[3].template],
    ['an agency step without a template', (d) => delete d.steps[4].template],
    ['minBalance equal to maxBalance', (d) => (d.steps[0].when = { minBalance: 500, maxBalance: 500 })],
    ['only a minBalance', (d) => (d.steps[0].when = { minBalance: 500 })],
    ['an SMS template without a subject', (d) => delete d.templates.nudge.subject],
    ['every known field, in variables and sections', (d) => {
      d.templates.demand.body =
        '{{debtor.name}} {{balance}} {{originalBalance}} {{currency}} {{account.externalId}} {{case.id}} ' +
        '{{{debtor.name}}} {{#balance}}owed{{/balance}}{{^originalBalance}}none{{/originalBalance}}{{! a comment }}';
    }],
    ['an allowed-hours window of one minute', (d) => (d.contact = { allowedHours: { start: '08:00', end: '08:01' } })],
    ['an allowed-hours window of the whole day', (d) => (d.contact = { allowedHours: { start: '00:00', end: '23:59' } })],
    ['calendar and clock offsets mixed', (d) => (d.steps[3].at = 'P1M2DT3H4M5S')],
    ['an unused template', (d) => (d.templates.spare = { channel: 'sms', body: 'Hi {{debtor.name}}' })],
  ])('%s', (_name, mutate) => {
    const definition = design();
    mutate(definition);
    expect(parseStrategyDefinition(definition)).toMatchObject({ ok: true });
  });
});

describe('parseStrategyDefinition refuses, with the path to the field', () => {
  it.each<[string, (d: Definition) => void, ReturnType<typeof problem>[]]>([
    [
      'a duplicate step id',
      (d) => (d.steps[2].id = 'reminder'),
      [problem(['steps', 2, 'id'], 'duplicate step id "reminder"')],
    ],
    [
      'an offset earlier than the previous step',
      (d) => (d.steps[1].at = 'P30D'),
      [problem(['steps', 2, 'at'], "offset P10D is earlier than the previous step's P30D")],
    ],
    [
      'an offset earlier only by calendar arithmetic (P1M lands before P32D)',
      (d) => {
        d.steps[3].at = 'P32D';
        d.steps[4].at = 'P1M';
      },
      [problem(['steps', 4, 'at'], "offset P1M is earlier than the previous step's P32D")],
    ],
    [
      'a step after the terminal agency_referral',
      (d) => d.steps.push({ id: 'late-call', at: 'P61D', action: 'call' }),
      [problem(['steps', 5], 'step "late-call" comes after the terminal step "agency" and can never run')],
    ],
    [
      'every step after the terminal agency_referral, not only the first',
      (d) =>
        d.steps.push({ id: 'late-call', at: 'P61D', action: 'call' }, { id: 'late-letter', at: 'P62D', action: 'letter', template: 'demand' }),
      [
        problem(['steps', 5], 'step "late-call" comes after the terminal step "agency"'),
        problem(['steps', 6], 'step "late-letter" comes after the terminal step "agency"'),
      ],
    ],
    [
      'a message step without a template',
      (d) => delete d.steps[1].template,
      [problem(['steps', 1, 'template'], 'a sms step needs a template')],
    ],
    [
      'a template name no template has',
      (d) => (d.steps[2].template = 'demnad'),
      [problem(['steps', 2, 'template'], 'no template named "demnad"')],
    ],
    [
      'an unknown template on a non-message step',
      (d) => (d.steps[3].template = 'script'),
      [problem(['steps', 3, 'template'], 'no template named "script"')],
    ],
    [
      "a template of another channel than the step's",
      (d) => (d.steps[0].template = 'nudge'),
      [problem(['steps', 0, 'template'], 'template "nudge" is for sms, not email')],
    ],
    [
      'an email template without a subject',
      (d) => delete d.templates.reminder.subject,
      [problem(['templates', 'reminder', 'subject'], 'an email template needs a subject')],
    ],
    [
      'an unknown {{field}} in a body',
      (d) => (d.templates.nudge.body = 'Hi {{debtor.firstName}}'),
      [problem(['templates', 'nudge', 'body'], 'unknown field {{debtor.firstName}}; known fields: debtor.name, balance')],
    ],
    [
      'an unknown {{field}} in a subject',
      (d) => (d.templates.reminder.subject = 'Re {{account.id}}'),
      [problem(['templates', 'reminder', 'subject'], 'unknown field {{account.id}}')],
    ],
    [
      'a template that does not parse',
      (d) => (d.templates.demand.body = 'Dear {{#debtor.name}}'),
      [problem(['templates', 'demand', 'body'], 'template syntax: Unclosed section "debtor.name"')],
    ],
    [
      'minBalance greater than maxBalance',
      (d) => (d.steps[1].when = { minBalance: 10_000, maxBalance: 9_999 }),
      [problem(['steps', 1, 'when'], 'minBalance is greater than maxBalance')],
    ],
    [
      'allowedHours start equal to end',
      (d) => (d.contact = { allowedHours: { start: '09:00', end: '09:00' } }),
      [problem(['contact', 'allowedHours'], 'start 09:00 must be before end 09:00')],
    ],
    [
      'allowedHours start after end',
      (d) => (d.contact = { allowedHours: { start: '21:00', end: '08:00' } }),
      [problem(['contact', 'allowedHours'], 'start 21:00 must be before end 08:00')],
    ],
    [
      'an allowedHours clock that is not HH:MM (and no second, misleading order problem)',
      (d) => (d.contact = { allowedHours: { start: '8:00', end: '21:00' } }),
      [problem(['contact', 'allowedHours', 'start'], 'must be a time of day HH:MM')],
    ],
    [
      'an offset that is not an ISO duration',
      (d) => (d.steps[1].at = '3 days'),
      [problem(['steps', 1, 'at'], 'must be an ISO-8601 duration')],
    ],
    [
      'a bare P',
      (d) => (d.steps[0].at = 'P'),
      [problem(['steps', 0, 'at'], 'must be an ISO-8601 duration')],
    ],
    [
      'a negative offset',
      (d) => (d.steps[0].at = 'P-1D'),
      [problem(['steps', 0, 'at'], 'must be an ISO-8601 duration')],
    ],
    [
      'an unknown action',
      (d) => (d.steps[3].action = 'fax'),
      [problem(['steps', 3, 'action'], 'Invalid option')],
    ],
    [
      'an unknown key at the top level',
      (d) => (d.owner = 'ops'),
      [problem([], 'Unrecognized key: "owner"')],
    ],
    [
      'an unknown key on a step',
      (d) => (d.steps[1].channel = 'sms'),
      [problem(['steps', 1], 'Unrecognized key: "channel"')],
    ],
    [
      'an unknown key in step conditions',
      (d) => (d.steps[1].when = { minBalanceCents: 1 }),
      [problem(['steps', 1, 'when'], 'Unrecognized key: "minBalanceCents"')],
    ],
    [
      'an unknown key in allowedHours',
      (d) => (d.contact = { allowedHours: { start: '08:00', end: '21:00', zone: 'UTC' } }),
      [problem(['contact', 'allowedHours'], 'Unrecognized key: "zone"')],
    ],
    [
      'no steps',
      (d) => (d.steps = []),
      [problem(['steps'], 'a strategy needs at least one step')],
    ],
  ])('%s', (_name, mutate, expected) => {
    const definition = design();
    mutate(definition);
    expect(problemsOf(definition)).toEqual(expected);
  });

  it('reports several cross-field problems at once', () => {
    const definition = design();
    definition.steps[1].id = 'reminder';
    definition.steps[2].at = 'P1D';
    definition.steps[3].when = { minBalance: 2, maxBalance: 1 };
    delete definition.templates.reminder.subject;
    definition.templates.nudge.body = '{{nope}}';
    definition.contact = { allowedHours: { start: '22:00', end: '06:00' } };
    expect(problemsOf(definition)).toEqual([
      problem(['steps', 1, 'id'], 'duplicate step id'),
      problem(['steps', 2, 'at'], 'earlier than the previous step'),
      problem(['steps', 3, 'when'], 'minBalance is greater than maxBalance'),
      problem(['templates', 'reminder', 'subject'], 'needs a subject'),
      problem(['templates', 'nudge', 'body'], 'unknown field {{nope}}'),
      problem(['contact', 'allowedHours'], 'must be before end'),
    ]);
  });

  it('reports shape problems together with the cross-field problems, without throwing on a bad offset', () => {
    const definition = design();
    definition.owner = 'ops';
    definition.steps[1].at = 'soon';
    definition.steps[2].id = 'reminder';
    definition.steps[0].template = 'demand';
    expect(problemsOf(definition)).toEqual(
      expect.arrayContaining([
        problem([], 'Unrecognized key: "owner"'),
        problem(['steps', 1, 'at'], 'must be an ISO-8601 duration'),
        problem(['steps', 2, 'id'], 'duplicate step id "reminder"'),
        problem(['steps', 0, 'template'], 'template "demand" is for letter, not email'),
      ]),
    );
  });

  it.each([null, 'strategy', 42, [], {}])('refuses %j without throwing', (input) => {
    expect(problemsOf(input).length).toBeGreaterThan(0);
  });
});
