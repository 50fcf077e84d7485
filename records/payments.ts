import type { Prisma } from '../generated/prisma/client.js';

/**
 * Payments as the projection recorded them (activities/projection.ts): the case view in the API
 * and the case file read them here. A returned payment stays, with its `reversedAt`.
 */

/** A case's payments, oldest first. */
export async function casePayments(db: Prisma.TransactionClient, caseId: string) {
  return db.payment.findMany({ where: { caseId }, orderBy: [{ receivedAt: 'asc' }, { reference: 'asc' }] });
}
