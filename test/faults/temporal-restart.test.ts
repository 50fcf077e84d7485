import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '../../testing/engine.js';
import { eventually } from '../../testing/eventually.js';
import {
  account,
  emailOf,
  expectNotStuck,
  expectOnlyExplained5xx,
  liveStatus,
  newTally,
  quickStrategy,
  reportFigures,
  retryingCall,
  sinkCounts,
} from './support.js';

/**
 * The Temporal dev server restarted (stopped, down for a few seconds, started on the same SQLite
 * file) while callers keep posting payments and enrolling accounts. The Temporal client retries
 * an unreachable server for a while by itself (the API call just takes longer); past that the
 * API answers 503 with Retry-After and the caller retries. Afterwards every payment is applied exactly
 * once, every enrolled account has its case and its messages exactly once, and no case is stuck.
 */

const before = 6;
const during = 3;
const paymentsPerCase = 3;
const balance = 30_000;

let engine: Engine;
const tally = newTally();
const caseIds: string[] = [];

beforeAll(async () => {
  engine = await startEngine({ smtp: true, twilio: true });
  expect((await engine.call('POST', '/api/v1/strategies', { body: quickStrategy('restart-temporal') })).status).toBe(201);
  for (let i = 0; i < before; i++) {
    const enrolled = await engine.call('POST', '/api/v1/accounts', { body: account(`TR-${i}`, 'restart-temporal', { balance, phone: `+1555555020${i}` }) });
    expect(enrolled.status).toBe(201);
    caseIds.push(enrolled.body.caseId);
  }
  // Every message of the first accounts out before the load starts, so "due" is exact.
  await engine.smtp.waitForMessages(before, 60_000);
  await engine.twilio.waitForMessages(before, 60_000);
}, 180_000);

afterAll(async () => {
  await engine?.stop();
});

describe('the Temporal server restarted under load', () => {
  it('applies every payment once, starts every case once, sends every message once', { timeout: 300_000 }, async () => {
    let restarting = true;
    const latencies: number[] = [];
    const restart = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const started = Date.now();
      await engine.temporalServer.restart(8_000);
      restarting = false;
      return Date.now() - started;
    })();

    // Load: payments for the running cases and new enrolments, all through the restart.
    const payments = caseIds.flatMap((caseId, i) =>
      Array.from({ length: paymentsPerCase }, (_, n) => async () => {
        await new Promise((resolve) => setTimeout(resolve, 3_000 * n + 100 * i));
        const sentAt = Date.now();
        const answer = await retryingCall(engine, tally, 'POST', `/api/v1/cases/${caseId}/payments`, { body: { reference: `TR-${i}-${n}`, amount: balance / paymentsPerCase }, key: engine.keys.integration });
        latencies.push(Date.now() - sentAt);
        expect(answer.status, JSON.stringify(answer.body)).toBe(202);
      }),
    );
    const enrolments = Array.from({ length: during }, (_, i) => async () => {
      await new Promise((resolve) => setTimeout(resolve, 2_000 + 2_000 * i));
      const answer = await retryingCall(engine, tally, 'POST', '/api/v1/accounts', { body: account(`TR-NEW-${i}`, 'restart-temporal', { balance, phone: `+1555555030${i}` }) });
      expect([200, 201], JSON.stringify(answer.body)).toContain(answer.status);
      return answer.body.caseId as string;
    });
    const reads = (async () => {
      let count = 0;
      while (restarting) {
        await retryingCall(engine, tally, 'GET', `/api/v1/cases/${caseIds[0]}`);
        count++;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      return count;
    })();
    const [downMs, , newCases, readCount] = await Promise.all([restart, Promise.all(payments.map((send) => send())), Promise.all(enrolments.map((enrol) => enrol())), reads]);
    caseIds.push(...newCases);

    // A caller that is unsure repeats: each payment once more, after the restart.
    for (const [i, caseId] of caseIds.slice(0, before).entries()) {
      expect((await retryingCall(engine, tally, 'POST', `/api/v1/cases/${caseId}/payments`, { body: { reference: `TR-${i}-0`, amount: balance / paymentsPerCase }, key: engine.keys.integration })).status).toBe(202);
    }

    for (const caseId of caseIds.slice(0, before)) {
      await eventually(async () => (await liveStatus(engine, caseId)).status === 'closed', `case ${caseId} paid off`, 60_000);
      await eventually(async () => (await engine.db.payment.count({ where: { caseId } })) === paymentsPerCase, `payments of ${caseId} projected`, 60_000);
    }
    await engine.smtp.waitForMessages(before + during, 120_000);
    await engine.twilio.waitForMessages(before + during, 120_000);
    // Room for a duplicate to show up, if there were one.
    await new Promise((resolve) => setTimeout(resolve, 3_000));

    const counts = sinkCounts(engine);
    const accounts = [...Array.from({ length: before }, (_, i) => `TR-${i}`), ...Array.from({ length: during }, (_, i) => `TR-NEW-${i}`)];
    for (const externalId of accounts) expect(counts.email.get(emailOf(externalId)), externalId).toBe(1);
    for (const [to, n] of counts.sms) expect(n, to).toBe(1);
    expect(counts.sms.size).toBe(before + during);
    expect(await engine.db.account.count({ where: { externalId: { startsWith: 'TR-' } } })).toBe(before + during);
    const paymentRows = await engine.db.payment.count({ where: { caseId: { in: caseIds } } });
    expect(paymentRows).toBe(before * paymentsPerCase);
    for (const caseId of caseIds.slice(0, before)) expect((await expectNotStuck(engine, caseId)).balance).toBe(0);
    for (const caseId of newCases) await expectNotStuck(engine, caseId);
    expectOnlyExplained5xx(tally);

    await reportFigures('Temporal dev server restarted under load', {
      temporalDownMs: downMs,
      slowestPaymentAnswerMs: Math.max(...latencies),
      paymentsPosted: before * paymentsPerCase + before,
      paymentReferences: before * paymentsPerCase,
      paymentRows,
      enrolledDuringRestart: during,
      emailsDue: before + during,
      emailsAtSmtp: engine.smtp.messages.length,
      smsDue: before + during,
      smsAtTwilio: engine.twilio.messages.length,
      statusReadsDuringRestart: readCount,
      callerRequests: tally.requests,
      callerRetries: tally.retries,
      serverErrors: tally.serverErrors,
      networkErrors: tally.networkErrors,
      stuckCases: 0,
    });
  });
});
