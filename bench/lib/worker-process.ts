import { fork, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { WorkerTuning } from './worker-options.js';

/** The parent's side of worker-child.ts: start it, probe its memory, stop it. */

export interface ChildSettings {
  /** Environment for loadWorkerConfig (DATABASE_URL, TEMPORAL_ADDRESS, SMTP_URL, ...). */
  env: Record<string, string>;
  tuning: WorkerTuning;
  /** A second worker runs the trivial baseline workflow on its own task queue. */
  trivialWorker: boolean;
}

export type ChildRequest = { type: 'memory'; id: number } | { type: 'stop' };
export type ChildReply =
  | { type: 'ready'; cachedWorkflows: number }
  | { type: 'memory'; id: number; usage: NodeJS.MemoryUsage; cachedWorkflows: number }
  | { type: 'error'; message: string };

export interface WorkerProcess {
  pid: number;
  /** Log lines so far that report a failed activity or workflow task (each one is retried). */
  failures(): { activities: number; workflowTasks: number };
  /** The SDK's effective cache size (its default depends on the heap limit). */
  cachedWorkflows: number;
  memory(): Promise<NodeJS.MemoryUsage>;
  stop(): Promise<void>;
}

const childEntry = fileURLToPath(new URL('./worker-child.ts', import.meta.url));

/** Starts the worker; its output goes to `logFile`, and failure lines are counted on the way. */
export async function startWorkerProcess(settings: ChildSettings, logFile: string): Promise<WorkerProcess> {
  // BENCH_WORKER_CPU_PROF=<dir>: V8 CPU profiles of the worker (main and workflow threads) go there.
  const cpuProfileDir = process.env.BENCH_WORKER_CPU_PROF;
  const child: ChildProcess = fork(childEntry, [], {
    execArgv: ['--import', 'tsx', ...(cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [])],
    env: { ...process.env, BENCH_WORKER: JSON.stringify(settings) },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const log = createWriteStream(logFile, { flags: 'a' });
  const failures = { activities: 0, workflowTasks: 0 };
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      if (line.includes('Activity failed')) failures.activities++;
      else if (/workflow task failed|Failing workflow task/i.test(line)) failures.workflowTasks++;
      log.write(`${line}\n`);
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(() => log.end());
  const pending = new Map<number, (usage: NodeJS.MemoryUsage) => void>();
  let nextId = 0;

  const ready = new Promise<number>((resolve, reject) => {
    child.on('message', (reply: ChildReply) => {
      if (reply.type === 'ready') resolve(reply.cachedWorkflows);
      else if (reply.type === 'error') reject(new Error(`bench worker failed: ${reply.message}`));
      else if (reply.type === 'memory') {
        pending.get(reply.id)?.(reply.usage);
        pending.delete(reply.id);
      }
    });
    void exited.then((code) => reject(new Error(`bench worker exited (code ${code}) before it was ready; see ${logFile}`)));
  });
  const cachedWorkflows = await ready;

  return {
    pid: child.pid ?? 0,
    cachedWorkflows,
    failures: () => ({ ...failures }),
    memory() {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, resolve);
        if (!child.send({ type: 'memory', id } satisfies ChildRequest)) reject(new Error('bench worker is gone'));
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.send({ type: 'stop' } satisfies ChildRequest);
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
