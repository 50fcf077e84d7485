import type { Client } from '@temporalio/client';
import type { Db } from '../../lib/db.js';
import { paymentReversedSignal } from '../../workflows/case-messages.js';
import { ApiError, notFound, unprocessable } from '../errors.js';
import { signalCase } from './cases.js';

/**
 * A returned payment (NSF, chargeback, ACH return) reported through the API: the case owes it
 * again and re-evaluates the promise or plan it counted toward (workflows/case/state.ts
 * `reversePayment`). Idempotent like payments: the first report for a payment is recorded in
 * `PaymentReversal` before the case is told (and removed if the case could not be), a repeat with
 * the same reason and amount is accepted again, one that differs is refused (409) and the first
 * one stands.
 */

interface Reversal {
  reason: string;
  amount: number;
}

export async function reportReversal({
  db,
  temporal,
  caseId,
  reference,
  reversal,
  actor,
}: {
  db: Db;
  temporal: Client;
  caseId: string;
  reference: string;
  reversal: { reason: string; amount?: number | undefined };
  actor: string;
}): Promise<{ amount: number; repeated: boolean }> {
  const row = await db.case.findUnique({ where: { id: caseId }, select: { id: true } });
  if (!row) throw notFound(`case "${caseId}"`);
  const paid = await paymentAmount(db, caseId, reference);
  if (paid === null) {
    throw new ApiError(404, 'payment_not_found', `no payment "${reference}" on case "${caseId}"`, [{ path: 'params.reference', message: 'no payment with this reference on the case' }]);
  }
  const amount = reversal.amount ?? paid;
  if (amount > paid) throw unprocessable('reversal_exceeds_payment', `payment "${reference}" was ${paid}; ${amount} cannot be returned`, [{ path: 'body.amount', message: `exceeds the payment's ${paid} minor units` }]);
  const wanted: Reversal = { reason: reversal.reason, amount };

  const inserted = await db.$executeRaw`
    INSERT INTO "PaymentReversal" ("caseId", "reference", "reason", "amount", "actor") VALUES (${caseId}, ${reference}, ${wanted.reason}, ${wanted.amount}, ${actor})
    ON CONFLICT DO NOTHING`;
  if (inserted === 0) {
    const [first] = await db.$queryRaw<Reversal[]>`SELECT "reason", "amount" FROM "PaymentReversal" WHERE "caseId" = ${caseId} AND "reference" = ${reference}`;
    const fields = first ? (['reason', 'amount'] as const).filter((field) => first[field] !== wanted[field]) : [];
    if (fields.length > 0) {
      throw new ApiError(
        409,
        'reversal_conflict',
        `payment "${reference}" was already reported returned with a different ${fields.join(' and ')}; the first report stands`,
        fields.map((field) => ({ path: `body.${field}`, message: 'differs from the first report of this return' })),
      );
    }
  }
  try {
    // A repeat is told again: the case applies a return once (its ledger marks the payment returned).
    await signalCase(temporal, caseId, paymentReversedSignal, { reference, reason: wanted.reason, amount });
  } catch (error) {
    if (inserted === 1) await db.$executeRaw`DELETE FROM "PaymentReversal" WHERE "caseId" = ${caseId} AND "reference" = ${reference}`;
    throw error;
  }
  if (inserted === 1) {
    await db.auditEvent.create({ data: { caseId, actor, action: 'payment_reversal_reported', data: { reference, amount, reason: wanted.reason } } });
  }
  return { amount, repeated: inserted === 0 };
}

/** The payment's amount, as the API received it or the case recorded it; null when there is none. */
async function paymentAmount(db: Db, caseId: string, reference: string): Promise<number | null> {
  const recorded = await db.payment.findUnique({ where: { caseId_reference: { caseId, reference } }, select: { amount: true } });
  if (recorded) return recorded.amount;
  const [requested] = await db.$queryRaw<{ amount: number }[]>`SELECT "amount" FROM "PaymentRequest" WHERE "caseId" = ${caseId} AND "reference" = ${reference}`;
  return requested?.amount ?? null;
}
