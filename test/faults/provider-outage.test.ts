import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '../../testing/engine.js';
import { eventually } from '../../testing/eventually.js';
import { account, emailOf, expectNotStuck, quickStrategy, reportFigures, sinkCounts } from './support.js';

/**
 * Providers misbehaving for a while: the SMTP server answers 451 to the first two messages, the
 * Twilio stand-in answers 500 to its first two requests, and then holds one answer longer than
 * the client waits (the message is created, the sender sees a timeout). After recovery each due
 * message exists exactly once at the SMTP server and at the stand-in, every row says `sent`, and
 * no case is stuck.
 */

let engine: Engine;

beforeAll(async () => {
  engine = await startEngine({ smtp: true, twilio: true });
  const steps = [
    { id: 'reminder', at: 'PT0S', action: 'email', template: 'reminder' },
    { id: 'nudge', at: 'PT0S', action: 'sms', template: 'nudge' },
    { id: 'call', at: 'P30D', action: 'call' },
  ];
  expect((await engine.call('POST', '/api/v1/strategies', { body: quickStrategy('outage', steps) })).status).toBe(201);
}, 180_000);

afterAll(async () => {
  await engine?.stop();
});

describe('providers that fail for a while', () => {
  it('deliver every due message exactly once after they recover', { timeout: 240_000 }, async () => {
    engine.smtp.failNext(2, 451);
    engine.twilio.failNext(2, 500);
    const outage = await engine.call('POST', '/api/v1/accounts', { body: account('OUT-500', 'outage', { phone: '+15555550151' }) });
    expect(outage.status).toBe(201);
    await engine.twilio.waitForMessages(1, 120_000);

    // Then a response lost to a timeout: the stand-in creates the message and answers after the
    // client (10 s timeout) has given up. The retry must find it rather than send it again.
    engine.twilio.delayNext(1, 15_000);
    const timeout = await engine.call('POST', '/api/v1/accounts', { body: account('OUT-TIMEOUT', 'outage', { phone: '+15555550152' }) });
    expect(timeout.status).toBe(201);

    const caseIds = [outage.body.caseId as string, timeout.body.caseId as string];
    const rows = await eventually(async () => {
      const found = await engine.db.communication.findMany({ where: { caseId: { in: caseIds } }, include: { events: { orderBy: { id: 'asc' } } } });
      return found.length === 4 && found.every((row) => row.status === 'sent') && found;
    }, 'all four messages sent', 180_000);
    await engine.smtp.waitForMessages(2, 30_000);

    const counts = sinkCounts(engine);
    expect(counts.email.get(emailOf('OUT-500'))).toBe(1);
    expect(counts.email.get(emailOf('OUT-TIMEOUT'))).toBe(1);
    expect(counts.sms.get('+15555550151')).toBe(1);
    expect(counts.sms.get('+15555550152')).toBe(1);
    const attempts = Object.fromEntries(rows.map((row) => [`${row.caseId === caseIds[0] ? 'OUT-500' : 'OUT-TIMEOUT'}/${row.channel}`, row.events.map((event) => event.status).join('>')]));
    expect(attempts['OUT-500/email']).toMatch(/attempt_failed.*attempt_failed.*sent/);
    expect(attempts['OUT-TIMEOUT/sms']).toMatch(/reconciled/);
    for (const caseId of caseIds) await expectNotStuck(engine, caseId);

    await reportFigures('providers failing then recovering (SMTP 451 x2, Twilio 500 x2, Twilio answer lost to a timeout)', {
      emailsDue: 2,
      emailsAtSmtp: engine.smtp.messages.length,
      smsDue: 2,
      smsAtTwilio: engine.twilio.messages.length,
      twilioRequests: engine.twilio.requests.length,
      attempts,
      stuckCases: 0,
    });
  });
});
