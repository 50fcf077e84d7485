import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadApiConfig } from '../api/config.js';
import { apiOptions } from '../api/security-config.js';
import { roles } from '../api/auth.js';
import { buildApi } from '../api/server.js';
import { createDb } from '../lib/db.js';
import { embeddedPostgresDataDir, startEmbeddedPostgres } from '../lib/embedded-postgres.js';
import { localstripeKeys, startLocalstripe } from '../lib/localstripe-server.js';
import { generatePayloadKey } from '../lib/payload-codec.js';
import { applyMigrations } from '../lib/migrations.js';
import { connectTemporalClient } from '../lib/temporal-connection.js';
import { startTemporalDevServer } from '../lib/temporal-dev-server.js';
import { createStripeProcessor } from '../payments/stripe-processor.js';
import { loadWorkerConfig } from '../worker/config.js';
import { createImportWorker } from '../worker/create-import-worker.js';
import { createSimulationWorker } from '../worker/create-simulation-worker.js';
import { createCaseWorker } from '../worker/create-worker.js';
import { installWorkerRuntime } from '../worker/runtime.js';
import { seedDemo } from './seed.js';
import { checkStartConfig } from './start-config.js';

/**
 * `npm start`: the whole engine in one command. Embedded PostgreSQL and the Temporal dev server
 * unless DATABASE_URL / TEMPORAL_ADDRESS point elsewhere, migrations, the worker, the API, the
 * demo data and a dev API key per role. Ctrl-C stops everything in reverse order.
 */

const say = (line: string) => process.stdout.write(`${line}\n`);
const stops: { name: string; stop: () => Promise<unknown> }[] = [];

async function devApiKeys(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'dev-api-keys.json');
  if (existsSync(file)) return (JSON.parse(await readFile(file, 'utf8')) as { API_KEYS: string }).API_KEYS;
  const value = roles.map((role) => `dev-${role}-${randomBytes(12).toString('hex')}:${role}`).join(',');
  await writeFile(file, JSON.stringify({ API_KEYS: value }, null, 2), { mode: 0o600 });
  return value;
}

/** The payload encryption key of the embedded setup, made once and kept beside its data. */
async function devPayloadKeys(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'dev-payload-keys.json');
  if (existsSync(file)) return (JSON.parse(await readFile(file, 'utf8')) as { PAYLOAD_KEYS: string }).PAYLOAD_KEYS;
  const value = generatePayloadKey('dev-1');
  await writeFile(file, JSON.stringify({ PAYLOAD_KEYS: value }, null, 2), { mode: 0o600 });
  return value;
}

async function buildConsoleIfStale(): Promise<void> {
  try {
    const { buildConsole, consoleIsStale } = await import('../console/build.js');
    if (!consoleIsStale()) return;
    say('building the web console ...');
    await buildConsole();
  } catch (error) {
    // The engine runs without it; /console then says how to build it.
    say(`the web console could not be built (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); run npm run console:build`);
  }
}

