import type { Client } from '@temporalio/client';
import type { Db } from '../../lib/db.js';
import { PaymentMethodMissing, PaymentRequestRefused, WebhookSignatureError, type PaymentChannel, type PaymentMethodKind, type PaymentProcessor, type PaymentSnapshot, type ProcessorEvent } from '../../payments/processor.js';
import { paymentReversedSignal, statusQuery } from '../../workflows/case-messages.js';
import { ApiError, conflict, notFound, unprocessable } from '../errors.js';
import { receivePayment } from './cases.js';

/**
 * Money through the payment processor, one path for the debtor's page, the officer's phone payment,
 * autopay and the processor's webhooks: a payment is started only within the case's balance and
 * currency; a succeeded payment is recorded as the case's payment with the processor's payment id
 * as its reference (api/services/payment-requests.ts, the paymentReceived signal), so the page's own
 * confirmation and the webhook, in either order and however often, make one payment; refunds,
 * chargebacks and bank returns become the paymentReversed signal. Webhook events are handled once
 * by their id (ProcessorEvent).
 */

export const processorNotConfigured = () => new ApiError(503, 'processor_not_configured', 'card payments are not configured on this server (STRIPE_SECRET_KEY)');

async function liveBalance(temporal: Client, caseId: string, fallback: number): Promise<number> {
  try {
    return (await temporal.workflow.getHandle(caseId).query(statusQuery)).balance;
  } catch {
    // The read model's balance when the case cannot answer (a closed, finished case).
    return fallback;
  }
}

export interface StartProcessorPayment {
  db: Db;
  temporal: Client;
  processor: PaymentProcessor;
  caseId: string;
  amount: number;
  /** The case's currency when absent; another one is refused. */
  currency?: string | undefined;
  methods: readonly PaymentMethodKind[];
  channel: PaymentChannel;
  saveForAutopay?: boolean;
  /** Same key, same payment; the channel and a fresh id by default. */
  idempotencyKey: string;
  /** Where the amount and currency came from in the request, for the errors' `fields` (`body` by default). */
  fieldPrefix?: string;
}

/** Starts a payment of the case after checking it: more than zero, at most the balance owed now, in the case's currency. */
export async function startProcessorPayment({ db, temporal, processor, caseId, amount, currency, methods, channel, saveForAutopay = false, idempotencyKey, fieldPrefix = 'body' }: StartProcessorPayment) {
  const row = await db.case.findUnique({ where: { id: caseId }, include: { account: { select: { debtorId: true } } } });
  if (!row) throw notFound(`case "${caseId}"`);
  if (row.status === 'closed') throw conflict('case_closed', `case "${caseId}" is closed: nothing is owed`);
  const wanted = (currency ?? row.currency).toUpperCase();
  if (wanted !== row.currency.toUpperCase()) {
    throw unprocessable('currency_mismatch', `the case is in ${row.currency}, the payment in ${wanted}`, [{ path: `${fieldPrefix}.currency`, message: `must be ${row.currency}, the case's currency` }]);
  }
  if (!Number.isInteger(amount) || amount <= 0) throw unprocessable('invalid_amount', 'the amount must be a positive whole number of minor units', [{ path: `${fieldPrefix}.amount`, message: 'must be more than zero' }]);
  const balance = await liveBalance(temporal, caseId, row.balance);
  if (amount > balance) {
    throw unprocessable('amount_above_balance', `the amount ${amount} is more than the balance owed, ${balance}`, [{ path: `${fieldPrefix}.amount`, message: `must be at most ${balance}, the balance owed` }]);
  }
  try {
    const started = await processor.startPayment({ caseId, debtorId: row.account.debtorId, amount, currency: row.currency, methods, channel, saveForAutopay, idempotencyKey });
    return { ...started, amount, currency: row.currency, ...processor.browserConfig() };
  } catch (error) {
    if (error instanceof PaymentRequestRefused) throw unprocessable('payment_refused', `the payment processor refused the payment: ${error.message}`);
    throw error;
  }
}

/** Records a succeeded payment as the case's payment (idempotent by the processor's payment id); anything else records nothing. */
export async function recordProcessorPayment({ db, temporal, snapshot, actor }: { db: Db; temporal: Client; snapshot: PaymentSnapshot; actor: string }): Promise<{ recorded: boolean }> {
  if (snapshot.state !== 'succeeded' || !snapshot.caseId) return { recorded: false };
  await receivePayment({
    db,
    temporal,
    caseId: snapshot.caseId,
    payment: { reference: snapshot.paymentId, amount: snapshot.amount, currency: snapshot.currency, receivedAt: new Date().toISOString() },
    actor,
  });
  return { recorded: true };
}

/**
 * The page's (or the officer's) own confirmation: charges the collected method, records the payment
 * when it succeeded, and answers how it stands. The payment must belong to `caseId`.
 */
