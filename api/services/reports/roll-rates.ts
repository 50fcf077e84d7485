import { z } from 'zod';
import type { Db } from '../../../lib/db.js';
import { transitionsFromAggregates } from '../../../records/roll-rate-aggregates.js';
import { table, tableCsv, type SyncTable } from '../tables.js';
import { asOfDay, monthEnd, num, ratio, type AsOf } from './as-of.js';
import { agingBucketNames, bucketSql, daysPastDueOn, openAt, type AgingBucket } from './aging-buckets.js';
import { scopedSource, type ReportSource } from './report-source.js';
import { caseInScope, type ReportScope } from './scope.js';

/**
 * Roll rates from one month-end to the next: of the cases open in each bucket at the earlier
 * month-end, how many were in which bucket (or closed) at the later one. The later month-end is
 * the as-of date when it is the last day of its month, else the month-end before it. Every case's
 * figures come from the aggregates (records/roll-rate-aggregates.ts), one team's or client's from the rows.
 */

const ZToBucket = z.enum([...agingBucketNames, 'closed']);

export const ZRollRateReport = z.object({
  report: z.literal('roll-rates'),
  asOf: z.string(),
  from: z.string(),
  to: z.string(),
  /** Every (from, to) pair that has cases. */
  transitions: z.array(z.object({ fromBucket: z.enum(agingBucketNames), toBucket: ZToBucket, cases: z.number().int() })),
  /** One line per bucket at `from`. */
  buckets: z.array(
    z.object({
      bucket: z.enum(agingBucketNames),
      cases: z.number().int(),
      /** Moved to a later bucket. */
      rolledForward: z.number().int(),
      stayed: z.number().int(),
      /** Moved to an earlier bucket (cured in part). */
      improved: z.number().int(),
      closed: z.number().int(),
      /** rolledForward / cases, 4 decimals. */
      rollRate: z.number().nullable(),
    }),
  ),
});
export type TRollRateReport = z.infer<typeof ZRollRateReport>;

export async function rollRateReport({ db, at, scope, source }: { db: Db; at: AsOf; scope?: ReportScope; source?: ReportSource }): Promise<TRollRateReport> {
  const to = asOfDay(monthEnd(at.date, 0) === at.date ? at.date : monthEnd(at.date, 1));
  const from = asOfDay(monthEnd(to.date, 1));
  const fromAggregates = (source ?? scopedSource(scope)) === 'aggregates';
  const found = fromAggregates
    ? await transitionsFromAggregates<AgingBucket>(db, from, to, bucketSql)
    : await db.$queryRaw<{ fromBucket: AgingBucket; toBucket: AgingBucket | 'closed'; cases: bigint }[]>`
    SELECT ${bucketSql(daysPastDueOn(from.date))} AS "fromBucket",
           CASE WHEN ${openAt(to.cutoff)} THEN ${bucketSql(daysPastDueOn(to.date))} ELSE 'closed' END AS "toBucket",
           COUNT(*)::bigint AS cases
    FROM "Case" c
    JOIN "Account" a ON a.id = c."accountId"
    WHERE ${openAt(from.cutoff)} ${caseInScope(scope)}
    GROUP BY 1, 2`;
  const order = (bucket: string) => agingBucketNames.indexOf(bucket as AgingBucket);
  const transitions = found
    .map((row) => ({ fromBucket: row.fromBucket, toBucket: row.toBucket, cases: num(row.cases) }))
    .sort((a, b) => order(a.fromBucket) - order(b.fromBucket) || (a.toBucket === 'closed' ? 1 : b.toBucket === 'closed' ? -1 : order(a.toBucket) - order(b.toBucket)));
  const buckets = agingBucketNames.map((bucket) => {
    const out = transitions.filter((row) => row.fromBucket === bucket);
    const count = (test: (row: (typeof out)[number]) => boolean) => out.filter(test).reduce((sum, row) => sum + row.cases, 0);
    const cases = count(() => true);
    const rolledForward = count((row) => row.toBucket !== 'closed' && order(row.toBucket) > order(bucket));
    return {
      bucket,
      cases,
      rolledForward,
      stayed: count((row) => row.toBucket === bucket),
      improved: count((row) => row.toBucket !== 'closed' && order(row.toBucket) < order(bucket)),
      closed: count((row) => row.toBucket === 'closed'),
      rollRate: ratio(rolledForward, cases),
    };
  });
  return { report: 'roll-rates', asOf: at.date, from: from.date, to: to.date, transitions, buckets };
}

export function rollRateTable(report: TRollRateReport): SyncTable {
  return table(
    'Roll rates',
    ['from', 'to', 'bucket', 'cases', 'rolledForward', 'stayed', 'improved', 'closed', 'rollRate'],
    report.buckets.map((row) => [report.from, report.to, row.bucket, row.cases, row.rolledForward, row.stayed, row.improved, row.closed, row.rollRate]),
  );
}

export const rollRateCsv = (report: TRollRateReport): string => tableCsv(rollRateTable(report));
