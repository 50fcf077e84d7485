import type { Prisma } from '../generated/prisma/client.js';
import type { Components } from '../domain/ledger/components.js';
import { itemize, type Itemization, type LedgerEntry } from '../domain/ledger/ledger.js';
import type { ProjectedLedgerEntry } from '../workflows/case-messages.js';

/**
 * The account ledger in the read model: the projection writes each entry once (by case and entry
 * id) in the case's transaction; the API, the case file and the reports read it here.
 */

/** Writes the entries the case has not had written yet; a retried write adds nothing twice. */
export async function writeLedgerEntries(tx: Prisma.TransactionClient, caseId: string, rows: readonly ProjectedLedgerEntry[]): Promise<void> {
  await tx.ledgerEntry.createMany({
    data: rows.map(({ position, entry, effect }) => ({
      caseId,
      entryId: entry.id,
      position,
      kind: entry.kind,
      on: entry.on,
      amount: 'amount' in entry ? entry.amount : 0,
      principal: effect.principal,
      interest: effect.interest,
      fees: effect.fees,
      postedBy: entry.postedBy,
      reason: entry.reason ?? null,
      entry: entry as unknown as Prisma.InputJsonObject,
    })),
    skipDuplicates: true,
  });
}

export interface CaseLedgerRecord {
  /** The entries in ledger order, each with what it did to the parts. */
  entries: (LedgerEntry & { effect: Components })[];
  parts: Components;
  balance: number;
  itemization: Itemization;
}

/** A case's ledger as the read model holds it, or null for a case without one (started before the ledger). */
export async function caseLedgerRecord(db: Prisma.TransactionClient, caseId: string): Promise<CaseLedgerRecord | null> {
  const rows = await db.ledgerEntry.findMany({ where: { caseId }, orderBy: { position: 'asc' } });
  if (rows.length === 0) return null;
  const entries = rows.map((row) => ({ ...(row.entry as unknown as LedgerEntry), effect: { principal: row.principal, interest: row.interest, fees: row.fees } }));
  const parts = rows.reduce((sum, row) => ({ principal: sum.principal + row.principal, interest: sum.interest + row.interest, fees: sum.fees + row.fees }), { principal: 0, interest: 0, fees: 0 });
  return { entries, parts, balance: parts.principal + parts.interest + parts.fees, itemization: itemize(entries) };
}

/** The parts of each case's balance, for the cases that have a ledger. */
export async function balancePartsOf(db: Prisma.TransactionClient, caseIds: readonly string[]): Promise<Map<string, Components>> {
  if (caseIds.length === 0) return new Map();
  const sums = await db.ledgerEntry.groupBy({ by: ['caseId'], where: { caseId: { in: [...caseIds] } }, _sum: { principal: true, interest: true, fees: true } });
  return new Map(sums.map((row) => [row.caseId, { principal: row._sum.principal ?? 0, interest: row._sum.interest ?? 0, fees: row._sum.fees ?? 0 }]));
}
