import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Db } from '../../../lib/db.js';
import { PaymentChannel, PaymentRequestRefused, type PaymentProcessor } from '../../../payments/processor.js';
import { ApiError } from '../../errors.js';
import { getAutopay, setAutopay } from '../autopay.js';
import { confirmProcessorPayment, startProcessorPayment } from '../processor-payments.js';
import { PageEvent, pageActor, recordPageEvent } from './events.js';
import type { PagePerson } from './person.js';
import type { Visit } from './visit.js';

/**
 * Card payments and autopay on the debtor's page, on the one processor path the officer's phone
 * payment and the webhooks share (api/services/processor-payments.ts, api/services/autopay.ts):
 * the server starts a payment for an amount it checked, the processor's own script collects the
 * card in the browser, and the server charges it; a success is the case's payment with the
 * processor's payment id as reference, so the page's confirmation and the webhook, in either
 * order, make one payment.
 */

export type PaymentOutcome =
  | { state: 'succeeded' | 'processing'; amount: number; currency: string }
  | { state: 'failed'; reason: string }
  | { state: 'not_collected' | 'not_yours' };

const owns = (person: PagePerson, caseId: string) => person.accounts.some((account) => account.caseId === caseId);

export async function startPagePayment({ db, temporal, processor, caseId, amount, currency }: { db: Db; temporal: Client; processor: PaymentProcessor; caseId: string; amount: number; currency: string }) {
  return startProcessorPayment({
    db,
    temporal,
    processor,
    caseId,
    amount,
    currency,
    methods: ['card'],
    channel: PaymentChannel.debtorPage,
    // Each press of "pay" is a payment of its own; its charge is confirmed once, below.
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
  if (!owns(person, caseId)) return { state: 'not_yours' };
  let answer;
  try {
    answer = await confirmProcessorPayment({ db, temporal, processor, caseId, paymentId, actor: pageActor });
  } catch (error) {
    if (error instanceof ApiError && error.code === 'payment_method_missing') return { state: 'not_collected' };
    if (error instanceof ApiError && error.statusCode === 404) return { state: 'not_yours' };
    throw error;
  }
  const currency = answer.currency.toUpperCase();
  if (answer.state === 'failed' || answer.state === 'canceled') return { state: 'failed', reason: answer.failureReason ?? 'declined' };
  if (answer.state !== 'succeeded') return { state: 'processing', amount: answer.amount, currency };
  await recordPageEvent(db, { action: PageEvent.paid, visit, caseId, data: { amount: answer.amount, paymentId }, idempotencyKey: `${PageEvent.paid}:${paymentId}` });
  return { state: 'succeeded', amount: answer.amount, currency };
}

/** Starts saving a card for the plan's autopay. */
export const startAutopaySetup = ({ processor, visit, caseId }: { processor: PaymentProcessor; visit: Visit; caseId: string }) =>
  processor.startSaveMethod({ caseId, debtorId: visit.debtorId, methods: ['card'] });

/** Turns autopay on with the card the browser saved for `caseId`; false when it saved none (or not for this case). */
export async function confirmAutopay({
  db,
  temporal,
  processor,
  visit,
  person,
  caseId,
  setupId,
}: {
  db: Db;
  temporal: Client;
  processor: PaymentProcessor;
  visit: Visit;
  person: PagePerson;
  caseId: string;
  setupId: string;
}): Promise<boolean> {
  if (!owns(person, caseId)) return false;
  let saved;
  try {
    saved = await processor.retrieveSavedMethod(setupId);
  } catch (error) {
    if (error instanceof PaymentRequestRefused) return false;
    throw error;
  }
  if (!saved || saved.caseId !== caseId) return false;
  await setAutopay({ db, temporal, caseId, saved: { customerId: saved.customerId, paymentMethodId: saved.paymentMethodId, kind: saved.kind }, processor: processor.name, actor: pageActor });
  await recordPageEvent(db, { action: PageEvent.autopay, visit, caseId, idempotencyKey: `${PageEvent.autopay}:${setupId}` });
  return true;
}

/** The person's cases whose plan is on autopay. */
export async function autopayCases(db: Db, person: PagePerson): Promise<Set<string>> {
  const answers = await Promise.all(person.accounts.map(async (account) => ((await getAutopay({ db, caseId: account.caseId })) ? account.caseId : null)));
  return new Set(answers.filter((caseId): caseId is string => caseId !== null));
}
