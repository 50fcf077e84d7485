import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import type { Activities } from '../activities/index.js';
import type { ImportSettings } from '../api/services/imports.js';
import type { ApiCommunicationSettings } from '../api/services/communication-settings.js';
import type { Db } from '../lib/db.js';
import { freePort } from '../lib/free-port.js';
import { createLogger } from '../lib/logger.js';
import { generatePayloadKey } from '../lib/payload-codec.js';
import { connectTemporalClient } from '../lib/temporal-connection.js';
import { loadWorkerConfig } from '../worker/config.js';
import { createCaseWorker, type CaseWorkerOptions } from '../worker/create-worker.js';
import { installWorkerRuntime } from '../worker/runtime.js';
import { testCommunications } from './communications.js';
import { apiClient, testKeys, type CallOptions, type CallResult } from './api-client.js';
import { startApi } from './parts/api.js';
import { startApiProcess, type ApiProcessPart } from './parts/api-process.js';
import { startPostgres, type PostgresPart } from './parts/postgres.js';
import { startSmtp, startTwilio } from './parts/standins.js';
import { startStripe, type StripePart } from './parts/stripe.js';
import { startDevServer, startTimeSkippingServer } from './parts/temporal.js';
import { childWorkers, startInProcessImportWorker, startInProcessWorker, type ChildWorker } from './parts/worker.js';
import type { SmtpSink } from './standins/smtp-sink.js';
import type { TwilioWithMessageLog } from './standins/twilio-message-log.js';
import type { TwilioStandIn } from './standins/twilio-standin.js';
import { createStopStack } from './stop-stack.js';
import { caseWorkflowBundle } from './workflow-bundle.js';

/**
 * The engine on real parts for a test file or the bench, built from small parts (parts/) that
 * each push their stop onto one stop stack: PostgreSQL, Temporal (the time-skipping test server
 * or the dev server), the SMTP and Twilio stand-ins, the case worker (createCaseWorker, in this
 * process or in child processes a test can kill -9) and the API with one key per role.
 */

/** The API's communication settings, every secret set. */
export type TestCommunications = ApiCommunicationSettings & { twilioAuthToken: string; inboundEmailSecret: string };

export interface EngineOptions {
  /** Default 'dev'. 'none': the API gets a client that never connects (reports read only the database). */
  temporal?: 'time-skipping' | 'dev' | 'none';
  /**
   * Default 'in-process' on the dev server, else 'none' (time-skipping tests start theirs with {@link Engine.caseWorker}).
   * The import worker (imports task queue) runs beside the API in this process unless workers are 'child', where
   * each child runs one as `npm run worker` does: with 'none', imports still run, only the cases' workflows do not.
   */
  worker?: 'in-process' | 'child' | 'none';
  /** With worker: 'child', how many worker processes start side by side, polling the same task queue; default 1. */
  childWorkers?: number;
  /** The in-process worker's activities in place of the real ones (tests about the workflow's logic). */
  activities?: Activities;
  /** An SMTP server on loopback for email; default none (emails go to the outbox folder). */
  smtp?: boolean | { rejectRecipients?: string[] };
  /** The Twilio stand-in for SMS; default none (SMS go to the outbox folder). */
  twilio?: boolean;
  /** localstripe for card payments, the worker's and the API's Stripe settings on it, its webhooks posted to the API; default none. */
  stripe?: boolean;
  /** Encrypt Temporal payloads (PAYLOAD_KEYS), as production does; default true on the dev server. */
  encrypted?: boolean;
  /**
   * The API; default on (in this process) unless Temporal is time-skipping. 'process': `npm run api`
   * in a child process, which {@link Engine.apiProcess} can kill. PostgreSQL runs when the API or
   * real activities need it.
   */
  api?: boolean | 'process';
  /**
   * With api: 'process', how many API processes start, each on its own port, on the same
   * PostgreSQL and Temporal (as behind a load balancer); default 1. `PUBLIC_URL` (links, Twilio
   * callbacks) names the first; {@link Engine.call} calls the first.
   */
  apiProcesses?: number;
  imports?: Partial<ImportSettings>;
  /** Strategy definitions saved through the API, as a manager would, before the engine is handed over; a refusal fails the start. */
  strategies?: unknown[];
  rateLimitPerMinute?: number;
  /** Capture every log line of the API and the workers (SDK included) in `logs`, at this level. */
  captureLogs?: 'info' | 'debug';
  /** More worker environment (CREDITOR_NAME, ...). */
  workerEnv?: Record<string, string>;
}

