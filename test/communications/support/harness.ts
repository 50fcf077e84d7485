import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import twilio from 'twilio';
import type { CommunicationSettings } from '../../../activities/communication-settings.js';
import type { ApiCommunicationSettings } from '../../../api/services/communication-settings.js';
import { createDb, type Db } from '../../../lib/db.js';
import { startEmbeddedPostgres } from '../../../lib/embedded-postgres.js';
import { freePort } from '../../../lib/free-port.js';
import { applyMigrations } from '../../../lib/migrations.js';
import { testCommunications } from '../../../testing/communications.js';

/** Real parts for the communication tests: a migrated PostgreSQL, case rows, shared settings, signed requests. */

export const { linkSecret, mailDomain, inboundEmailSecret } = testCommunications;

export interface TestDatabase {
  db: Db;
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startDatabase(): Promise<TestDatabase> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'dunning-comms-'));
  const postgres = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'postgres'), port: await freePort() });
  await applyMigrations(postgres.url);
  const db = createDb(postgres.url);
  return {
    db,
    url: postgres.url,
    dataDir,
    async stop() {
      await db.$disconnect();
      await postgres.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function workerSettings(overrides: Partial<CommunicationSettings> = {}): CommunicationSettings {
  return {
    publicUrl: 'https://collections.example.test',
    statusCallbacks: true,
    linkSecret,
    smsMaxSegments: testCommunications.smsMaxSegments,
    creditorName: testCommunications.creditorName,
    letterSender: ['Collections Department', '100 Main Street', 'Springfield, IL 62701', 'US'],
    ...overrides,
  };
}

export function apiSettings(overrides: Partial<ApiCommunicationSettings> = {}): ApiCommunicationSettings {
  return {
    publicUrl: 'https://collections.example.test',
    linkSecret,
    twilioAuthToken: 'test-twilio-auth-token-0123456789',
    inboundEmailSecret,
    mailDomain,
    smsMaxSegments: 3,
    smsHelpText: 'Collections: call 555-0100 for help. Reply STOP to opt out.',
    ...overrides,
  };
}

/** A case straight in the database (strategy, debtor with contacts, account), for activity-level tests. */
export async function seedCase(
  db: Db,
  { email = 'ana@example.com', phone = '+15555550100', smsConsent = true, name = 'Ana Ruiz' }: { email?: string; phone?: string; smsConsent?: boolean; name?: string } = {},
) {
  const accountId = randomUUID();
  const caseId = `case-${accountId}`;
  const strategy = await db.strategy.upsert({
    where: { key_version: { key: 'comms-test', version: 1 } },
    create: { key: 'comms-test', version: 1, name: 'Communications test', definition: {} },
    update: {},
  });
  const debtor = await db.debtor.create({
    data: {
      name,
      timeZone: 'UTC',
      contacts: { create: [{ channel: 'email', value: email }, { channel: 'sms', value: phone, consent: smsConsent }] },
    },
  });
  await db.account.create({ data: { id: accountId, externalId: `ACC-${accountId.slice(0, 8)}`, debtorId: debtor.id, currency: 'USD', originalBalance: 125_000, balance: 125_000 } });
  await db.case.create({ data: { id: caseId, accountId, strategyId: strategy.id, balance: 125_000, currency: 'USD' } });
  return { caseId, accountId, debtorId: debtor.id, externalId: `ACC-${accountId.slice(0, 8)}`, name, email, phone };
}

/** The account values a send activity gets. */
export function templateAccount(seeded: { externalId: string; name: string }) {
  return { externalId: seeded.externalId, currency: 'USD', balance: 125_000, originalBalance: 125_000, debtor: { name: seeded.name } };
}

/** Posts a form to a Twilio webhook, signed as Twilio signs it (over `signedUrl`, default the public URL of the same path). */
export async function postTwilio(
  baseUrl: string,
  pathAndQuery: string,
  form: Record<string, string>,
  { authToken, publicUrl, signature }: { authToken: string; publicUrl: string; signature?: string | null },
) {
  const expected = twilio.getExpectedTwilioSignature(authToken, `${publicUrl}${pathAndQuery}`, form);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  const chosen = signature === undefined ? expected : signature;
  if (chosen !== null) headers['x-twilio-signature'] = chosen;
  const response = await fetch(`${baseUrl}${pathAndQuery}`, { method: 'POST', headers, body: new URLSearchParams(form).toString() });
  return { status: response.status, text: await response.text(), contentType: response.headers.get('content-type') };
}

export async function eventually<T>(probe: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

export const keys = { manager: 'comms-manager-key-0123456789', officer: 'comms-officer-key-0123456789', auditor: 'comms-auditor-key-0123456789', integration: 'comms-integration-key-0123456789' } as const;

/** The API on a loopback port with one key per role and these communication settings. */
export async function startApi({ db, temporal, communications }: { db: Db; temporal: Client; communications: ApiCommunicationSettings }) {
  const { buildApi } = await import('../../../api/server.js');
  const app = await buildApi({
    deps: { db, temporal, communications },
    apiKeys: new Map([
      [keys.manager, 'manager'],
      [keys.officer, 'officer'],
      [keys.auditor, 'auditor'],
      [keys.integration, 'integration'],
    ]),
    logLevel: 'silent',
    rateLimitPerMinute: 100_000,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const baseUrl = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  async function call(method: string, url: string, { body, key = keys.manager }: { body?: unknown; key?: string } = {}) {
    const response = await fetch(`${baseUrl}${url}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    // Answers are checked field by field in the tests; any keeps them short.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const json: any = (response.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : undefined;
    return { status: response.status, body: json, text, headers: response.headers };
  }
  return { app, baseUrl, call, close: () => app.close() };
}
