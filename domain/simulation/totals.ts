import type { ArmRunTotals, SimulationTotals } from './contract.js';

/** Sums of a chunk's runs and arms: empty ones, and adding two chunks' together. */

export function emptyArmRunTotals(horizonDays: number): ArmRunTotals {
  return { cases: 0, balance: 0, recovered: 0, recoveredByDay: new Array<number>(horizonDays + 1).fill(0), contacts: {}, cost: 0, holds: {}, endings: {}, responses: {} };
}

export function emptyTotals({ arms, runs, horizonDays }: { arms: number; runs: number; horizonDays: number }): SimulationTotals {
  return Array.from({ length: arms }, () => Array.from({ length: runs }, () => emptyArmRunTotals(horizonDays)));
}

function addCount(counts: Record<string, number>, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}

function addCounts(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const sum = { ...a };
  for (const [key, value] of Object.entries(b)) addCount(sum, key, value);
  return sum;
}

function addArmRun(a: ArmRunTotals, b: ArmRunTotals): ArmRunTotals {
  if (a.recoveredByDay.length !== b.recoveredByDay.length) throw new Error(`totals of ${a.recoveredByDay.length - 1} and ${b.recoveredByDay.length - 1} days cannot be added`);
  return {
    cases: a.cases + b.cases,
    balance: a.balance + b.balance,
    recovered: a.recovered + b.recovered,
    recoveredByDay: a.recoveredByDay.map((value, day) => value + (b.recoveredByDay[day] ?? 0)),
    contacts: addCounts(a.contacts, b.contacts),
    cost: a.cost + b.cost,
    holds: addCounts(a.holds, b.holds),
    endings: addCounts(a.endings, b.endings),
    responses: addCounts(a.responses, b.responses ?? {}),
  };
}

/** Two chunks' totals added arm by arm and run by run (the chunks must share arms, runs and horizon). */
export function addTotals(a: SimulationTotals, b: SimulationTotals): SimulationTotals {
  if (a.length !== b.length || a.some((runs, arm) => runs.length !== b[arm]?.length)) {
    throw new Error(`totals of ${a.length}×${a[0]?.length ?? 0} and ${b.length}×${b[0]?.length ?? 0} (arms × runs) cannot be added`);
  }
  return a.map((runs, arm) => runs.map((totals, run) => addArmRun(totals, b[arm]?.[run] as ArmRunTotals)));
}
