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
 * PostgreSQL stopped and started again (same data) while cases are being projected and their
 * messages sent: payments, their projections and the outbox writes of an SMS and an email step
 * all hit a database that is away for several seconds — among them emails the SMTP server has
 * accepted whose `sent` cannot be written yet (activities/outbox.ts keeps the answer and retries
 * the record rather than sending again). The API answers 503 database_unavailable meanwhile;
 * activities retry. Afterwards every projection agrees with its workflow (no case stuck), each
 * payment is stored once and each due message was sent once.
 */

const cases = 6;
const balance = 20_000;

/** Emails whose `sent` was written more than a second after their `sending`: accepted, then recorded once the database was back. */
function emailRecordWaits(rows: { events: { status: string; at: Date }[] }[]): number {
  return rows.filter((row) => {
    const sending = row.events.filter((event) => event.status === 'sending').at(-1);
    const sent = row.events.find((event) => event.status === 'sent');
    return sending && sent && sent.at.getTime() - sending.at.getTime() > 1_000;
  }).length;
}

let engine: Engine;
const tally = newTally();
const caseIds: string[] = [];

beforeAll(async () => {
  engine = await startEngine({ smtp: true, twilio: true });
  const steps = [
    { id: 'reminder', at: 'PT0S', action: 'email', template: 'reminder' },
    { id: 'nudge', at: 'PT8S', action: 'sms', template: 'nudge' },
    { id: 'follow-up', at: 'PT8S', action: 'email', template: 'reminder' },
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
    // The first emails out and recorded before the outage.
    await eventually(async () => (await engine.db.communication.count({ where: { caseId: { in: caseIds }, stepId: 'reminder', status: 'sent' } })) === cases, 'the first emails recorded as sent', 60_000);
    // The outage starts the moment the SMTP server takes the first follow-up email (8 s after
    // enrolment, with the SMS): the other sends of that instant, the payments and their
    // projections fall into it, some of them between the provider's answer and its record.
    await engine.smtp.waitForMessages(cases + 1, 60_000);
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
    await engine.smtp.waitForMessages(2 * cases, 180_000);
    for (const caseId of caseIds) {
      await eventually(async () => (await liveStatus(engine, caseId)).balance === balance / 2, `the payment to ${caseId} applied`, 120_000);
      await eventually(async () => (await engine.db.payment.count({ where: { caseId } })) === 1, `the payment of ${caseId} stored`, 120_000);
      const live = await expectNotStuck(engine, caseId, 120_000);
      expect(live).toMatchObject({ status: 'open', balance: balance / 2 });
    }
    await eventually(async () => (await engine.db.communication.count({ where: { caseId: { in: caseIds }, status: 'sent' } })) === 3 * cases, 'every row marked sent', 120_000);
    // Room for a duplicate to show up, if there were one.
    await new Promise((resolve) => setTimeout(resolve, 3_000));

    const counts = sinkCounts(engine);
    // Two emails per debtor (the reminder and the follow-up), each Message-ID once.
    const messageIds = engine.smtp.messages.map((message) => message.parsed.messageId);
    const duplicates = [
      ...[...counts.email].filter(([, n]) => n !== 2).map(([to, n]) => `email ${to} x${n}`),
      ...messageIds.filter((id, index) => messageIds.indexOf(id) !== index).map((id) => `Message-ID ${id} again`),
      ...[...counts.sms].filter(([, n]) => n !== 1).map(([to, n]) => `sms ${to} x${n}`),
    ];
    if (duplicates.length) {
      const rows = await engine.db.communication.findMany({ where: { caseId: { in: caseIds } }, include: { events: { orderBy: { id: 'asc' } } } });
      console.info('DUPLICATES', duplicates, JSON.stringify(rows.map((row) => ({ to: row.recipient, channel: row.channel, status: row.status, attempts: row.attempts, events: row.events.map((event) => `${event.status}:${event.detail}`) })), null, 1));
    }
    expect(duplicates).toEqual([]);
    for (let i = 0; i < cases; i++) {
      expect(counts.email.get(emailOf(`PG-${i}`)), `email PG-${i}`).toBe(2);
      expect(counts.sms.get(`+1555555040${i}`), `sms PG-${i}`).toBe(1);
    }
    expect(engine.smtp.messages).toHaveLength(2 * cases);
    expect(engine.twilio.messages).toHaveLength(cases);
    expectOnlyExplained5xx(tally);

    await reportFigures('PostgreSQL restarted during projection and sends', {
      postgresDownMs: downMs,
      cases,
      paymentsPosted: cases,
      paymentRows: await engine.db.payment.count({ where: { caseId: { in: caseIds } } }),
      emailsDue: 2 * cases,
      emailsAtSmtp: engine.smtp.messages.length,
      // Emails the SMTP server accepted while the database was away, recorded late instead of sent again.
      emailsRecordedLate: await engine.db.communicationEvent.count({ where: { communication: { caseId: { in: caseIds }, channel: 'email' }, status: 'reconciled' } }),
      emailRecordWaitsOver1s: emailRecordWaits(await engine.db.communication.findMany({ where: { caseId: { in: caseIds }, channel: 'email' }, include: { events: { orderBy: { id: 'asc' } } } })),
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
