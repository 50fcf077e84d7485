// A worker in its own process, so its resident memory is its own: started by worker-process.ts
// with `node --import tsx`, configured through BENCH_WORKER, answering memory probes over IPC.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createMailer } from '../../activities/mailer.js';
import { createSmsSender } from '../../activities/sms-sender.js';
import { dataConverter } from '../../lib/data-converter.js';
import { temporalConnectionOptions } from '../../lib/temporal-connection.js';
import { loadWorkerConfig, type WorkerConfig } from '../../worker/config.js';
import { createCaseWorker } from '../../worker/create-worker.js';
import { installWorkerRuntime } from '../../worker/runtime.js';
import { createBareActivities } from '../workflows/bare-activities.js';
import { trivialTaskQueue } from '../workflows/trivial.js';
import type { ChildRequest, ChildSettings, ChildReply } from './worker-process.js';
import { caseWorkerOptions } from './worker-options.js';

const settings = JSON.parse(process.env.BENCH_WORKER ?? '{}') as ChildSettings;
const trivialWorkflowsPath = fileURLToPath(new URL('../workflows/trivial.ts', import.meta.url));
const send = (message: ChildReply) => {
  if (process.connected) process.send?.(message);
};

/** The bare-Temporal baselines' worker: their workflows on their own task queue, sending through the case worker's kind of mailer and SMS client. */
async function createTrivialWorker(config: WorkerConfig) {
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  const activities = createBareActivities({
    mailer: createMailer({ smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, outboxDir: path.join(config.outboxDir, 'bare-email') }),
    sms: createSmsSender({ twilio: config.twilio, outboxDir: path.join(config.outboxDir, 'bare-sms') }),
  });
  const worker = await Worker.create({ connection, taskQueue: trivialTaskQueue, workflowsPath: trivialWorkflowsPath, activities, dataConverter: dataConverter(config) });
  return { worker, connection };
}

async function main(): Promise<void> {
  installWorkerRuntime('warn');
  const config = loadWorkerConfig(settings.env);
  // Both bundle their workflow code at creation (seconds each): build them side by side.
  const [cases, trivial] = await Promise.all([
    createCaseWorker(config, caseWorkerOptions(settings.tuning)),
    settings.trivialWorker ? createTrivialWorker(config) : undefined,
  ]);
  const running = [cases.worker.run(), ...(trivial ? [trivial.worker.run()] : [])];

  // The bench killed outright (kill -9, a crashed parent) cannot ask: its channel closing is the ask.
  process.once('disconnect', () => {
    for (const worker of [cases.worker, trivial?.worker]) if (worker?.getState() === 'RUNNING') worker.shutdown();
  });
  process.on('message', (request: ChildRequest) => {
    if (request.type === 'memory') {
      send({ type: 'memory', id: request.id, usage: process.memoryUsage(), cachedWorkflows: cases.worker.options.maxCachedWorkflows });
    } else if (request.type === 'stop') {
      for (const worker of [cases.worker, trivial?.worker]) if (worker?.getState() === 'RUNNING') worker.shutdown();
    }
  });
  send({ type: 'ready', cachedWorkflows: cases.worker.options.maxCachedWorkflows });
  await Promise.all(running);
  await cases.close();
  await trivial?.connection.close();
  process.disconnect?.();
}

main().catch((error: unknown) => {
  send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exitCode = 1;
  process.disconnect?.();
});
