import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createWebhookDeliveryActivities, defaultWebhookDelivery } from '../../activities/webhook-delivery.js';
import { buildApi } from '../../api/server.js';
import { webhookEventTypes } from '../../domain/webhook-events.js';
import { testApiKeys } from '../../testing/api-client.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { middayZone } from '../../testing/midday-zone.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../testing/standins/webhook-receiver.js';
import { webhookStrategy } from './webhook-strategy.js';

/**
 * Every outbound event type on the real engine (time-skipping server, real activities and
 * PostgreSQL, the API): cases driven through the API as officers, managers and integrations
 * would, days skipped where a promise or a plan must break, each event received by a receiver
 * that verifies its signature, once, in its case's order, with the data an integration needs.
 */

let engine: Engine;
let receiver: WebhookReceiver;
let enrolled = 0;
const strategy = webhookStrategy('webhook-types');

beforeAll(async () => {
  engine = await startEngine({
    temporal: 'time-skipping',
    api: true,
    worker: 'in-process',
    strategies: [strategy],
    // A day's skip must not wake the delivery workflow every minute.
    workerEnv: { WEBHOOK_POLL_SECONDS: '86400', WEBHOOK_RETRY_FIRST_SECONDS: '0.2', WEBHOOK_RETRY_MAX_SECONDS: '1' },
  });
  receiver = await startWebhookReceiver();
  engine.defer('webhook receiver', () => receiver.stop());
}, 120_000);
afterAll(() => engine?.stop());

const dayOf = async (plusDays: number) => new Date((await engine.testEnv.currentTimeMs()) + plusDays * 86_400_000).toISOString().slice(0, 10);

async function enroll(balance: number): Promise<string> {
  const answer = await engine.call('POST', '/api/v1/accounts', {
    body: { externalId: `TYPE-${++enrolled}`, strategy: 'webhook-types', currency: 'USD', balance, portfolio: 'retail', debtor: { name: 'Tia Types', email: `tia${enrolled}@example.com`, timeZone: middayZone() } },
  });
  expect(answer.status, answer.text).toBe(201);
  return String(answer.body.caseId);
}

async function outcome(caseId: string, body: unknown, key = engine.keys.officer) {
  const answer = await engine.call('POST', `/api/v1/cases/${caseId}/outcomes`, { key, body });
  expect(answer.status, answer.text).toBe(200);
}

async function pay(caseId: string, reference: string, amount: number) {
  const answer = await engine.call('POST', `/api/v1/cases/${caseId}/payments`, { key: engine.keys.integration, body: { reference, amount } });
  expect(answer.status, answer.text).toBe(202);
}

/** Waits until the case's outbox holds an event of each type. */
async function outboxHas(caseId: string, ...types: string[]) {
  await expect.poll(async () => (await engine.db.webhookEvent.findMany({ where: { caseId }, select: { type: true } })).map((row) => row.type), { timeout: 30_000 }).toEqual(expect.arrayContaining(types));
}

