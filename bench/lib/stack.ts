import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { buildApi } from '../../api/server.js';
import { createDb, type Db } from '../../lib/db.js';
import { startEmbeddedPostgres } from '../../lib/embedded-postgres.js';
import { freePort } from '../../lib/free-port.js';
import { applyMigrations } from '../../lib/migrations.js';
import { connectTemporalClient } from '../../lib/temporal-connection.js';
import { startTemporalDevServer } from '../../lib/temporal-dev-server.js';
import { loadWorkerConfig } from '../../worker/config.js';
import { startSmtpSink, type SmtpSink } from '../../testing/standins/smtp-sink.js';
import { startTwilioStandIn, type TwilioStandIn } from '../../testing/standins/twilio-standin.js';
import { cpuSnapshot, type CpuParts } from './cpu.js';
import type { WorkerTuning } from './worker-options.js';
import { startWorkerProcess, type WorkerProcess } from './worker-process.js';

/**
 * Everything a scenario runs against, started the way the integration tests start it: embedded
 * PostgreSQL, the Temporal dev server (SQLite), an SMTP sink and a Twilio stand-in for sends, the
 * worker in its own process, and the API in this process.
 */

export const benchKeys = {
  manager: 'bench-manager-key-0123456789',
  integration: 'bench-integration-key-0123456789',
} as const;

export interface BenchStack {
  db: Db;
  /** Raw SQL for bulk seeding and cheap polling. */
  sql: pg.Pool;
  temporal: Client;
  api: FastifyInstance;
  baseUrl: string;
  smtp: SmtpSink;
  twilio: TwilioStandIn;
  worker: WorkerProcess;
  /** The worker process's output (warnings and errors). */
  workerLog: string;
  /** Folder of the dev server's SQLite file(s). */
  temporalDataDir: string;
  /** CPU seconds used so far by each part of the stack (see cpu.ts). */
  cpu(): Promise<CpuParts>;
  /** Calls the API with a key (the manager's by default) and parses the JSON answer. */
  call(method: string, url: string, options?: { body?: unknown; key?: string }): Promise<{ status: number; body: Record<string, unknown> }>;
  stop(): Promise<void>;
}

export interface StackOptions {
  tuning?: WorkerTuning;
  /** Run the bare-Temporal baseline worker too (scenario 1). */
  trivialWorker?: boolean;
}

export async function startBenchStack({ tuning = {}, trivialWorker = false }: StackOptions = {}): Promise<BenchStack> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'dunning-bench-'));
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const step of stops.reverse()) await step().catch((error: unknown) => console.error(error));
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    // Independent servers start side by side; each registers its stop as soon as it is up, and all
    // have settled before a failure is thrown, so none is left running.
    const temporalDataDir = path.join(dataDir, 'temporal');
    const [postgres, temporalServer, smtp, twilio] = allOrThrow(await Promise.allSettled([
      startEmbeddedPostgres({ dataDir: path.join(dataDir, 'postgres'), port: await freePort() }).then(async (server) => {
        stops.push(() => server.stop());
        await applyMigrations(server.url);
        return server;
      }),
      (async () => startTemporalDevServer({ dataDir: temporalDataDir, port: await freePort(), uiPort: await freePort() }))().then((server) => {
        stops.push(() => server.stop());
        return server;
      }),
      startSmtpSink().then((sink) => {
        stops.push(() => sink.close());
        return sink;
      }),
      startTwilioStandIn().then((standIn) => {
        stops.push(() => standIn.close());
        return standIn;
      }),
    ]));

    const env = {
      DATABASE_URL: postgres.url,
      TEMPORAL_ADDRESS: temporalServer.address,
      DATA_DIR: dataDir,
      SMTP_URL: smtp.url,
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_FROM: '+15555550199',
      TWILIO_API_BASE: twilio.url,
      LOG_LEVEL: 'warn',
      // Payloads encrypted as in production (worker and API both require a key there).
      PAYLOAD_KEYS: `bench:${randomBytes(32).toString('base64')}`,
    };
    // Outside dataDir so it survives the run: the place to look when a figure is odd.
    const workerLog = path.join(os.tmpdir(), `${path.basename(dataDir)}-worker.log`);
    const worker = await startWorkerProcess({ env, tuning, trivialWorker }, workerLog);
    stops.push(() => worker.stop());

    const db = createDb(postgres.url);
    const sql = new pg.Pool({ connectionString: postgres.url, max: 4 });
    const temporal = await connectTemporalClient(loadWorkerConfig(env));
    const api = await buildApi({
      deps: { db, temporal },
      apiKeys: new Map([
        [benchKeys.manager, 'manager'],
        [benchKeys.integration, 'integration'],
      ]),
      logLevel: 'silent',
      // The bench drives all its load through one key on purpose.
      rateLimitPerMinute: 1_000_000_000,
    });
    await api.listen({ port: 0, host: '127.0.0.1' });
    stops.push(async () => {
      await api.close();
      await temporal.connection.close();
      await sql.end();
      await db.$disconnect();
    });
    const baseUrl = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;

    return {
      db,
      sql,
      temporal,
      api,
      baseUrl,
      smtp,
      twilio,
      worker,
      temporalDataDir,
      workerLog,
      cpu: () => cpuSnapshot({ workerPid: worker.pid, temporalDataDir, postgresDataDir: path.join(dataDir, 'postgres') }),
      async call(method, url, { body, key = benchKeys.manager } = {}) {
        const response = await fetch(`${baseUrl}${url}`, {
          method,
          headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        return { status: response.status, body: (await response.json()) as Record<string, unknown> };
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function allOrThrow<T extends unknown[]>(results: { [K in keyof T]: PromiseSettledResult<T[K]> }): T {
  for (const result of results) if (result.status === 'rejected') throw result.reason;
  return results.map((result) => (result as PromiseFulfilledResult<unknown>).value) as T;
}

/** Bytes of the dev server's SQLite database, with its WAL and shared-memory files. */
export async function temporalDiskBytes(stack: BenchStack): Promise<number> {
  let total = 0;
  for (const name of await readdir(stack.temporalDataDir)) {
    // The rollback journal comes and goes between listing and stat.
    if (name.startsWith('temporal.sqlite')) total += (await stat(path.join(stack.temporalDataDir, name)).catch(() => ({ size: 0 }))).size;
  }
  return total;
}

/** Bytes PostgreSQL uses for the projection's tables and indexes. */
export async function projectionBytes(stack: BenchStack): Promise<number> {
  const { rows } = await stack.sql.query<{ bytes: string }>(
    `SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) AS bytes
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind = 'r'`,
  );
  return Number(rows[0]?.bytes ?? 0);
}
