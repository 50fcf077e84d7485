import { readdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import type { Db } from '../../lib/db.js';
import { testKeys } from '../../testing/api-client.js';
import { startEngine } from '../../testing/engine.js';
import type { SmtpSink } from '../../testing/standins/smtp-sink.js';
import type { TwilioStandIn } from '../../testing/standins/twilio-standin.js';
import { cpuSnapshot, type CpuParts } from './cpu.js';
import type { WorkerTuning } from './worker-options.js';
import { startWorkerProcess, type WorkerProcess } from './worker-process.js';

/**
 * Everything a scenario runs against, started as the tests start it (testing/engine.ts): embedded
 * PostgreSQL, the Temporal dev server (SQLite), an SMTP sink and a Twilio stand-in for sends,
 * payloads encrypted, the API in this process; and the worker in its own process (tuned, probed
 * for memory), whose stop joins the engine's stop stack.
 */

export const benchKeys = { manager: testKeys.manager, integration: testKeys.integration } as const;

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
  // The bench drives all its load through one key on purpose: no rate limit worth the name.
  const engine = await startEngine({ temporal: 'dev', worker: 'none', smtp: true, twilio: true, encrypted: true, rateLimitPerMinute: 1_000_000_000 });
  try {
    // Outside the data folder so it survives the run: the place to look when a figure is odd.
    const workerLog = path.join(os.tmpdir(), `${path.basename(engine.dataDir)}-worker.log`);
    const worker = await startWorkerProcess({ env: engine.env, tuning, trivialWorker }, workerLog);
    engine.defer('bench worker', () => worker.stop());
    const sql = new pg.Pool({ connectionString: engine.postgres.url, max: 4 });
    engine.defer('bench sql pool', () => sql.end());
    const temporalDataDir = path.join(engine.dataDir, 'temporal');
    return {
      db: engine.db,
      sql,
      temporal: engine.temporal,
      api: engine.api(),
      baseUrl: engine.baseUrl,
      smtp: engine.smtp,
      twilio: engine.twilio,
      worker,
      temporalDataDir,
      workerLog,
      cpu: () => cpuSnapshot({ workerPid: worker.pid, temporalDataDir, postgresDataDir: engine.postgres.dataDir }),
      async call(method, url, { body, key = benchKeys.manager } = {}) {
        const answer = await engine.call(method, url, { body, key });
        return { status: answer.status, body: answer.body as Record<string, unknown> };
      },
      stop: () => engine.stop(),
    };
  } catch (error) {
    await engine.stop();
    throw error;
  }
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
