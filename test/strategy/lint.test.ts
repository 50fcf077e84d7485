import { describe, expect, it } from 'vitest';
import { parseStrategyDefinition, type StrategyProblem } from '../../domain/strategy.js';
import { plainTemplates } from '../support/strategies.js';

/**
 * The strategy lint rules (domain/strategy-lint.ts, and the policy rules beside the schema), one
 * row per rule: each mutation of a valid strategy must produce exactly the expected problem, with
 * the path to the field, and each "quiet" mutation sits next to a rule's boundary without
 * tripping it.
 */

type Definition = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test input is deliberately untyped JSON

/** A strategy using every action, a fallback of each kind, conditions and branches. */
const base = (): Definition => ({
  key: 'lint-base',
  name: 'Lint base',
  // A fresh copy: the rows change it.
  templates: structuredClone(plainTemplates),
  steps: [
    { id: 'reminder', at: 'P0D', action: 'email', template: 'reminder', fallback: 'letter' },
    { id: 'nudge', at: 'P3D', action: 'sms', template: 'nudge', fallback: { action: 'letter', template: 'demand' } },
    { id: 'letter', at: 'P10D', action: 'letter', template: 'demand', when: { previousStepResult: ['bounced', 'skipped'] } },
    { id: 'call', at: 'P14D', action: 'call', note: 'Ask for a payment date.', when: { minDaysPastDue: 10, maxDaysPastDue: 400 } },
    { id: 'plan-check', at: 'P30D', action: 'plan_monitoring' },
    { id: 'memo', at: 'P31D', action: 'note', note: 'A month without payment.' },
    { id: 'pause', at: 'P32D', action: 'wait', when: { lastContactOutcome: ['no_answer'], arrangementActive: 'none' } },
    { id: 'legal', at: 'P45D', action: 'legal_review', when: { minBalance: 100_000, channelAvailable: { email: false } } },
    { id: 'agency', at: 'P60D', action: 'agency_referral', agency: 'default' },
  ],
  negotiation: { maxSettlementDiscountPercent: 30, maxInstallments: 12, minInstallment: 2_500, officerAuthority: { maxSettlementDiscountPercent: 10, maxInstallments: 6 } },
  on: { brokenPromise: 'restart', paymentReturned: 'resume', reply: { dispute: 'hold', callMe: 'call_task' } },
});

function problemsOf(definition: unknown): StrategyProblem[] {
  const result = parseStrategyDefinition(definition);
  return result.ok ? [] : result.problems;
}

/** Every step acts on balances up to 20,000 at the most (the eighth from 10,000 up): the highest balance any step acts on is 20,000. */
function actOnBalancesUpTo20k(d: Definition): void {
  for (const step of d.steps) step.when = { ...step.when, maxBalance: 20_000 };
  d.steps[7].when.minBalance = 10_000;
}

const problem = (path: StrategyProblem['path'], message: string) => ({ path, message: expect.stringContaining(message) });

it('the base strategy is valid', () => {
  expect(problemsOf(base())).toEqual([]);
});

