import type { Db } from '../../lib/db.js';
import type { PaymentReceived } from '../../workflows/case-messages.js';
import { ApiError } from '../errors.js';

/**
 * `POST /api/v1/cases/:caseId/payments` is idempotent by reference, and a repeat must be the same
 * payment: the first request for a reference is recorded (an audit event keyed by case and
 * reference, written before the case is told, so of two concurrent first requests only one is
 * recorded) and a repeat with another amount or currency is refused with those fields (409); the
 * first one stands. References are compared exactly: case-sensitive, after trimming.
 */

export const paymentRequestedAction = 'payment_requested';

const requestKey = (caseId: string, reference: string) => `payment:${caseId}:${reference}`;

type Compared = Pick<PaymentReceived, 'amount' | 'currency'>;

function differing(first: Compared, repeat: Compared): string[] {
  return (['amount', 'currency'] as const).filter((field) => first[field] !== repeat[field]);
}

function paymentConflict(reference: string, fields: string[]): ApiError {
  return new ApiError(
    409,
    'payment_conflict',
    `payment "${reference}" was already received with a different ${fields.join(' and ')}; the first one stands`,
    fields.map((field) => ({ path: `body.${field}`, message: `differs from the first payment with this reference` })),
  );
}

/**
 * Records the first request for `payment.reference` on the case, or checks a repeat against it.
 * Answers an `undo` that removes the record this call wrote (when the case could not be told),
 * or throws the 409 of a repeat that differs.
 */
export async function recordPaymentRequest(db: Db, { caseId, payment, actor }: { caseId: string; payment: PaymentReceived; actor: string }): Promise<() => Promise<void>> {
  const noUndo = async () => {};
  // Payments received before requests were recorded are known by their projected row.
  const projected = await db.payment.findUnique({ where: { caseId_reference: { caseId, reference: payment.reference } }, select: { amount: true, currency: true } });
  if (projected) {
    const fields = differing(projected, payment);
    if (fields.length > 0) throw paymentConflict(payment.reference, fields);
    return noUndo;
  }
  const idempotencyKey = requestKey(caseId, payment.reference);
  const { count } = await db.auditEvent.createMany({
    data: [{ caseId, actor, action: paymentRequestedAction, data: { reference: payment.reference, amount: payment.amount, currency: payment.currency, receivedAt: payment.receivedAt }, idempotencyKey }],
    skipDuplicates: true,
  });
  if (count === 1) return async () => void (await db.auditEvent.deleteMany({ where: { idempotencyKey } }));
  const first = await db.auditEvent.findUnique({ where: { idempotencyKey }, select: { data: true } });
  const fields = first ? differing(first.data as unknown as Compared, payment) : [];
  if (fields.length > 0) throw paymentConflict(payment.reference, fields);
  return noUndo;
}
