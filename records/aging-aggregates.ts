import { Prisma } from '../generated/prisma/client.js';
import type { Db } from '../lib/db.js';

/**
 * The aging report's pre-aggregated figures: the open cases and what they still owe of each part
 * per currency (with an account ledger, its entries' sums, each never below zero; without, placed
 * less payments not reversed, never below zero, all principal) and the day each became delinquent (its
 * start less its days past due at placement), so the bucket of any as-of date follows from the
 * day alone. Triggers on Case, Account, Payment and LedgerEntry keep them through each case's share (AgingCase)
 * in the transaction of every write (migrations 20261205121825_report_aggregates, 20261205130123_report_aggregate_parts; their group rows taken in key order since
 * 20261205175731_aggregate_triggers_key_order); they answer an
 * as-of date when `aggregatesCover` (aggregates-cover.ts) says so.
 */

export interface AgingFound {
  currency: string;
  bucket: string;
  cases: bigint;
  principal: bigint;
  interest: bigint;
  fees: bigint;
}

/** Cases and what they owe of each part per currency and bucket, the bucket named by `bucketOf(days past due on the date)`. */
export function agingFromAggregates(db: Db, date: string, bucketOf: (daysPastDue: Prisma.Sql) => Prisma.Sql): Promise<AgingFound[]> {
  return db.$queryRaw<AgingFound[]>`
    SELECT "currency", ${bucketOf(Prisma.sql`(${date}::date - "dueSince")`)} AS bucket, SUM("cases")::bigint AS cases,
           SUM("principal")::bigint AS principal, SUM("interest")::bigint AS interest, SUM("fees")::bigint AS fees
    FROM "AgingOpen" WHERE "cases" > 0
    GROUP BY 1, 2`;
}