describe('each lint rule fires, with the path to the field', () => {
  it.each<[string, (d: Definition) => void, ReturnType<typeof problem>[]]>([
    // Steps that can never run.
    ['minDaysPastDue above maxDaysPastDue', (d) => (d.steps[3].when = { minDaysPastDue: 91, maxDaysPastDue: 90 }), [problem(['steps', 3, 'when'], 'minDaysPastDue is greater than maxDaysPastDue')]],
    ['maxDaysPastDue below the days the offset guarantees', (d) => (d.steps[3].when = { maxDaysPastDue: 13 }), [problem(['steps', 3, 'when', 'maxDaysPastDue'], 'at P14D an account is at least 14 days past due')]],
    ['maxDaysPastDue below a month (28 days at least)', (d) => (d.steps[4].at = 'P1M', d.steps[3].when = { maxDaysPastDue: 27 }, d.steps[3].at = 'P1M'), [problem(['steps', 3, 'when', 'maxDaysPastDue'], 'at least 28 days past due')]],
    ['a message step that runs only when its own channel is unavailable', (d) => (d.steps[1].when = { channelAvailable: { sms: false } }), [problem(['steps', 1, 'when', 'channelAvailable', 'sms'], 'a sms step that runs only when sms is unavailable can never run')]],
    ['plan_monitoring whose condition excludes a plan', (d) => (d.steps[4].when = { arrangementActive: ['promise', 'none'] }), [problem(['steps', 4, 'when', 'arrangementActive'], 'plan_monitoring runs only while a plan is active')]],
    ['previousStepResult on the first step', (d) => (d.steps[0].when = { previousStepResult: ['sent'] }), [problem(['steps', 0, 'when', 'previousStepResult'], 'the first step has no previous step')]],
    ['previousStepResult that the previous step cannot produce', (d) => (d.steps[4].when = { previousStepResult: ['bounced'] }), [problem(['steps', 4, 'when', 'previousStepResult'], 'the previous step "call" (call) can never end bounced')]],
    // Fallbacks.
    ['a fallback on a step without a channel', (d) => (d.steps[3].fallback = 'letter'), [problem(['steps', 3, 'fallback'], 'a call step never uses it')]],
    ['a fallback to an unknown step', (d) => (d.steps[0].fallback = 'leter'), [problem(['steps', 0, 'fallback'], 'no step named "leter"')]],
    ['a fallback to the step itself', (d) => (d.steps[0].fallback = 'reminder'), [problem(['steps', 0, 'fallback'], 'a step cannot fall back to itself')]],
    ['fallbacks that loop', (d) => (d.steps[2].fallback = 'reminder'), [problem(['steps', 0, 'fallback'], 'fallbacks loop: reminder → letter → reminder')]],
    ['a fallback to an earlier step', (d) => (d.steps[1].fallback = 'reminder'), [problem(['steps', 1, 'fallback'], 'comes earlier in the timeline')]],
    ['an inline message fallback without a template', (d) => (d.steps[1].fallback = { action: 'letter' }), [problem(['steps', 1, 'fallback', 'template'], 'a letter fallback needs a template')]],
    ['an inline fallback with an unknown template', (d) => (d.steps[1].fallback = { action: 'letter', template: 'demnad' }), [problem(['steps', 1, 'fallback', 'template'], 'no template named "demnad"')]],
    ["an inline fallback with another channel's template", (d) => (d.steps[1].fallback = { action: 'letter', template: 'reminder' }), [problem(['steps', 1, 'fallback', 'template'], 'template "reminder" is for email, not letter')]],
    ['a fallback on the channel that failed', (d) => (d.steps[1].fallback = { action: 'sms', template: 'nudge' }), [problem(['steps', 1, 'fallback'], 'the fallback uses sms again')]],
    ['an unknown key in an inline fallback', (d) => (d.steps[1].fallback = { action: 'letter', template: 'demand', channel: 'letter' }), [problem(['steps', 1, 'fallback'], 'Unrecognized key: "channel"')]],
    // Fields the action never reads.
    ['a note step without a note', (d) => delete d.steps[5].note, [problem(['steps', 5, 'note'], 'a note step needs a note')]],
    ['a note on a message step', (d) => (d.steps[0].note = 'hi'), [problem(['steps', 0, 'note'], 'a email step does not use a note')]],
    ['an agency on a step other than agency_referral', (d) => (d.steps[3].agency = 'acme'), [problem(['steps', 3, 'agency'], 'a call step does not use an agency')]],
    // Conditions the schema refuses.
    ['an unknown contact outcome', (d) => (d.steps[6].when = { lastContactOutcome: ['hung_up'] }), [problem(['steps', 6, 'when', 'lastContactOutcome', 0], 'Invalid option')]],
    ['an empty list of previous results', (d) => (d.steps[2].when = { previousStepResult: [] }), [problem(['steps', 2, 'when', 'previousStepResult'], 'expected array to have >=1 items')]],
    ['an unknown action', (d) => (d.steps[5].action = 'fax'), [problem(['steps', 5, 'action'], 'Invalid option')]],
    // A policy that contradicts itself or the timeline.
    ['officer discount authority above the policy maximum', (d) => (d.negotiation.officerAuthority.maxSettlementDiscountPercent = 31), [problem(['negotiation', 'officerAuthority', 'maxSettlementDiscountPercent'], 'exceeds the policy maximum')]],
    ['officer installment authority above the policy maximum', (d) => (d.negotiation.officerAuthority.maxInstallments = 13), [problem(['negotiation', 'officerAuthority', 'maxInstallments'], 'exceeds the policy maximum')]],
    [
      'a minimum plan (down payment + one installment) above every balance the steps act on',
      (d) => {
        actOnBalancesUpTo20k(d);
        d.negotiation.minDownPayment = 15_000;
        d.negotiation.minInstallment = 10_000;
      },
      [problem(['negotiation', 'minInstallment'], 'no payment plan fits: the minimum down payment plus one minimum installment (25000) exceed the highest balance any step acts on (20000)')],
    ],
    [
      'a minimum down payment at the highest balance the steps act on',
      (d) => {
        actOnBalancesUpTo20k(d);
        d.negotiation.minDownPayment = 20_000;
        d.negotiation.minInstallment = 0;
      },
      [problem(['negotiation', 'minDownPayment'], 'the minimum down payment 20000 is not below the highest balance any step acts on (20000)')],
    ],
    ['on.brokenPromise contradicting negotiation.onBroken', (d) => (d.negotiation.onBroken = 'escalate_agency'), [problem(['on', 'brokenPromise'], 'restart contradicts negotiation.onBroken (escalate_agency)')]],
    ['an unknown branch', (d) => (d.on.paymentReturned = 'ignore'), [problem(['on', 'paymentReturned'], 'Invalid option')]],
    ['an unknown reply branch key', (d) => (d.on.reply.stop = 'ignore'), [problem(['on', 'reply'], 'Unrecognized key: "stop"')]],
  ])('%s', (_name, mutate, expected) => {
    const definition = base();
    mutate(definition);
    expect(problemsOf(definition)).toEqual(expected);
  });
});

