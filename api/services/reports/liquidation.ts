import { z } from 'zod';
import type { Db } from '../../../lib/db.js';
import { table, tableCsv, type SyncTable } from '../tables.js';
import { collectedFromAggregates, placedFromAggregates, type PaidRow, type PlacedRow } from '../../../records/liquidation-aggregates.js';
import { monthsBetween, num, ratio, type AsOf } from './as-of.js';
import { collectedPartsByMonth, type CollectedParts } from './collected-parts.js';
import { reportSource, type ReportSource } from './report-source.js';
import { caseInScope, type ReportScope } from './scope.js';

/**
 * Liquidation curves: for each placement cohort (month) and currency, the share of the placed
 * amount collected by the end of month 0, 1, 2 ... since placement. A payment falls in month n
 * when it came n whole months after its case started. Each curve runs to the cohort's age on the
 * as-of date.
 */

export const ZLiquidationReport = z.object({
  report: z.literal('liquidation'),
  asOf: z.string(),
  cohorts: z.array(
    z.object({
      cohort: z.string(),
      currency: z.string(),
      cases: z.number().int(),
      placed: z.number().int(),
      points: z.array(
        z.object({
          /** Months since placement. */
          month: z.number().int(),
          collected: z.number().int(),
          cumulativeCollected: z.number().int(),
          /** cumulativeCollected / placed, 4 decimals. */
          cumulativeRate: z.number().nullable(),
          /** What the month's collections paid of the principal, the interest and the fees (api/services/reports/collected-parts.ts). */
          collectedPrincipal: z.number().int(),
          collectedInterest: z.number().int(),
          collectedFees: z.number().int(),
        }),
      ),
    }),
  ),
});
export type TLiquidationReport = z.infer<typeof ZLiquidationReport>;

interface LiquidationFound {
  placed: PlacedRow[];
  paid: PaidRow[];
  parts: CollectedParts[];
}

/** Placed per cohort and currency, and collected per month since placement with its parts, from the rows. */
export async function liquidationFromRows(db: Db, at: AsOf, scope?: ReportScope): Promise<LiquidationFound> {
  const placed = await db.$queryRaw<PlacedRow[]>`
    SELECT to_char(date_trunc('month', c."startedAt"), 'YYYY-MM') AS cohort, c."currency" AS currency,
           COUNT(*)::bigint AS cases, SUM(a."originalBalance")::bigint AS placed
    FROM "Case" c JOIN "Account" a ON a.id = c."accountId"
    WHERE c."startedAt" < ${at.cutoff} ${caseInScope(scope)}
    GROUP BY 1, 2
    ORDER BY 1, 2`;
  const paid = await db.$queryRaw<PaidRow[]>`
    SELECT to_char(date_trunc('month', c."startedAt"), 'YYYY-MM') AS cohort, c."currency" AS currency,
           GREATEST(0, EXTRACT(YEAR FROM age(p."receivedAt", c."startedAt")) * 12 + EXTRACT(MONTH FROM age(p."receivedAt", c."startedAt")))::int AS month,
           SUM(p.amount)::bigint AS amount
    FROM "Payment" p JOIN "Case" c ON c.id = p."caseId"
    WHERE c."startedAt" < ${at.cutoff} AND p."receivedAt" < ${at.cutoff} AND (p."reversedAt" IS NULL OR p."reversedAt" >= ${at.cutoff}) ${caseInScope(scope)}
    GROUP BY 1, 2, 3`;
  const parts = await collectedPartsByMonth(db, at, scope);
  return { placed, paid, parts };
}

/** The same from the aggregates the triggers keep (records/liquidation-aggregates.ts). */
async function liquidationFromAggregates(db: Db): Promise<LiquidationFound> {
  const { paid, parts } = await collectedFromAggregates(db);
  return {
    placed: await placedFromAggregates(db),
    paid,
    parts: parts.map((row) => ({ cohort: row.cohort, currency: row.currency, month: row.month, principal: num(row.principal), interest: num(row.interest), fees: num(row.fees) })),
  };
}

export async function liquidationReport({ db, at, scope, source }: { db: Db; at: AsOf; scope?: ReportScope; source?: ReportSource }): Promise<TLiquidationReport> {
  const from = source ?? (await reportSource(db, at, scope));
  const { placed, paid, parts } = from === 'aggregates' ? await liquidationFromAggregates(db) : await liquidationFromRows(db, at, scope);
  const cohorts = placed.map((row) => {
    const age = Math.max(0, monthsBetween(row.cohort, at.date));
    let cumulative = 0;
    const points = Array.from({ length: age + 1 }, (_, month) => {
      const collected = paid
        .filter((payment) => payment.cohort === row.cohort && payment.currency === row.currency && payment.month === month)
        .reduce((sum, payment) => sum + num(payment.amount), 0);
      cumulative += collected;
      const split = parts.find((part) => part.cohort === row.cohort && part.currency === row.currency && part.month === month);
      return {
        month,
        collected,
        cumulativeCollected: cumulative,
        cumulativeRate: ratio(cumulative, num(row.placed)),
        collectedPrincipal: split?.principal ?? 0,
        collectedInterest: split?.interest ?? 0,
        collectedFees: split?.fees ?? 0,
      };
    });
    return { cohort: row.cohort, currency: row.currency, cases: num(row.cases), placed: num(row.placed), points };
  });
  return { report: 'liquidation', asOf: at.date, cohorts };
}

export function liquidationTable(report: TLiquidationReport): SyncTable {
  return table(
    'Liquidation',
    ['cohort', 'currency', 'cases', 'placed', 'month', 'collected', 'cumulativeCollected', 'cumulativeRate', 'collectedPrincipal', 'collectedInterest', 'collectedFees'],
    report.cohorts.flatMap((cohort) =>
      cohort.points.map((point) => [
        cohort.cohort,
        cohort.currency,
        cohort.cases,
        cohort.placed,
        point.month,
        point.collected,
        point.cumulativeCollected,
        point.cumulativeRate,
        point.collectedPrincipal,
        point.collectedInterest,
        point.collectedFees,
      ]),
    ),
  );
}

export const liquidationCsv = (report: TLiquidationReport): string => tableCsv(liquidationTable(report));
