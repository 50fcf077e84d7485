import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { withHeartbeats } from '../activities/heartbeat.js';
import { createImportActivities } from '../api/services/import-slices.js';
import { dataConverter } from '../lib/data-converter.js';
import { createDb } from '../lib/db.js';
import { requireDatabaseUrl } from '../lib/env.js';
import { temporalConnectionOptions } from '../lib/temporal-connection.js';
import { importTaskQueue } from '../workflows/import-messages.js';
import type { WorkerConfig } from './config.js';
import { bundlerOptions, workflowsPath } from './workflows-path.js';

/**
 * Import jobs at once per worker process: each runs its own rows in flight (the job's
 * `concurrency`), so two keep the database and Temporal busy without crowding the cases.
 */
const concurrentImports = 2;
/**
 * Each job's rows in flight hold a connection or two: 2 jobs x 16 rows, plus the commits. A pool
 * of its own beside the cases' (opened as rows need them), never larger than DATABASE_POOL_SIZE.
 */
const importPoolSize = 20;

export type ImportWorkerOptions = Partial<Pick<WorkerOptions, 'workflowBundle' | 'taskQueue'>> & {
  /** A connection of the caller's (a test environment's), which `close()` leaves open. */
  connection?: NativeConnection;
};

/**
 * A worker on the "imports" task queue: the import workflow and its activities, which read the
 * uploads the API stored under DATA_DIR (the same folder, or a shared volume, on every box).
 * `close()` drains it and releases the connections it opened.
 */
export async function createImportWorker(config: WorkerConfig, { workflowBundle, connection: given, ...options }: ImportWorkerOptions = {}) {
  const db = createDb(requireDatabaseUrl(config), { poolSize: Math.min(importPoolSize, config.DATABASE_POOL_SIZE ?? importPoolSize) });
  // Rows start case workflows and signal them: the same encrypted payloads as every client.
  const clientConnection = Connection.lazy(temporalConnectionOptions(config));
  const temporal = new Client({ connection: clientConnection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: dataConverter(config) });
  const connection = given ?? (await NativeConnection.connect(temporalConnectionOptions(config)));
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: importTaskQueue,
    dataConverter: dataConverter(config),
    ...(workflowBundle ? { workflowBundle } : { workflowsPath, bundlerOptions }),
    maxConcurrentActivityTaskExecutions: concurrentImports,
    // A slice heartbeats every second or two; a killed worker is noticed within the 10 s heartbeat timeout.
    maxHeartbeatThrottleInterval: '1 second',
    ...options,
    // Heartbeats while a slice runs, so a dead worker's slice is retried within the heartbeat timeout.
    activities: withHeartbeats(createImportActivities({ db, temporal, dataDir: path.resolve(config.DATA_DIR), identitySecret: config.communications.linkSecret })),
  });
  return {
    worker,
    close: async () => {
      await clientConnection.close();
      if (!given) await connection.close();
      await db.$disconnect();
    },
  };
}
