import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { roles, type Role } from '../../api/auth.js';
import { apiOptions } from '../../api/security-config.js';
import { buildApi } from '../../api/server.js';
import { failureConverterPath } from '../../lib/data-converter.js';
import { createDb, type Db } from '../../lib/db.js';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../lib/embedded-postgres.js';
import { freePort } from '../../lib/free-port.js';
import { createLogger } from '../../lib/logger.js';
import { applyMigrations } from '../../lib/migrations.js';
import { generatePayloadKey } from '../../lib/payload-codec.js';
import { connectTemporalClient } from '../../lib/temporal-connection.js';
import { startTemporalDevServer, type TemporalDevServerHandle } from '../../lib/temporal-dev-server.js';
import { loadWorkerConfig } from '../../worker/config.js';
import { bundlerOptions, createCaseWorker, workflowsPath } from '../../worker/create-worker.js';
import { installWorkerRuntime } from '../../worker/runtime.js';
import { startSmtpSink, type SmtpSink } from '../../testing/standins/smtp-sink.js';
import { withMessageLog } from '../../testing/standins/twilio-message-log.js';
import { startTwilioStandIn, type TwilioStandIn } from '../../testing/standins/twilio-standin.js';

/**
 * The whole engine on real parts, as the security and fault tests need it: embedded PostgreSQL,
 * the Temporal dev server, an SMTP server on loopback, the Twilio stand-in, the worker (in this
 * process, in child processes a test can kill -9, or none) and the API, with payload encryption
 * on and one API key per role. PostgreSQL and Temporal restart in place (same data, same port).
 */

export type WorkerMode = 'in-process' | 'child' | 'none';

export interface FullEngineOptions {
  worker?: WorkerMode;
  /** Encrypt Temporal payloads (PAYLOAD_KEYS); default true. */
  encrypted?: boolean;
  /** Capture every log line of the API and the worker (SDK included) in `logs`, at this level. */
  captureLogs?: 'info' | 'debug';
  rateLimitPerMinute?: number;
  /** Extra worker environment. */
  workerEnv?: Record<string, string>;
}

export interface ChildWorker {
  readonly pid: number | undefined;
  /** Resolves once the worker polls its task queue. */
  ready: Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface CallResult {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests probe JSON answers freely
  body: any;
  headers: Headers;
}

export interface FullEngine {
  dataDir: string;
  /** The worker's environment, also fit for loadWorkerConfig / connectTemporalClient. */
  env: Record<string, string>;
  db: Db;
  temporal: Client;
  api: FastifyInstance;
  baseUrl: string;
  keys: Record<Role, string>;
  smtp: SmtpSink;
  twilio: TwilioStandIn;
  logs: string[];
  /** What the webhooks check: Twilio signs over `publicUrl`; inbound email is an HMAC with `inboundEmailSecret`. */
  webhooks: { publicUrl: string; twilioAuthToken: string; inboundEmailSecret: string };
  postgres: { url: string; restart(downMs?: number): Promise<void> };
  temporalServer: { address: string; restart(downMs?: number): Promise<void> };
  /** Starts another worker in a child process (needs worker: 'child'). */
  startChildWorker(): ChildWorker;
  /** Sends `signal` to every running child worker and waits until they are gone. */
  killChildWorkers(signal?: NodeJS.Signals): Promise<void>;
  call(method: string, url: string, options?: { body?: unknown; key?: string | null; headers?: Record<string, string> }): Promise<CallResult>;
  stop(): Promise<void>;
}

const workerScript = fileURLToPath(new URL('../../testing/parts/worker-main.ts', import.meta.url));
const quietBundlerLogger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error } as never;

/** A writable that keeps every line written to it. */
function lineCapture(lines: string[]) {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
}

