import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '../../testing/engine.js';
import { eventually } from '../../testing/eventually.js';
import {
  account,
  emailOf,
  expectNotStuck,
  expectOnlyExplained5xx,
  inDays,
  liveStatus,
  newTally,
  quickStrategy,
  reportFigures,
  resultTakenAt,
  retryingCall,
  sinkCounts,
} from './support.js';

/**
 * kill -9 of the worker process while three cases are each in the middle of something: an SMS
 * whose provider answer is still on the wire (Twilio has the message, our row says `sending`), a
 * payment just signalled, and a payment plan being recorded by an officer (a workflow update).
 * A new worker process takes over. Afterwards: one SMS at the stand-in, one email per debtor at
 * the SMTP server, the payment applied once (also when the caller repeats it), the plan made
 * once, and every case running with its projection in step.
 */

let engine: Engine;
const tally = newTally();
const phone = '+15555550142';
const ids = { send: '', payment: '', plan: '' };

beforeAll(async () => {
  engine = await startEngine({ worker: 'child', smtp: true, twilio: true });
  expect((await engine.call('POST', '/api/v1/strategies', { body: quickStrategy('kill') })).status).toBe(201);
  for (const [role, externalId] of [['payment', 'KILL-PAY'], ['plan', 'KILL-PLAN']] as const) {
    const enrolled = await engine.call('POST', '/api/v1/accounts', { body: account(externalId, 'kill') });
    expect(enrolled.status).toBe(201);
    ids[role] = enrolled.body.caseId;
  }
  await engine.smtp.waitForMessages(2, 60_000);
}, 180_000);

afterAll(async () => {
  await engine?.stop();
});

describe('a worker killed with SIGKILL mid-send, mid-payment and mid-plan', () => {
  it('loses nothing and repeats nothing once another worker takes over', { timeout: 300_000 }, async () => {
    // The SMS is accepted by the stand-in at once, but its answer is held back past the kill.
    engine.twilio.delayNext(1, 120_000);
    const enrolled = await engine.call('POST', '/api/v1/accounts', { body: account('KILL-SEND', 'kill', { phone }) });
    expect(enrolled.status).toBe(201);
    ids.send = enrolled.body.caseId;
    await engine.twilio.waitForMessages(1, 60_000);
    await eventually(async () => (await engine.db.communication.findFirst({ where: { caseId: ids.send, channel: 'sms', status: 'sending' } })) ?? false, 'the SMS row in flight');

    // A payment signalled and a plan being agreed, both racing the kill.
    const payment = await retryingCall(engine, tally, 'POST', `/api/v1/cases/${ids.payment}/payments`, { body: { reference: 'KILL-P1', amount: 40_000 }, key: engine.keys.integration });
    expect(payment.status).toBe(202);
    const plan = { kind: 'payment_plan', downPayment: 10_000, installments: 3, frequency: 'monthly', firstDueDate: inDays(7) };
    const planned = retryingCall(engine, tally, 'POST', `/api/v1/cases/${ids.plan}/outcomes`, { body: plan, key: engine.keys.manager }, 200_000);
    await new Promise((resolve) => setTimeout(resolve, 50));

    const killedAt = Date.now();
    await engine.killChildWorkers('SIGKILL');
    await engine.startChildWorker().ready;

    const planAnswer = await planned;
    const planAnsweredMs = Date.now() - killedAt;
    expect(planAnswer.status, JSON.stringify(planAnswer.body)).toBe(200);
    // The caller did not see the payment's fate: it repeats it, as integrations do.
    expect((await retryingCall(engine, tally, 'POST', `/api/v1/cases/${ids.payment}/payments`, { body: { reference: 'KILL-P1', amount: 40_000 }, key: engine.keys.integration })).status).toBe(202);

    const sent = await eventually(
      async () => (await engine.db.communication.findFirst({ where: { caseId: ids.send, channel: 'sms', status: 'sent' }, include: { events: true } })) ?? false,
      'the interrupted SMS to be settled by the new worker',
      180_000,
    );
    await engine.smtp.waitForMessages(3, 60_000);

    const counts = sinkCounts(engine);
    expect(counts.sms.get(phone)).toBe(1);
    expect(engine.twilio.requests.filter((request) => request.method === 'POST')).toHaveLength(1);
    for (const externalId of ['KILL-PAY', 'KILL-PLAN', 'KILL-SEND']) expect(counts.email.get(emailOf(externalId)), externalId).toBe(1);
    expect(sent.events.map((event) => event.status)).toContain('reconciled');
    // The reconciled send (its retry answered `duplicate`) is still the step's one send: announced once as an outbound event.
    const announced = await eventually(async () => {
      const rows = await engine.db.webhookEvent.findMany({ where: { caseId: ids.send, type: 'step.sent' } });
      const ofThisSend = rows.filter((row) => (row.payload as { data?: { communicationId?: string } }).data?.communicationId === sent.id);
      return ofThisSend.length > 0 && ofThisSend;
    }, 'the interrupted SMS announced as step.sent');
    expect(announced).toHaveLength(1);
    const recovery = await sendRecovery(ids.send, killedAt, sent.events);
    // The dead attempt was given up for its missing heartbeats, not after its start-to-close minute.
    expect(recovery.timeoutType).toBe('TIMEOUT_TYPE_HEARTBEAT');
    // About 6-7 s (heartbeat timeout + first retry interval + pickup; 70 s before heartbeats): a bound that does not race a busy machine.
    expect(recovery.settledAfterMs).toBeLessThan(30_000);
    // The case took the result soon after: the workflow task that carries it was first offered to
    // the dead worker's sticky queue and moved on after the worker's sticky schedule-to-start
    // timeout (3 s; the SDK's default 10 s made this 17-25 s).
    expect(recovery.takenAfterMs, 'the case took the send result').toBeLessThan(14_000);

    const paid = await eventually(async () => {
      const live = await liveStatus(engine, ids.payment);
      return live.balance === 60_000 && live;
    }, 'the payment applied');
    expect(paid.balance).toBe(60_000);
    await eventually(async () => (await engine.db.payment.count({ where: { caseId: ids.payment } })) === 1, 'the payment projected');

    const withPlan = await liveStatus(engine, ids.plan);
    const arrangement = (withPlan as unknown as { arrangement: { kind: string; status: string } | null }).arrangement;
    expect(arrangement).toMatchObject({ kind: 'plan', status: 'active' });
    const made = await eventually(async () => {
      const events = await engine.db.auditEvent.findMany({ where: { caseId: ids.plan, action: 'arrangement_made' } });
      return events.length > 0 && events;
    }, 'the plan projected');
    expect(made).toHaveLength(1);

    for (const caseId of Object.values(ids)) await expectNotStuck(engine, caseId);
    expectOnlyExplained5xx(tally);

    await reportFigures('worker kill -9 (send, payment, plan in flight)', {
      smsAtTwilio: counts.sms.get(phone),
      twilioPosts: engine.twilio.requests.filter((request) => request.method === 'POST').length,
      emailsAtSmtp: engine.smtp.messages.length,
      emailsDue: 3,
      paymentRows: await engine.db.payment.count({ where: { caseId: ids.payment } }),
      paymentsPosted: 2,
      plansMade: made.length,
      smsRetryStartedAfterMs: recovery.retryStartedAfterMs,
      smsRecoveredAfterMs: recovery.settledAfterMs,
      smsResultTakenAfterMs: recovery.takenAfterMs,
      smsTimeoutType: recovery.timeoutType,
      planAnsweredAfterMs: planAnsweredMs,
      callerRequests: tally.requests,
      callerRetries: tally.retries,
      serverErrors: tally.serverErrors,
      stuckCases: 0,
    });
  });
});

