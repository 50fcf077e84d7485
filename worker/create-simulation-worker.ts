import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createSimulationActivities } from '../api/services/simulation-chunks.js';
import { dataConverter } from '../lib/data-converter.js';
import { createDb } from '../lib/db.js';
import { requireDatabaseUrl } from '../lib/env.js';
import { temporalConnectionOptions } from '../lib/temporal-connection.js';
import { simulationTaskQueue } from '../workflows/simulation-messages.js';
import type { WorkerConfig } from './config.js';
import { bundlerOptions, workflowsPath } from './workflows-path.js';

/**
 * Chunks at once per worker process. A chunk is CPU on the activity thread, in slices that give
 * the event loop its turn (api/services/simulation-chunks.ts): two keep a chunk's reads and writes
 * overlapping another's work.
 */
const concurrentChunks = 2;
/** A chunk reads its cases and then writes its totals: a few connections are plenty. */
const simulationPoolSize = 4;

export type SimulationWorkerOptions = Partial<Pick<WorkerOptions, 'workflowBundle' | 'taskQueue'>> & {
  /** A connection of the caller's (a test environment's), which `close()` leaves open. */
  connection?: NativeConnection;
};

/**
 * A worker on the "simulations" task queue: the simulation workflow and its activities, which
 * read the cases from the projection and keep each chunk's totals in the Simulation row.
 * `close()` drains it and releases the connections it opened.
 */
export async function createSimulationWorker(config: WorkerConfig, { workflowBundle, connection: given, ...options }: SimulationWorkerOptions = {}) {
  const db = createDb(requireDatabaseUrl(config), { poolSize: Math.min(simulationPoolSize, config.DATABASE_POOL_SIZE ?? simulationPoolSize) });
  const connection = given ?? (await NativeConnection.connect(temporalConnectionOptions(config)));
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: simulationTaskQueue,
    dataConverter: dataConverter(config),
    ...(workflowBundle ? { workflowBundle } : { workflowsPath, bundlerOptions }),
    maxConcurrentActivityTaskExecutions: concurrentChunks,
    // A chunk heartbeats between slices; sent at once, a cancel reaches it within a slice.
    maxHeartbeatThrottleInterval: '1 second',
    ...options,
    activities: createSimulationActivities({ db }),
  });
  return {
    worker,
    close: async () => {
      if (!given) await connection.close();
      await db.$disconnect();
    },
  };
}
