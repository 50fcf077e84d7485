import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../lib/free-port.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { middayZone } from '../../testing/midday-zone.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../testing/standins/webhook-receiver.js';
import { webhookStrategy } from './webhook-strategy.js';

/**
 * Outbound webhooks on the real engine (dev server, worker in a child process, PostgreSQL, a
 * receiver over real HTTP): the receiver is down while cases enroll, pay and close, the worker is
 * killed (-9) in the outage and a new one started, the receiver comes back: every event arrives
 * once, each case's in its order, every signature valid by the `standardwebhooks` library. A
 * receiver that never answers has its subscription disabled after the (shortened) outage
 * allowance, with an audit event and a manager's task; enabling it closes the task, and a
 * replay of a time range delivers the events again with their original ids.
 */

let engine: Engine;
let receiver: WebhookReceiver;
const strategy = webhookStrategy('webhook-test');

beforeAll(async () => {
  engine = await startEngine({
    worker: 'child',
    strategies: [strategy],
    // Seconds instead of hours: retries 0.2 s doubling to 1 s, an outage of 40 s disables.
    workerEnv: { WEBHOOK_RETRY_FIRST_SECONDS: '0.2', WEBHOOK_RETRY_MAX_SECONDS: '1', WEBHOOK_DISABLE_AFTER_SECONDS: '40', WEBHOOK_POLL_SECONDS: '5' },
  });
  receiver = await startWebhookReceiver();
  engine.defer('webhook receiver', () => receiver.stop());
}, 120_000);
afterAll(() => engine?.stop());

const subscribe = (body: unknown) => engine.call('POST', '/api/v1/webhook-subscriptions', { key: engine.keys.integration, body });

async function enroll(n: number): Promise<string> {
  const answer = await engine.call('POST', '/api/v1/accounts', {
    body: { externalId: `HOOK-${n}`, strategy: 'webhook-test', currency: 'USD', balance: 50_000, debtor: { name: 'Wes Hook', email: `wes${n}@example.com`, timeZone: middayZone() } },
  });
  expect(answer.status, answer.text).toBe(201);
  return String(answer.body.caseId);
}

const pay = async (caseId: string, reference: string, amount: number) => {
  const answer = await engine.call('POST', `/api/v1/cases/${caseId}/payments`, { key: engine.keys.integration, body: { reference, amount } });
  expect(answer.status, answer.text).toBe(202);
};

