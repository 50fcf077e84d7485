import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { createMailer } from '../../activities/mailer.js';
import { communicationIdFor } from '../../activities/outbox.js';
import { createSmsSender } from '../../activities/sms-sender.js';
import { seedTemplates } from '../../api/services/templates.js';
import { collectionDisclosure } from '../../domain/disclosures.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { mailDomain, seedCase, smsInput, templateAccount, workerSettings } from './support/harness.js';

/**
 * SMS through the real twilio client to a local stand-in of Twilio's REST API (exact form
 * fields), and letters as PDFs to the outbox and to an HTTP print-and-mail provider.
 */

const from = '+15555550199';
let engine: Engine;
let provider: { server: Server; url: string; received: { headers: IncomingMessage['headers']; body: Buffer }[]; status: number };
let activities: ReturnType<typeof createActivities>;
let withProvider: ReturnType<typeof createActivities>;

async function startPrintProvider() {
  const received: { headers: IncomingMessage['headers']; body: Buffer }[] = [];
  const state = { status: 201 };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks) });
      response.writeHead(state.status, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `ltr_${received.length}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return Object.assign(state, { server, received, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/letters` });
}

beforeAll(async () => {
  engine = await startEngine({ temporal: 'none', twilio: true });
  provider = await startPrintProvider();
  const outboxDir = path.join(engine.dataDir, 'outbox');
  const deps = {
    db: engine.db,
    mailer: createMailer({ from: 'c@mail.test', outboxDir: path.join(outboxDir, 'email') }),
    sms: createSmsSender({ twilio: { accountSid: engine.twilio.accountSid, authToken: engine.twilio.authToken, from, apiBase: engine.twilioMessageList.url }, outboxDir }),
    outboxDir,
    mailDomain,
    communications: workerSettings(),
  };
  activities = createActivities(deps);
  withProvider = createActivities({ ...deps, letterProvider: { url: provider.url, token: 'print-token' } });
  await seedTemplates(engine.db);
});

afterAll(async () => {
  await new Promise((resolve) => provider?.server.close(resolve));
  await engine?.stop();
});

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

describe('an SMS', () => {
  it('reaches Twilio with exactly the fields it should, and its segments are recorded', async () => {
    const seeded = await seedCase(engine.db, { phone: '+15555550101' });
    const result = await activities.sendSms(smsInput(seeded, { language: 'es' }));
    const sent = engine.twilio.messages.find((message) => message.form.To === '+15555550101');
    expect(sent?.form).toEqual({
      To: '+15555550101',
      From: from,
      Body: `Ana Ruiz, su saldo de $1,250.00 (cuenta ${seeded.externalId}) está vencido. ${collectionDisclosure.es} Responda STOP para darse de baja.`,
      StatusCallback: `https://collections.example.test/webhooks/twilio/status?c=${result.communicationId}`,
    });
    const row = await engine.db.communication.findUniqueOrThrow({ where: { id: result.communicationId } });
    expect(row).toMatchObject({ status: 'sent', provider: 'twilio', providerId: sent?.sid, templateLanguage: 'es', templateVersion: 1, encoding: 'UCS-2', segments: 3 });
    expect(Number(sent?.resource.num_segments)).toBe(row.segments);
  });

  it('longer than the segment limit is shortened in its free text, keeping the disclosure and opt-out', async () => {
    const seeded = await seedCase(engine.db, { phone: '+15555550102' });
    const long = `{{debtor.name}}, ${'we have tried to reach you about this account several times. '.repeat(10)}${collectionDisclosure.en} Reply STOP to opt out.`;
    const result = await activities.sendSms(smsInput(seeded, { templateRef: undefined, template: { channel: 'sms', body: long } }));
    const body = engine.twilio.messages.find((message) => message.form.To === '+15555550102')?.form.Body ?? '';
    expect(body).toMatch(/\.\.\. This is a communication from a debt collector\. Reply STOP to opt out\.$/);
    expect(body.length).toBeLessThanOrEqual(3 * 153);
    const row = await engine.db.communication.findUniqueOrThrow({ where: { id: result.communicationId }, include: { events: true } });
    expect(row.body).toBe(body);
    expect(row.segments).toBe(3);
    expect(row.events.find((event) => event.status === 'sending')?.detail).toContain('shortened to 3 segment(s)');
  });

  it('is refused without consent, from the case or from the database, and never reaches Twilio', async () => {
    const seeded = await seedCase(engine.db, { phone: '+15555550103', smsConsent: false });
    const before = engine.twilio.requests.length;
    const told = await failureOf(activities.sendSms(smsInput(seeded, { contact: { consent: false, optedOut: false } })));
    expect(told.type).toBe('ContactNotPermitted');
    const other = await seedCase(engine.db, { phone: '+15555550104', smsConsent: false });
    const known = await failureOf(activities.sendSms(smsInput(other, { contact: { consent: true, optedOut: false } })));
    expect(known.message).toBe('no recorded consent for SMS');
    expect(engine.twilio.requests.length).toBe(before);
  });

  it('to a number Twilio rejects fails as InvalidRecipient', async () => {
    engine.twilio.rejectNumber('+15555550105');
    const seeded = await seedCase(engine.db, { phone: '+15555550105' });
    const failure = await failureOf(activities.sendSms(smsInput(seeded)));
    expect(failure.type).toBe('InvalidRecipient');
  });

  it('after an interrupted attempt that reached Twilio, is found there and not sent again', async () => {
    const seeded = await seedCase(engine.db, { phone: '+15555550106' });
    const input = smsInput(seeded);
    await activities.sendSms(input);
    // As if the worker had died between Twilio's answer and the database write.
    const id = communicationIdFor(input.idempotencyKey);
    await engine.db.communication.update({ where: { id }, data: { status: 'sending', sentAt: null, providerId: null } });
    const posts = () => engine.twilio.requests.filter((request) => request.method === 'POST' && request.form.To === '+15555550106').length;
    expect(posts()).toBe(1);
    const again = await activities.sendSms(input);
    expect(again.duplicate).toBe(true);
    expect(posts()).toBe(1);
    expect(again.providerId).toBe(engine.twilio.messages.find((message) => message.form.To === '+15555550106')?.sid);
    expect(engine.twilioMessageList.listRequests.some((request) => request.includes('To=%2B15555550106'))).toBe(true);
  });

  it('after an interrupted attempt that never reached Twilio, is sent once', async () => {
    const seeded = await seedCase(engine.db, { phone: '+15555550107' });
    const input = smsInput(seeded);
    engine.twilio.failNext(1, 503);
    await expect(activities.sendSms(input)).rejects.toThrow('provider unavailable');
    const row = await engine.db.communication.findUniqueOrThrow({ where: { id: communicationIdFor(input.idempotencyKey) } });
    expect(row.status).toBe('sending');
    const again = await activities.sendSms(input);
    expect(again.duplicate).toBe(false);
    expect(engine.twilio.messages.filter((message) => message.form.To === '+15555550107')).toHaveLength(1);
    const events = await engine.db.communicationEvent.findMany({ where: { communicationId: again.communicationId }, orderBy: { id: 'asc' } });
    expect(events.map((event) => event.status)).toEqual(['sending', 'attempt_failed', 'sending', 'sent']);
  });
});