export async function confirmProcessorPayment({ db, temporal, processor, caseId, paymentId, actor }: { db: Db; temporal: Client; processor: PaymentProcessor; caseId: string; paymentId: string; actor: string }) {
  let snapshot: PaymentSnapshot;
  try {
    const current = await processor.retrievePayment(paymentId);
    if (current.caseId !== caseId) throw notFound(`payment "${paymentId}" of case "${caseId}"`);
    snapshot = await processor.confirmPayment(paymentId);
  } catch (error) {
    if (error instanceof PaymentRequestRefused) throw notFound(`payment "${paymentId}"`);
    if (error instanceof PaymentMethodMissing) throw conflict('payment_method_missing', 'no card or bank account was entered for this payment yet');
    throw error;
  }
  const { recorded } = await recordProcessorPayment({ db, temporal, snapshot, actor });
  return { paymentId, state: snapshot.state, amount: snapshot.amount, currency: snapshot.currency, failureReason: snapshot.failureReason, recorded, saved: snapshot.saved };
}

/** A refund, chargeback or bank return: the case owes the payment again and re-evaluates its plan or promise. */
async function reversePayment(db: Db, temporal: Client, event: Extract<ProcessorEvent, { kind: 'payment_reversed' }>, actor: string): Promise<string> {
  const [request] = await db.$queryRaw<{ caseId: string }[]>`SELECT "caseId" FROM "PaymentRequest" WHERE "reference" = ${event.paymentId} LIMIT 1`;
  const caseId = request?.caseId ?? event.caseId;
  // A payment never recorded (a bank debit returned before it was reported paid) has nothing to undo.
  if (!caseId || !request) return 'nothing_to_reverse';
  try {
    await temporal.workflow.getHandle(caseId).signal(paymentReversedSignal, { reference: event.paymentId, reason: event.reason });
  } catch (error) {
    if (error instanceof Error && error.name === 'WorkflowNotFoundError') return 'case_ended';
    throw error;
  }
  await db.auditEvent.create({ data: { caseId, actor, action: 'payment_reversed', data: { reference: event.paymentId, reason: event.reason, amount: event.amount } } });
  return 'reversal_sent';
}

async function act(db: Db, temporal: Client, processor: PaymentProcessor, event: ProcessorEvent, actor: string): Promise<string> {
  switch (event.kind) {
    case 'payment_succeeded': {
      // The event's own data is Stripe's, signed; the payment is read again so the amount and case are the processor's current ones.
      const snapshot = await processor.retrievePayment(event.paymentId);
      if (!snapshot.caseId) return 'not_ours';
      try {
        return (await recordProcessorPayment({ db, temporal, snapshot, actor })).recorded ? 'payment_recorded' : `payment_${snapshot.state}`;
      } catch (error) {
        // A payment for a case that has ended (or in another currency) cannot be applied by retrying: a person takes it from the audit trail.
        if (error instanceof ApiError && error.statusCode < 500) {
          await db.auditEvent.create({ data: { caseId: snapshot.caseId, actor, action: 'processor_payment_unapplied', data: { reference: snapshot.paymentId, amount: snapshot.amount, currency: snapshot.currency, code: error.code } } });
          return `unapplied_${error.code}`;
        }
        throw error;
      }
    }
    case 'payment_failed':
      return 'payment_failed';
    case 'payment_reversed':
      return reversePayment(db, temporal, event, actor);
    default:
      return 'ignored';
  }
}

/**
 * A processor webhook: verified by its signature (a forged one is refused with 400 and nothing is
 * recorded), handled once per event id (a replay answers `duplicate` and does nothing), its record
 * removed again when handling fails so the processor's retry is handled.
 */
export async function receiveProcessorWebhook({ db, temporal, processor, rawBody, signature }: { db: Db; temporal: Client; processor: PaymentProcessor; rawBody: Buffer; signature: string | undefined }) {
  let event: ProcessorEvent;
  try {
    event = processor.parseWebhook(rawBody, signature);
  } catch (error) {
    if (error instanceof WebhookSignatureError) throw new ApiError(400, 'invalid_signature', `the ${processor.name} signature does not match this request: ${error.message}`);
    throw new ApiError(400, 'invalid_event', `the ${processor.name} event could not be read`);
  }
  const type = event.kind === 'ignored' ? event.type : event.kind;
  const inserted = await db.$executeRaw`
    INSERT INTO "ProcessorEvent" ("eventId", "processor", "type", "outcome") VALUES (${event.eventId}, ${processor.name}, ${type}, ${'handling'})
    ON CONFLICT DO NOTHING`;
  if (inserted === 0) return { eventId: event.eventId, duplicate: true, outcome: 'duplicate' };
  try {
    const outcome = await act(db, temporal, processor, event, `${processor.name}:webhook`);
    await db.processorEvent.update({ where: { eventId: event.eventId }, data: { outcome } });
    return { eventId: event.eventId, duplicate: false, outcome };
  } catch (error) {
    await db.processorEvent.delete({ where: { eventId: event.eventId } }).catch(() => undefined);
    throw error;
  }
}
