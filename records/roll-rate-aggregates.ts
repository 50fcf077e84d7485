import { Prisma } from '../generated/prisma/client.js';
import type { Db } from '../lib/db.js';

/**
 * The roll-rate report's pre-aggregated cases: how many per day they became delinquent (start less
 * days past due at placement), month they started and month they closed. Triggers on Case and
 * Account keep them in the transaction of every write (migration 20261205145532_funnel_aggregates).
 * Roll rates compare two month-ends, whose cut-offs are the first instants of months: a case was
 * open at one when it started in an earlier month and did not close in an earlier month, and its
 * days past due there are the month-end less the day it became delinquent. So the aggregates give
 * the rows' figures at any as-of date; only a team or client scope needs the rows.
 */

export interface TransitionFound<Bucket extends string> {
  fromBucket: Bucket;
  toBucket: Bucket | 'closed';
  cases: bigint;
}

/** Open at `from` (a month-end) per bucket there, by bucket (or closed) at `to`; `bucketOf` names the bucket of days past due. */
export function transitionsFromAggregates<Bucket extends string>(
  db: Db,
  from: { date: string; cutoff: Date },
  to: { date: string; cutoff: Date },
  bucketOf: (daysPastDue: Prisma.Sql) => Prisma.Sql,
): Promise<TransitionFound<Bucket>[]> {
  const openAt = (cutoff: Date) => {
    const month = cutoff.toISOString().slice(0, 10);
    return Prisma.sql`("startedMonth" < ${month}::date AND ("closedMonth" IS NULL OR "closedMonth" >= ${month}::date))`;
  };
  return db.$queryRaw<TransitionFound<Bucket>[]>`
    SELECT ${bucketOf(Prisma.sql`(${from.date}::date - "dueSince")`)} AS "fromBucket",
           CASE WHEN ${openAt(to.cutoff)} THEN ${bucketOf(Prisma.sql`(${to.date}::date - "dueSince")`)} ELSE 'closed' END AS "toBucket",
           SUM("cases")::bigint AS cases
    FROM "RollRateCases"
    WHERE ${openAt(from.cutoff)}
    GROUP BY 1, 2 HAVING SUM("cases") > 0`;
}
