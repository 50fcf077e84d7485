import { z } from 'zod';
import { Prisma } from '../../../generated/prisma/client.js';
import { ZCalendarDate } from '../../schemas.js';

/**
 * The as-of date every report takes: figures are what the projection knew at the end of that
 * day (UTC). A payment counts from its receipt until its reversal; a case exists from its start.
 */

export const ZReportQuery = z
  .object({
    /** End of this UTC day is the cut-off; today when absent. */
    asOf: ZCalendarDate.optional(),
    format: z.enum(['json', 'csv', 'xlsx']).default('json'),
  })
  .strict();
export type ReportFormat = z.infer<typeof ZReportQuery>['format'];

export interface AsOf {
  /** YYYY-MM-DD */
  date: string;
  /** The first instant after the day: everything strictly before it counts. */
  cutoff: Date;
}

export function asOfDay(date: string): AsOf {
  const cutoff = new Date(`${date}T00:00:00.000Z`);
  cutoff.setUTCDate(cutoff.getUTCDate() + 1);
  return { date, cutoff };
}

export function asOf(date: string | undefined, now: Date = new Date()): AsOf {
  return asOfDay(date ?? now.toISOString().slice(0, 10));
}

/** The last day of the month `monthsBack` months before the month of `date` (0: its own month). */
export function monthEnd(date: string, monthsBack: number): string {
  const [year, month] = date.split('-').map(Number) as [number, number];
  // Day 0 of the next month is the last day of this one.
  return new Date(Date.UTC(year, month - monthsBack, 0)).toISOString().slice(0, 10);
}

/** Whole months from the month of `from` (YYYY-MM) to the month of `to` (YYYY-MM-DD). */
export function monthsBetween(from: string, to: string): number {
  const [fromYear, fromMonth] = from.split('-').map(Number) as [number, number];
  const [toYear, toMonth] = to.split('-').map(Number) as [number, number];
  return (toYear - fromYear) * 12 + (toMonth - fromMonth);
}

/** Per case, the payments that count at `cutoff`: received before it and not reversed before it. */
export function collectedByCase(cutoff: Date): Prisma.Sql {
  return Prisma.sql`
    SELECT p."caseId", SUM(p.amount)::bigint AS amount
    FROM "Payment" p
    WHERE p."receivedAt" < ${cutoff} AND (p."reversedAt" IS NULL OR p."reversedAt" >= ${cutoff})
    GROUP BY p."caseId"`;
}

/**
 * Per case with an account ledger, what its payments took from each part by `cutoff` (entries
 * dated before it): payments (and the part of one kept after a partial return) less their
 * reversals. Settlement forgiveness (credits) is not recovery. Cases without a ledger have no row.
 */
export function recoveredPartsByCase(cutoff: Date): Prisma.Sql {
  const before = cutoff.toISOString().slice(0, 10);
  return Prisma.sql`
    SELECT l."caseId", -SUM(l.principal)::bigint AS principal, -SUM(l.interest)::bigint AS interest, -SUM(l.fees)::bigint AS fees
    FROM "LedgerEntry" l
    WHERE l."on" < ${before} AND (l.kind = 'payment' OR (l.kind = 'reversal' AND l.entry->>'of' LIKE 'payment:%'))
    GROUP BY l."caseId"`;
}

/** A ratio rounded to 4 decimals, or null when there is nothing to divide by. */
export function ratio(part: number, whole: number): number | null {
  return whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null;
}

/** Sums come back from PostgreSQL as bigint; money totals stay far below 2^53. */
export const num = (value: bigint | number | null | undefined): number => Number(value ?? 0);