describe('outbound webhooks', () => {
  it('refuses bad subscriptions with the field named', async () => {
    const unknown = await subscribe({ url: receiver.url, eventTypes: ['payment.received', 'case.exploded'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.fields).toEqual([expect.objectContaining({ path: 'body.eventTypes.1' })]);
    const notHttp = await subscribe({ url: 'ftp://example.com/hooks' });
    expect(notHttp.status).toBe(400);
    expect(notHttp.body.error.fields).toEqual([expect.objectContaining({ path: 'body.url' })]);
    const officer = await engine.call('GET', '/api/v1/webhook-subscriptions', { key: engine.keys.officer });
    expect(officer.status).toBe(403);
    expect(await engine.db.webhookSubscription.count()).toBe(0);
  });

  // KNOWN BUG, skipped until fixed (issue 22 stays open for it): in about one run in three an
  // event of a case (a promise.kept, a payment.received) never reaches the outbox although later
  // events of the case do (20 of 21 here, in the clean-clone CI of ec76f47). The outbox is written
  // from the events each projection call carries (activities/projection.ts); which call drops them
  // around the worker kill is not found yet. Run it by hand: npx vitest run test/integrations/webhooks-delivery.test.ts
  it('delivers every event once, in order per case, signed, through an outage and a worker kill; a dead receiver is disabled with an alert', { timeout: 180_000 }, async () => {
    const started = new Date();
    receiver.down();
    const made = await subscribe({ url: receiver.url, description: 'billing' });
    expect(made.status, made.text).toBe(201);
    expect(made.body.secret).toMatch(/^whsec_/);
    receiver.secret = String(made.body.secret);
    const subscriptionId = String(made.body.id);
    const dead = await subscribe({ url: `http://127.0.0.1:${await freePort()}/gone`, eventTypes: ['case.opened'] });
    expect(dead.status, dead.text).toBe(201);

    // Three cases: enrolled (opened, reminder sent), a promise kept by a payment, paid in full.
    const cases = await Promise.all([1, 2, 3].map(enroll));
    const due = new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10);
    for (const caseId of cases) {
      const promise = await engine.call('POST', `/api/v1/cases/${caseId}/outcomes`, { key: engine.keys.officer, body: { kind: 'promise_to_pay', amount: 20_000, dueDate: due } });
      expect(promise.status, promise.text).toBe(200);
      await pay(caseId, `${caseId}-P1`, 20_000);
    }
    // Every promise kept (the case checks it after the payment) before the rest is paid.
    await expect.poll(async () => engine.db.webhookEvent.count({ where: { caseId: { in: cases }, type: 'promise.kept' } }), { timeout: 30_000 }).toBe(3);
    // The receiver refused at least one delivery: the outage is on.
    await expect.poll(() => receiver.requests.filter((request) => request.status === 503).length, { timeout: 30_000 }).toBeGreaterThan(0);

    // The worker dies in the outage; the events keep coming (signals wait in Temporal), a new worker takes over.
    await engine.killChildWorkers('SIGKILL');
    for (const caseId of cases) await pay(caseId, `${caseId}-P2`, 30_000);
    await engine.startChildWorker().ready;
    // Seven events per case: opened, reminder sent, promise made, two payments, promise kept, closed.
    await expect
      .poll(async () => engine.db.webhookEvent.count({ where: { caseId: { in: cases } } }), { timeout: 60_000 })
      .toBe(21)
      .catch(async (error: unknown) => {
        for (const caseId of cases) {
          const audit = (await engine.db.auditEvent.findMany({ where: { caseId }, orderBy: { id: 'asc' } })).map((row) => `${(row.data as { seq?: number }).seq}:${row.action}:${row.actor}`);
          const outbox = (await engine.db.webhookEvent.findMany({ where: { caseId }, orderBy: { position: 'asc' } })).map((row) => `${row.caseSeq}:${row.type}`);
          console.log('DIAG', caseId, '\n audit:', audit.join(' '), '\n outbox:', outbox.join(' '));
        }
        throw error;
      });
    receiver.up();

    const expected = await engine.db.webhookEvent.findMany({ where: { caseId: { in: cases } }, orderBy: { position: 'asc' } });
    await expect.poll(() => receiver.accepted().length, { timeout: 60_000 }).toBe(expected.length);
    const accepted = receiver.accepted();
    // Once each: one 204 per event id, every request signed validly.
    expect(accepted.map((event) => event.id).sort()).toEqual(expected.map((event) => event.id).sort());
    expect(receiver.requests.filter((request) => request.status === 204)).toHaveLength(expected.length);
    expect(receiver.requests.every((request) => request.validSignature)).toBe(true);
    for (const caseId of cases) {
      const arrived = accepted.filter((event) => event.caseId === caseId);
      expect(arrived.map((event) => event.id)).toEqual(expected.filter((event) => event.caseId === caseId).map((event) => event.id));
      // In the case's own order (the reminder may go out before or after the promise is made).
      expect(arrived.map((event) => event.caseSeq)).toEqual(arrived.map((event) => event.caseSeq).sort((a, b) => a - b));
      const history = (await engine.db.auditEvent.findMany({ where: { caseId, actor: 'workflow' }, orderBy: { id: 'asc' } })).map((row) => `${(row.data as { seq?: number }).seq}:${row.action}`);
      expect(arrived.map((event) => event.type).sort(), history.join(' ')).toEqual(['case.closed', 'case.opened', 'payment.received', 'payment.received', 'promise.kept', 'promise.made', 'step.sent']);
      expect(arrived.at(-1)?.data).toMatchObject({ reason: 'paid', externalId: expect.stringMatching(/^HOOK-/) });
    }

    // The delivery log: every event delivered, the first ones after failed attempts.
    const log = await engine.call('GET', `/api/v1/webhook-subscriptions/${subscriptionId}/deliveries?limit=500`, { key: engine.keys.integration });
    expect(log.status).toBe(200);
    expect(log.body.total).toBe(expected.length);
    expect(log.body.items.every((item: { status: string; lastStatus: number }) => item.status === 'delivered' && item.lastStatus === 204)).toBe(true);
    expect(log.body.items.some((item: { attempts: number }) => item.attempts > 1)).toBe(true);

    // The receiver that never answered: disabled, an audit event, a manager's task outside the officers' queue.
    const deadId = String(dead.body.id);
    await expect.poll(async () => (await engine.call('GET', `/api/v1/webhook-subscriptions/${deadId}`, { key: engine.keys.integration })).body.status, { timeout: 90_000 }).toBe('disabled');
    const deadNow = await engine.call('GET', `/api/v1/webhook-subscriptions/${deadId}`, { key: engine.keys.manager });
    expect(deadNow.body).toMatchObject({ status: 'disabled', pending: 3, disabledReason: expect.stringMatching(/no delivery .* succeeded since/) });
    expect(await engine.db.auditEvent.count({ where: { action: 'webhook_subscription_disabled', data: { path: ['subscriptionId'], equals: deadId } } })).toBe(1);
    const [alert] = await engine.db.task.findMany({ where: { kind: 'webhook_disabled' } });
    expect(alert).toMatchObject({ caseId: null, status: 'open', reason: expect.stringContaining(deadId) });
    const queue = await engine.call('GET', '/api/v1/tasks?status=open&limit=200', { key: engine.keys.manager });
    expect(queue.body.items.some((task: { id: string }) => task.id === alert?.id)).toBe(false);
    const enabled = await engine.call('PATCH', `/api/v1/webhook-subscriptions/${deadId}`, { key: engine.keys.manager, body: { status: 'active' } });
    expect(enabled.body).toMatchObject({ status: 'active', disabledReason: null });
    expect(await engine.db.task.findUniqueOrThrow({ where: { id: alert!.id } })).toMatchObject({ status: 'done' });
    await engine.call('PATCH', `/api/v1/webhook-subscriptions/${deadId}`, { key: engine.keys.manager, body: { status: 'disabled' } });

    // Replay of the time range: every event again, same ids, each case's in order.
    const badRange = await engine.call('POST', `/api/v1/webhook-subscriptions/${subscriptionId}/replay`, { key: engine.keys.integration, body: { from: new Date().toISOString(), to: started.toISOString() } });
    expect(badRange.status).toBe(422);
    expect(badRange.body.error.fields).toEqual([expect.objectContaining({ path: 'body.to' })]);
    const before = receiver.requests.length;
    const replay = await engine.call('POST', `/api/v1/webhook-subscriptions/${subscriptionId}/replay`, { key: engine.keys.integration, body: { from: started.toISOString(), to: new Date().toISOString() } });
    expect(replay.status, replay.text).toBe(202);
    expect(replay.body.queued).toBe(expected.length);
    await expect.poll(() => receiver.requests.length - before, { timeout: 30_000 }).toBe(expected.length);
    const replayed = receiver.requests.slice(before);
    expect(replayed.every((request) => request.status === 204 && request.validSignature)).toBe(true);
    for (const caseId of cases) {
      expect(replayed.filter((event) => event.caseId === caseId).map((event) => event.id)).toEqual(expected.filter((event) => event.caseId === caseId).map((event) => event.id));
    }
  });
});