describe('a letter', () => {
  const address = 'Ana Ruiz | 1 Main St | Apt 2 | Chicago, IL 60601 | US';

  it('is rendered as a PDF into the outbox, the same bytes on a retry', async () => {
    const seeded = await seedCase(engine.db);
    const input = { caseId: seeded.caseId, stepId: 'letter', idempotencyKey: `${seeded.caseId}/r/letter`, templateKey: 'demand', templateRef: { key: 'demand' }, to: address, account: templateAccount(seeded) };
    const result = await activities.sendLetter(input);
    const row = await engine.db.communication.findUniqueOrThrow({ where: { id: result.communicationId } });
    expect(row).toMatchObject({ status: 'sent', provider: 'outbox', channel: 'letter', templateVersion: 1 });
    expect(row.documentPath).toMatch(new RegExp(`${result.communicationId}\\.pdf$`));
    expect(row.body).toContain('Acme Bank');
    // A send again after an interruption writes the same file, not a second letter.
    await engine.db.communication.update({ where: { id: row.id }, data: { status: 'sending', sentAt: null } });
    await activities.sendLetter(input);
    const again = await engine.db.communication.findUniqueOrThrow({ where: { id: row.id } });
    expect(again.documentSha256).toBe(row.documentSha256);
  });

  it('goes to the print-and-mail provider as a PDF with an idempotency key', async () => {
    const seeded = await seedCase(engine.db);
    const result = await withProvider.sendLetter({ caseId: seeded.caseId, stepId: 'letter', idempotencyKey: `${seeded.caseId}/r/letter`, templateKey: 'demand', templateRef: { key: 'demand' }, language: 'es', to: address, account: templateAccount(seeded) });
    const [request] = provider.received;
    expect(request?.headers['idempotency-key']).toBe(result.communicationId);
    expect(request?.headers.authorization).toBe('Bearer print-token');
    const form = await new Response(request?.body, { headers: { 'content-type': String(request?.headers['content-type']) } }).formData();
    expect(JSON.parse(form.get('metadata') as string)).toEqual({ id: result.communicationId, address: ['Ana Ruiz', '1 Main St', 'Apt 2', 'Chicago, IL 60601', 'US'] });
    const file = form.get('file') as Blob;
    expect(Buffer.from(await file.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
    const row = await engine.db.communication.findUniqueOrThrow({ where: { id: result.communicationId } });
    expect(row).toMatchObject({ provider: 'letter-http', providerId: 'ltr_1', templateLanguage: 'es' });
  });

  it('to an address the provider refuses fails as InvalidRecipient', async () => {
    provider.status = 422;
    const seeded = await seedCase(engine.db);
    const failure = await failureOf(
      withProvider.sendLetter({ caseId: seeded.caseId, stepId: 'letter', idempotencyKey: `${seeded.caseId}/r/letter`, templateKey: 'demand', templateRef: { key: 'demand' }, to: address, account: templateAccount(seeded) }),
    );
    provider.status = 201;
    expect(failure.type).toBe('InvalidRecipient');
  });
});