export interface Engine {
  dataDir: string;
  /** The worker's environment, also fit for loadWorkerConfig / connectTemporalClient. */
  env: Record<string, string>;
  db: Db;
  temporal: Client;
  /** The time-skipping environment (`sleep`, `currentTimeMs`); only with temporal: 'time-skipping'. */
  testEnv: TestWorkflowEnvironment;
  baseUrl: string;
  keys: Record<keyof typeof testKeys, string>;
  smtp: SmtpSink;
  twilio: TwilioStandIn;
  /** The stand-in's front with Twilio's message list; the worker's TWILIO_API_BASE. */
  twilioMessageList: TwilioWithMessageLog;
  /** localstripe, the processor on it, and what it holds (stripe: true). */
  stripe: StripePart;
  logs: string[];
  /** The API's communication settings; the worker has the same public URL, link secret and mail domain. */
  communications: TestCommunications;
  postgres: PostgresPart;
  /** Restarts the dev server `downMs` after stopping it with `signal` (SIGTERM; SIGKILL for a crash). */
  temporalServer: { address: string; restart(downMs?: number, signal?: NodeJS.Signals): Promise<void> };
  /** The running API, for checks on its internals. */
  api(): FastifyInstance;
  /** Closes the API and builds a new one on the same parts and port (imports go on in their workflows meanwhile). */
  restartApi(imports?: Partial<ImportSettings>): Promise<void>;
  /** The API's own process (api: 'process'), to kill and start again on the same port; the first of {@link Engine.apiProcesses}. */
  apiProcess: ApiProcessPart;
  /** Every API process (api: 'process'), in start order; see {@link EngineOptions.apiProcesses}. */
  apiProcesses: readonly ApiProcessPart[];
  /**
   * A case worker of the test's own (createCaseWorker), e.g. with recording activities on a fresh
   * task queue; `runUntil` runs it until the promise settles, then releases its connection.
   */
  caseWorker(options: CaseWorkerOptions): Promise<{ worker: Worker; runUntil<T>(work: Promise<T> | (() => Promise<T>)): Promise<T> }>;
  /** Starts another worker in a child process (needs worker: 'child'). */
  startChildWorker(): ChildWorker;
  /** Every child worker started so far, in start order, the dead ones included (worker: 'child'). */
  childWorkers: readonly ChildWorker[];
  /** Sends `signal` to every running child worker and waits until they are gone. */
  killChildWorkers(signal?: NodeJS.Signals): Promise<void>;
  /** Puts a stop of the caller's own (a process, a pool) on the engine's stop stack: it runs before the parts started earlier stop. */
  defer(name: string, stop: () => unknown): void;
  /** Calls the API with a key (the manager's by default). */
  call(method: string, url: string, options?: CallOptions): Promise<CallResult>;
  stop(): Promise<void>;
}

/** A writable that keeps every line written to it. */
function lineCapture(lines: string[]) {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
}

/** A property that says which option starts the part it needs, instead of being undefined. */
function needs<T>(value: T | undefined, what: string): () => T {
  return () => {
    if (value === undefined) throw new Error(`this engine was started without ${what}`);
    return value;
  };
}

function allOrThrow<T extends unknown[]>(results: { [K in keyof T]: PromiseSettledResult<T[K]> }): T {
  for (const result of results) if (result.status === 'rejected') throw result.reason;
  return results.map((result) => (result as PromiseFulfilledResult<unknown>).value) as T;
}

