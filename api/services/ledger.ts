import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Components } from '../../domain/ledger/components.js';
import type { Db } from '../../lib/db.js';
import { caseLedgerRecord } from '../../records/ledger-entries.js';
import { postLedgerEntryUpdate, type CaseLedgerView, type LedgerPostingRequest } from '../../workflows/case-messages.js';
import { conflict, notFound, unprocessable } from '../errors.js';

/**
 * The account ledger through the API: read from the read model (the projection writes it with
 * the case), and officers' fees and waivers sent to the case as an update whose validator answers
 * at once, so a refusal is a 422 with the reason and nothing changes.
 */

/** The case's ledger as the read model holds it; a case without one (started before the ledger) shows its balance as principal. */
export async function getCaseLedger({ db, caseId }: { db: Db; caseId: string }) {
  const row = await db.case.findUnique({ where: { id: caseId }, select: { id: true, balance: true, currency: true } });
  if (!row) throw notFound(`case "${caseId}"`);
  const record = await caseLedgerRecord(db, caseId);
  if (!record) return { caseId, currency: row.currency, keepsLedger: false, balance: row.balance, parts: { principal: row.balance, interest: 0, fees: 0 }, itemization: null, entries: [] };
  return { caseId, currency: row.currency, keepsLedger: true, balance: record.balance, parts: record.parts, itemization: record.itemization, entries: record.entries };
}

/** The parts of a case's balance from the read model, or null for a case without a ledger. */
export async function balancePartsFromRecord(db: Db, caseId: string): Promise<Components | null> {
  return (await caseLedgerRecord(db, caseId))?.parts ?? null;
}

/** Posts an officer's fee or waiver; 422 with the case's reason when refused. */
export async function postLedgerEntry({ temporal, caseId, request }: { temporal: Client; caseId: string; request: LedgerPostingRequest }): Promise<CaseLedgerView> {
  try {
    return await temporal.workflow.getHandle(caseId).executeUpdate(postLedgerEntryUpdate, { args: [request] });
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure && error.cause.type === 'LedgerEntryRefused') {
      const field = (error.cause.details?.[0] as { field?: string } | undefined)?.field ?? 'amount';
      throw unprocessable('ledger_entry_refused', error.cause.message, [{ path: `body.${field}`, message: error.cause.message }]);
    }
    if (error instanceof WorkflowNotFoundError) throw conflict('case_closed', `case "${caseId}" is closed and takes no fees or waivers`);
    throw error;
  }
}
