import { requirePayloadKeys } from '../lib/env.js';
import { createLogger } from '../lib/logger.js';
import { loadWorkerConfig } from './config.js';
import { createCaseWorker } from './create-worker.js';
import { installWorkerRuntime } from './runtime.js';

/** `npm run worker`: one worker process against external Temporal and PostgreSQL. */
const config = loadWorkerConfig();
requirePayloadKeys(config);
const log = createLogger({ level: config.LOG_LEVEL, name: 'worker' });
installWorkerRuntime(config.LOG_LEVEL);
const { worker, close } = await createCaseWorker(config);
log.info({ taskQueue: worker.options.taskQueue, namespace: config.TEMPORAL_NAMESPACE }, 'worker started');
// Worker.run() resolves after SIGINT/SIGTERM have drained in-flight tasks (the SDK installs the handlers).
await worker.run();
await close();
log.info('worker stopped');
