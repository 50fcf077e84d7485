import type { Db } from '../../../lib/db.js';
import { num, type AsOf } from './as-of.js';
import { caseInScope, type ReportScope } from './scope.js';

/**
 * What the payments that count on the as-of date paid of the principal, the interest and the
 * fees, per placement cohort, currency and month since placement (as the liquidation report
 * counts them): each payment's split is its entry on the case's account ledger; a payment the
 * ledger does not hold (a case started before it) is all principal. The three add up to what was
 * collected, less any overpayment left unapplied.
 */

export interface CollectedParts {
  cohort: string;
  currency: string;
  month: number;
  principal: number;
  interest: number;
  fees: number;
}

export async function collectedPartsByMonth(db: Db, at: AsOf, scope?: ReportScope): Promise<CollectedParts[]> {
  const rows = await db.$queryRaw<{ cohort: string; currency: string; month: number; principal: bigint; interest: bigint; fees: bigint }[]>`
    SELECT to_char(date_trunc('month', c."startedAt"), 'YYYY-MM') AS cohort, c."currency" AS currency,
           GREATEST(0, EXTRACT(YEAR FROM age(p."receivedAt", c."startedAt")) * 12 + EXTRACT(MONTH FROM age(p."receivedAt", c."startedAt")))::int AS month,
           SUM(CASE WHEN l.id IS NULL THEN p.amount ELSE -l.principal END)::bigint AS principal,
           SUM(COALESCE(-l.interest, 0))::bigint AS interest,
           SUM(COALESCE(-l.fees, 0))::bigint AS fees
    FROM "Payment" p JOIN "Case" c ON c.id = p."caseId"
    LEFT JOIN "LedgerEntry" l ON l."caseId" = p."caseId" AND l."entryId" = 'payment:' || p.reference
    WHERE c."startedAt" < ${at.cutoff} AND p."receivedAt" < ${at.cutoff} AND (p."reversedAt" IS NULL OR p."reversedAt" >= ${at.cutoff}) ${caseInScope(scope)}
    GROUP BY 1, 2, 3`;
  return rows.map((row) => ({ cohort: row.cohort, currency: row.currency, month: row.month, principal: num(row.principal), interest: num(row.interest), fees: num(row.fees) }));
}
