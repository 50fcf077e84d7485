// The embedded Temporal: `temporal server start-dev` with a SQLite file under dataDir, so cases
// survive a restart. Its output goes to <dataDir>/temporal.log, not to our console.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { ensureTemporalCli } from './temporal-binaries.js';

export interface TemporalDevServerOptions {
  dataDir: string;
  port: number;
  uiPort: number;
  /** Created at launch besides `default`, which always exists. */
  namespace?: string;
  /** How long to wait for the server to answer; default 60 s. */
  startTimeoutMs?: number;
}

export interface TemporalDevServerHandle {
  /** gRPC `host:port` for Connection.connect / NativeConnection.connect. */
  address: string;
  uiUrl: string;
  /** SIGTERM by default; SIGKILL for a crash (the chaos soak), the SQLite file is kept either way. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function startTemporalDevServer(opts: TemporalDevServerOptions): Promise<TemporalDevServerHandle> {
  const dataDir = resolve(opts.dataDir);
  const namespace = opts.namespace ?? 'default';
  const dbFile = join(dataDir, 'temporal.sqlite');
  const logFile = join(dataDir, 'temporal.log');
  const pidFile = join(dataDir, 'temporal.pid');
  await mkdir(dataDir, { recursive: true });
  await stopOrphan(pidFile, dbFile);

  const cli = await ensureTemporalCli();
  const args = [
    'server', 'start-dev',
    '--db-filename', dbFile,
    '--ip', '127.0.0.1',
    '--port', String(opts.port),
    '--ui-port', String(opts.uiPort),
    '--namespace', namespace,
    '--log-level', 'error',
    '--ui-disable-news-fetch', // no internet
    // WAL with NORMAL sync: still durable across a process crash, ~3.5x the workflow starts a
    // second of the default rollback journal (measured for intake).
    '--sqlite-pragma', 'journal_mode=WAL',
    '--sqlite-pragma', 'synchronous=NORMAL',
    // TEMPORAL_* variables and ~/.config/temporal describe the cluster the app talks to,
    // not this server: keep them out of it.
    '--disable-config-file', '--disable-config-env',
  ];
  const logFd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(cli, args, { stdio: ['ignore', logFd, logFd] });
  } finally {
    closeSync(logFd); // the child has its own copy
  }
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  child.once('error', () => {}); // reported through 'exit' / the readiness timeout
  if (child.pid) await writeFile(pidFile, `${child.pid}\n`);

  const address = `127.0.0.1:${opts.port}`;
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(pidFile, { force: true });
  };

  try {
    await waitUntilReady(address, namespace, exited, opts.startTimeoutMs ?? 60_000);
  } catch (e) {
    await stop();
    const log = await readFile(logFile, 'utf8').catch(() => '');
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n${log.slice(-3000)}`);
  }
  return { address, uiUrl: `http://127.0.0.1:${opts.uiPort}`, stop };
}

/** Ready when the frontend answers and the namespace is registered. */
async function waitUntilReady(address: string, namespace: string, exited: Promise<number | null>,
  timeoutMs: number): Promise<void> {
  let exitCode: number | null | undefined;
  void exited.then((code) => { exitCode = code; });
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`temporal server exited early (code ${exitCode})`);
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address, connectTimeout: 2_000 });
      await connection.workflowService.describeNamespace({ namespace });
      return;
    } catch (e) {
      lastError = e;
    } finally {
      await connection?.close().catch(() => {});
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`temporal server not ready on ${address} after ${timeoutMs} ms: ${String(lastError)}`);
}

/**
 * A killed run can leave its server running, holding the SQLite file. Stop it if its parent is
 * gone; refuse if a live process still owns it (another instance of the app).
 */
async function stopOrphan(pidFile: string, dbFile: string): Promise<void> {
  const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) {
    await rm(pidFile, { force: true });
    return;
  }
  // Without /proc we cannot tell the orphan from an unrelated process that reused the pid.
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!cmdline.includes(dbFile)) {
    await rm(pidFile, { force: true });
    return;
  }
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  const parent = ppid > 1 ? await readFile(`/proc/${ppid}/cmdline`, 'utf8').catch(() => '') : '';
  if (/node|tsx|vitest/.test(parent)) {
    throw new Error(`a Temporal dev server (pid ${pid}) already uses ${dbFile}, started by process ${ppid}`);
  }
  process.kill(pid, 'SIGTERM');
  const until = Date.now() + 10_000;
  while (isAlive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  await rm(pidFile, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
