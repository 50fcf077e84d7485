import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../api/server.js';
import { collectionDisclosure } from '../../domain/disclosures.js';
import { createDb, type Db } from '../../lib/db.js';
import { startEmbeddedPostgres } from '../../lib/embedded-postgres.js';
import { freePort } from '../../lib/free-port.js';
import { applyMigrations } from '../../lib/migrations.js';
import { generatePayloadKey } from '../../lib/payload-codec.js';
import { connectTemporalClient } from '../../lib/temporal-connection.js';
import { startTemporalDevServer } from '../../lib/temporal-dev-server.js';
import { loadWorkerConfig } from '../../worker/config.js';
import { createCaseWorker } from '../../worker/create-worker.js';
import { startSmtpSink, type SmtpSink } from '../../testing/standins/smtp-sink.js';
import { consumerEarly } from '../support/strategies.js';
import { startTwilioStandIn, type TwilioStandIn } from '../../testing/standins/twilio-standin.js';

/**
 * One account through the whole engine on real parts: the Temporal dev server, PostgreSQL, an
 * SMTP server on loopback, and a Twilio stand-in called by the real twilio client.
 */

const keys = { manager: 'test-manager-key-0123456789', integration: 'test-integration-key-0123456789', officer: 'test-officer-key-0123456789' };

let dataDir: string;
let stops: (() => Promise<unknown>)[] = [];
let db: Db;
let temporal: Client;
let api: FastifyInstance;
let baseUrl: string;
let smtp: SmtpSink;
let twilio: TwilioStandIn;

