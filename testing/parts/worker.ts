import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadWorkerConfig } from '../../worker/config.js';
import { createImportWorker, type ImportWorkerOptions } from '../../worker/create-import-worker.js';
import { createSimulationWorker } from '../../worker/create-simulation-worker.js';
import { createCaseWorker, type CaseWorkerOptions } from '../../worker/create-worker.js';
import type { StopStack } from '../stop-stack.js';
import { caseWorkflowBundle } from '../workflow-bundle.js';

/** A case worker (createCaseWorker) running in this process until the stack unwinds or `stop()`. */
export async function startInProcessWorker(stops: StopStack, env: Record<string, string>, options: CaseWorkerOptions = {}) {
  const encrypted = env.PAYLOAD_KEYS !== undefined;
  const caseWorker = await createCaseWorker(loadWorkerConfig(env), { workflowBundle: await caseWorkflowBundle({ encrypted }), ...options });
  const running = caseWorker.worker.run();
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      // The SDK's own signal handler may have begun the shutdown already.
      if (caseWorker.worker.getState() === 'RUNNING') caseWorker.worker.shutdown();
      await running;
      await caseWorker.close();
    })();
    return stopped;
  };
  stops.push('worker', stop);
  return { worker: caseWorker.worker, stop };
}

/** The import and simulation workers in this process, for engines whose workers do not run in children. */
export async function startInProcessImportWorker(stops: StopStack, env: Record<string, string>, options: ImportWorkerOptions = {}) {
  const encrypted = env.PAYLOAD_KEYS !== undefined;
  const importWorker = await createImportWorker(loadWorkerConfig(env), { workflowBundle: await caseWorkflowBundle({ encrypted }), ...options });
  const running = importWorker.worker.run();
  stops.push('import worker', async () => {
    if (importWorker.worker.getState() === 'RUNNING') importWorker.worker.shutdown();
    await running;
    await importWorker.close();
  });
  // Simulations beside the imports: the same engines run them.
  const simulationWorker = await createSimulationWorker(loadWorkerConfig(env), { workflowBundle: await caseWorkflowBundle({ encrypted }), ...options });
  const simulating = simulationWorker.worker.run();
  stops.push('simulation worker', async () => {
    if (simulationWorker.worker.getState() === 'RUNNING') simulationWorker.worker.shutdown();
    await simulating;
    await simulationWorker.close();
  });
}

export interface ChildWorker {
  readonly pid: number | undefined;
  /** Resolves once the worker polls its task queue. */
  ready: Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const workerMain = fileURLToPath(new URL('./worker-main.ts', import.meta.url));

/**
 * Case and import workers in child processes (worker-main.ts), which a test can kill -9. They share one
 * prebuilt bundle; their output goes to `logs`.
 */
export async function childWorkers(stops: StopStack, env: Record<string, string>, { dataDir, logs, logLevel = 'warn' }: { dataDir: string; logs: string[]; logLevel?: string }) {
  const bundle = await caseWorkflowBundle({ encrypted: env.PAYLOAD_KEYS !== undefined });
  const bundlePath = path.join(dataDir, 'workflow-bundle.js');
  await writeFile(bundlePath, bundle.code);
  const children = new Set<ChildProcess>();
  const running = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

  async function killAll(signal: NodeJS.Signals = 'SIGKILL') {
    await Promise.all(
      [...children].filter(running).map(async (child) => {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill(signal);
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
  stops.push('child workers', () => killAll('SIGTERM'));

  function start(): ChildWorker {
    const child = spawn(process.execPath, ['--import', 'tsx', workerMain], {
      env: { ...process.env, ...env, WORKFLOW_BUNDLE_PATH: bundlePath, LOG_LEVEL: logLevel },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    void exited.then(() => children.delete(child));
    let output = '';
    const ready = new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        const text = chunk.toString('utf8');
        output = (output + text).slice(-4000);
        logs.push(...text.split('\n').filter(Boolean));
        if (text.includes('worker ready')) resolve();
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      void exited.then(() => reject(new Error(`worker process exited before it was ready:\n${output}`)));
    });
    ready.catch(() => {});
    return {
      get pid() {
        return child.pid;
      },
      ready,
      async kill(signal = 'SIGKILL') {
        if (running(child)) child.kill(signal);
        await exited;
      },
    };
  }
  return { start, killAll };
}
