import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Db } from '../../lib/db.js';
import type { SavedMethod } from '../../payments/processor.js';
import { autopayChangedSignal } from '../../workflows/case-messages.js';
import { conflict, notFound } from '../errors.js';

/**
 * Autopay of a case's arrangement: the saved method (customer + payment method at the processor)
 * is kept in CaseAutopay, and the case is told autopay is on, so it charges each installment on its
 * due date through the `chargeAutopayInstallment` activity, which reads the method from here (the
 * processor's ids stay out of the workflow's history). Setting it again replaces the method.
 */

export interface AutopayView {
  caseId: string;
  processor: string;
  kind: string;
  setBy: string;
  setAt: string;
}

async function tellCase(temporal: Client, caseId: string, enabled: boolean, by: string): Promise<void> {
  try {
    await temporal.workflow.getHandle(caseId).signal(autopayChangedSignal, { enabled, by });
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw conflict('case_closed', `case "${caseId}" is closed and accepts no more messages`);
    throw error;
  }
}

/** Turns autopay on for the case with `saved` (from the processor's `retrievePayment(...).saved` or `retrieveSavedMethod`). */
export async function setAutopay({ db, temporal, caseId, saved, processor, actor }: { db: Db; temporal: Client; caseId: string; saved: SavedMethod; processor: string; actor: string }): Promise<AutopayView> {
  const row = await db.case.findUnique({ where: { id: caseId }, select: { id: true, status: true } });
  if (!row) throw notFound(`case "${caseId}"`);
  if (row.status === 'closed') throw conflict('case_closed', `case "${caseId}" is closed: there is nothing left to charge`);
  const before = await db.caseAutopay.findUnique({ where: { caseId } });
  const data = { processor, customerId: saved.customerId, paymentMethodId: saved.paymentMethodId, kind: saved.kind, setBy: actor, setAt: new Date(), cancelledAt: null };
  const stored = await db.caseAutopay.upsert({ where: { caseId }, create: { caseId, ...data }, update: data });
  try {
    await tellCase(temporal, caseId, true, actor);
  } catch (error) {
    // The case was not told: the table says what it said before.
    if (before) await db.caseAutopay.update({ where: { caseId }, data: { ...before } });
    else await db.caseAutopay.delete({ where: { caseId } });
    throw error;
  }
  await db.auditEvent.create({ data: { caseId, actor, action: 'autopay_set', data: { processor, kind: saved.kind, replaced: Boolean(before && !before.cancelledAt) } } });
  return view(stored);
}

/** Turns autopay off: installments not yet charged are no longer charged. */
export async function cancelAutopay({ db, temporal, caseId, actor }: { db: Db; temporal: Client; caseId: string; actor: string }): Promise<void> {
  const stored = await db.caseAutopay.findUnique({ where: { caseId } });
  if (!stored || stored.cancelledAt) return;
  await db.caseAutopay.update({ where: { caseId }, data: { cancelledAt: new Date() } });
  try {
    await tellCase(temporal, caseId, false, actor);
  } catch (error) {
    // A closed case charges nothing anyway; anything else leaves autopay as it was.
    if (!(error instanceof Error && 'code' in error && (error as { code: string }).code === 'case_closed')) {
      await db.caseAutopay.update({ where: { caseId }, data: { cancelledAt: null } });
      throw error;
    }
  }
  await db.auditEvent.create({ data: { caseId, actor, action: 'autopay_cancelled', data: { processor: stored.processor } } });
}

/** The case's autopay, or null when it is off. */
export async function getAutopay({ db, caseId }: { db: Db; caseId: string }): Promise<AutopayView | null> {
  const stored = await db.caseAutopay.findUnique({ where: { caseId } });
  return stored && !stored.cancelledAt ? view(stored) : null;
}

function view(row: { caseId: string; processor: string; kind: string; setBy: string; setAt: Date }): AutopayView {
  return { caseId: row.caseId, processor: row.processor, kind: row.kind, setBy: row.setBy, setAt: row.setAt.toISOString() };
}
