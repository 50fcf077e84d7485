import type { Db } from '../lib/db.js';

/**
 * The liquidation report's pre-aggregated figures: placed amounts per cohort and currency, and
 * payments not reversed per cohort, currency and month since placement, with what they paid of
 * each part (api/services/reports/collected-parts.ts). Triggers on Case, Account, Payment and
 * LedgerEntry keep them in the transaction of every write (migrations
 * 20261205121825_report_aggregates, 20261205130123_report_aggregate_parts; their group rows taken in key order since
 * 20261205175731_aggregate_triggers_key_order), so they are always the rows' figures *as of now*; they
 * answer an as-of date when `aggregatesCover` (aggregates-cover.ts) says so.
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

export interface PaidPartsRow {
  cohort: string;
  currency: string;
  month: number;
  principal: bigint;
  interest: bigint;
  fees: bigint;
}

/** Placed per cohort and currency, as the rows' `GROUP BY` gives them (cohorts with cases only). */
export function placedFromAggregates(db: Db): Promise<PlacedRow[]> {
  return db.$queryRaw<PlacedRow[]>`
    SELECT "cohort", "currency", "cases"::bigint AS cases, "placed" AS placed
    FROM "LiquidationCohort" WHERE "cases" > 0
    ORDER BY 1, 2`;
}

/**
 * Collected per cohort, currency and month since placement (months with payments still counted
 * only), and what it paid of each part (months where a part moved), from one read of the table.
 */
export async function collectedFromAggregates(db: Db): Promise<{ paid: PaidRow[]; parts: PaidPartsRow[] }> {
  const rows = await db.$queryRaw<(PaidPartsRow & { amount: bigint })[]>`
    SELECT "cohort", "currency", "month", "collected" AS amount, "principal", "interest", "fees"
    FROM "LiquidationCollected" WHERE "collected" <> 0 OR "principal" <> 0 OR "interest" <> 0 OR "fees" <> 0`;
  return {
    paid: rows.filter((row) => row.amount !== 0n).map(({ cohort, currency, month, amount }) => ({ cohort, currency, month, amount })),
    parts: rows.filter((row) => row.principal !== 0n || row.interest !== 0n || row.fees !== 0n).map(({ cohort, currency, month, principal, interest, fees }) => ({ cohort, currency, month, principal, interest, fees })),
  };
}
