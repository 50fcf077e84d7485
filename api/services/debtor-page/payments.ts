import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Db } from '../../../lib/db.js';
import { PaymentChannel, PaymentMethodMissing, PaymentRequestRefused, type PaymentProcessor, type SavedMethod } from '../../../payments/processor.js';
import { receivePayment } from '../cases.js';
import { PageEvent, pageActor, recordPageEvent } from './events.js';
import type { PagePerson } from './person.js';
import type { Visit } from './visit.js';

/**
 * Card payments on the debtor's page, through the payment processor (payments/processor.ts): the
 * server starts a payment for an amount it checked, the processor's own script collects the card
 * in the browser, and the server charges it and reads the answer. A payment that succeeded is told
 * to its case at once with the processor's payment id as reference, the same reference the
 * processor's webhook uses, so whichever arrives first is applied and the other is the same payment.
 */

export type PaymentOutcome =
  | { state: 'succeeded' | 'processing'; amount: number; currency: string }
  | { state: 'failed'; reason: string }
  | { state: 'not_collected' | 'not_yours' };

export async function startPagePayment({ processor, visit, caseId, amount, currency }: { processor: PaymentProcessor; visit: Visit; caseId: string; amount: number; currency: string }) {
  return processor.startPayment({
    caseId,
    debtorId: visit.debtorId,
    amount,
    currency,
    methods: ['card'],
    channel: PaymentChannel.debtorPage,
    saveForAutopay: false,
    // Each press of "pay" is a payment of its own; the charge itself is confirmed once below.
    idempotencyKey: `debtor-page:${caseId}:${randomUUID()}`,
  });
}

export async function confirmPagePayment({
  db,
  temporal,
  processor,
  visit,
  person,
  caseId,
  paymentId,
}: {
  db: Db;
  temporal: Client;
  processor: PaymentProcessor;
  visit: Visit;
  person: PagePerson;
  caseId: string;
  paymentId: string;
}): Promise<PaymentOutcome> {
  if (!person.accounts.some((account) => account.caseId === caseId)) return { state: 'not_yours' };
  let snapshot;
  try {
    const known = await processor.retrievePayment(paymentId);
    if (known.caseId !== caseId) return { state: 'not_yours' };
    snapshot = await processor.confirmPayment(paymentId);
  } catch (error) {
    if (error instanceof PaymentMethodMissing) return { state: 'not_collected' };
    if (error instanceof PaymentRequestRefused) return { state: 'not_yours' };
    throw error;
  }
  if (snapshot.state === 'failed' || snapshot.state === 'canceled') return { state: 'failed', reason: snapshot.failureReason ?? 'declined' };
  if (snapshot.state !== 'succeeded') return { state: 'processing', amount: snapshot.amount, currency: snapshot.currency };
  await receivePayment({
    db,
    temporal,
    caseId,
    payment: { reference: snapshot.paymentId, amount: snapshot.amount, currency: snapshot.currency.toUpperCase(), receivedAt: new Date().toISOString() },
    actor: pageActor,
  });
  await recordPageEvent(db, { action: PageEvent.paid, visit, caseId, data: { amount: snapshot.amount, paymentId: snapshot.paymentId }, idempotencyKey: `${PageEvent.paid}:${snapshot.paymentId}` });
  return { state: 'succeeded', amount: snapshot.amount, currency: snapshot.currency.toUpperCase() };
}

/** Starts saving a card for the plan's autopay. */
export const startAutopaySetup = ({ processor, visit, caseId }: { processor: PaymentProcessor; visit: Visit; caseId: string }) =>
  processor.startSaveMethod({ caseId, debtorId: visit.debtorId, methods: ['card'] });

/** The card the browser saved for `caseId`, or null when it has not (or not for this case). */
export async function savedForCase({ processor, setupId, caseId }: { processor: PaymentProcessor; setupId: string; caseId: string }): Promise<SavedMethod | null> {
  try {
    const saved = await processor.retrieveSavedMethod(setupId);
    return saved && saved.caseId === caseId ? { customerId: saved.customerId, paymentMethodId: saved.paymentMethodId, kind: saved.kind } : null;
  } catch (error) {
    if (error instanceof PaymentRequestRefused) return null;
    throw error;
  }
}