describe('every outbound event type', () => {
  it('reaches the receiver once, signed, in its case order', { timeout: 180_000 }, async () => {
    const made = await engine.call('POST', '/api/v1/webhook-subscriptions', { key: engine.keys.integration, body: { url: receiver.url } });
    expect(made.status, made.text).toBe(201);
    receiver.secret = String(made.body.secret);
    // Only payments: a second subscription's filter.
    const filtered = await engine.call('POST', '/api/v1/webhook-subscriptions', { key: engine.keys.integration, body: { url: receiver.url.replace('/hooks', '/payments'), eventTypes: ['payment.received'] } });
    expect(filtered.status, filtered.text).toBe(201);
    receiver.secrets.set('/payments', String(filtered.body.secret));

    // A reply, a promise broken, a dispute opened and resolved.
    const disputed = await enroll(50_000);
    const reply = await engine.call('POST', `/api/v1/cases/${disputed}/replies`, { key: engine.keys.integration, body: { channel: 'email', text: 'Please call me tomorrow.' } });
    expect(reply.status, reply.text).toBe(202);
    await outcome(disputed, { kind: 'promise_to_pay', amount: 10_000, dueDate: await dayOf(1) });

    // A plan: the down payment pays its first installment; the next is missed and the plan breaks.
    const planned = await enroll(40_000);
    await outcome(planned, { kind: 'payment_plan', downPayment: 10_000, installments: 3, frequency: 'monthly', firstDueDate: await dayOf(10) });
    await outboxHas(planned, 'plan.made');
    await pay(planned, 'PLAN-DOWN', 10_000);
    await outboxHas(planned, 'plan.installment_paid');

    // A promise kept, then a settlement above the officer's authority approved by a manager and paid.
    const settled = await enroll(50_000);
    await outcome(settled, { kind: 'promise_to_pay', amount: 5_000, dueDate: await dayOf(3) });
    await pay(settled, 'SET-PROMISE', 5_000);
    await outboxHas(settled, 'promise.kept');
    await outcome(settled, { kind: 'settlement', amount: 33_750, firstDueDate: await dayOf(2) });
    await outcome(settled, { kind: 'settlement_decision', approve: true, note: 'hardship documented' }, engine.keys.manager);
    await outboxHas(settled, 'settlement.approved');
    await pay(settled, 'SET-LUMP', 33_750);

    // Placed with an agency, then written off.
    const placed = await enroll(60_000);
    await outcome(placed, { kind: 'escalate', to: 'agency', reason: 'no contact in 90 days' });
    await outboxHas(placed, 'case.placed');
    await outcome(placed, { kind: 'close', reason: 'written_off', note: 'agency returned it' }, engine.keys.manager);

    // Days pass: the promise and the plan break.
    await engine.testEnv.sleep('45 days');
    await outboxHas(disputed, 'promise.broken');
    await outboxHas(planned, 'plan.broken');
    await outcome(disputed, { kind: 'dispute', reason: 'debtor says the amount is wrong' });
    await outboxHas(disputed, 'dispute.opened');
    await outcome(disputed, { kind: 'dispute_resolution', upheld: false, note: 'statement sent' }, engine.keys.manager);
    const reversal = await engine.call('POST', `/api/v1/cases/${planned}/payments/PLAN-DOWN/reversal`, { key: engine.keys.manager, body: { reason: 'NSF' } });
    expect(reversal.status, reversal.text).toBe(202);
    await outboxHas(disputed, 'dispute.resolved');
    await outboxHas(planned, 'payment.reversed');
    await outboxHas(settled, 'settlement.paid', 'case.closed');
    await outboxHas(placed, 'case.closed');

    const cases = [disputed, planned, settled, placed];
    const expected = await engine.db.webhookEvent.findMany({ where: { caseId: { in: cases } }, orderBy: { position: 'asc' } });
    await expect.poll(() => receiver.accepted('/hooks').length, { timeout: 30_000 }).toBe(expected.length);
    const payments = expected.filter((event) => event.type === 'payment.received');
    await expect.poll(() => receiver.accepted('/payments').length, { timeout: 30_000 }).toBe(payments.length);

    // Every type the issue lists, each with a valid signature.
    expect(new Set(expected.map((event) => event.type))).toEqual(new Set(webhookEventTypes));
    expect(receiver.requests.every((request) => request.validSignature && request.status === 204)).toBe(true);
    // Each event once, each case's in its order; the filtered subscription: the payments, with the same ids.
    const received = receiver.requests.filter((request) => request.path === '/hooks');
    expect(received).toHaveLength(expected.length);
    for (const caseId of cases) {
      expect(received.filter((event) => event.caseId === caseId).map((event) => event.id)).toEqual(expected.filter((event) => event.caseId === caseId).map((event) => event.id));
    }
    const paid = receiver.requests.filter((request) => request.path === '/payments');
    expect(paid.map((event) => event.id).sort()).toEqual(payments.map((event) => event.id).sort());

    const byType = (type: string, caseId: string) => received.find((event) => event.type === type && event.caseId === caseId)?.data;
    expect(byType('case.opened', planned)).toMatchObject({ caseId: planned, externalId: expect.stringMatching(/^TYPE-/), portfolio: 'retail', currency: 'USD', balance: 40_000 });
    expect(byType('reply.received', disputed)).toMatchObject({ channel: 'email' });
    expect(byType('reply.received', disputed)).not.toHaveProperty('text');
    expect(byType('plan.installment_paid', planned)).toMatchObject({ installment: 0, amount: 10_000, reference: 'PLAN-DOWN' });
    expect(byType('settlement.approved', settled)).toMatchObject({ approvedBy: expect.stringMatching(/^manager:/) });
    expect(byType('payment.reversed', planned)).toMatchObject({ reference: 'PLAN-DOWN', amount: 10_000, reason: 'NSF' });
    expect(byType('dispute.resolved', disputed)).toMatchObject({ resolution: 'collection_resumed' });
    expect(byType('case.closed', settled)).toMatchObject({ reason: 'settled' });
    expect(byType('case.closed', placed)).toMatchObject({ reason: 'written_off' });
    expect(byType('case.placed', placed)).toMatchObject({ agency: expect.any(String) });
  });
});

