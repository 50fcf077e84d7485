// `npm run simulate -- --model <name[@version]> --strategy <key[@version]> [--strategy <key[@version]> | --split <segment>]
//   [--portfolio <key>] [--segment <id>] --runs <n> [--horizon <days>] [--seed <n>] [--cost email=2,sms=5,letter=90,call=400]`:
// asks a running API for a strategy simulation (POST /api/v1/simulations), follows it with a
// progress bar until it ends, then prints each arm's figures with their intervals. API_URL and
// API_KEY say where and as whom; with `npm start` running they default to its address and its dev manager key.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { SimulationSummary } from '../domain/simulation/contract.js';
import { simulationTable } from './simulation-table.js';

const ZSimulateCliEnv = z.object({
  API_URL: z.url().default('http://127.0.0.1:3000'),
  API_KEY: z.string().min(16).optional(),
  DATA_DIR: z.string().min(1).default('.data'),
});

interface Simulation {
  id: string;
  status: string;
  error: string | null;
  cases: number;
  progress: { chunksDone: number; chunksTotal: number };
  summary: SimulationSummary | null;
}

const out = process.stdout;
const fail = (message: string): never => {
  process.stderr.write(`simulate: ${message}\n`);
  process.exit(1);
};
const usage =
  'usage: npm run simulate -- --model <name[@version]> --strategy <key[@version]> [--strategy <key[@version]> | --split <segment>]\n' +
  '         [--portfolio <key>] [--segment <id>] --runs <1-1000> [--horizon <days>] [--seed <n>] [--cost email=2,sms=5,letter=90,call=400]\n';

/** The dev key `npm start` wrote, so a newcomer needs no setup. */
async function devKey(dataDir: string): Promise<string | undefined> {
  const file = path.join(dataDir, 'dev-api-keys.json');
  if (!existsSync(file)) return undefined;
  const { API_KEYS } = JSON.parse(await readFile(file, 'utf8')) as { API_KEYS?: string };
  const entries = (API_KEYS ?? '').split(',').map((entry) => entry.split(/:(?=[a-z]+$)/));
  return entries.find(([, role]) => role === 'manager')?.[0];
}

/** `key@3` → { key, version: 3 }; `key` → { key }. */
function versioned(value: string): { name: string; version?: number } {
  const at = value.lastIndexOf('@');
  if (at <= 0) return { name: value };
  const version = Number(value.slice(at + 1));
  if (!Number.isInteger(version) || version < 1) fail(`"${value}": the version after @ must be a whole number from 1`);
  return { name: value.slice(0, at), version };
}

const integer = (name: string, value: string | undefined) => {
  if (value === undefined) return undefined;
  const number = Number(value);
  return Number.isInteger(number) ? number : fail(`--${name} must be a whole number, not "${value}"`);
};

function costsOf(value: string | undefined): Record<string, number> {
  if (!value) return {};
  return Object.fromEntries(
    value.split(',').map((pair) => {
      const [channel, amount] = pair.split('=');
      const number = Number(amount);
      if (!channel || !Number.isInteger(number)) fail(`--cost "${pair}": write channel=minor units, e.g. sms=5`);
      return [channel!.trim(), number];
    }),
  );
}

function bar(simulation: Simulation): string {
  const { chunksDone, chunksTotal } = simulation.progress;
  const share = chunksTotal > 0 ? chunksDone / chunksTotal : 0;
  const width = 30;
  const filled = Math.round(share * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)}% ${chunksDone}/${chunksTotal} chunks of ${simulation.cases.toLocaleString('en-US')} cases · ${simulation.status}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      strategy: { type: 'string', multiple: true },
      split: { type: 'string' },
      portfolio: { type: 'string' },
      segment: { type: 'string' },
      runs: { type: 'string' },
      horizon: { type: 'string' },
      seed: { type: 'string' },
      cost: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || !values.model || !values.runs || (!values.strategy && !values.split)) {
    out.write(usage);
    process.exit(values.help ? 0 : 1);
  }
  const parsed = ZSimulateCliEnv.safeParse(process.env);
  if (!parsed.success) fail(`invalid configuration: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  const env = parsed.data as z.infer<typeof ZSimulateCliEnv>;
  const key = env.API_KEY ?? (await devKey(env.DATA_DIR)) ?? fail('set API_KEY (a manager key), or run `npm start` first');
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };

  const model = versioned(values.model);
  const request = {
    ...(values.strategy ? { arms: values.strategy.map((each) => versioned(each)).map(({ name, version }) => ({ strategy: name, ...(version ? { version } : {}) })) } : {}),
    ...(values.split ? { split: values.split } : {}),
    ...(values.portfolio ? { portfolio: values.portfolio } : {}),
    ...(values.segment ? { segment: values.segment } : {}),
    runs: integer('runs', values.runs),
    ...(values.horizon ? { horizonDays: integer('horizon', values.horizon) } : {}),
    ...(values.seed ? { seed: integer('seed', values.seed) } : {}),
    costs: costsOf(values.cost),
    model: { name: model.name, ...(model.version ? { version: model.version } : {}) },
  };
  const response = await fetch(`${env.API_URL}/api/v1/simulations`, { method: 'POST', headers, body: JSON.stringify(request) }).catch((error: unknown) =>
    fail(`cannot reach ${env.API_URL}: ${(error as Error).message}`),
  );
  const accepted = (await response.json()) as Simulation & { error?: { message: string; fields?: { path: string; message: string }[] } };
  if (response.status !== 202) {
    const problem = accepted.error as { message: string; fields?: { path: string; message: string }[] } | undefined;
    const fields = (problem?.fields ?? []).map((field) => `\n  ${field.path.replace(/^body\./, '')}: ${field.message}`).join('');
    fail(`the API refused the simulation (${response.status}): ${problem?.message ?? 'unknown error'}${fields}`);
  }

  let simulation: Simulation = accepted;
  let lastLine = 0;
  // Ctrl-C cancels the simulation, not only this client.
  process.once('SIGINT', () => {
    void fetch(`${env.API_URL}/api/v1/simulations/${simulation.id}/cancel`, { method: 'POST', headers: { authorization: headers.authorization } }).finally(() => fail(`simulation ${simulation.id} cancelled`));
  });
  while (!['completed', 'failed', 'cancelled'].includes(simulation.status)) {
    if (out.isTTY) out.write(`\r${bar(simulation)}`);
    else if (Date.now() - lastLine > 5_000) {
      out.write(`${bar(simulation)}\n`);
      lastLine = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    const poll = await fetch(`${env.API_URL}/api/v1/simulations/${simulation.id}`, { headers: { authorization: headers.authorization } });
    const answer = (await poll.json()) as Simulation & { error?: { message?: string } };
    // A refused poll (the key revoked, the API restarted on another database) ends the wait with the API's words.
    if (!poll.ok) fail(`${out.isTTY ? '\n' : ''}the API answered ${poll.status} for simulation ${simulation.id}: ${answer.error?.message ?? poll.statusText}`);
    simulation = answer;
  }
  out.write(`${out.isTTY ? '\r' : ''}${bar(simulation)}\n`);
  if (simulation.status !== 'completed' || !simulation.summary) fail(`simulation ${simulation.id} ${simulation.status}${simulation.error ? `: ${simulation.error}` : ''}`);
  out.write(`simulation ${simulation.id} completed\n${simulationTable(simulation.summary!)}\n`);
}

main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