describe('each lint rule stays quiet at its boundary', () => {
  it.each<[string, (d: Definition) => void]>([
    ['minDaysPastDue equal to maxDaysPastDue', (d) => (d.steps[3].when = { minDaysPastDue: 90, maxDaysPastDue: 90 })],
    ['maxDaysPastDue equal to the days the offset guarantees', (d) => (d.steps[3].when = { maxDaysPastDue: 14 })],
    ['a message step that runs only when another channel is unavailable', (d) => (d.steps[1].when = { channelAvailable: { email: false, sms: true } })],
    ['plan_monitoring with a condition that includes a plan', (d) => (d.steps[4].when = { arrangementActive: ['plan', 'promise'] })],
    ['previousStepResult on a step after a message', (d) => (d.steps[1].when = { previousStepResult: ['bounced'] })],
    ['previousStepResult that a task can produce', (d) => (d.steps[4].when = { previousStepResult: ['bounced', 'failed'] })],
    ['a fallback to a later step on another channel', (d) => (d.steps[0].fallback = 'nudge')],
    ['an inline call fallback without a template', (d) => (d.steps[1].fallback = { action: 'call', note: 'No SMS: call.' })],
    ['a note on a legal review', (d) => (d.steps[7].note = 'Check the paperwork.')],
    ['a minimum plan that fits the highest balance a step acts on', (d) => {
      for (const step of d.steps) step.when = { ...step.when, maxBalance: 25_000 };
      d.steps[7].when.minBalance = 10_000;
      d.negotiation.minDownPayment = 15_000;
      d.negotiation.minInstallment = 10_000;
    }],
    ['a large minimum plan when some step has no balance ceiling', (d) => {
      d.negotiation.minDownPayment = 15_000_000;
      d.negotiation.minInstallment = 10_000;
    }],
    ['officer authority equal to the policy maximum', (d) => (d.negotiation.officerAuthority = { maxSettlementDiscountPercent: 30, maxInstallments: 12 })],
    ['on.brokenPromise equal to negotiation.onBroken', (d) => (d.negotiation.onBroken = 'restart')],
    ['on.brokenPromise with negotiation.onBroken left at resume', (d) => (d.negotiation.onBroken = 'resume')],
    ['no on block at all', (d) => delete d.on],
    ['arrangementActive as a single value or a list', (d) => (d.steps[6].when = { arrangementActive: ['promise', 'plan'] })],
  ])('%s', (_name, mutate) => {
    const definition = base();
    mutate(definition);
    expect(problemsOf(definition)).toEqual([]);
  });
});

it('reports every problem of a strategy at once, each with its path', () => {
  const definition = base();
  definition.steps[2].at = 'P2D'; // out of order
  definition.steps[0].fallback = 'nowhere';
  definition.steps[3].when = { minDaysPastDue: 20, maxDaysPastDue: 19 };
  delete definition.steps[5].note;
  definition.templates.demand.body = 'Dear {{debtor.firstName}}';
  definition.steps.push({ id: 'late', at: 'P61D', action: 'call' });
  definition.negotiation.officerAuthority.maxInstallments = 24;
  const paths = problemsOf(definition).map((found) => found.path.join('.'));
  expect(paths).toEqual(
    expect.arrayContaining([
      'steps.2.at',
      'steps.0.fallback',
      'steps.3.when',
      'steps.5.note',
      'templates.demand.body',
      'steps.9',
      'negotiation.officerAuthority.maxInstallments',
    ]),
  );
  expect(paths).toHaveLength(7);
});

it('keeps the meaning of strategies written before these rules: no on block, no new fields', () => {
  const result = parseStrategyDefinition({
    key: 'old',
    name: 'Old',
    templates: { reminder: { channel: 'email', subject: 's', body: 'b' } },
    steps: [
      { id: 'reminder', at: 'P0D', action: 'email', template: 'reminder', when: { minBalance: 1, maxBalance: 2 } },
      { id: 'agency', at: 'P60D', action: 'agency_referral' },
    ],
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  expect(result.value.on).toBeUndefined();
  expect(result.value.steps[0]).toEqual({ id: 'reminder', at: 'P0D', action: 'email', template: 'reminder', when: { minBalance: 1, maxBalance: 2 } });
});
