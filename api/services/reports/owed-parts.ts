import { Prisma } from '../../../generated/prisma/client.js';

/**
 * Per case with an account ledger, what it owed of each part at `cutoff`: the sum of what its
 * entries dated before that day did to the principal, the interest and the fees (the itemization,
 * interest, fees, less payments, waivers and credits, plus reversals). Cases without a ledger have
 * no row; a report counts their placed balance less what they collected as principal.
 */
export function owedPartsByCase(cutoff: Date): Prisma.Sql {
  const before = cutoff.toISOString().slice(0, 10);
  return Prisma.sql`
    SELECT l."caseId", SUM(l.principal)::bigint AS principal, SUM(l.interest)::bigint AS interest, SUM(l.fees)::bigint AS fees
    FROM "LedgerEntry" l
    WHERE l."on" < ${before}
    GROUP BY l."caseId"`;
}