export async function startEngine(options: EngineOptions = {}): Promise<Engine> {
  const temporalKind = options.temporal ?? 'dev';
  const workerMode = options.worker ?? (temporalKind === 'dev' ? 'in-process' : 'none');
  const encrypted = options.encrypted ?? temporalKind === 'dev';
  const withApi = (options.api ?? temporalKind !== 'time-skipping') !== false;
  const apiInProcess = withApi && options.api !== 'process';
  if (workerMode !== 'none' && temporalKind === 'none') throw new Error('a worker needs Temporal');
  if (encrypted && temporalKind === 'time-skipping') throw new Error('the time-skipping engine does not encrypt payloads');

  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'dunning-engine-'));
  const stops = createStopStack();
  stops.push('data folder', () => rm(dataDir, { recursive: true, force: true }));
  const logs: string[] = [];
  try {
    const withDatabase = withApi || (workerMode !== 'none' && !options.activities);
    // Independent servers start side by side; each pushes its stop once up, and all have settled
    // before a failure is thrown, so none is left running.
    const [postgres, temporal, smtp, twilio, stripe] = allOrThrow(
      await Promise.allSettled([
        withDatabase ? startPostgres(stops, dataDir) : undefined,
        temporalKind === 'dev' ? startDevServer(stops, dataDir) : temporalKind === 'time-skipping' ? startTimeSkippingServer(stops) : undefined,
        options.smtp ? startSmtp(stops, options.smtp === true ? {} : options.smtp) : undefined,
        options.twilio ? startTwilio(stops) : undefined,
        options.stripe ? startStripe(stops, dataDir) : undefined,
      ]),
    );

    // The API's port is chosen first: the worker signs links and status callbacks with its URL.
    const apiPort = withApi ? await freePort() : 0;
    const communications: TestCommunications = {
      publicUrl: `http://127.0.0.1:${apiPort}`,
      linkSecret: testCommunications.linkSecret,
      twilioAuthToken: twilio?.twilio.authToken ?? 'test-twilio-auth-token-0123456789',
      inboundEmailSecret: testCommunications.inboundEmailSecret,
      mailDomain: testCommunications.mailDomain,
      smsMaxSegments: testCommunications.smsMaxSegments,
      smsHelpText: testCommunications.smsHelpText,
      creditorName: testCommunications.creditorName,
    };
    const env: Record<string, string> = {
      DATA_DIR: dataDir,
      LOG_LEVEL: options.captureLogs ?? 'warn',
      ...(postgres ? { DATABASE_URL: postgres.url } : {}),
      ...(temporal ? { TEMPORAL_ADDRESS: temporal.address } : {}),
      ...smtp?.env,
      ...twilio?.env,
      ...stripe?.env,
      ...(withApi ? { PUBLIC_URL: communications.publicUrl } : {}),
      LINK_SECRET: communications.linkSecret,
      MAIL_FROM: testCommunications.mailFrom,
      MAIL_DOMAIN: communications.mailDomain,
      CREDITOR_NAME: testCommunications.creditorName,
      // The tests' webhook receivers listen on loopback.
      WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
      ...(encrypted ? { PAYLOAD_KEYS: generatePayloadKey('test-1') } : {}),
      ...options.workerEnv,
    };
    // The SDK's own lines at warn (or captured), once per process: an earlier engine may have set it.
    try {
      const level = options.captureLogs ?? 'warn';
      installWorkerRuntime(level, options.captureLogs ? createLogger({ level, name: 'temporal', destination: lineCapture(logs) }) : undefined);
    } catch {
      if (options.captureLogs) throw new Error('captureLogs needs the first engine of its process');
    }

    const children = workerMode === 'child' ? await childWorkers(stops, env, { dataDir, logs, logLevel: env.LOG_LEVEL }) : undefined;
    const startedChildren: ChildWorker[] = [];
    const startChild = () => {
      const child = needs(children, "child workers (worker: 'child')")().start();
      startedChildren.push(child);
      return child;
    };
    if (children) await Promise.all(Array.from({ length: options.childWorkers ?? 1 }, () => startChild().ready));
    if (workerMode === 'in-process') await startInProcessWorker(stops, env, options.activities ? { activities: options.activities } : {});
    if (withApi && postgres && temporal && workerMode !== 'child') {
      await startInProcessImportWorker(stops, env, temporal.testEnv ? { connection: temporal.testEnv.nativeConnection } : {});
    }

    let client: Client;
    if (temporal?.testEnv) {
      client = temporal.testEnv.client;
    } else if (temporal) {
      const connected = await connectTemporalClient(loadWorkerConfig(env));
      stops.push('temporal client', () => connected.connection.close());
      client = connected;
    } else {
      // Reports read only the database: a client that never connects keeps the API whole.
      client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    }

    const apiProcessEnv = { ...env, TWILIO_AUTH_TOKEN: communications.twilioAuthToken, INBOUND_EMAIL_SECRET: communications.inboundEmailSecret };
    const apiPorts = [apiPort];
    while (options.api === 'process' && apiPorts.length < (options.apiProcesses ?? 1)) {
      const port = await freePort();
      if (!apiPorts.includes(port)) apiPorts.push(port);
    }
    const apiProcesses =
      options.api === 'process' && postgres
        ? allOrThrow(await Promise.allSettled(apiPorts.map((port) => startApiProcess(stops, { port, env: apiProcessEnv, logs, rateLimitPerMinute: options.rateLimitPerMinute ?? 100_000 }))))
        : [];
    const apiProcess = apiProcesses[0];
    const api =
      apiInProcess && postgres
        ? await startApi(stops, {
            db: postgres.db,
            temporal: client,
            port: apiPort,
            dataDir,
            env,
            communications,
            ...(stripe ? { payments: stripe.processor } : {}),
            ...(options.imports ? { imports: options.imports } : {}),
            rateLimitPerMinute: options.rateLimitPerMinute ?? 100_000,
            ...(options.captureLogs ? { logger: createLogger({ level: options.captureLogs, name: 'api', destination: lineCapture(logs) }) } : {}),
          })
        : undefined;
    // localstripe posts its events (payment_intent.succeeded, ...) to the API, signed, as Stripe would.
    if (stripe && withApi) await stripe.deliverWebhooksTo(`${communications.publicUrl}/webhooks/stripe`);
    const baseUrl: () => string = api ? api.baseUrl : apiProcess ? apiProcess.baseUrl : needs<string>(undefined, 'the API (api: true)');
    for (const definition of options.strategies ?? []) {
      const saved = await apiClient(baseUrl)('POST', '/api/v1/strategies', { body: definition });
      if (saved.status !== 201) throw new Error(`saving a strategy answered ${saved.status}: ${saved.text}`);
    }

    return {
      dataDir,
      env,
      get db() {
        return needs(postgres?.db, 'PostgreSQL (api: true, or a worker with real activities)')();
      },
      temporal: client,
      get testEnv() {
        return needs(temporal?.testEnv, "the time-skipping server (temporal: 'time-skipping')")();
      },
      get baseUrl() {
        return baseUrl();
      },
      keys: testKeys,
      get smtp() {
        return needs(smtp?.smtp, 'the SMTP sink (smtp: true)')();
      },
      get twilio() {
        return needs(twilio?.twilio, 'the Twilio stand-in (twilio: true)')();
      },
      get stripe() {
        return needs(stripe, 'localstripe (stripe: true)')();
      },
      get twilioMessageList() {
        return needs(twilio?.messageList, 'the Twilio stand-in (twilio: true)')();
      },
      logs,
      communications,
      get postgres() {
        return needs(postgres, 'PostgreSQL')();
      },
      temporalServer: { address: temporal?.address ?? '', restart: (downMs, signal) => needs(temporal, 'Temporal')().restart(downMs, signal) },
      api: () => needs(api, 'the API (api: true)')().app(),
      restartApi: (imports) => needs(api, 'the API (api: true)')().restart(imports),
      get apiProcess() {
        return needs(apiProcess, "the API's own process (api: 'process')")();
      },
      apiProcesses,
      async caseWorker(workerOptions) {
        // On the time-skipping server the worker shares the environment's connection, as the SDK's own tests do.
        const connection = temporal?.testEnv?.nativeConnection;
        const caseWorker = await createCaseWorker(loadWorkerConfig(env), { workflowBundle: await caseWorkflowBundle({ encrypted }), ...(connection ? { connection } : {}), ...workerOptions });
        let closed: Promise<void> | undefined;
        const close = () => (closed ??= caseWorker.close());
        stops.push('test worker', close);
        return {
          worker: caseWorker.worker,
          async runUntil(work) {
            try {
              return await caseWorker.worker.runUntil(work);
            } finally {
              await close();
            }
          },
        };
      },
      startChildWorker: startChild,
      childWorkers: startedChildren,
      killChildWorkers: (signal) => needs(children, "child workers (worker: 'child')")().killAll(signal),
      defer: (name, stop) => stops.push(name, stop),
      call: apiClient(baseUrl),
      stop: () => stops.unwind(),
    };
  } catch (error) {
    await stops.unwind();
    throw error;
  }
}