describe('receivers inside our own network', () => {
  it('are refused unless the deployment allows them: 422 naming body.url, nothing saved', async () => {
    // The same routes as the engine's API, built as a deployment without WEBHOOK_ALLOW_PRIVATE_URLS.
    const app = await buildApi({ deps: { db: engine.db, temporal: engine.temporal }, apiKeys: testApiKeys, logLevel: 'silent' });
    const headers = { authorization: `Bearer ${engine.keys.integration}` };
    try {
      const before = await engine.db.webhookSubscription.count();
      for (const url of ['http://169.254.169.254/latest/meta-data', 'http://127.0.0.1:5432/', 'http://[::ffff:10.0.0.1]/hook', 'http://localhost:8080/hook']) {
        const refused = await app.inject({ method: 'POST', url: '/api/v1/webhook-subscriptions', headers, payload: { url, eventTypes: [] } });
        expect(refused.statusCode, url).toBe(422);
        expect(refused.json()).toMatchObject({ error: { code: 'private_receiver', fields: [{ path: 'body.url', message: expect.stringContaining('private, loopback or link-local') }] } });
      }
      expect(await engine.db.webhookSubscription.count()).toBe(before);

      // Moving an existing subscription inside is refused the same way, and it keeps its URL.
      const existing = await engine.db.webhookSubscription.findFirstOrThrow({ where: { ownerKeyId: { not: '' } } });
      const moved = await app.inject({ method: 'PATCH', url: `/api/v1/webhook-subscriptions/${existing.id}`, headers: { authorization: `Bearer ${engine.keys.admin}` }, payload: { url: 'http://10.1.2.3/hook' } });
      expect(moved.statusCode).toBe(422);
      expect((await engine.db.webhookSubscription.findUniqueOrThrow({ where: { id: existing.id } })).url).toBe(existing.url);
    } finally {
      await app.close();
    }
  });

  it('are not posted to by a worker that does not allow them, even when saved before', async () => {
    // A subscription saved while allowed, with an event pending; this worker's settings refuse loopback.
    const event = await engine.db.webhookEvent.findFirstOrThrow({ orderBy: { position: 'asc' } });
    const subscription = await engine.db.webhookSubscription.create({ data: { ownerKeyId: 'test', url: receiver.url.replace('/hooks', '/inside'), eventTypes: [], secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' } });
    await engine.db.webhookDelivery.create({ data: { subscriptionId: subscription.id, eventId: event.id, position: event.position } });
    const activities = createWebhookDeliveryActivities({ db: engine.db, settings: { ...defaultWebhookDelivery, allowPrivateUrls: false } });
    await expect(new MockActivityEnvironment().run(activities.deliverWebhooks.bind(activities), { subscriptionId: subscription.id })).rejects.toThrow(/not sent: the host 127\.0\.0\.1 is a private, loopback or link-local address/);
    expect(await engine.db.webhookDelivery.findFirstOrThrow({ where: { subscriptionId: subscription.id } })).toMatchObject({ status: 'pending', attempts: 1, lastStatus: null, lastError: expect.stringContaining('not sent') });
    expect(receiver.accepted('/inside')).toHaveLength(0);
    await engine.db.webhookSubscription.delete({ where: { id: subscription.id } });
  });
});
