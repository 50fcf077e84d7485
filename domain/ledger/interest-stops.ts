import { stateLedgerRule, type StateLedgerRuleTable } from './state-ledger-rules.js';

/**
 * When contractual interest stops accruing on a case, as data rows with their source (like the
 * state caps in state-ledger-rules.ts). No interest is posted for a period a rule names; it
 * accrues again from the day the condition ends (the days between are not charged later).
 *
 * The decision for the holds that stop collection:
 * - bankruptcy (the compliance flag): stops, everywhere — the automatic stay stops collection and
 *   a claim in bankruptcy carries no unmatured interest;
 * - a dispute or an original-creditor request awaiting its answer (hold `dispute`): stops,
 *   everywhere — collection of a disputed debt stops until verification is sent, and this engine
 *   then answers with the amount as it stood when disputed rather than one grown while the
 *   collector could not collect;
 * - a hardship pause, a legal review, a wrong-party hold, a deceased debtor: interest goes on as
 *   the agreement says, unless the debtor's state's row says otherwise (`interestStops`), or the
 *   portfolio turns interest off altogether (`accruesInterest: false`).
 */

/** Conditions of a case that may stop interest: its hold's kind, or a compliance flag. */
export const interestStopConditions = ['dispute', 'hardship', 'legal', 'wrong_party', 'bankruptcy', 'deceased'] as const;
export type InterestStopCondition = (typeof interestStopConditions)[number];

export interface InterestStopRule {
  condition: InterestStopCondition;
  /** Where the rule comes from, shown when interest stops. */
  source: string;
}

/** Rules that hold in every state. */
export const federalInterestStops: readonly InterestStopRule[] = [
  { condition: 'bankruptcy', source: '11 U.S.C. 362(a) (the automatic stay) and 502(b)(2) (no claim for unmatured interest)' },
  {
    condition: 'dispute',
    source: "15 U.S.C. 1692g(b), 12 CFR 1006.34(c)(3): collection stops until the verification or the original creditor's name is sent; this engine posts no interest for that period",
  },
];

/** The case's conditions as they stand, each with when it began (epoch ms). */
export interface InterestStopFacts {
  hold: { kind: InterestStopCondition; since: number } | null;
  flags: Partial<Record<'bankruptcy' | 'deceased', { at: number }>>;
  /** The debtor's US state, for its row. */
  state: string | undefined;
}

/**
 * Why interest does not accrue now and since when, or null when it accrues: the earliest-begun
 * condition that a federal rule or the state's row names.
 */
export function interestStop(facts: InterestStopFacts, rules?: StateLedgerRuleTable): { since: number; why: string } | null {
  const stateRule = stateLedgerRule(facts.state, rules);
  const sourceOf = (condition: InterestStopCondition): string | undefined =>
    federalInterestStops.find((rule) => rule.condition === condition)?.source ?? (stateRule?.interestStops?.includes(condition) ? `${facts.state?.toUpperCase()}: ${stateRule.source}` : undefined);
  const active: { condition: InterestStopCondition; since: number }[] = [
    ...(facts.hold ? [{ condition: facts.hold.kind, since: facts.hold.since }] : []),
    ...(['bankruptcy', 'deceased'] as const).flatMap((flag) => (facts.flags[flag] ? [{ condition: flag, since: facts.flags[flag].at }] : [])),
  ];
  let stop: { since: number; why: string } | null = null;
  for (const { condition, since } of active) {
    const source = sourceOf(condition);
    if (source !== undefined && (stop === null || since < stop.since)) stop = { since, why: `${condition.replace('_', ' ')} (${source})` };
  }
  return stop;
}
