import { parseStrategyDefinition, type TStep, type TStrategyDefinition } from '../../domain/strategy.js';

/** The DESIGN.md example: a 60-day consumer strategy ending in agency referral. */
export const consumerEarly = {
  key: 'consumer-early',
  name: 'Consumer, early stage',
  templates: {
    reminder: { channel: 'email', subject: 'Your balance of {{balance}} is overdue', body: 'Hello {{debtor.name}}, your balance of {{balance}} is overdue.' },
    nudge: { channel: 'sms', body: '{{debtor.name}}, {{balance}} is overdue. Reply STOP to opt out.' },
    demand: { channel: 'letter', body: 'Dear {{debtor.name}}, we demand payment of {{balance}}.' },
  },
  steps: [
    { id: 'reminder', at: 'P0D', action: 'email', template: 'reminder' },
    { id: 'nudge', at: 'P3D', action: 'sms', template: 'nudge' },
    { id: 'letter', at: 'P10D', action: 'letter', template: 'demand' },
    { id: 'call', at: 'P14D', action: 'call' },
    { id: 'agency', at: 'P60D', action: 'agency_referral' },
  ],
};

/** Negotiation limits: an officer may settle at up to 20% off or in 6 installments, a manager up to 40% and 12. */
export const negotiationLimits = {
  maxSettlementDiscountPercent: 40,
  maxInstallments: 12,
  minInstallment: 5_000,
  minDownPayment: 10_000,
  graceDays: 3,
  maxPromiseDays: 30,
  officerAuthority: { maxSettlementDiscountPercent: 20, maxInstallments: 6 },
};

/** A template per message channel (email, SMS, letter), for tests that do not read the wording. */
export const plainTemplates = {
  reminder: { channel: 'email', subject: 'Overdue', body: 'Hello {{debtor.name}}, {{balance}} is overdue.' },
  nudge: { channel: 'sms', body: '{{debtor.name}}, {{balance}} is overdue. Reply STOP to opt out.' },
  demand: { channel: 'letter', body: 'Dear {{debtor.name}}, please pay {{balance}}.' },
};

/**
 * Two versions of strategy `key` for migration tests: v2 keeps the reminder and the call (moved
 * to day 12), drops the SMS, renames the letter (day 7), and adds an early call and a final letter.
 */
export function twoVersions(key: string): { v1: TStrategyDefinition; v2: TStrategyDefinition } {
  return {
    v1: strategy({
      key,
      name: 'v1',
      templates: plainTemplates,
      steps: [
        { id: 'reminder', at: 'P0D', action: 'email', template: 'reminder' },
        { id: 'nudge', at: 'P3D', action: 'sms', template: 'nudge' },
        { id: 'letter', at: 'P10D', action: 'letter', template: 'demand' },
        { id: 'call', at: 'P14D', action: 'call' },
      ],
    }),
    v2: strategy({
      key,
      name: 'v2',
      templates: plainTemplates,
      steps: [
        { id: 'reminder', at: 'P0D', action: 'email', template: 'reminder' },
        { id: 'early-call', at: 'P2D', action: 'call' },
        { id: 'demand', at: 'P7D', action: 'letter', template: 'demand' },
        { id: 'call', at: 'P12D', action: 'call' },
        { id: 'final', at: 'P20D', action: 'letter', template: 'demand' },
      ],
    }),
  };
}

/** Parses a definition the way the API would, failing the test on any problem. */
export function strategy(definition: unknown): TStrategyDefinition {
  const parsed = parseStrategyDefinition(definition);
  if (!parsed.ok) throw new Error(`test strategy is invalid: ${JSON.stringify(parsed.problems)}`);
  return parsed.value;
}

/** A step of `action` due three days after the start (a message step uses the template named as its channel). */
export const step = (action: TStep['action'], extra: Partial<TStep> = {}): TStep => ({
  id: action,
  at: 'P3D',
  action,
  ...(action === 'email' || action === 'sms' || action === 'letter' ? { template: action } : {}),
  ...extra,
});
