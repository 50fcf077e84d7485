/**
 * The negotiation policy's shape and defaults without zod. The case workflow fills a policy from
 * here: a strategy is validated when it is saved, and every new workflow would otherwise build and run
 * a zod schema just to apply these defaults (zod is the largest library cost of a new workflow,
 * by the profile in bench/README.md).
 */

export interface TNegotiationPolicy {
  maxSettlementDiscountPercent: number;
  maxInstallments: number;
  minInstallment: number;
  minDownPayment: number;
  graceDays: number;
  maxPromiseDays: number;
  reminderDaysBefore: number;
  onBroken: 'resume' | 'restart' | 'escalate_agency';
  reversalWindowDays: number;
  officerAuthority: { maxSettlementDiscountPercent: number; maxInstallments: number; maxWaiver?: number };
}

export const negotiationDefaults: Readonly<TNegotiationPolicy> = Object.freeze({
  maxSettlementDiscountPercent: 0,
  maxInstallments: 12,
  minInstallment: 0,
  minDownPayment: 0,
  graceDays: 3,
  maxPromiseDays: 30,
  reminderDaysBefore: 2,
  onBroken: 'resume',
  reversalWindowDays: 10,
  officerAuthority: Object.freeze({ maxSettlementDiscountPercent: 0, maxInstallments: 6 }),
});

/** A policy as saved, perhaps before some of its fields existed. */
export type NegotiationPolicyInput = Partial<Omit<TNegotiationPolicy, 'officerAuthority'>> & {
  officerAuthority?: Partial<TNegotiationPolicy['officerAuthority']>;
};

/** Drops undefined fields, so they take the default as zod's `.default()` would. */
function defined<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, field]) => field !== undefined)) as Partial<T>;
}

/**
 * A saved (already validated) policy with defaults for the fields it lacks: inputs recorded
 * before a field existed get its default. Equal to `ZNegotiationPolicy.parse` on valid input.
 */
export function withNegotiationDefaults(policy: NegotiationPolicyInput | undefined): TNegotiationPolicy {
  const given = defined(policy);
  return {
    ...negotiationDefaults,
    ...given,
    officerAuthority: { ...negotiationDefaults.officerAuthority, ...defined(given.officerAuthority) },
  };
}
