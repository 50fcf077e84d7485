import type { Db } from '../lib/db.js';

/**
 * The liquidation report's pre-aggregated figures: placed amounts per cohort and currency, and
 * payments not reversed per cohort, currency and month since placement. Triggers on Case,
 * Account and Payment keep them in the transaction of every write (migration
 * 20261205120033_liquidation_aggregates), so they are always the rows' figures *as of now*.
 *
 * They answer an as-of date only when nothing is dated on or after its cut-off (no case started,
 * no payment received or reversed): then "as of now" and "as of that day" are the same. Today's
 * report is that case; an earlier date, or rows dated ahead, read the rows.
 */

export interface PlacedRow {
  cohort: string;
  currency: string;
  cases: bigint;
  placed: bigint;
}

export interface PaidRow {
  cohort: string;
  currency: string;
  month: number;
  amount: bigint;
}

/** True when the aggregates equal the rows' figures at `cutoff`: nothing is dated on or after it. */
export async function aggregatesCover(db: Db, cutoff: Date): Promise<boolean> {
  // Three index lookups (Case_startedAt_idx, Payment_receivedAt_idx, Payment_reversedAt_idx).
  const [row] = await db.$queryRaw<{ later: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM "Case" WHERE "startedAt" >= ${cutoff})
        OR EXISTS (SELECT 1 FROM "Payment" WHERE "receivedAt" >= ${cutoff})
        OR EXISTS (SELECT 1 FROM "Payment" WHERE "reversedAt" >= ${cutoff}) AS later`;
  return row?.later === false;
}

/** Placed per cohort and currency, as the rows' `GROUP BY` gives them (cohorts with cases only). */
export function placedFromAggregates(db: Db): Promise<PlacedRow[]> {
  return db.$queryRaw<PlacedRow[]>`
    SELECT "cohort", "currency", "cases"::bigint AS cases, "placed" AS placed
    FROM "LiquidationCohort" WHERE "cases" > 0
    ORDER BY 1, 2`;
}

/** Collected per cohort, currency and month since placement (months with payments still counted only). */
export function paidFromAggregates(db: Db): Promise<PaidRow[]> {
  return db.$queryRaw<PaidRow[]>`
    SELECT "cohort", "currency", "month", "collected" AS amount
    FROM "LiquidationCollected" WHERE "collected" <> 0`;
}
