import type { Db } from '../../lib/db.js';
import type { PaymentReceived } from '../../workflows/case-messages.js';
import { ApiError } from '../errors.js';

/**
 * `POST /api/v1/cases/:caseId/payments` is idempotent by reference, and a repeat must be the same
 * payment: the first request for a reference is recorded in `PaymentRequest` (keyed by case and
 * reference, written before the case is told, so of two concurrent first requests only one is
 * recorded) and a repeat with another amount or currency is refused with those fields (409); the
 * first one stands. References are compared exactly: case-sensitive, after trimming. Raw SQL: the
 * table is newer than some generated clients.
 */

type Compared = Pick<PaymentReceived, 'amount' | 'currency'>;

function differing(first: Compared, repeat: Compared): string[] {
  return (['amount', 'currency'] as const).filter((field) => first[field] !== repeat[field]);
}

function paymentConflict(reference: string, fields: string[]): ApiError {
  return new ApiError(
    409,
    'payment_conflict',
    `payment "${reference}" was already received with a different ${fields.join(' and ')}; the first one stands`,
    fields.map((field) => ({ path: `body.${field}`, message: 'differs from the first payment with this reference' })),
  );
}

/**
 * Records the first request for `payment.reference` on the case, or checks a repeat against it
 * (throwing the 409 of a repeat that differs). Answers an `undo` that removes the record this call
 * wrote, for when the case could not be told.
 */
export async function recordPaymentRequest(db: Db, { caseId, payment, actor }: { caseId: string; payment: PaymentReceived; actor: string }): Promise<() => Promise<void>> {
  const { reference } = payment;
  const inserted = await db.$executeRaw`
    INSERT INTO "PaymentRequest" ("caseId", "reference", "amount", "currency", "receivedAt", "actor")
    VALUES (${caseId}, ${reference}, ${payment.amount}, ${payment.currency}, ${new Date(payment.receivedAt)}, ${actor})
    ON CONFLICT DO NOTHING`;
  if (inserted === 1) return async () => void (await db.$executeRaw`DELETE FROM "PaymentRequest" WHERE "caseId" = ${caseId} AND "reference" = ${reference}`);
  const [first] = await db.$queryRaw<Compared[]>`SELECT "amount", "currency" FROM "PaymentRequest" WHERE "caseId" = ${caseId} AND "reference" = ${reference}`;
  const fields = first ? differing(first, payment) : [];
  if (fields.length > 0) throw paymentConflict(reference, fields);
  return async () => {};
}
