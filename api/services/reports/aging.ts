import { z } from 'zod';
import type { Db } from '../../../lib/db.js';
import { agingFromAggregates, type AgingFound } from '../../../records/aging-aggregates.js';
import { table, tableCsv, type SyncTable } from '../tables.js';
import { collectedByCase, num, type AsOf } from './as-of.js';
import { agingBucketNames, bucketSql, daysPastDueOn, openAt } from './aging-buckets.js';
import { owedPartsByCase } from './owed-parts.js';
import { reportSource, type ReportSource } from './report-source.js';
import { caseInScope, type ReportScope } from './scope.js';

/**
 * Aging: the cases open on the as-of date by days past due, with counts and the balance still
 * owed then, per currency, and what it is made of: for a case with an account ledger, its
 * entries' parts on that date (interest and fees included); for one without, its placed balance
 * less the payments that count on that date, all principal. `balance` is always the three parts' sum.
 */

export const ZAgingRow = z.object({
  currency: z.string(),
  bucket: z.enum(agingBucketNames),
  cases: z.number().int(),
  balance: z.number().int(),
  /** What `balance` is made of; the three add up to it. */
  principal: z.number().int(),
  interest: z.number().int(),
  fees: z.number().int(),
});
export type TAgingRow = z.infer<typeof ZAgingRow>;

export const ZAgingReport = z.object({
  report: z.literal('aging'),
  asOf: z.string(),
  /** Every bucket of every currency, in bucket order, empty buckets included. */
  rows: z.array(ZAgingRow),
});
export type TAgingReport = z.infer<typeof ZAgingReport>;

/** Cases and what they owe of each part per currency and bucket, from the rows. */
export function agingFromRows(db: Db, at: AsOf, scope?: ReportScope): Promise<AgingFound[]> {
  return db.$queryRaw<AgingFound[]>`
    WITH collected AS (${collectedByCase(at.cutoff)}), owed AS (${owedPartsByCase(at.cutoff)})
    SELECT c."currency" AS currency,
           ${bucketSql(daysPastDueOn(at.date))} AS bucket,
           COUNT(*)::bigint AS cases,
           SUM(CASE WHEN ow."caseId" IS NULL THEN GREATEST(a."originalBalance" - COALESCE(col.amount, 0), 0) ELSE GREATEST(ow.principal, 0) END)::bigint AS principal,
           SUM(GREATEST(COALESCE(ow.interest, 0), 0))::bigint AS interest,
           SUM(GREATEST(COALESCE(ow.fees, 0), 0))::bigint AS fees
    FROM "Case" c
    JOIN "Account" a ON a.id = c."accountId"
    LEFT JOIN collected col ON col."caseId" = c.id
    LEFT JOIN owed ow ON ow."caseId" = c.id
    WHERE ${openAt(at.cutoff)} ${caseInScope(scope)}
    GROUP BY 1, 2`;
}

export async function agingReport({ db, at, scope, source }: { db: Db; at: AsOf; scope?: ReportScope; source?: ReportSource }): Promise<TAgingReport> {
  const from = source ?? (await reportSource(db, at, scope));
  const found = from === 'aggregates' ? await agingFromAggregates(db, at.date, bucketSql) : await agingFromRows(db, at, scope);
  const currencies = [...new Set(found.map((row) => row.currency))].sort();
  const rows = currencies.flatMap((currency) =>
    agingBucketNames.map((bucket) => {
      const row = found.find((candidate) => candidate.currency === currency && candidate.bucket === bucket);
      const parts = { principal: num(row?.principal), interest: num(row?.interest), fees: num(row?.fees) };
      return { currency, bucket, cases: num(row?.cases), balance: parts.principal + parts.interest + parts.fees, ...parts };
    }),
  );
  return { report: 'aging', asOf: at.date, rows };
}

export function agingTable(report: TAgingReport): SyncTable {
  return table('Aging', ['currency', 'bucket', 'cases', 'balance', 'principal', 'interest', 'fees'], report.rows.map((row) => [row.currency, row.bucket, row.cases, row.balance, row.principal, row.interest, row.fees]));
}

export const agingCsv = (report: TAgingReport): string => tableCsv(agingTable(report));