async function main(): Promise<void> {
  // Every process's configuration first: a bad variable stops here, before any server starts.
  const start = checkStartConfig(process.env);
  // The web console builds (when its sources changed) while the databases start.
  const consoleBuilt = buildConsoleIfStale();
  const dataDir = path.resolve(start.DATA_DIR);
  await mkdir(dataDir, { recursive: true });
  const env: Record<string, string | undefined> = { ...process.env, DATA_DIR: dataDir };

  if (!start.DATABASE_URL) {
    say(`starting embedded PostgreSQL (data in ${embeddedPostgresDataDir(dataDir)}) ...`);
    const postgres = await startEmbeddedPostgres({ dataDir: embeddedPostgresDataDir(dataDir), port: start.EMBEDDED_POSTGRES_PORT });
    stops.unshift({ name: 'PostgreSQL', stop: () => postgres.stop() });
    env.DATABASE_URL = postgres.url;
  }
  const applied = await applyMigrations(env.DATABASE_URL ?? '');
  say(applied.length ? `applied migrations: ${applied.join(', ')}` : 'database schema is up to date');

  let temporalUi = 'see your Temporal cluster';
  if (!start.TEMPORAL_ADDRESS) {
    say(`starting the Temporal dev server (data in ${path.join(dataDir, 'temporal')}) ...`);
    const temporalServer = await startTemporalDevServer({ dataDir: path.join(dataDir, 'temporal'), port: start.TEMPORAL_PORT, uiPort: start.TEMPORAL_UI_PORT });
    stops.unshift({ name: 'Temporal', stop: () => temporalServer.stop() });
    env.TEMPORAL_ADDRESS = temporalServer.address;
    temporalUi = temporalServer.uiUrl;
    env.CODEC_CORS_ORIGINS ??= `${temporalUi},${temporalUi.replace('127.0.0.1', 'localhost')}`;
  }
  // Payments: a real Stripe account when STRIPE_SECRET_KEY is set, else localstripe (a stand-in
  // with a fake Stripe.js), so a demo debt can be paid in the browser with no account anywhere.
  let localstripeUrl: string | undefined;
  if (!env.STRIPE_SECRET_KEY) {
    say(`starting localstripe, the Stripe stand-in (data in ${path.join(dataDir, 'localstripe')}) ...`);
    await mkdir(path.join(dataDir, 'localstripe'), { recursive: true });
    const localstripe = await startLocalstripe({
      port: start.LOCALSTRIPE_PORT,
      storePath: path.join(dataDir, 'localstripe', 'store.pickle'),
      logPath: path.join(dataDir, 'localstripe', 'localstripe.log'),
    });
    stops.unshift({ name: 'localstripe', stop: () => localstripe.stop() });
    localstripeUrl = localstripe.url;
    Object.assign(env, { STRIPE_SECRET_KEY: localstripeKeys.secretKey, STRIPE_PUBLISHABLE_KEY: localstripeKeys.publishableKey, STRIPE_API_BASE: localstripe.url });
    // localstripe forgets its webhook endpoints when it stops: a fresh secret each start.
    env.STRIPE_WEBHOOK_SECRET = `whsec_dev_${randomBytes(16).toString('hex')}`;
  }
  env.API_KEYS ??= await devApiKeys(dataDir);
  env.PAYLOAD_KEYS ??= await devPayloadKeys(dataDir);

  const workerConfig = loadWorkerConfig(env);
  installWorkerRuntime(workerConfig.LOG_LEVEL === 'info' ? 'warn' : workerConfig.LOG_LEVEL);
  const { worker, close: closeWorker } = await createCaseWorker(workerConfig);
  // Bulk imports: their own task queue, in the worker's process (worker/create-import-worker.ts).
  const imports = await createImportWorker(workerConfig);
  // Strategy simulations, likewise (worker/create-simulation-worker.ts).
  const simulations = await createSimulationWorker(workerConfig);
  const running = Promise.all([worker.run(), imports.worker.run(), simulations.worker.run()]);
  stops.unshift({
    name: 'worker',
    stop: async () => {
      // The SDK's own signal handler may have begun the shutdown.
      for (const each of [worker, imports.worker, simulations.worker]) if (each.getState() === 'RUNNING') each.shutdown();
      await running;
      await Promise.all([closeWorker(), imports.close(), simulations.close()]);
    },
  });

  // The API serves console/dist from the moment it starts: the build must be done by then.
  await consoleBuilt;

  const apiConfig = loadApiConfig(env);
  const db = createDb(env.DATABASE_URL ?? '');
  const temporal = await connectTemporalClient(apiConfig);
  const payments = apiConfig.stripe ? createStripeProcessor(apiConfig.stripe) : undefined;
  const api = await buildApi({ deps: { db, temporal, communications: apiConfig.communications, voice: apiConfig.voice, imports: { dataDir }, ...(payments ? { payments } : {}) }, apiKeys: apiConfig.apiKeys, ...apiOptions(apiConfig), logLevel: 'warn' });
  await api.listen({ port: apiConfig.PORT, host: apiConfig.HOST });
  stops.unshift({
    name: 'API',
    stop: async () => {
      await api.close();
      await temporal.connection.close();
      await db.$disconnect();
    },
  });

  if (localstripeUrl) {
    const registered = await fetch(`${localstripeUrl}/_config/webhooks/dunning`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${localstripeKeys.secretKey}` },
      body: JSON.stringify({ url: `${apiConfig.communications.publicUrl}/webhooks/stripe`, secret: env.STRIPE_WEBHOOK_SECRET }),
    });
    if (!registered.ok) say(`localstripe refused the webhook endpoint (${registered.status}): payments are recorded by their confirmation only`);
  }

  if (start.SEED_DEMO === 'true') {
    const { cases } = await seedDemo({ db, temporal, identitySecret: apiConfig.communications.linkSecret });
    say(`demo: strategies consumer-early and demo-fast, ${cases.length} demo cases`);
    say('demo: DEMO-1001\'s SMS and email carry its page link ({{links.pay}}, see the outbox); confirm with Ruiz + 60601, 1980-04-23 or 1001');
  }

  const apiUrl = `http://${apiConfig.HOST}:${apiConfig.PORT}`;
  say('');
  say('Dunning engine is running.');
  say(`  Console      ${apiUrl}/console/   (sign in with one of the API keys below)`);
  say(`  API          ${apiUrl}   (docs ${apiUrl}/docs, OpenAPI ${apiUrl}/openapi.json)`);
  say(`  Temporal UI  ${temporalUi}`);
  say(`  Codec        ${apiUrl}/codec   (payloads are encrypted: temporal workflow show --codec-endpoint ${apiUrl}/codec --codec-auth 'Bearer <admin key>')`);
  say(`  Outboxes     ${workerConfig.outboxDir} (email, sms, letters, agency)`);
  say(
    localstripeUrl
      ? `  Payments     localstripe at ${localstripeUrl} (test cards: 4242 4242 4242 4242 pays, 4000 0000 0000 0341 is declined; set STRIPE_SECRET_KEY for a real account)`
      : `  Payments     Stripe (STRIPE_SECRET_KEY); point its webhooks at ${apiConfig.communications.publicUrl}/webhooks/stripe`,
  );
  say('  API keys (Authorization: Bearer <key>):');
  for (const [key, role] of apiConfig.apiKeys) say(`    ${role.padEnd(12)} ${key}`);
  const managerKey = [...apiConfig.apiKeys].find(([, role]) => role === 'manager')?.[0] ?? '<manager key>';
  say('  Try it: paste these into a shell (the README\'s examples use $API and $KEY):');
  say(`    export API=${apiUrl} KEY=${managerKey}`);
  say('    curl -s -H "Authorization: Bearer $KEY" "$API/api/v1/cases"');
  say('Press Ctrl-C to stop.');
}

let stopping = false;
async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  say('\nstopping ...');
  for (const { name, stop } of stops) {
    await stop().catch((error: unknown) => process.stderr.write(`failed to stop ${name}: ${String(error)}\n`));
  }
  process.exit(code);
}

process.once('SIGINT', () => void shutdown(0));
process.once('SIGTERM', () => void shutdown(0));
main().catch((error: unknown) => {
  process.stderr.write(`npm start failed: ${error instanceof Error ? error.message : String(error)}\n`);
  void shutdown(1);
});
