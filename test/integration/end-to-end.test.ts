import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectionDisclosure } from '../../domain/disclosures.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { eventually } from '../../testing/eventually.js';
import { middayZone } from '../../testing/midday-zone.js';
import { consumerEarly } from '../support/strategies.js';

/**
 * One account through the whole engine on real parts: the Temporal dev server, PostgreSQL, an
 * SMTP server on loopback, and a Twilio stand-in called by the real twilio client; payloads
 * encrypted as in production (worker and client share the key).
 */

let engine: Engine;

beforeAll(async () => {
  engine = await startEngine({ smtp: true, twilio: true, encrypted: true });
});

afterAll(async () => {
  await engine?.stop();
});

describe('an account through the engine', () => {
  it('is enrolled over the API, contacted by email and SMS, and closed by a payment', async () => {
    const definition = {
      ...consumerEarly,
      key: 'e2e-fast',
      // No waiting for returned payments once paid, so the run ends within the test.
      negotiation: { reversalWindowDays: 0 },
      steps: [
        { id: 'reminder', at: 'PT0S', action: 'email', template: 'reminder' },
        { id: 'nudge', at: 'PT1S', action: 'sms', template: 'nudge' },
        { id: 'letter', at: 'PT1H', action: 'letter', template: 'demand' },
      ],
    };
    const created = await engine.call('POST', '/api/v1/strategies', { body: definition });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ key: 'e2e-fast', version: 1, status: 'active' });

    const account = {
      externalId: 'ACC-1001',
      strategy: 'e2e-fast',
      currency: 'USD',
      balance: 125_000,
      debtor: { name: 'Ana Ruiz', email: 'ana@example.com', phone: '+15555550100', timeZone: middayZone(), smsConsent: true },
    };
    const enrolled = await engine.call('POST', '/api/v1/accounts', { body: account, key: engine.keys.integration });
    expect(enrolled.status).toBe(201);
    expect(enrolled.body).toMatchObject({ status: 'open', balance: 125_000, currency: 'USD', closeReason: null });
    const caseId = String(enrolled.body.caseId);
    expect(caseId).toMatch(/^case-/);

    const again = await engine.call('POST', '/api/v1/accounts', { body: account, key: engine.keys.integration });
    expect(again.status).toBe(200);
    expect(again.body.caseId).toBe(caseId);

    const [mail] = await engine.smtp.waitForMessages(1, 20_000);
    expect(mail?.envelope.to).toEqual(['ana@example.com']);
    expect(mail?.parsed.subject).toBe('Your balance of $1,250.00 is overdue');
    expect(mail?.parsed.text).toContain('Hello Ana Ruiz');
    expect(mail?.parsed.html).toContain('Hello Ana Ruiz');
    // The DESIGN example's inline templates lack the disclosure and the unsubscribe link: added.
    expect(mail?.parsed.text).toContain(`${collectionDisclosure.en}\n\nUnsubscribe: http`);

    const [sms] = await engine.twilio.waitForMessages(1, 20_000);
    expect(sms?.form).toMatchObject({ To: '+15555550100', From: '+15555550199', Body: `Ana Ruiz, $1,250.00 is overdue. Reply STOP to opt out. ${collectionDisclosure.en}` });

    const communications = await eventually(async () => {
      const { body } = await engine.call('GET', `/api/v1/cases/${caseId}/communications`);
      const items = body.items as { channel: string; status: string; providerId: string }[];
      return items.length === 2 && items.every((item) => item.status === 'sent') && items;
    }, 'both communications recorded as sent');
    expect(communications.map((item) => item.channel)).toEqual(['email', 'sms']);
    expect(communications[1]?.providerId).toBe(sms?.sid);

    const partial = await engine.call('POST', `/api/v1/cases/${caseId}/payments`, { body: { reference: 'PAY-1', amount: 25_000 }, key: engine.keys.integration });
    expect(partial.status).toBe(202);
    await engine.call('POST', `/api/v1/cases/${caseId}/payments`, { body: { reference: 'PAY-1', amount: 25_000 }, key: engine.keys.integration });
    await eventually(async () => (await engine.call('GET', `/api/v1/cases/${caseId}`)).body.balance === 100_000, 'the partial payment applied once');

    await engine.call('POST', `/api/v1/cases/${caseId}/payments`, { body: { reference: 'PAY-2', amount: 100_000 }, key: engine.keys.integration });
    const closed = await eventually(async () => {
      const { body } = await engine.call('GET', `/api/v1/cases/${caseId}`);
      return body.status === 'closed' && body;
    }, 'the case to close');
    expect(closed).toMatchObject({ closeReason: 'paid', balance: 0, live: true });

    const row = await eventually(async () => {
      const found = await engine.db.case.findUnique({ where: { id: caseId } });
      return found?.status === 'closed' && found;
    }, 'the projection to show the close');
    expect(row).toMatchObject({ closeReason: 'paid', balance: 0 });
    const payments = await engine.db.payment.findMany({ where: { caseId }, orderBy: { receivedAt: 'asc' } });
    expect(payments.map(({ reference, amount }) => ({ reference, amount }))).toEqual([
      { reference: 'PAY-1', amount: 25_000 },
      { reference: 'PAY-2', amount: 100_000 },
    ]);
    // The projection is written just before the workflow returns: wait for the run itself to end.
    await expect(engine.temporal.workflow.getHandle(caseId).result()).resolves.toMatchObject({ status: 'closed', closeReason: 'paid' });
    const description = await engine.temporal.workflow.getHandle(caseId).describe();
    expect(description.status.name).toBe('COMPLETED');
    expect(await engine.db.communication.count({ where: { caseId, channel: 'letter' } })).toBe(0);

    const late = await engine.call('POST', `/api/v1/cases/${caseId}/payments`, { body: { reference: 'PAY-3', amount: 100 }, key: engine.keys.integration });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('case_closed');
  });

  it('refuses bad input with the field and the reason, and writes nothing', async () => {
    const before = await engine.db.account.count();
    const bad = await engine.call('POST', '/api/v1/accounts', {
      body: { externalId: 'ACC-BAD', strategy: 'consumer-early', currency: 'USD', balance: 12.5, debtor: { name: 'X', timeZone: 'Mars/Olympus' } },
    });
    expect(bad.status).toBe(400);
    const paths = (bad.body.error.fields as { path: string }[]).map((field) => field.path);
    expect(paths).toEqual(expect.arrayContaining(['body.balance', 'body.debtor.timeZone']));
    expect(await engine.db.account.count()).toBe(before);

    const unknown = await engine.call('POST', '/api/v1/accounts', {
      body: { externalId: 'ACC-X', strategy: 'no-such-strategy', currency: 'USD', balance: 100, debtor: { name: 'X', timeZone: 'UTC' } },
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.fields[0].path).toBe('body.strategy');

    const strategyProblems = await engine.call('POST', '/api/v1/strategies', {
      body: { key: 'broken', name: 'Broken', templates: {}, steps: [{ id: 'a', at: 'P3D', action: 'email' }, { id: 'b', at: 'soon', action: 'fax' }] },
    });
    expect(strategyProblems.status).toBe(422);
    const problemPaths = (strategyProblems.body.error.fields as { path: string }[]).map((field) => field.path);
    expect(problemPaths).toEqual(expect.arrayContaining(['steps.1.at', 'steps.1.action']));

    const forbidden = await engine.call('POST', '/api/v1/strategies', { body: consumerEarly, key: engine.keys.officer });
    expect(forbidden.status).toBe(403);
    const anonymous = await fetch(`${engine.baseUrl}/api/v1/cases`);
    expect(anonymous.status).toBe(401);
  });
});
