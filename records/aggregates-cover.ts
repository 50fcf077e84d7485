import type { Db } from '../lib/db.js';

/**
 * The report aggregates (liquidation-aggregates.ts, aging-aggregates.ts, the recovery groups) are
 * the rows' figures as of now. They answer an as-of date only when nothing is dated on or after
 * its cut-off: no case started or closed, no payment received or reversed, no ledger entry (aging
 * sums every entry of a case's ledger). Then "as of now" and "as of that day" are
 * the same. Today's report is that case; an earlier date, or rows dated ahead, read the rows.
 */
export async function aggregatesCover(db: Db, cutoff: Date): Promise<boolean> {
  // Index lookups (Case_startedAt_idx, Case_closedAt_idx, Payment_receivedAt_idx, Payment_reversedAt_idx, LedgerEntry_on_idx).
  const day = cutoff.toISOString().slice(0, 10);
  const [row] = await db.$queryRaw<{ later: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM "Case" WHERE "startedAt" >= ${cutoff})
        OR EXISTS (SELECT 1 FROM "Case" WHERE "closedAt" >= ${cutoff})
        OR EXISTS (SELECT 1 FROM "Payment" WHERE "receivedAt" >= ${cutoff})
        OR EXISTS (SELECT 1 FROM "Payment" WHERE "reversedAt" >= ${cutoff})
        OR EXISTS (SELECT 1 FROM "LedgerEntry" WHERE "on" >= ${day}) AS later`;
  return row?.later === false;
}
