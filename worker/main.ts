import { requirePayloadKeys } from '../lib/env.js';
import { createLogger } from '../lib/logger.js';
import { loadWorkerConfig } from './config.js';
import { createImportWorker } from './create-import-worker.js';
import { createSimulationWorker } from './create-simulation-worker.js';
import { createCaseWorker } from './create-worker.js';
import { installWorkerRuntime } from './runtime.js';

/** `npm run worker`: one worker process against external Temporal and PostgreSQL. */
const config = loadWorkerConfig();
requirePayloadKeys(config);
const log = createLogger({ level: config.LOG_LEVEL, name: 'worker' });
installWorkerRuntime(config.LOG_LEVEL);
const { worker, close, cache } = await createCaseWorker(config);
// Fixed until the next start: a restart sizes the cache again from the working set then.
log.info({ maxCachedWorkflows: cache?.size, bound: cache?.bound, workingSet: cache?.workingSet, fitsMemoryBudget: cache?.fits, memoryBudgetMiB: config.WORKER_MEMORY_MB }, 'workflow cache sized');
// Bulk imports have a queue of their own in the same process (worker/create-import-worker.ts).
const imports = await createImportWorker(config);
// Strategy simulations too (worker/create-simulation-worker.ts).
const simulations = await createSimulationWorker(config);
log.info({ taskQueues: [worker.options.taskQueue, imports.worker.options.taskQueue, simulations.worker.options.taskQueue], namespace: config.TEMPORAL_NAMESPACE }, 'worker started');
// Worker.run() resolves after SIGINT/SIGTERM have drained in-flight tasks (the SDK installs the handlers).
await Promise.all([worker.run(), imports.worker.run(), simulations.worker.run()]);
await Promise.all([close(), imports.close(), simulations.close()]);
log.info('worker stopped');
