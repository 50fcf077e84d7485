import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import type { ImportSettings } from '../../api/services/imports.js';
import { buildApi } from '../../api/server.js';
import { createDb, type Db } from '../../lib/db.js';
import { startEmbeddedPostgres } from '../../lib/embedded-postgres.js';
import { freePort } from '../../lib/free-port.js';
import { applyMigrations } from '../../lib/migrations.js';
import { ensureTemporalCli } from '../../lib/temporal-binaries.js';
import { connectTemporalClient } from '../../lib/temporal-connection.js';
import { loadWorkerConfig } from '../../worker/config.js';
import { createCaseWorker } from '../../worker/create-worker.js';

/**
 * The engine on real parts for a test file: PostgreSQL, and unless `temporal: false` the
 * Temporal dev server and a worker; the API on a loopback port with one key per role. The API
 * can be restarted in place (same database, Temporal and data folder), as a deploy would.
 *
 * The dev server is the pinned Temporal CLI started by the SDK's test environment with its
 * in-memory store: a test never restarts Temporal, and the file store's fsync per write made
 * workflow starts 4x slower on these machines.
 */

export const testKeys = {
  manager: 'harness-manager-key-0123456789',
  integration: 'harness-integration-key-0123456789',
  officer: 'harness-officer-key-0123456789',
  officer2: 'harness-officer2-key-0123456789',
  auditor: 'harness-auditor-key-0123456789',
} as const;

/** A zone where it is early afternoon now, so the 08:00–21:00 rule permits contact during a test. */
export function afternoonZone(): string {
  const utcHour = new Date().getUTCHours();
  const offset = ((13 - utcHour + 36) % 24) - 12; // hours to add to UTC, in -12..11
  // Etc/GMT zones have inverted signs: Etc/GMT-3 is UTC+3.
  return offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

export interface EngineHarness {
  db: Db;
  temporal: Client;
  dataDir: string;
  databaseUrl: string;
  baseUrl: () => string;
  /** JSON in, JSON (or text) out, with a role's key. The body is loosely typed, as tests read it. */
  call: (
    method: string,
    url: string,
    options?: { body?: unknown; key?: string; raw?: { contentType: string; data: string | Uint8Array } },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read field by field in tests
  ) => Promise<{ status: number; body: any; text: string; headers: Headers }>;
  /** Closes the API (its import runner hands jobs back) and builds a new one on the same parts. */
  restartApi: (imports?: Partial<ImportSettings>) => Promise<void>;
  /** The running API, for checks on its internals. */
  api: () => FastifyInstance;
  stop: () => Promise<void>;
}
export type Engine = EngineHarness;

export async function startEngine({
  temporal: withTemporal = true,
  worker: withWorker = true,
  imports = {},
}: {
  temporal?: boolean;
  /** False: workflows are started but no worker runs them (intake alone). */
  worker?: boolean;
  imports?: Partial<ImportSettings>;
} = {}): Promise<EngineHarness> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'dunning-harness-'));
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const step of stops) await step().catch((error: unknown) => console.error(error));
    stops.length = 0;
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const postgres = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'postgres'), port: await freePort() });
    stops.unshift(() => postgres.stop());
    await applyMigrations(postgres.url);

    let temporal: Client;
    if (withTemporal) {
      const server = await TestWorkflowEnvironment.createLocal({
        server: { executable: { type: 'existing-path', path: await ensureTemporalCli() }, ip: '127.0.0.1', log: { format: 'pretty', level: 'error' } },
      });
      stops.unshift(() => server.teardown());
      const env = { DATABASE_URL: postgres.url, TEMPORAL_ADDRESS: server.address, DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
      if (withWorker) {
        const caseWorker = await createCaseWorker(loadWorkerConfig(env));
        const running = caseWorker.worker.run();
        stops.unshift(async () => {
          if (caseWorker.worker.getState() === 'RUNNING') caseWorker.worker.shutdown();
          await running;
          await caseWorker.close();
        });
      }
      temporal = await connectTemporalClient(loadWorkerConfig(env));
      stops.unshift(() => temporal.connection.close());
    } else {
      // Reports read only the database: a client that never connects keeps the API whole.
      temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    }

    const db = createDb(postgres.url);
    stops.unshift(() => db.$disconnect());

    let api: FastifyInstance | undefined;
    let baseUrl = '';
    const open = async (settings: Partial<ImportSettings>) => {
      api = await buildApi({
        deps: { db, temporal, imports: { dataDir, ...imports, ...settings } },
        apiKeys: new Map([
          [testKeys.manager, 'manager'],
          [testKeys.integration, 'integration'],
          [testKeys.officer, 'officer'],
          [testKeys.officer2, 'officer'],
          [testKeys.auditor, 'auditor'],
        ]),
        logLevel: 'silent',
        rateLimitPerMinute: 100_000,
      });
      await api.listen({ port: 0, host: '127.0.0.1' });
      baseUrl = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
    };
    await open({});
    stops.unshift(async () => api?.close());

    return {
      db,
      temporal,
      dataDir,
      databaseUrl: postgres.url,
      baseUrl: () => baseUrl,
      api: () => {
        if (!api) throw new Error('the API is not running');
        return api;
      },
      async call(method, url, { body, key = testKeys.manager, raw } = {}) {
        const headers: Record<string, string> = { authorization: `Bearer ${key}` };
        let payload: string | Uint8Array | undefined;
        if (raw) {
          headers['content-type'] = raw.contentType;
          payload = raw.data;
        } else if (body !== undefined) {
          headers['content-type'] = 'application/json';
          payload = JSON.stringify(body);
        }
        const response = await fetch(`${baseUrl}${url}`, { method, headers, ...(payload === undefined ? {} : { body: payload }) });
        const text = await response.text();
        let parsed: unknown = text;
        if ((response.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text);
        return { status: response.status, body: parsed, text, headers: response.headers };
      },
      async restartApi(settings = {}) {
        await api?.close();
        api = undefined;
        await open(settings);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Polls `probe` until it answers something truthy. */
export async function eventually<T>(probe: () => Promise<T | undefined | false | null>, what: string, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
