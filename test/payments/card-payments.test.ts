import { DateTime } from 'luxon';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testKeys } from '../../testing/api-client.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { testStripeWebhookSecret } from '../../testing/parts/stripe.js';
import { statusQuery, type CaseStatus } from '../../workflows/case-messages.js';
import { consumerEarly, negotiationLimits } from '../support/strategies.js';

/**
 * Money through Stripe on the real engine (dev server, worker, PostgreSQL, localstripe posting its
 * signed webhooks to the API): the officer's phone payment, the webhook and the page's own
 * confirmation in either order making one payment, forged and replayed webhooks, refunds and
 * chargebacks reversing a payment and re-evaluating the plan, and bad input.
 */

let engine: Engine;
let enrolled = 0;

const strategy = { ...consumerEarly, key: 'card-test', steps: [{ id: 'call', at: 'P30D', action: 'call' }], negotiation: negotiationLimits };

async function enroll(balance = 100_000): Promise<string> {
  const answer = await engine.call('POST', '/api/v1/accounts', {
    body: { externalId: `CARD-${++enrolled}`, strategy: 'card-test', currency: 'USD', balance, debtor: { name: 'Carla Card', email: 'carla@example.com', timeZone: 'America/Chicago' } },
  });
  expect(answer.status).toBe(201);
  return answer.body.caseId as string;
}

const status = (caseId: string): Promise<CaseStatus> => engine.temporal.workflow.getHandle(caseId).query(statusQuery);
const applied = async (caseId: string) => (await status(caseId)).history.filter((event) => event.type === 'payment_applied');
const paymentRows = (caseId: string) => engine.db.paymentRequest.count({ where: { caseId } });

/** A phone payment started and its card collected, not yet confirmed. */
async function phonePayment(caseId: string, amount: number, card = '4242424242424242') {
  const started = await engine.call('POST', `/api/v1/cases/${caseId}/card-payments`, { key: testKeys.officer, body: { amount } });
  expect(started.status).toBe(201);
  await engine.stripe.collectCard(started.body.setupClientSecret, card);
  return started.body as { paymentId: string; clientSecret: string };
}

/** The PaymentIntent's charge id (localstripe answers the charge itself, Stripe its id). */
async function chargeOf(paymentId: string): Promise<string> {
  const charge = (await engine.stripe.processor.client.paymentIntents.retrieve(paymentId)).latest_charge;
  return typeof charge === 'string' ? charge : (charge?.id ?? '');
}

