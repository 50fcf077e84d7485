import { describe, expect, it } from 'vitest';
import { negotiationDefaults, withNegotiationDefaults } from '../../domain/negotiation-defaults.js';
import { ZNegotiationPolicy } from '../../domain/negotiation-policy.js';

/** The workflow fills a saved policy without zod: it must come out as the schema would parse it. */
describe('withNegotiationDefaults', () => {
  const saved = [
    undefined,
    {},
    { graceDays: 7 },
    { maxSettlementDiscountPercent: 30, officerAuthority: { maxSettlementDiscountPercent: 5 } },
    { maxInstallments: 24, officerAuthority: { maxInstallments: 12 }, onBroken: 'restart' as const, reminderDaysBefore: 0 },
    { minInstallment: 2_500, minDownPayment: 10_000, maxPromiseDays: 14, reversalWindowDays: 0, graceDays: undefined },
  ];

  it.each(saved.map((policy) => [JSON.stringify(policy) ?? 'undefined', policy] as const))('fills %s as ZNegotiationPolicy.parse does', (_, policy) => {
    expect(withNegotiationDefaults(policy)).toEqual(ZNegotiationPolicy.parse(policy ?? {}));
  });

  it('does not share or change the defaults it fills from', () => {
    const filled = withNegotiationDefaults({});
    filled.officerAuthority.maxInstallments = 99;
    expect(negotiationDefaults.officerAuthority.maxInstallments).toBe(6);
    expect(withNegotiationDefaults({}).officerAuthority.maxInstallments).toBe(6);
  });
});
