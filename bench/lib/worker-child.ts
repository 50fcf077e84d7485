// A worker in its own process, so its resident memory is its own: started by worker-process.ts
// with `node --import tsx`, configured through BENCH_WORKER, answering memory probes over IPC.
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import { dataConverter } from '../../lib/data-converter.js';
import { temporalConnectionOptions } from '../../lib/temporal-connection.js';
import { loadWorkerConfig, type WorkerConfig } from '../../worker/config.js';
import { createCaseWorker } from '../../worker/create-worker.js';
import { installWorkerRuntime } from '../../worker/runtime.js';
import { trivialTaskQueue } from '../workflows/trivial.js';
import type { ChildRequest, ChildSettings, ChildReply } from './worker-process.js';
import { caseWorkerOptions } from './worker-options.js';

const settings = JSON.parse(process.env.BENCH_WORKER ?? '{}') as ChildSettings;
const trivialWorkflowsPath = fileURLToPath(new URL('../workflows/trivial.ts', import.meta.url));
const send = (message: ChildReply) => {
  if (process.connected) process.send?.(message);
};

/** The bare-Temporal baseline's worker: the trivial workflow on its own task queue. */
async function createTrivialWorker(config: WorkerConfig) {
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  const worker = await Worker.create({ connection, taskQueue: trivialTaskQueue, workflowsPath: trivialWorkflowsPath, dataConverter: dataConverter(config) });
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
