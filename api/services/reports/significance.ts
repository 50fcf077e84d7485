/**
 * Statistics of a champion/challenger comparison, from sums the database adds up per arm.
 *
 * The figure managers run the business on is the recovery rate R = Σ collected / Σ placed: a
 * ratio of two sums over the arm's cases, weighted by dollars, not a share of cases. Its standard
 * error is the ratio estimator's (linearization, Cochran 1977 §6.4):
 *   SE(R)² = Σ (c_i − R p_i)² / (n (n − 1) p̄²),
 * computed over the arm's cases in two passes (R first), so no large sums of squares cancel.
 *
 * The test of "the challenger recovers at a different rate" is a two-sided z-test of
 * R_challenger − R_champion with unequal variances (Welch's idea on the linearized values: the
 * arms have different sizes and spreads, so no pooled variance), at α = 0.05. Why not a
 * two-proportion z-test on cases that paid: it answers another question (how many paid, not how
 * much came in), and a challenger that gets fewer but larger payments would be judged wrongly; it
 * is reported beside, as `payingShare`, for that reason. The normal approximation wants both arms
 * large: below `minCasesPerArm` cases the answer is `too_few_cases`, not a verdict.
 */

/** One case of an arm: what was placed and what has been collected, minor units. */
export interface ArmCase {
  placed: number;
  collected: number;
}

/** An arm's cases with their totals. */
export interface ArmSums {
  cases: number;
  /** Cases with at least one payment that counts. */
  paying: number;
  placed: number;
  collected: number;
  /** Σ (c_i − R p_i)² with R = collected / placed: the spread of the arm's cases around its rate. */
  residualSquares: number;
}

export function armSums(cases: readonly ArmCase[]): ArmSums {
  let placed = 0;
  let collected = 0;
  let paying = 0;
  for (const each of cases) {
    placed += each.placed;
    collected += each.collected;
    if (each.collected > 0) paying++;
  }
  const rate = placed > 0 ? collected / placed : 0;
  let residualSquares = 0;
  for (const each of cases) residualSquares += (each.collected - rate * each.placed) ** 2;
  return { cases: cases.length, paying, placed, collected, residualSquares };
}

export interface RateEstimate {
  rate: number | null;
  standardError: number | null;
  low: number | null;
  high: number | null;
}

export const minCasesPerArm = 30;
export const alpha = 0.05;
const z975 = 1.959963984540054;

/** Recovery rate with its 95% interval (normal, on the ratio estimator's standard error). */
export function recoveryRate(sums: ArmSums): RateEstimate {
  const { cases: n, placed, collected } = sums;
  if (n === 0 || placed <= 0) return { rate: null, standardError: null, low: null, high: null };
  const rate = collected / placed;
  if (n < 2) return { rate, standardError: null, low: null, high: null };
  const meanPlaced = placed / n;
  const standardError = Math.sqrt(sums.residualSquares / (n * (n - 1))) / meanPlaced;
  return { rate, standardError, low: Math.max(0, rate - z975 * standardError), high: rate + z975 * standardError };
}

/** Φ(x), the standard normal CDF (Abramowitz & Stegun 7.1.26 through erf; error < 1.5e-7). */
export function normalCdf(x: number): number {
  const t = 1 / (1 + 0.3275911 * (Math.abs(x) / Math.SQRT2));
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(x * x) / 2);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

export interface Comparison {
  test: 'welch_z_ratio' | 'two_proportion_z';
  /** challenger − champion. */
  difference: number | null;
  low: number | null;
  high: number | null;
  z: number | null;
  pValue: number | null;
  /** significant: p < α; not_significant; too_few_cases: an arm under minCasesPerArm (no verdict). */
  verdict: 'significant' | 'not_significant' | 'too_few_cases';
}

const twoSided = (z: number) => 2 * (1 - normalCdf(Math.abs(z)));

function verdictOf(z: number | null, champion: ArmSums, challenger: ArmSums): Comparison['verdict'] {
  if (champion.cases < minCasesPerArm || challenger.cases < minCasesPerArm || z === null) return 'too_few_cases';
  return twoSided(z) < alpha ? 'significant' : 'not_significant';
}

/** The recovery rates' difference, its 95% interval and the Welch-style z-test (see the top of the file). */
export function compareRecovery(champion: ArmSums, challenger: ArmSums): Comparison {
  const a = recoveryRate(champion);
  const b = recoveryRate(challenger);
  if (a.rate === null || b.rate === null || a.standardError === null || b.standardError === null) {
    return { test: 'welch_z_ratio', difference: a.rate !== null && b.rate !== null ? b.rate - a.rate : null, low: null, high: null, z: null, pValue: null, verdict: 'too_few_cases' };
  }
  const difference = b.rate - a.rate;
  const se = Math.sqrt(a.standardError ** 2 + b.standardError ** 2);
  const z = se > 0 ? difference / se : null;
  return {
    test: 'welch_z_ratio',
    difference,
    low: difference - z975 * se,
    high: difference + z975 * se,
    z,
    pValue: z === null ? null : twoSided(z),
    verdict: verdictOf(z, champion, challenger),
  };
}

/** The share of cases that paid anything, compared by the two-proportion z-test (pooled under the null). */
export function comparePayingShare(champion: ArmSums, challenger: ArmSums): Comparison {
  if (champion.cases === 0 || challenger.cases === 0) return { test: 'two_proportion_z', difference: null, low: null, high: null, z: null, pValue: null, verdict: 'too_few_cases' };
  const p1 = champion.paying / champion.cases;
  const p2 = challenger.paying / challenger.cases;
  const pooled = (champion.paying + challenger.paying) / (champion.cases + challenger.cases);
  const sePooled = Math.sqrt(pooled * (1 - pooled) * (1 / champion.cases + 1 / challenger.cases));
  const seApart = Math.sqrt((p1 * (1 - p1)) / champion.cases + (p2 * (1 - p2)) / challenger.cases);
  const z = sePooled > 0 ? (p2 - p1) / sePooled : null;
  return {
    test: 'two_proportion_z',
    difference: p2 - p1,
    low: p2 - p1 - z975 * seApart,
    high: p2 - p1 + z975 * seApart,
    z,
    pValue: z === null ? null : twoSided(z),
    verdict: verdictOf(z, champion, challenger),
  };
}
