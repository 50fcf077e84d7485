import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { createMailer, type Mailer } from '../../activities/mailer.js';
import type { SendResult } from '../../activities/outbox.js';
import { createSmsSender } from '../../activities/sms-sender.js';
import { seedTemplates } from '../../api/services/templates.js';
import { createDb, type Db } from '../../lib/db.js';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../lib/embedded-postgres.js';
import { freePort } from '../../lib/free-port.js';
import { applyMigrations } from '../../lib/migrations.js';
import { mailDomain, seedCase, stepInput, workerSettings } from '../communications/support/harness.js';
import { startSmtpSink, type SmtpSink } from '../../testing/standins/smtp-sink.js';

/**
 * The duplicate-email gap: the SMTP server accepted the message, then PostgreSQL went away before
 * the send could be recorded as `sent`. SMTP cannot be asked what it received, so the only way not
 * to send twice is not to forget the provider's answer. A real SMTP server, a real PostgreSQL
 * stopped right after the server's 250, the send activity run as Temporal runs it (activity
 * context, start-to-close timeout): the message is counted at the SMTP server.
 */

let dataDir: string;
let port: number;
let postgres: EmbeddedPostgresHandle;
let db: Db;
let smtp: SmtpSink;
let activities: ReturnType<typeof createActivities>;
/** Set by a test: what to do to the database once the SMTP server has accepted the next message. */
let afterAccepted: (() => Promise<void>) | null = null;
const restarts: Promise<void>[] = [];

async function startPostgres() {
  postgres = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'postgres'), port });
}

/** Stops PostgreSQL now and starts it again (same data, same port) after `downMs`, in the background. */
async function outage(downMs: number): Promise<void> {
  await postgres.stop();
  restarts.push(new Promise((resolve) => setTimeout(resolve, downMs)).then(startPostgres));
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'dunning-record-lost-'));
  port = await freePort();
  await startPostgres();
  await applyMigrations(postgres.url);
  db = createDb(postgres.url);
  await seedTemplates(db);
  smtp = await startSmtpSink();
  const real = createMailer({ smtpUrl: smtp.url, from: 'Collections <collections@mail.test>', outboxDir: path.join(dataDir, 'outbox', 'email') });
  const mailer: Mailer = {
    async send(mail) {
      const delivery = await real.send(mail);
      const fault = afterAccepted;
      afterAccepted = null;
      if (fault) await fault();
      return delivery;
    },
    close: () => real.close(),
  };
  activities = createActivities({
    db,
    mailer,
    sms: createSmsSender({ outboxDir: path.join(dataDir, 'outbox', 'sms') }),
    outboxDir: path.join(dataDir, 'outbox'),
    mailDomain,
    communications: workerSettings(),
  });
}, 120_000);

afterAll(async () => {
  await Promise.allSettled(restarts);
  await smtp?.close();
  await db?.$disconnect();
  await postgres?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function emailInput(externalEmail: string) {
  await Promise.all(restarts);
  const seeded = await seedCase(db, { email: externalEmail });
  return stepInput(seeded, 'reminder', seeded.email);
}

/** Runs the send activity as a worker would, in an activity context with these timeouts. */
const sendEmail = (environment: MockActivityEnvironment, input: Awaited<ReturnType<typeof emailInput>>): Promise<SendResult> =>
  environment.run((args: typeof input) => activities.sendEmail(args), input);

const received = (to: string) => smtp.messages.filter((message) => message.envelope.to.includes(to));

async function eventsOf(communicationId: string) {
  const rows = await db.communicationEvent.findMany({ where: { communicationId }, orderBy: { id: 'asc' } });
  return rows.map((row) => row.status);
}

describe('an email the SMTP server accepted while PostgreSQL went away', () => {
  it('is recorded once the database is back, within the same attempt, and not sent again', { timeout: 60_000 }, async () => {
    const input = await emailInput('short-outage@example.com');
    afterAccepted = () => outage(3_000);
    // The send activity's own timeout (1 minute): the record is retried for up to 50 s.
    const environment = new MockActivityEnvironment({ startToCloseTimeoutMs: 60_000 });
    const startedAt = Date.now();
    const result = await sendEmail(environment, input);
    const tookMs = Date.now() - startedAt;

    expect(result.duplicate).toBe(false);
    expect(received(input.to)).toHaveLength(1);
    const row = await db.communication.findUniqueOrThrow({ where: { idempotencyKey: input.idempotencyKey } });
    expect(row).toMatchObject({ status: 'sent', attempts: 1, provider: 'smtp' });
    expect(await eventsOf(row.id)).toEqual(['sending', 'sent']);
    // It waited for the database rather than failing the attempt.
    expect(tookMs).toBeGreaterThan(3_000);

    // A retry Temporal might still make finds it sent.
    expect((await sendEmail(environment, input)).duplicate).toBe(true);
    expect(received(input.to)).toHaveLength(1);
  });

  it('when the outage outlasts the attempt, fails it, and the retry records the first delivery instead of sending again', { timeout: 60_000 }, async () => {
    const input = await emailInput('long-outage@example.com');
    afterAccepted = () => outage(9_000);
    // A short start-to-close timeout (12 s) leaves the record 5 s of retries: the 9 s outage outlasts them.
    const environment = new MockActivityEnvironment({ startToCloseTimeoutMs: 12_000 });
    const failure = await sendEmail(environment, input).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/^email accepted by smtp but not recorded/);
    expect(received(input.to)).toHaveLength(1);

    // Temporal retries the activity; the database is back by then.
    await Promise.all(restarts);
    const retried = await sendEmail(new MockActivityEnvironment({ startToCloseTimeoutMs: 60_000, attempt: 2 }), input);
    expect(retried.duplicate).toBe(true);
    expect(received(input.to)).toHaveLength(1);
    const row = await db.communication.findUniqueOrThrow({ where: { idempotencyKey: input.idempotencyKey } });
    expect(row).toMatchObject({ status: 'sent', attempts: 1, provider: 'smtp', providerId: received(input.to)[0]?.parsed.messageId });
    expect(await eventsOf(row.id)).toEqual(['sending', 'reconciled']);
  });
});
