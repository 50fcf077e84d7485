import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type Activities } from '../activities/index.js';
import { createStripeProcessor } from '../payments/stripe-processor.js';
import { createMailer } from '../activities/mailer.js';
import { createSmsSender } from '../activities/sms-sender.js';
import { dataConverter } from '../lib/data-converter.js';
import { createDb, type Db } from '../lib/db.js';
import { requireDatabaseUrl } from '../lib/env.js';
import { temporalConnectionOptions } from '../lib/temporal-connection.js';
import { taskQueue } from '../workflows/case-messages.js';
import { whatsappTwilioSettings, type WorkerConfig } from './config.js';
import { sizeCaseCache } from './working-set.js';

import { bundlerOptions, workflowsPath } from './workflows-path.js';

export { bundlerOptions, workflowsPath };

/** The worker's database connections unless DATABASE_POOL_SIZE says otherwise (see lib/env.ts). */
const workerPoolSize = 25;

/** The worker's database, its pool sized for up to 100 concurrent activities. */
function createWorkerDb(config: WorkerConfig): Db {
  return createDb(requireDatabaseUrl(config), { poolSize: config.DATABASE_POOL_SIZE ?? workerPoolSize });
}

/** Builds the activities' real dependencies (database, mail, SMS, a Temporal client) from configuration. */
function createActivityDeps(config: WorkerConfig, db: Db) {
  // Connects on first use: only a case asking its person for a contact needs it.
  const connection = Connection.lazy(temporalConnectionOptions(config));
  return {
    db,
    temporal: new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: dataConverter(config) }),
    temporalConnection: connection,
    mailer: createMailer({ smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, outboxDir: path.join(config.outboxDir, 'email') }),
    sms: createSmsSender({ twilio: config.twilio, outboxDir: path.join(config.outboxDir, 'sms') }),
    whatsapp: createSmsSender({ twilio: whatsappTwilioSettings(config), outboxDir: path.join(config.outboxDir, 'whatsapp') }),
    outboxDir: config.outboxDir,
    mailDomain: config.MAIL_DOMAIN,
    communications: config.communications,
    letterProvider: config.letterProvider,
    agencyProvider: config.agencyProvider,
    skipTraceVendor: config.skipTraceVendor,
    webhookDelivery: config.webhookDelivery,
    payments: config.stripe ? createStripeProcessor(config.stripe) : undefined,
  };
}

/**
 * What a caller may set on the case worker: a prebuilt bundle, the capacity knobs the bench varies,
 * and for tests about the workflow's own logic, stand-in activities on a task queue of their own.
 */
export type CaseWorkerOptions = Partial<
  Pick<
    WorkerOptions,
    | 'workflowBundle'
    | 'taskQueue'
    | 'maxCachedWorkflows'
    | 'maxConcurrentWorkflowTaskExecutions'
    | 'maxConcurrentActivityTaskExecutions'
    | 'workflowTaskPollerBehavior'
    | 'activityTaskPollerBehavior'
  >
> & {
  /** In place of the real activities: then no database, mailer or SMS client is opened. */
  activities?: Activities;
  /** A connection of the caller's (a test environment's), which `close()` leaves open. */
  connection?: NativeConnection;
};

/**
 * A worker on the "collections" task queue with the case workflow and its activities.
 * `close()` drains it and releases the connections it opened.
 */
export async function createCaseWorker(config: WorkerConfig, { workflowBundle, activities, connection: given, ...options }: CaseWorkerOptions = {}) {
  const deps = activities ? undefined : createActivityDeps(config, createWorkerDb(config));
  // The cache from the working set and WORKER_MEMORY_MB, unless the caller names a size (the bench, tests).
  const cache = options.maxCachedWorkflows === undefined ? await sizeCaseCache(config, deps?.db) : undefined;
  const connection = given ?? (await NativeConnection.connect(temporalConnectionOptions(config)));
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue,
    // Encrypts every payload with PAYLOAD_KEYS; a prebuilt workflowBundle must be bundled with
    // the same failureConverterPath to encrypt workflow failures too.
    dataConverter: dataConverter(config),
    ...(workflowBundle ? { workflowBundle } : { workflowsPath, bundlerOptions }),
    // A send's heartbeats reach the server every second, not every 80% of its 5 s heartbeat
    // timeout: a live worker whose event loop stalls for a second is not taken for dead (and its
    // send retried beside it); a killed one is still noticed within the 5 s.
    maxHeartbeatThrottleInterval: '1 second',
    // A workflow task is first offered to the sticky queue of the worker that ran the case last;
    // after a kill -9 the server keeps offering it there for 10 s (its fixed window for a silent
    // poller), and each such task waits this long before it goes to the shared queue. The SDK's
    // 10 s made a case take an interrupted send's result 17-25 s after the kill; 3 s makes it
    // about 10 s (test/faults/worker-kill.test.ts, the chaos soak). The price: a live worker too
    // busy to take a task within 3 s gets it back on the shared queue and replays its history.
    stickyQueueScheduleToStartTimeout: '3 seconds',
    ...options,
    ...(cache ? { maxCachedWorkflows: cache.size } : {}),
    activities: deps ? createActivities(deps) : activities,
  });
  return {
    worker,
    /** How the cache was sized at start (undefined when the caller named its size). */
    cache,
    close: async () => {
      deps?.mailer.close();
      await deps?.temporalConnection.close();
      if (!given) await connection.close();
      await deps?.db.$disconnect();
    },
  };
}
