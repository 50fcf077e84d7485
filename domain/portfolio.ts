import { z } from 'zod';
import { waterfalls, type Waterfall } from './ledger/allocation.js';
import { ZCommission } from './remittance.js';
import { ZSegmentRuleSet } from './segments.js';

/**
 * Clients (creditors) and their portfolios as the API takes them. A portfolio's `key` is the
 * string accounts carry in `portfolio` at enrollment, so accounts enrolled before the portfolio
 * was defined join it once it is.
 */

/** Lowercase key used in paths and key scopes. */
export const ZClientKey = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'use lowercase letters, digits, "-" and "_"');

export const ZClientInput = z
  .object({
    key: ZClientKey,
    name: z.string().trim().min(1).max(200),
  })
  .strict();
export type TClientInput = z.infer<typeof ZClientInput>;

export const Regime = {
  /** The creditor's own collections, in its name. */
  first_party: 'first_party',
  /** An agency collecting for the creditor on contingency. */
  third_party: 'third_party',
  /** Debt the client bought and owns. */
  debt_buyer: 'debt_buyer',
} as const;
export type Regime = (typeof Regime)[keyof typeof Regime];

export const ZRemittanceCycle = z
  .object({
    /** Statements are monthly (UTC months). */
    frequency: z.literal('monthly').default('monthly'),
    /** Day of the following month by which a month's net is remitted. */
    dayOfMonth: z.number().int().min(1).max(28),
  })
  .strict();
export type TRemittanceCycle = z.infer<typeof ZRemittanceCycle>;

const ZStrategyKey = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'use lowercase letters, digits, "-" and "_"');

/** A portfolio's definition (the client comes from the path). Same `portfolio` string as enrollment's (domain/account.ts). */
export const ZPortfolioInput = z
  .object({
    key: z.string().trim().min(1).max(100),
    name: z.string().trim().min(1).max(200),
    regime: z.enum([Regime.first_party, Regime.third_party, Regime.debt_buyer]),
    /** Strategy keys its accounts are worked with; empty or absent: any. */
    strategies: z.array(ZStrategyKey).max(50).default([]),
    /** Segment rules tried before the global ones for its accounts enrolled without a strategy. */
    segmentRules: ZSegmentRuleSet.optional(),
    commission: ZCommission,
    remittance: ZRemittanceCycle,
    /** The order its accounts' payments pay the parts of the balance (domain/ledger/allocation.ts); fees, then interest, then principal by default. */
    waterfall: z.enum(Object.keys(waterfalls) as [Waterfall, ...Waterfall[]]).default('fees_interest_principal'),
    /** `false`: its accounts bear no contractual interest in collection (e.g. the creditor waived it at charge-off), whatever they are enrolled with. */
    accruesInterest: z.boolean().default(true),
  })
  .strict();
export type TPortfolioInput = z.infer<typeof ZPortfolioInput>;

/** The date (YYYY-MM-DD) by which `period`'s statement is remitted under `cycle`. */
export function remitBy(period: string, cycle: TRemittanceCycle): string {
  const [year, month] = period.split('-').map(Number) as [number, number];
  const due = new Date(Date.UTC(year, month, cycle.dayOfMonth));
  return due.toISOString().slice(0, 10);
}
