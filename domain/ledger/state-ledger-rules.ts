import type { FeeType } from './fees.js';
import type { InterestStopCondition } from './interest-stops.js';

/**
 * State limits on interest and fees, as data (like domain/regulation/state-overrides.ts): a new
 * state's rule is a table entry and a test, not a code change. An entry only narrows what the
 * agreement allows; a state without an entry adds no limit of its own.
 *
 * THE ENTRIES BELOW ARE EXAMPLES to be verified by counsel before production use: caps depend on
 * the lender, the kind of credit and the date of the agreement, and are abridged here.
 */

export interface StateLedgerRule {
  /** Where the rule comes from, shown in refusals. */
  source: string;
  /** Highest annual contractual rate a collector may charge, in millionths (16% is 160000). */
  maxAnnualRatePpm?: number;
  /** Fee types the state does not let a collector add, whatever the agreement says. */
  forbiddenFees?: readonly FeeType[];
  /** Conditions during which the state lets no interest accrue, beyond the federal ones (domain/ledger/interest-stops.ts). */
  interestStops?: readonly InterestStopCondition[];
}

export type StateLedgerRuleTable = Readonly<Record<string, StateLedgerRule>>;

export const stateLedgerRules: StateLedgerRuleTable = {
  // EXAMPLE — verify with counsel: the civil usury ceiling for loans not otherwise exempt.
  NY: { source: 'New York General Obligations Law 5-501 and Banking Law 14-a', maxAnnualRatePpm: 160_000 },
  // EXAMPLE — verify with counsel: the constitutional ceiling for non-exempt lenders; the Rosenthal
  // Act bars collection fees not authorized by law.
  CA: { source: 'California Constitution art. XV §1; Civil Code 1788.14(b)', maxAnnualRatePpm: 100_000, forbiddenFees: ['collection'] },
  // EXAMPLE — verify with counsel: the criminal usury ceiling; convenience fees barred by the AG's rules.
  MA: { source: 'Massachusetts G.L. c. 271 §49; 940 CMR 7.07', maxAnnualRatePpm: 200_000, forbiddenFees: ['convenience'] },
};

/** The rule for a state code (any case), or `undefined`. */
export function stateLedgerRule(state: string | undefined, table: StateLedgerRuleTable = stateLedgerRules): StateLedgerRule | undefined {
  return state ? table[state.toUpperCase()] : undefined;
}