/** A zone where it is early afternoon now, so the 08:00–21:00 rule permits contact during the test. */
function afternoonZone(): string {
  const utcHour = new Date().getUTCHours();
  const offset = ((13 - utcHour + 36) % 24) - 12; // hours to add to UTC, in -12..11
  // Etc/GMT zones have inverted signs: Etc/GMT-3 is UTC+3.
  return offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

async function call(method: string, url: string, { body, key = keys.manager }: { body?: unknown; key?: string } = {}) {
  const response = await fetch(`${baseUrl}${url}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any -- test reads arbitrary fields
}

async function eventually<T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'dunning-e2e-'));
  const postgres = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'postgres'), port: await freePort() });
  stops.push(() => postgres.stop());
  await applyMigrations(postgres.url);
  const temporalServer = await startTemporalDevServer({ dataDir: path.join(dataDir, 'temporal'), port: await freePort(), uiPort: await freePort() });
  stops.push(() => temporalServer.stop());
  smtp = await startSmtpSink();
  stops.push(() => smtp.close());
  twilio = await startTwilioStandIn();
  stops.push(() => twilio.close());

  const env = {
    DATABASE_URL: postgres.url,
    TEMPORAL_ADDRESS: temporalServer.address,
    DATA_DIR: dataDir,
    SMTP_URL: smtp.url,
    TWILIO_ACCOUNT_SID: twilio.accountSid,
    TWILIO_AUTH_TOKEN: twilio.authToken,
    TWILIO_FROM: '+15555550199',
    TWILIO_API_BASE: twilio.url,
    // Payloads encrypted as in production (worker and client share the key).
    PAYLOAD_KEYS: generatePayloadKey('e2e'),
  };
  const { worker, close } = await createCaseWorker(loadWorkerConfig(env));
  const running = worker.run();
  stops.unshift(async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown(); // the SDK's own signal handler may have begun it
    await running;
    await close();
  });

  db = createDb(postgres.url);
  temporal = await connectTemporalClient(loadWorkerConfig(env));
  api = await buildApi({
    deps: { db, temporal },
    apiKeys: new Map([
      [keys.manager, 'manager'],
      [keys.integration, 'integration'],
      [keys.officer, 'officer'],
    ]),
    logLevel: 'silent',
  });
  await api.listen({ port: 0, host: '127.0.0.1' });
  baseUrl = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
  stops.unshift(async () => {
    await api.close();
    await temporal.connection.close();
    await db.$disconnect();
  });
});

afterAll(async () => {
  for (const stop of stops) await stop().catch((error: unknown) => console.error(error));
  stops = [];
  await rm(dataDir, { recursive: true, force: true });
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
    const created = await call('POST', '/api/v1/strategies', { body: definition });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ key: 'e2e-fast', version: 1, status: 'active' });

    const account = {
      externalId: 'ACC-1001',
      strategy: 'e2e-fast',
      currency: 'USD',
      balance: 125_000,
      debtor: { name: 'Ana Ruiz', email: 'ana@example.com', phone: '+15555550100', timeZone: afternoonZone(), smsConsent: true },
    };
    const enrolled = await call('POST', '/api/v1/accounts', { body: account, key: keys.integration });
    expect(enrolled.status).toBe(201);
    expect(enrolled.body).toMatchObject({ status: 'open', balance: 125_000, currency: 'USD', closeReason: null });
    const caseId = String(enrolled.body.caseId);
    expect(caseId).toMatch(/^case-/);

    const again = await call('POST', '/api/v1/accounts', { body: account, key: keys.integration });
    expect(again.status).toBe(200);
    expect(again.body.caseId).toBe(caseId);

    const [mail] = await smtp.waitForMessages(1, 20_000);
    expect(mail?.envelope.to).toEqual(['ana@example.com']);
    expect(mail?.parsed.subject).toBe('Your balance of $1,250.00 is overdue');
    expect(mail?.parsed.text).toContain('Hello Ana Ruiz');
    expect(mail?.parsed.html).toContain('Hello Ana Ruiz');
    // The DESIGN example's inline templates lack the disclosure and the unsubscribe link: added.
    expect(mail?.parsed.text).toContain(`${collectionDisclosure.en}\n\nUnsubscribe: http`);

    const [sms] = await twilio.waitForMessages(1, 20_000);
    expect(sms?.form).toMatchObject({ To: '+15555550100', From: '+15555550199', Body: `Ana Ruiz, $1,250.00 is overdue. Reply STOP to opt out. ${collectionDisclosure.en}` });

    const communications = await eventually(async () => {
      const { body } = await call('GET', `/api/v1/cases/${caseId}/communications`);
      const items = body.items as { channel: string; status: string; providerId: string }[];
      return items.length === 2 && items.every((item) => item.status === 'sent') && items;
    }, 'both communications recorded as sent');
    expect(communications.map((item) => item.channel)).toEqual(['email', 'sms']);
    expect(communications[1]?.providerId).toBe(sms?.sid);

    const partial = await call('POST', `/api/v1/cases/${caseId}/payments`, { body: { reference: 'PAY-1', amount: 25_000 }, key: keys.integration });
    expect(partial.status).toBe(202);
    await call('POST', `/api/v1/cases/${caseId}/payments`, { body: { reference: 'PAY-1', amount: 25_000 }, key: keys.integration });
    await eventually(async () => (await call('GET', `/api/v1/cases/${caseId}`)).body.balance === 100_000, 'the partial payment applied once');

    await call('POST', `/api/v1/cases/${caseId}/payments`, { body: { reference: 'PAY-2', amount: 100_000 }, key: keys.integration });
    const closed = await eventually(async () => {
      const { body } = await call('GET', `/api/v1/cases/${caseId}`);
      return body.status === 'closed' && body;
    }, 'the case to close');
    expect(closed).toMatchObject({ closeReason: 'paid', balance: 0, live: true });

    const row = await eventually(async () => {
      const found = await db.case.findUnique({ where: { id: caseId } });
      return found?.status === 'closed' && found;
    }, 'the projection to show the close');
    expect(row).toMatchObject({ closeReason: 'paid', balance: 0 });
    const payments = await db.payment.findMany({ where: { caseId }, orderBy: { receivedAt: 'asc' } });
    expect(payments.map(({ reference, amount }) => ({ reference, amount }))).toEqual([
      { reference: 'PAY-1', amount: 25_000 },
      { reference: 'PAY-2', amount: 100_000 },
    ]);
    // The projection is written just before the workflow returns: wait for the run itself to end.
    await expect(temporal.workflow.getHandle(caseId).result()).resolves.toMatchObject({ status: 'closed', closeReason: 'paid' });
    const description = await temporal.workflow.getHandle(caseId).describe();
    expect(description.status.name).toBe('COMPLETED');
    expect(await db.communication.count({ where: { caseId, channel: 'letter' } })).toBe(0);

    const late = await call('POST', `/api/v1/cases/${caseId}/payments`, { body: { reference: 'PAY-3', amount: 100 }, key: keys.integration });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('case_closed');
  });

  it('refuses bad input with the field and the reason, and writes nothing', async () => {
    const before = await db.account.count();
    const bad = await call('POST', '/api/v1/accounts', {
      body: { externalId: 'ACC-BAD', strategy: 'consumer-early', currency: 'USD', balance: 12.5, debtor: { name: 'X', timeZone: 'Mars/Olympus' } },
    });
    expect(bad.status).toBe(400);
    const paths = (bad.body.error.fields as { path: string }[]).map((field) => field.path);
    expect(paths).toEqual(expect.arrayContaining(['body.balance', 'body.debtor.timeZone']));
    expect(await db.account.count()).toBe(before);

    const unknown = await call('POST', '/api/v1/accounts', {
      body: { externalId: 'ACC-X', strategy: 'no-such-strategy', currency: 'USD', balance: 100, debtor: { name: 'X', timeZone: 'UTC' } },
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.fields[0].path).toBe('body.strategy');

    const strategyProblems = await call('POST', '/api/v1/strategies', {
      body: { key: 'broken', name: 'Broken', templates: {}, steps: [{ id: 'a', at: 'P3D', action: 'email' }, { id: 'b', at: 'soon', action: 'fax' }] },
    });
    expect(strategyProblems.status).toBe(422);
    const problemPaths = (strategyProblems.body.error.fields as { path: string }[]).map((field) => field.path);
    expect(problemPaths).toEqual(expect.arrayContaining(['steps.1.at', 'steps.1.action']));

    const forbidden = await call('POST', '/api/v1/strategies', { body: consumerEarly, key: keys.officer });
    expect(forbidden.status).toBe(403);
    const anonymous = await fetch(`${baseUrl}/api/v1/cases`);
    expect(anonymous.status).toBe(401);
  });
});
