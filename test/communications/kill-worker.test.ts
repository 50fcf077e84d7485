import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '../../testing/engine.js';
import { seedCase, templateAccount } from './support/harness.js';

/**
 * A worker killed with SIGKILL while Twilio holds the answer to its send: the message exists at
 * Twilio, our record says only "sending". The retry, on a new worker, must find it there
 * instead of sending it again: exactly one message reaches the provider.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const taskQueue = 'comms-kill-test';
let engine: Engine;
let bundlePath: string;
const children: ChildProcess[] = [];

interface WorkerProcess {
  child: ChildProcess;
  /** Resolves once the process prints `line`. */
  printed(line: string): Promise<void>;
}

function spawnWorker({ standby }: { standby: boolean }): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'support', 'send-worker.ts')], {
    cwd: path.resolve(here, '../..'),
    env: {
      ...process.env,
      DATABASE_URL: engine.postgres.url,
      TEMPORAL_ADDRESS: engine.temporalServer.address,
      TASK_QUEUE: taskQueue,
      BUNDLE_PATH: bundlePath,
      DATA_DIR: engine.dataDir,
      TWILIO_ACCOUNT_SID: engine.twilio.accountSid,
      TWILIO_AUTH_TOKEN: engine.twilio.authToken,
      TWILIO_API_BASE: engine.twilioMessageList.url,
      STANDBY: standby ? '1' : '0',
    },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return {
    child,
    printed: (line) =>
      new Promise((resolve, reject) => {
        const check = () => output.includes(line) && resolve();
        child.stdout?.on('data', check);
        child.once('exit', (code, signal) => reject(new Error(`worker exited (${code ?? signal}) before printing "${line}"`)));
        check();
      }),
  };
}

beforeAll(async () => {
  // The one-send workflow's worker (support/send-worker.ts) has no payload codec: neither has the engine here.
  engine = await startEngine({ worker: 'none', twilio: true, encrypted: false });
  const bundle = await bundleWorkflowCode({
    workflowsPath: path.join(here, 'support', 'send-workflow.ts'),
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error },
  });
  bundlePath = path.join(engine.dataDir, 'send-workflow-bundle.js');
  await writeFile(bundlePath, bundle.code);
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await engine?.stop();
});

describe('a worker killed mid-send', () => {
  it('leaves exactly one message at the provider: the retry finds it instead of sending again', { timeout: 120_000 }, async () => {
    const seeded = await seedCase(engine.db, { phone: '+15555550177' });
    const input = {
      caseId: seeded.caseId,
      stepId: 'nudge',
      idempotencyKey: `${seeded.caseId}/run-1/nudge`,
      templateKey: 'nudge',
      template: { channel: 'sms' as const, body: '{{debtor.name}}, {{balance}} is overdue. This is a communication from a debt collector. Reply STOP to opt out.' },
      to: seeded.phone,
      account: templateAccount(seeded),
      contact: { consent: true, optedOut: false },
    };

    const first = spawnWorker({ standby: false });
    const replacement = spawnWorker({ standby: true });
    await Promise.all([first.printed('worker ready'), replacement.printed('worker loaded')]);
    // Twilio accepts the message at once but its answer is held back: the worker waits for it.
    engine.twilio.delayNext(1, 60_000);
    const handle = await engine.temporal.workflow.start('sendOnce', { taskQueue, workflowId: `send-${seeded.caseId}`, args: [input] });
    await engine.twilio.waitForMessages(1, 20_000);
    const inFlight = await engine.db.communication.findFirstOrThrow({ where: { caseId: seeded.caseId } });
    expect(inFlight).toMatchObject({ status: 'sending', attempts: 1, providerId: null });

    const exited = new Promise((resolve) => first.child.once('exit', (_code, signal) => resolve(signal)));
    first.child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    replacement.child.stdin?.write('go\n');
    await replacement.printed('worker ready');
    const result = (await handle.result()) as { communicationId: string; providerId: string; duplicate: boolean };
    replacement.child.kill('SIGTERM');

    const [message] = engine.twilio.messages;
    expect(engine.twilio.messages).toHaveLength(1);
    expect(engine.twilio.requests.filter((request) => request.method === 'POST')).toHaveLength(1);
    expect(result).toEqual({ communicationId: inFlight.id, providerId: message?.sid, duplicate: true });

    const row = await engine.db.communication.findUniqueOrThrow({ where: { id: inFlight.id }, include: { events: { orderBy: { id: 'asc' } } } });
    expect(row).toMatchObject({ status: 'sent', providerId: message?.sid, attempts: 1 });
    expect(row.events.map((event) => event.status)).toEqual(['sending', 'reconciled']);
    expect(engine.twilioMessageList.listRequests.length).toBeGreaterThanOrEqual(1);

    // The activity really ran again: the attempt that completed is not the one that died with its worker.
    const history = await handle.fetchHistory();
    const attempts = (history.events ?? []).flatMap((event) => (event.activityTaskStartedEventAttributes ? [event.activityTaskStartedEventAttributes.attempt ?? 0] : []));
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toBeGreaterThanOrEqual(2);
  });
});
