import { Prisma } from '../../../generated/prisma/client.js';

/**
 * The aging buckets, defined once for the aging and roll-rate reports. A case's days past due on
 * a date are its days past due at placement plus the days since it started.
 */

export const agingBuckets = [
  { name: 'current', max: 0 },
  { name: '1-30', max: 30 },
  { name: '31-60', max: 60 },
  { name: '61-90', max: 90 },
  { name: '91-120', max: 120 },
  { name: '121-180', max: 180 },
  { name: '180+', max: Number.POSITIVE_INFINITY },
] as const;
export type AgingBucket = (typeof agingBuckets)[number]['name'];
export const agingBucketNames = agingBuckets.map((bucket) => bucket.name) as [AgingBucket, ...AgingBucket[]];

/** The SQL CASE that names the bucket of `daysPastDue`. */
export function bucketSql(daysPastDue: Prisma.Sql): Prisma.Sql {
  const bounded = agingBuckets.filter((bucket) => Number.isFinite(bucket.max));
  const whens = bounded.map((bucket) => Prisma.sql`WHEN ${daysPastDue} <= ${Prisma.raw(String(bucket.max))} THEN ${bucket.name}`);
  return Prisma.sql`(CASE ${Prisma.join(whens, ' ')} ELSE ${agingBuckets[agingBuckets.length - 1]?.name ?? '180+'} END)`;
}

/** Days past due on the day `date` (YYYY-MM-DD) of a case in the query (aliases c and a). */
export function daysPastDueOn(date: string): Prisma.Sql {
  return Prisma.sql`(a."daysPastDue" + (${date}::date - c."startedAt"::date))`;
}

/** True for a case that was open at `cutoff`: started before it and not closed before it. */
export function openAt(cutoff: Date): Prisma.Sql {
  return Prisma.sql`(c."startedAt" < ${cutoff} AND (c."closedAt" IS NULL OR c."closedAt" >= ${cutoff}))`;
}
