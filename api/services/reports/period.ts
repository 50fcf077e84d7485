import { Prisma } from '../../../generated/prisma/client.js';
import { ZCalendarDate } from '../../schemas.js';
import { ZReportQuery, type AsOf } from './as-of.js';

/**
 * Activity reports (funnel, officers) count what happened in a period: from the start of `from`
 * (or the beginning) to the end of the as-of date.
 */

export const ZPeriodQuery = ZReportQuery.extend({
  /** First day counted (UTC); from the beginning when absent. */
  from: ZCalendarDate.optional(),
});

export interface Period extends AsOf {
  from: string | null;
  start: Date;
}

export function period(at: AsOf, from: string | undefined): Period {
  return { ...at, from: from ?? null, start: from ? new Date(`${from}T00:00:00.000Z`) : new Date(0) };
}

/** `column` falls in the period. */
export function within(column: Prisma.Sql, range: Period): Prisma.Sql {
  return Prisma.sql`(${column} >= ${range.start} AND ${column} < ${range.cutoff})`;
}
