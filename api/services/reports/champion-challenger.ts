import { z } from 'zod';
import type { Db } from '../../../lib/db.js';
import { table, type SyncTable } from '../tables.js';
import { collectedByCase, num, type AsOf } from './as-of.js';
import { caseInScope, type ReportScope } from './scope.js';
import { alpha, armSums, comparePayingShare, compareRecovery, minCasesPerArm, recoveryRate, type ArmCase, type Comparison } from './significance.js';

/**
 * Champion/challenger with statistics: per segment split and currency, each arm's recovery rate
 * with its 95% interval, and whether the challenger's rate differs from the champion's by more
 * than chance would (api/services/reports/significance.ts says which test and why). Only cases
 * enrolled into an arm (Case.arm) count; placed and collected as in the recovery report.
 */

const ZComparison = z.object({
  test: z.enum(['welch_z_ratio', 'two_proportion_z']),
  difference: z.number().nullable(),
  low: z.number().nullable(),
  high: z.number().nullable(),
  z: z.number().nullable(),
  pValue: z.number().nullable(),
  verdict: z.enum(['significant', 'not_significant', 'too_few_cases']),
});

const ZArmStatistics = z.object({
  arm: z.string(),
  strategies: z.array(z.string()),
  cases: z.number().int(),
  casesWithPayments: z.number().int(),
  placed: z.number().int(),
  collected: z.number().int(),
  recoveryRate: z.number().nullable(),
  /** The recovery rate's 95% interval. */
  low: z.number().nullable(),
  high: z.number().nullable(),
});

export const ZSplitComparison = z.object({
  currency: z.string(),
  /** The segment whose split enrolled the cases; null for cases enrolled into an arm without one. */
  segment: z.string().nullable(),
  arms: z.array(ZArmStatistics),
  /** Challenger − champion recovery rate; null unless both arms are there. */
  recovery: ZComparison.nullable(),
  /** Challenger − champion share of cases that paid anything (secondary). */
  payingShare: ZComparison.nullable(),
});
export type TSplitComparison = z.infer<typeof ZSplitComparison>;

export const ZChampionChallengerReport = z.object({
  report: z.literal('champion-challenger'),
  asOf: z.string(),
  alpha: z.number(),
  minCasesPerArm: z.number().int(),
  method: z.string(),
  comparisons: z.array(ZSplitComparison),
});
export type TChampionChallengerReport = z.infer<typeof ZChampionChallengerReport>;

const method =
  'Recovery rate = collected / placed per arm, 95% interval from the ratio estimator standard error; the difference is tested by a two-sided ' +
  `z-test with unequal variances (Welch) on it, significant when p < ${alpha}; no verdict below ${minCasesPerArm} cases per arm. ` +
  'The share of cases paying is compared by a two-proportion z-test, as a second view.';

interface CaseRow {
  currency: string;
  segment: string | null;
  arm: string;
  strategy: string;
  placed: bigint;
  collected: bigint;
}

const round = (value: number | null, digits = 4) => (value === null ? null : Number(value.toFixed(digits)));
const rounded = (comparison: Comparison) => ({ ...comparison, difference: round(comparison.difference), low: round(comparison.low), high: round(comparison.high), z: round(comparison.z, 3), pValue: round(comparison.pValue) });

export async function championChallengerReport({ db, at, scope, segment }: { db: Db; at: AsOf; scope?: ReportScope; segment?: string }): Promise<TChampionChallengerReport> {
  const rows = await db.$queryRaw<CaseRow[]>`
    WITH collected AS (${collectedByCase(at.cutoff)})
    SELECT c."currency", c."segment", c."arm", s."key" AS strategy, a."originalBalance"::bigint AS placed, COALESCE(col.amount, 0)::bigint AS collected
    FROM "Case" c
    JOIN "Account" a ON a.id = c."accountId"
    JOIN "Strategy" s ON s.id = c."strategyId"
    LEFT JOIN collected col ON col."caseId" = c.id
    WHERE c."arm" IS NOT NULL AND c."startedAt" < ${at.cutoff} ${caseInScope(scope)}
    ORDER BY c."currency", c."segment", c."arm"`;
  type Arm = { strategies: Set<string>; cases: ArmCase[] };
  const groups = new Map<string, { currency: string; segment: string | null; arms: Map<string, Arm> }>();
  for (const row of rows) {
    if (segment !== undefined && row.segment !== segment) continue;
    const key = JSON.stringify([row.currency, row.segment]);
    const group = groups.get(key) ?? { currency: row.currency, segment: row.segment, arms: new Map<string, Arm>() };
    const arm: Arm = group.arms.get(row.arm) ?? { strategies: new Set<string>(), cases: [] };
    arm.strategies.add(row.strategy);
    arm.cases.push({ placed: num(row.placed), collected: num(row.collected) });
    group.arms.set(row.arm, arm);
    groups.set(key, group);
  }
  const comparisons = [...groups.values()].map((group): TSplitComparison => {
    const sums = new Map([...group.arms].map(([arm, { cases }]) => [arm, armSums(cases)]));
    const arms = [...group.arms].map(([arm, { strategies }]) => {
      const armTotals = sums.get(arm)!;
      const estimate = recoveryRate(armTotals);
      return {
        arm,
        strategies: [...strategies].sort(),
        cases: armTotals.cases,
        casesWithPayments: armTotals.paying,
        placed: armTotals.placed,
        collected: armTotals.collected,
        recoveryRate: round(estimate.rate),
        low: round(estimate.low),
        high: round(estimate.high),
      };
    });
    const champion = sums.get('champion');
    const challenger = sums.get('challenger');
    return {
      currency: group.currency,
      segment: group.segment,
      arms,
      recovery: champion && challenger ? rounded(compareRecovery(champion, challenger)) : null,
      payingShare: champion && challenger ? rounded(comparePayingShare(champion, challenger)) : null,
    };
  });
  return { report: 'champion-challenger', asOf: at.date, alpha, minCasesPerArm, method, comparisons };
}

export function championChallengerTable(report: TChampionChallengerReport): SyncTable {
  const header = ['currency', 'segment', 'arm', 'strategies', 'cases', 'casesWithPayments', 'placed', 'collected', 'recoveryRate', 'low', 'high', 'difference', 'pValue', 'verdict'];
  return table(
    'Champion vs challenger',
    header,
    report.comparisons.flatMap((comparison) =>
      comparison.arms.map((arm) => [
        comparison.currency,
        comparison.segment ?? '',
        arm.arm,
        arm.strategies.join(' '),
        arm.cases,
        arm.casesWithPayments,
        arm.placed,
        arm.collected,
        arm.recoveryRate,
        arm.low,
        arm.high,
        arm.arm === 'challenger' ? (comparison.recovery?.difference ?? null) : null,
        arm.arm === 'challenger' ? (comparison.recovery?.pValue ?? null) : null,
        arm.arm === 'challenger' ? (comparison.recovery?.verdict ?? null) : null,
      ]),
    ),
  );
}
