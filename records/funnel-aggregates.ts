import { Prisma } from '../generated/prisma/client.js';
import type { Db } from '../lib/db.js';

/**
 * The funnel report's pre-aggregated communications: how many were created on each UTC day per
 * channel, status (now) and the case's strategy version and arm. Triggers on Communication and
 * Case keep them in the transaction of every write (migration 20261205145532_funnel_aggregates).
 * A report's period runs from the start of one UTC day to the end of another, so the sum of its
 * days is the rows' figure for any period, not only today's; only a team or client scope needs
 * the rows (the cases of a scope are not a dimension here).
 */

export interface ChannelFound {
  channel: string;
  attempts: bigint;
  sent: bigint;
  delivered: bigint;
  failed: bigint;
}

export interface SentFound {
  strategy: string;
  arm: string | null;
  count: bigint;
}

/** The period's first day and the day after its last, as the aggregates' `day` compares. */
const days = (start: Date, cutoff: Date) => ({ first: start.toISOString().slice(0, 10), after: cutoff.toISOString().slice(0, 10) });

const list = (values: readonly string[]) => Prisma.join(values.map((value) => Prisma.sql`${value}`));

/** Communications created in the period per channel: all of them, and those now in the sent, delivered and failed statuses. */
export function channelsFromAggregates(db: Db, start: Date, cutoff: Date, statuses: { sent: readonly string[]; failed: readonly string[] }): Promise<ChannelFound[]> {
  const { first, after } = days(start, cutoff);
  return db.$queryRaw<ChannelFound[]>`
    SELECT "channel",
           SUM("count")::bigint AS attempts,
           COALESCE(SUM("count") FILTER (WHERE "status" IN (${list(statuses.sent)})), 0)::bigint AS sent,
           COALESCE(SUM("count") FILTER (WHERE "status" = 'delivered'), 0)::bigint AS delivered,
           COALESCE(SUM("count") FILTER (WHERE "status" IN (${list(statuses.failed)})), 0)::bigint AS failed
    FROM "FunnelCommunication"
    WHERE "day" >= ${first}::date AND "day" < ${after}::date
    GROUP BY "channel" HAVING SUM("count") > 0 ORDER BY "channel"`;
}

/** Communications created in the period and now in one of `statuses`, per strategy key and arm. */
export function sentFromAggregates(db: Db, start: Date, cutoff: Date, statuses: readonly string[]): Promise<SentFound[]> {
  const { first, after } = days(start, cutoff);
  return db.$queryRaw<SentFound[]>`
    SELECT s."key" AS strategy, f."arm" AS arm, SUM(f."count")::bigint AS count
    FROM "FunnelCommunication" f JOIN "Strategy" s ON s."id" = f."strategyId"
    WHERE f."status" IN (${list(statuses)}) AND f."day" >= ${first}::date AND f."day" < ${after}::date
    GROUP BY 1, 2 HAVING SUM(f."count") > 0`;
}
