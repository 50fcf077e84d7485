/**
 * Contractual simple interest, accrued daily. The rule for rounding: each accrual posts whole minor
 * units, truncated, and carries the fraction to the next one, so the interest over a period is the
 * same however the period is split into accruals (a case that accrues weekly posts, over a year,
 * exactly what one accrual over the year would). BigInt keeps the products exact: a balance of
 * ten billion cents at 100% over ten years overflows a double's integers.
 */

/** Days in the year the daily rate divides by: actual days elapsed over 365, or over 360 (banks' "actual/360"). */
export const dayCounts = { 'actual/365': 365n, 'actual/360': 360n } as const;
export type DayCount = keyof typeof dayCounts;

/** What interest accrues on: the principal only, or the whole balance (interest and fees as well). */
export const interestBases = ['principal', 'balance'] as const;
export type InterestBase = (typeof interestBases)[number];

export interface InterestTerms {
  /** Annual rate in millionths (18% is 180000; 5.375% is 53750): a rate in basis points can't say 5.375%. */
  annualRatePpm: number;
  dayCount: DayCount;
  base: InterestBase;
}

export interface Accrual {
  /** Interest to post, whole minor units. */
  posted: number;
  /** The fraction not posted, in units of 1 / (1,000,000 × days in the year) of a minor unit: hand it to the next accrual. */
  carried: number;
}

const millionths = 1_000_000n;

/**
 * Interest on `amount` for `days` days.
 *
 * @param carried the previous accrual's `carried`, 0 at the start
 */
export function accrue(amount: number, terms: InterestTerms, days: number, carried = 0): Accrual {
  if (amount <= 0 || days <= 0 || terms.annualRatePpm <= 0) return { posted: 0, carried };
  const denominator = millionths * dayCounts[terms.dayCount];
  const numerator = BigInt(amount) * BigInt(terms.annualRatePpm) * BigInt(days) + BigInt(carried);
  const posted = numerator / denominator;
  return { posted: Number(posted), carried: Number(numerator - posted * denominator) };
}

/** Whole days from one calendar date (`YYYY-MM-DD`) to another; negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