/** Posts a Stripe event to the API, signed with `secret`. */
async function postEvent(event: object, secret = testStripeWebhookSecret) {
  const payload = JSON.stringify(event);
  const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret });
  const answer = await fetch(`${engine.baseUrl}/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, body: payload });
  return { status: answer.status, body: (await answer.json()) as { eventId?: string; duplicate?: boolean; outcome?: string; error?: { code: string } } };
}

beforeAll(async () => {
  engine = await startEngine({ stripe: true, strategies: [strategy] });
});
afterAll(() => engine?.stop());

describe("the officer's phone payment", () => {
  it('is charged, recorded once by its PaymentIntent, and the webhook that follows adds nothing', async () => {
    const caseId = await enroll();
    const { paymentId } = await phonePayment(caseId, 30_000);
    const confirmed = await engine.call('POST', `/api/v1/cases/${caseId}/card-payments/${paymentId}/confirm`, { key: testKeys.officer });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ paymentId, state: 'succeeded', amount: 30_000, currency: 'USD', recorded: true, failureReason: null });
    await expect.poll(async () => (await status(caseId)).balance).toBe(70_000);

    // localstripe posts payment_intent.succeeded a second later; the officer confirms again too.
    await expect.poll(() => engine.db.processorEvent.findMany({ where: { type: 'payment_succeeded' } }).then((rows) => rows.map((row) => row.outcome))).toContain('payment_recorded');
    expect((await engine.call('POST', `/api/v1/cases/${caseId}/card-payments/${paymentId}/confirm`, { key: testKeys.officer })).body.state).toBe('succeeded');
    const payments = await applied(caseId);
    expect(payments.map((event) => event.data)).toEqual([expect.objectContaining({ reference: paymentId, amount: 30_000 })]);
    expect((await status(caseId)).balance).toBe(70_000);
    expect(await paymentRows(caseId)).toBe(1);
    const intent = await engine.stripe.processor.client.paymentIntents.retrieve(paymentId);
    expect(intent.metadata).toMatchObject({ channel: 'officer_phone', case_id: caseId });
  });

  it('a declined card is answered with the reason and changes nothing; confirming before a card was entered is a 409', async () => {
    const caseId = await enroll();
    const early = await engine.call('POST', `/api/v1/cases/${caseId}/card-payments`, { key: testKeys.officer, body: { amount: 10_000 } });
    const notYet = await engine.call('POST', `/api/v1/cases/${caseId}/card-payments/${early.body.paymentId}/confirm`, { key: testKeys.officer });
    expect(notYet.status).toBe(409);
    expect(notYet.body.error.code).toBe('payment_method_missing');

    const { paymentId } = await phonePayment(caseId, 10_000, '4000000000000341');
    const declined = await engine.call('POST', `/api/v1/cases/${caseId}/card-payments/${paymentId}/confirm`, { key: testKeys.officer });
    expect(declined.body).toMatchObject({ state: 'failed', recorded: false, failureReason: expect.stringMatching(/declined/i) });
    expect((await status(caseId)).balance).toBe(100_000);
    expect(await paymentRows(caseId)).toBe(0);
  });

  it('refuses bad input naming the field: above the balance, another currency, zero, negative; and other roles', async () => {
    const caseId = await enroll(20_000);
    const start = (body: object, key: string = testKeys.officer) => engine.call('POST', `/api/v1/cases/${caseId}/card-payments`, { key, body });
    const above = await start({ amount: 20_001 });
    expect(above.status).toBe(422);
    expect(above.body.error).toMatchObject({ code: 'amount_above_balance', fields: [{ path: 'body.amount', message: 'must be at most 20000, the balance owed' }] });
    const euros = await start({ amount: 1_000, currency: 'EUR' });
    expect(euros.status).toBe(422);
    expect(euros.body.error).toMatchObject({ code: 'currency_mismatch', fields: [{ path: 'body.currency' }] });
    for (const amount of [0, -500, 12.5]) {
      const bad = await start({ amount });
      expect(bad.status).toBe(400);
      expect(bad.body.error.fields.map((field: { path: string }) => field.path)).toContain('body.amount');
    }
    expect((await start({ amount: 1_000 }, testKeys.auditor)).status).toBe(403);
    expect((await engine.stripe.paymentIntents()).filter((intent) => intent.metadata?.case_id === caseId)).toEqual([]);
    // The manager takes phone payments too.
    expect((await start({ amount: 20_000 }, testKeys.manager)).status).toBe(201);
  });
});

describe('Stripe webhooks', () => {
  it('a payment the browser confirmed is recorded by its webhook first; the page\'s own confirmation after it makes no second payment', async () => {
    const caseId = await enroll();
    const { paymentId } = await phonePayment(caseId, 25_000);
    // The browser charged it at Stripe; the page has not told the engine yet.
    expect((await engine.stripe.processor.confirmPayment(paymentId)).state).toBe('succeeded');
    await expect.poll(async () => (await status(caseId)).balance).toBe(75_000);
    const page = await engine.call('POST', `/api/v1/cases/${caseId}/card-payments/${paymentId}/confirm`, { key: testKeys.officer });
    expect(page.body).toMatchObject({ state: 'succeeded', recorded: true });
    expect((await applied(caseId)).length).toBe(1);
    expect((await status(caseId)).balance).toBe(75_000);
  });

  it('a forged event is refused with 400 and records nothing; a replayed one is handled once', async () => {
    const caseId = await enroll();
    const { paymentId } = await phonePayment(caseId, 5_000);
    await engine.stripe.processor.confirmPayment(paymentId);
    const intent = await engine.stripe.processor.client.paymentIntents.retrieve(paymentId);
    const event = { id: `evt_replay_${paymentId}`, object: 'event', type: 'payment_intent.succeeded', created: Math.floor(Date.now() / 1000), data: { object: intent } };

    const forged = await postEvent(event, 'whsec_not_ours');
    expect(forged.status).toBe(400);
    expect(forged.body.error?.code).toBe('invalid_signature');
    const unsigned = await fetch(`${engine.baseUrl}/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) });
    expect(unsigned.status).toBe(400);
    expect(await engine.db.processorEvent.findUnique({ where: { eventId: event.id } })).toBeNull();

    const first = await postEvent(event);
    expect(first).toMatchObject({ status: 200, body: { eventId: event.id, duplicate: false } });
    const again = await postEvent(event);
    expect(again).toMatchObject({ status: 200, body: { eventId: event.id, duplicate: true, outcome: 'duplicate' } });
    await expect.poll(async () => (await status(caseId)).balance).toBe(95_000);
    expect((await applied(caseId)).length).toBe(1);
  });

  it('a refund and a chargeback reverse their payments; the plan they paid is re-evaluated', async () => {
    const caseId = await enroll(60_000);
    const firstDueDate = DateTime.utc().plus({ days: 5 }).toISODate();
    const plan = await engine.call('POST', `/api/v1/cases/${caseId}/outcomes`, {
      key: testKeys.officer,
      body: { kind: 'payment_plan', downPayment: 20_000, installments: 2, frequency: 'monthly', firstDueDate },
    });
    expect(plan.status).toBe(200);

    const down = await phonePayment(caseId, 20_000);
    await engine.call('POST', `/api/v1/cases/${caseId}/card-payments/${down.paymentId}/confirm`, { key: testKeys.officer });
    await expect.poll(async () => (await status(caseId)).arrangement?.paidTotal).toBe(20_000);

    // A chargeback of the down payment: owed again, the plan's paid total back to zero.
    const charge = await chargeOf(down.paymentId);
    const chargeback = await postEvent({ id: `evt_dispute_${down.paymentId}`, object: 'event', type: 'charge.dispute.created', created: Math.floor(Date.now() / 1000), data: { object: { id: 'dp_1', object: 'dispute', charge, payment_intent: down.paymentId, amount: 20_000, currency: 'usd', reason: 'fraudulent' } } });
    expect(chargeback.body).toMatchObject({ duplicate: false, outcome: 'reversal_sent' });
    await expect.poll(async () => (await status(caseId)).arrangement?.paidTotal).toBe(0);
    const after = await status(caseId);
    expect(after.balance).toBe(60_000);
    expect(after.arrangement?.installments[0]).toMatchObject({ seq: 0, amount: 20_000, paid: 0 });
    expect(after.history.find((event) => event.type === 'payment_reversed')?.data).toMatchObject({ reference: down.paymentId, reason: 'chargeback', amount: 20_000 });

    // A full refund (made at localstripe; its charge as Stripe sends it).
    const again = await phonePayment(caseId, 20_000);
    await engine.call('POST', `/api/v1/cases/${caseId}/card-payments/${again.paymentId}/confirm`, { key: testKeys.officer });
    await expect.poll(async () => (await status(caseId)).balance).toBe(40_000);
    await engine.stripe.processor.client.refunds.create({ payment_intent: again.paymentId });
    const refundedCharge = await engine.stripe.processor.client.charges.retrieve(await chargeOf(again.paymentId));
    expect(refundedCharge.refunded).toBe(true);
    const refund = await postEvent({ id: `evt_refund_${again.paymentId}`, object: 'event', type: 'charge.refunded', created: Math.floor(Date.now() / 1000), data: { object: refundedCharge } });
    expect(refund.body.outcome).toBe('reversal_sent');
    await expect.poll(async () => (await status(caseId)).balance).toBe(60_000);
    expect((await status(caseId)).history.filter((event) => event.type === 'payment_reversed').map((event) => event.data?.reason)).toEqual(['chargeback', 'refunded']);

    // A reversal of a payment never recorded here has nothing to undo.
    const stranger = await postEvent({ id: 'evt_unknown_refund', object: 'event', type: 'charge.refunded', created: Math.floor(Date.now() / 1000), data: { object: { ...refundedCharge, payment_intent: 'pi_not_ours' } } });
    expect(stranger.body.outcome).toBe('nothing_to_reverse');
  });
});