export async function startFullEngine(options: FullEngineOptions = {}): Promise<FullEngine> {
  const { worker: workerMode = 'in-process', encrypted = true } = options;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'dunning-full-'));
  const stops: (() => Promise<unknown>)[] = [];
  const logs: string[] = [];
  const children = new Set<ChildProcess>();

  try {
    const pgPort = await freePort();
    let postgres: EmbeddedPostgresHandle = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'postgres'), port: pgPort });
    stops.push(() => postgres.stop());
    await applyMigrations(postgres.url);

    let temporalPorts = { port: 0, uiPort: 0 };
    let temporalServer: TemporalDevServerHandle | undefined;
    // A free port can be taken by another process before the server binds it: try fresh ones.
    for (let attempt = 1; !temporalServer; attempt++) {
      temporalPorts = { port: await freePort(), uiPort: await freePort() };
      try {
        temporalServer = await startTemporalDevServer({ dataDir: path.join(dataDir, 'temporal'), ...temporalPorts });
      } catch (error) {
        if (attempt >= 3 || !/address already in use/.test(String(error))) throw error;
      }
    }
    stops.push(async () => temporalServer?.stop());

    const smtp = await startSmtpSink();
    stops.push(() => smtp.close());
    const twilio = await startTwilioStandIn();
    stops.push(() => twilio.close());
    // The stand-in plus Twilio's message list, which the send activity reads to settle an interrupted send.
    const twilioWithList = await withMessageLog(twilio);
    stops.unshift(() => twilioWithList.close());

    const env: Record<string, string> = {
      DATABASE_URL: postgres.url,
      TEMPORAL_ADDRESS: temporalServer.address,
      DATA_DIR: dataDir,
      SMTP_URL: smtp.url,
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_FROM: '+15555550199',
      TWILIO_API_BASE: twilioWithList.url,
      LINK_SECRET: randomBytes(32).toString('hex'),
      ...(encrypted ? { PAYLOAD_KEYS: generatePayloadKey('test-1') } : {}),
      ...options.workerEnv,
    };

    if (options.captureLogs) {
      installWorkerRuntime(options.captureLogs, createLogger({ level: options.captureLogs, name: 'temporal', destination: lineCapture(logs) }));
    }

    // One bundle for every child worker, built with the failure converter so workflow failures are encrypted too.
    let bundlePath: string | undefined;
    const startChildWorker = (): ChildWorker => {
      if (!bundlePath) throw new Error('child workers need the engine started with worker: "child"');
      const child = spawn(process.execPath, ['--import', 'tsx', workerScript], {
        env: { ...process.env, ...env, WORKFLOW_BUNDLE_PATH: bundlePath, LOG_LEVEL: options.captureLogs ?? 'warn' },
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
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          await exited;
        },
      };
    };
    stops.unshift(async () => {
      await Promise.all(
        [...children].map(async (child) => {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
          if (child.exitCode === null && child.signalCode === null) await exited;
          clearTimeout(timer);
        }),
      );
    });

    if (workerMode === 'child') {
      const bundle = await bundleWorkflowCode({ workflowsPath, ...bundlerOptions, failureConverterPath, logger: quietBundlerLogger });
      bundlePath = path.join(dataDir, 'workflow-bundle.js');
      await writeFile(bundlePath, bundle.code);
      await startChildWorker().ready;
    } else if (workerMode === 'in-process') {
      const caseWorker = await createCaseWorker(loadWorkerConfig(env));
      const running = caseWorker.worker.run();
      stops.unshift(async () => {
        if (caseWorker.worker.getState() === 'RUNNING') caseWorker.worker.shutdown();
        await running;
        await caseWorker.close();
      });
    }

    const db = createDb(postgres.url);
    const temporal = await connectTemporalClient(loadWorkerConfig(env));
    const keys = Object.fromEntries(roles.map((role) => [role, `test-${role}-key-0123456789abcdef`])) as Record<Role, string>;
    const apiPort = await freePort();
    const webhooks = { publicUrl: `http://127.0.0.1:${apiPort}`, twilioAuthToken: twilio.authToken, inboundEmailSecret: randomBytes(32).toString('hex') };
    const api = await buildApi({
      deps: {
        db,
        temporal,
        communications: {
          ...webhooks,
          linkSecret: env.LINK_SECRET as string,
          mailDomain: 'dunning.local',
          smsMaxSegments: 3,
          smsHelpText: 'Collections: reply to talk to us. Reply STOP to opt out.',
        },
      },
      apiKeys: new Map(roles.map((role) => [keys[role], role])),
      ...apiOptions({ BODY_LIMIT: 1_048_576, RATE_LIMIT_PER_MINUTE: options.rateLimitPerMinute ?? 100_000, CODEC_CORS_ORIGINS: ['http://127.0.0.1:8233'], ...env }),
      ...(options.captureLogs ? { logger: createLogger({ level: options.captureLogs, name: 'api', destination: lineCapture(logs) }) } : { logLevel: 'silent' }),
    });
    await api.listen({ port: apiPort, host: '127.0.0.1' });
    const baseUrl = webhooks.publicUrl;
    stops.unshift(async () => {
      await api.close();
      await temporal.connection.close();
      await db.$disconnect();
    });

    return {
      dataDir,
      env,
      db,
      temporal,
      api,
      baseUrl,
      keys,
      smtp,
      twilio,
      logs,
      webhooks,
      postgres: {
        url: postgres.url,
        async restart(downMs = 0) {
          await postgres.stop();
          await new Promise((resolve) => setTimeout(resolve, downMs));
          postgres = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'postgres'), port: pgPort });
        },
      },
      temporalServer: {
        address: temporalServer.address,
        async restart(downMs = 0) {
          await temporalServer?.stop();
          await new Promise((resolve) => setTimeout(resolve, downMs));
          temporalServer = await startTemporalDevServer({ dataDir: path.join(dataDir, 'temporal'), ...temporalPorts });
        },
      },
      startChildWorker,
      async killChildWorkers(signal = 'SIGKILL') {
        await Promise.all(
          [...children].map(async (child) => {
            if (child.exitCode !== null || child.signalCode !== null) return;
            const exited = new Promise((resolve) => child.once('exit', resolve));
            child.kill(signal);
            await exited;
          }),
        );
      },
      async call(method, url, { body, key = keys.manager, headers = {} } = {}) {
        const response = await fetch(`${baseUrl}${url}`, {
          method,
          headers: {
            ...(key ? { authorization: `Bearer ${key}` } : {}),
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...headers,
          },
          ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
        });
        const text = await response.text();
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : null;
        } catch {
          // not JSON: keep the text
        }
        return { status: response.status, body: parsed as CallResult['body'], headers: response.headers };
      },
      async stop() {
        for (const stop of stops) await stop().catch((error: unknown) => console.error(error));
        stops.length = 0;
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    for (const stop of stops) await stop().catch(() => {});
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** Polls `probe` until it returns something truthy (errors count as "not yet"). */
export async function waitFor<T>(probe: () => Promise<T | undefined | false | null>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const reason = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out waiting for ${what}${reason}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A zone where it is early afternoon now, so the 08:00–21:00 contact window is open during the test. */
export function afternoonZone(): string {
  const utcHour = new Date().getUTCHours();
  const offset = ((13 - utcHour + 36) % 24) - 12;
  return offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}
