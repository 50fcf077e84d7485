import path from 'node:path';
import { CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { createMailer } from '../../activities/mailer.js';
import type { SendResult } from '../../activities/outbox.js';
import { createSmsSender } from '../../activities/sms-sender.js';
import { seedTemplates } from '../../api/services/templates.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { mailDomain, seedCase, smsInput, workerSettings } from './support/harness.js';

/**
 * The sends heartbeat while they run, so the server notices a dead worker in seconds
 * (workflows/case/activities.ts `sends`), and an attempt the server has given up does not call
 * the provider beside its retry. The real activity, outbox, PostgreSQL and Twilio stand-in, run
 * in an activity context as Temporal runs it.
 */

let engine: Engine;
let activities: ReturnType<typeof createActivities>;

beforeAll(async () => {
  engine = await startEngine({ temporal: 'none', twilio: true });
  const outboxDir = path.join(engine.dataDir, 'outbox');
  activities = createActivities({
    db: engine.db,
    mailer: createMailer({ from: 'c@mail.test', outboxDir: path.join(outboxDir, 'email') }),
    sms: createSmsSender({ twilio: { accountSid: engine.twilio.accountSid, authToken: engine.twilio.authToken, from: '+15555550199', apiBase: engine.twilio.url }, outboxDir }),
    outboxDir,
    mailDomain,
    communications: workerSettings(),
  });
  await seedTemplates(engine.db);
});

afterAll(async () => {
  await engine?.stop();
});

const send = (environment: MockActivityEnvironment, input: ReturnType<typeof smsInput>): Promise<SendResult> =>
  environment.run((args: typeof input) => activities.sendSms(args), input);

describe('a send activity', () => {
  it('heartbeats while the provider holds its answer', async () => {
    const seeded = await seedCase(engine.db, { phone: '+15555550161' });
    const environment = new MockActivityEnvironment({ heartbeatTimeoutMs: 2_000, startToCloseTimeoutMs: 60_000 });
    let beats = 0;
    environment.on('heartbeat', () => beats++);
    engine.twilio.delayNext(1, 2_000);
    const result = await send(environment, smsInput(seeded));
    expect(result.duplicate).toBe(false);
    // One at the start, then one every 500 ms (a quarter of the timeout) while the answer is held back.
    expect(beats).toBeGreaterThanOrEqual(4);
  });

  it('scheduled without a heartbeat timeout (before the option existed) does not heartbeat', async () => {
    const seeded = await seedCase(engine.db, { phone: '+15555550162' });
    const environment = new MockActivityEnvironment({ heartbeatTimeoutMs: undefined, startToCloseTimeoutMs: 60_000 });
    let beats = 0;
    environment.on('heartbeat', () => beats++);
    engine.twilio.delayNext(1, 1_000);
    await send(environment, smsInput(seeded));
    expect(beats).toBe(0);
  });

  it('given up by the server (its heartbeat timed out) does not call the provider; its row waits for the retry', async () => {
    const seeded = await seedCase(engine.db, { phone: '+15555550163' });
    const environment = new MockActivityEnvironment({ heartbeatTimeoutMs: 5_000, startToCloseTimeoutMs: 60_000 });
    environment.cancel('TIMED_OUT');
    const error = await send(environment, smsInput(seeded)).then(() => null, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(CancelledFailure);
    expect(engine.twilio.requests.filter((request) => request.method === 'POST' && request.form.To === seeded.phone)).toHaveLength(0);
    const row = await engine.db.communication.findFirstOrThrow({ where: { caseId: seeded.caseId } });
    expect(row).toMatchObject({ status: 'sending', sentAt: null });
  });
});
