import type { Db } from '../../../lib/db.js';
import { aggregatesCover } from '../../../records/aggregates-cover.js';
import type { AsOf } from './as-of.js';
import type { ReportScope } from './scope.js';

/** Where a report's figures come from: the rows, or the aggregates the triggers keep (records/*-aggregates.ts). */
export type ReportSource = 'rows' | 'aggregates';

/**
 * The aggregates answer a report of every case (no team or client scope) whose as-of date nothing
 * is dated after (records/aggregates-cover.ts); any other report reads the rows.
 */
export async function reportSource(db: Db, at: AsOf, scope: ReportScope | undefined): Promise<ReportSource> {
  if (scopedSource(scope) === 'rows') return 'rows';
  return (await aggregatesCover(db, at.cutoff)) ? 'aggregates' : 'rows';
}

/**
 * Aggregates keyed by the dates themselves (the funnel's communications per day, the roll rates'
 * cases per month) answer any date; only a team or client scope, not one of their dimensions, reads the rows.
 */
export function scopedSource(scope: ReportScope | undefined): ReportSource {
  return scope?.team || scope?.client ? 'rows' : 'aggregates';
}
