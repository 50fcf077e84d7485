import type { ArmRunTotals, ArmSummary, Estimate, SimulationArm, SimulationSummary, SimulationTotals } from './contract.js';

/**
 * The totals of every run summarized: each figure's mean over the runs and its 95% interval, the
 * 2.5th and 97.5th percentiles of the runs' values (linear interpolation between order
 * statistics). With two arms, the difference in recovery rate is taken run by run: both arms of a
 * run met the same debtors with the same draws, so the paired difference carries no sampling noise
 * between the arms, only the strategies' difference and the draws' own spread.
 */

/** The q-quantile (0 ≤ q ≤ 1) of sorted values, linear between order statistics. */
function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  const low = sorted[below] ?? 0;
  const high = sorted[above] ?? low;
  return low + (high - low) * (position - below);
}

export function estimate(values: readonly number[]): Estimate {
  if (values.length === 0) return { mean: 0, low: 0, high: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  return { mean, low: quantile(sorted, 0.025), high: quantile(sorted, 0.975) };
}

const ratio = (part: number, whole: number) => (whole === 0 ? 0 : part / whole);

function keysOf(runs: readonly ArmRunTotals[], pick: (totals: ArmRunTotals) => Record<string, number>): string[] {
  return [...new Set(runs.flatMap((totals) => Object.keys(pick(totals))))].sort();
}

function byKey(runs: readonly ArmRunTotals[], pick: (totals: ArmRunTotals) => Record<string, number>): Record<string, Estimate> {
  return Object.fromEntries(keysOf(runs, pick).map((key) => [key, estimate(runs.map((totals) => pick(totals)[key] ?? 0))]));
}

function recoveryByDay(totals: ArmRunTotals, day: number): number {
  const last = totals.recoveredByDay.length - 1;
  return ratio(totals.recoveredByDay[Math.min(day, last)] ?? 0, totals.balance);
}

function summarizeArm(label: string, runs: readonly ArmRunTotals[]): ArmSummary {
  const days = (runs[0]?.recoveredByDay.length ?? 1) - 1;
  const contacted = (totals: ArmRunTotals) => Object.values(totals.contacts).reduce((sum, count) => sum + count, 0);
  // A run that collected nothing has no cost per dollar: it is left out rather than counted as infinite.
  const costly = runs.filter((totals) => totals.recovered > 0);
  return {
    label,
    recoveryRate: estimate(runs.map((totals) => ratio(totals.recovered, totals.balance))),
    recovered: estimate(runs.map((totals) => totals.recovered)),
    recoveredBy: {
      d30: estimate(runs.map((totals) => recoveryByDay(totals, 30))),
      d60: estimate(runs.map((totals) => recoveryByDay(totals, 60))),
      d90: estimate(runs.map((totals) => recoveryByDay(totals, 90))),
    },
    contactsPerCase: estimate(runs.map((totals) => ratio(contacted(totals), totals.cases))),
    // Both in minor units of the same currency: cents spent per cent collected is dollars per dollar.
    costPerDollarCollected: estimate(costly.map((totals) => totals.cost / totals.recovered)),
    holds: byKey(runs, (totals) => totals.holds),
    endings: byKey(runs, (totals) => totals.endings),
    curve: Array.from({ length: days + 1 }, (_, day) => ({ day, ...estimate(runs.map((totals) => recoveryByDay(totals, day))) })),
  };
}

/**
 * Rates (recovery, recovered by day 30/60/90, the curve) are shares of the balance owed at the
 * start; `recovered` is minor units; holds and endings are counts per run over all the cases.
 * `arms` gives the labels, in the order of the totals.
 */
export function summarize(totals: SimulationTotals, arms?: ReadonlyArray<Pick<SimulationArm, 'label'>>): SimulationSummary {
  const summaries = totals.map((runs, arm) => summarizeArm(arms?.[arm]?.label ?? `arm ${arm + 1}`, runs));
  const first = totals[0] ?? [];
  const second = totals[1];
  const summary: SimulationSummary = { runs: first.length, cases: first[0]?.cases ?? 0, arms: summaries };
  if (second && totals.length === 2) {
    summary.difference = estimate(first.map((totals, run) => {
      const other = second[run] as ArmRunTotals;
      return ratio(other.recovered, other.balance) - ratio(totals.recovered, totals.balance);
    }));
  }
  return summary;
}
