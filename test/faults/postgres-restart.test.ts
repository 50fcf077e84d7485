import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFullEngine, waitFor, type FullEngine } from '../support/full-engine.js';
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
 * PostgreSQL stopped and started again (same data) while cases are being projected and their
 * messages sent: payments, their projections and the SMS steps' outbox writes all hit a database
 * that is away for several seconds. The API answers 503 database_unavailable meanwhile; activities retry.
 * Afterwards every projection agrees with its workflow (no case stuck), each payment is stored
 * once and each due message was sent once.
 */

const cases = 6;
const balance = 20_000;

let engine: FullEngine;
const tally = newTally();
const caseIds: string[] = [];

beforeAll(async () => {
  engine = await startFullEngine({ worker: 'in-process' });
  const steps = [
    { id: 'reminder', at: 'PT0S', action: 'email', template: 'reminder' },
    { id: 'nudge', at: 'PT8S', action: 'sms', template: 'nudge' },
    { id: 'call', at: 'P30D', action: 'call' },
  ];
  expect((await engine.call('POST', '/api/v1/strategies', { body: quickStrategy('restart-pg', steps) })).status).toBe(201);
}, 180_000);

afterAll(async () => {
  await engine?.stop();
});

describe('PostgreSQL restarted during projection and sends', () => {
  it('leaves every case projected, every payment stored once and every message sent once', { timeout: 300_000 }, async () => {
    for (let i = 0; i < cases; i++) {
      const enrolled = await engine.call('POST', '/api/v1/accounts', { body: account(`PG-${i}`, 'restart-pg', { balance, phone: `+1555555040${i}` }) });
      expect(enrolled.status).toBe(201);
      caseIds.push(enrolled.body.caseId);
    }
    // Emails out and recorded before the outage. (An email the SMTP server accepted whose `sent`
    // the database could not take goes again on retry — SMTP cannot be asked what it received;
    // see SECURITY.md. This scenario puts the outage on the SMS sends, which reconcile.)
    await waitFor(async () => (await engine.db.communication.count({ where: { caseId: { in: caseIds }, channel: 'email', status: 'sent' } })) === cases, 'the emails recorded as sent', 60_000);
    // The SMS steps (8 s after enrolment), the payments and their projections fall into the outage.
    const restart = (async () => {
      const started = Date.now();
      await engine.postgres.restart(5_000);
      return Date.now() - started;
    })();
    const payments = caseIds.map(async (caseId, i) => {
      await new Promise((resolve) => setTimeout(resolve, 500 + 400 * i));
      const answer = await retryingCall(engine, tally, 'POST', `/api/v1/cases/${caseId}/payments`, { body: { reference: `PG-${i}`, amount: balance / 2 }, key: engine.keys.integration });
      expect(answer.status, JSON.stringify(answer.body)).toBe(202);
    });
    const [downMs] = await Promise.all([restart, ...payments]);

    const smsBackAt = Date.now();
    await engine.twilio.waitForMessages(cases, 180_000);
    const smsRecoveredMs = Date.now() - smsBackAt;
    for (const caseId of caseIds) {
      await waitFor(async () => (await liveStatus(engine, caseId)).balance === balance / 2, `the payment to ${caseId} applied`, 120_000);
      await waitFor(async () => (await engine.db.payment.count({ where: { caseId } })) === 1, `the payment of ${caseId} stored`, 120_000);
      const live = await expectNotStuck(engine, caseId, 120_000);
      expect(live).toMatchObject({ status: 'open', balance: balance / 2 });
    }
    await waitFor(async () => (await engine.db.communication.count({ where: { caseId: { in: caseIds }, status: 'sent' } })) === 2 * cases, 'every row marked sent', 60_000);
    // Room for a duplicate to show up, if there were one.
    await new Promise((resolve) => setTimeout(resolve, 3_000));

    const counts = sinkCounts(engine);
    const duplicates = [
      ...[...counts.email].filter(([, n]) => n !== 1).map(([to, n]) => `email ${to} x${n}`),
      ...[...counts.sms].filter(([, n]) => n !== 1).map(([to, n]) => `sms ${to} x${n}`),
    ];
    if (duplicates.length) {
      const rows = await engine.db.communication.findMany({ where: { caseId: { in: caseIds } }, include: { events: { orderBy: { id: 'asc' } } } });
      console.info('DUPLICATES', duplicates, JSON.stringify(rows.map((row) => ({ to: row.recipient, channel: row.channel, status: row.status, attempts: row.attempts, events: row.events.map((event) => `${event.status}:${event.detail}`) })), null, 1));
    }
    expect(duplicates).toEqual([]);
    for (let i = 0; i < cases; i++) {
      expect(counts.email.get(emailOf(`PG-${i}`)), `email PG-${i}`).toBe(1);
      expect(counts.sms.get(`+1555555040${i}`), `sms PG-${i}`).toBe(1);
    }
    expect(engine.smtp.messages).toHaveLength(cases);
    expect(engine.twilio.messages).toHaveLength(cases);
    expectOnlyExplained5xx(tally);

    await reportFigures('PostgreSQL restarted during projection and sends', {
      postgresDownMs: downMs,
      cases,
      paymentsPosted: cases,
      paymentRows: await engine.db.payment.count({ where: { caseId: { in: caseIds } } }),
      emailsDue: cases,
      emailsAtSmtp: engine.smtp.messages.length,
      smsDue: cases,
      smsAtTwilio: engine.twilio.messages.length,
      smsAllOutAfterMs: smsRecoveredMs,
      callerRequests: tally.requests,
      callerRetries: tally.retries,
      serverErrors: tally.serverErrors,
      networkErrors: tally.networkErrors,
      stuckCases: 0,
    });
  });
});