/**
 * How the send interrupted by the kill recovered: why the server gave its attempt up (from the
 * retry's lastFailure in the history), when the retry started and when it settled the row
 * (`reconciled`), both counted from the kill.
 */
async function sendRecovery(caseId: string, killedAt: number, events: { status: string; at: Date }[]) {
  const history = (await engine.temporal.workflow.getHandle(caseId).fetchHistory()).events ?? [];
  const scheduled = history.find((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'sendSms');
  const started = history.find((event) => event.activityTaskStartedEventAttributes && Number(event.activityTaskStartedEventAttributes.scheduledEventId) === Number(scheduled?.eventId));
  const attributes = started?.activityTaskStartedEventAttributes;
  expect(attributes?.attempt, 'the send ran again on the new worker').toBeGreaterThanOrEqual(2);
  const timeoutType = attributes?.lastFailure?.timeoutFailureInfo?.timeoutType;
  const startedAtMs = Number(started?.eventTime?.seconds ?? 0) * 1000 + Math.floor((started?.eventTime?.nanos ?? 0) / 1e6);
  const reconciled = events.find((event) => event.status === 'reconciled');
  const takenAt = reconciled ? await eventually(() => resultTakenAt(engine, caseId, reconciled.at.getTime() - 1_000), 'the case to take the send result', 60_000) : null;
  return {
    takenAfterMs: (takenAt ?? Number.NaN) - killedAt,
    timeoutType: timeoutType === undefined || timeoutType === null ? null : temporal.api.enums.v1.TimeoutType[timeoutType],
    retryStartedAfterMs: startedAtMs - killedAt,
    settledAfterMs: (reconciled?.at.getTime() ?? Number.NaN) - killedAt,
  };
}
