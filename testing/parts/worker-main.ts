import { createLogger } from '../../lib/logger.js';
import { loadWorkerConfig } from '../../worker/config.js';
import { createImportWorker } from '../../worker/create-import-worker.js';
import { createSimulationWorker } from '../../worker/create-simulation-worker.js';
import { createCaseWorker } from '../../worker/create-worker.js';
import { installWorkerRuntime } from '../../worker/runtime.js';

/**
 * A worker in its own process, so fault tests can kill -9 it mid-activity: the configuration
 * from the environment, the workflow code from the prebuilt bundle in WORKFLOW_BUNDLE_PATH.
 */
const config = loadWorkerConfig(process.env);
const log = createLogger({ level: config.LOG_LEVEL, name: 'worker' });
installWorkerRuntime(config.LOG_LEVEL, createLogger({ level: config.LOG_LEVEL, name: 'temporal' }));
const bundlePath = process.env.WORKFLOW_BUNDLE_PATH;
const bundle = bundlePath ? { workflowBundle: { codePath: bundlePath } } : {};
const caseWorker = await createCaseWorker(config, bundle);
// Imports run in the worker process too, so a kill -9 interrupts them as it would in production.
const importWorker = await createImportWorker(config, bundle);
const simulationWorker = await createSimulationWorker(config, bundle);
const running = Promise.all([caseWorker.worker.run(), importWorker.worker.run(), simulationWorker.worker.run()]);
// The parent waits for this line (on stdout whatever LOG_LEVEL is).
process.stdout.write('worker ready\n');
log.info({ pid: process.pid }, 'worker started');
await running;
await Promise.all([caseWorker.close(), importWorker.close(), simulationWorker.close()]);
