// Where one due step's SQL goes: `npx tsx bench/profile-steps.ts [cases]`.
// Opens cases in bulk as scenario 3 does, all due at one instant with an SMS step, and while they
// send and project that step has PostgreSQL log every statement (`log_statement = all`, no
// parameters); prints per step the statements by shape, the transactions and the rows written
// (pg_stat_*), and each process's CPU. The logging itself costs CPU: take CPU figures from
// `npm run bench -- --only 3`, and statement counts from here.
import { readFile, stat } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { installWorkerRuntime } from '../worker/runtime.js';
import { eventually } from '../testing/eventually.js';
import { benchDefinition, middayZone, saveStrategy } from './lib/bench-strategies.js';
import { openCasesInBulk } from './lib/bulk-cases.js';
import { cpuSpent } from './lib/cpu.js';
import { startBenchStack } from './lib/stack.js';
import { round } from './lib/stats.js';

const count = Number(process.argv[2] ?? 200);
installWorkerRuntime('warn');
const stack = await startBenchStack({});
/** Marks this script's own queries, which the count leaves out. */
const own = '/* profile-steps */';

type Stats = Record<string, number>;
async function dbStats(): Promise<{ database: Stats; tables: Map<string, Stats> }> {
  const [database, tables] = await Promise.all([
    stack.sql.query<Stats>(`${own} SELECT xact_commit::float8 AS xact_commit, tup_inserted::float8 AS tup_inserted, tup_updated::float8 AS tup_updated FROM pg_stat_database WHERE datname = current_database()`),
    stack.sql.query<Stats & { relname: string }>(`${own} SELECT relname, n_tup_ins::float8 AS ins, n_tup_upd::float8 AS upd, idx_scan::float8 AS idx FROM pg_stat_user_tables`),
  ]);
  return { database: database.rows[0] ?? {}, tables: new Map(tables.rows.map(({ relname, ...rest }) => [relname, rest])) };
}

async function setLogging(on: boolean): Promise<void> {
  for (const setting of on ? [`log_statement = 'all'`, `log_parameter_max_length = 0`] : [`log_statement = 'none'`]) await stack.sql.query(`ALTER SYSTEM SET ${setting}`);
  await stack.sql.query(`SELECT pg_reload_conf()`);
  await new Promise((resolve) => setTimeout(resolve, 500));
}

try {
  const { rows } = await stack.sql.query<{ dir: string }>(`SELECT current_setting('data_directory') AS dir`);
  const logFile = `${rows[0]!.dir}.log`;
  const run = randomUUID().slice(0, 8);
  const leadSeconds = Math.ceil(20 + count * 0.05);
  const strategy = await saveStrategy(stack, benchDefinition(`bench-profile-steps-${run}`, [
    { id: 'monday', at: `PT${leadSeconds}S`, action: 'sms', template: 'nudge' },
    { id: 'later', at: 'P30D', action: 'letter', template: 'demand' },
  ]));
  const startedAt = new Date();
  const dueAt = startedAt.getTime() + leadSeconds * 1000;
  await openCasesInBulk(stack, { strategy, count, startedAt, timeZone: middayZone(), label: `prof-steps-${run}`, concurrency: 32 });
  if (Date.now() > dueAt - 2_000) throw new Error('setup overran the common timer: try fewer cases');
  await setLogging(true);
  const logFrom = (await stat(logFile)).size;
  const statsBefore = await dbStats();
  const cpuBefore = await stack.cpu();
  const sentBefore = stack.twilio.messages.length;
  await eventually(async () => {
    if (stack.twilio.messages.length - sentBefore < count) return false;
    const done = await stack.sql.query<{ n: string }>(`${own} SELECT count(*) AS n FROM "Case" WHERE "strategyId" = $1 AND "currentStep" = 'monday'`, [strategy.id]);
    return Number(done.rows[0]?.n ?? 0) >= count;
  }, `${count} steps sent and projected`, 10 * 60_000, 200);
  // Settled: the last projections' statements are in; then the quiet tail is cut by the switch.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const cpu = cpuSpent(cpuBefore, await stack.cpu());
  const statsAfter = await dbStats();
  await setLogging(false);
  const log = (await readFile(logFile)).subarray(logFrom).toString('utf8');

  const shapes = new Map<string, number>();
  let statements = 0;
  const lines = log.split('\n');
  for (const [index, line] of lines.entries()) {
    const match = /LOG:\s+(?:statement|execute [^:]*): (.*)$/.exec(line);
    if (!match || line.includes(own) || /pg_reload_conf|ALTER SYSTEM/.test(line)) continue;
    statements++;
    // A statement written from a template literal starts on its second line.
    const text = match[1]!.trim() || (lines[index + 1] ?? '').trim();
    const shape = text.replace(/\s+/g, ' ').replace(/"public"\./g, '').slice(0, 110);
    shapes.set(shape, (shapes.get(shape) ?? 0) + 1);
  }
  const per = (after: number | undefined, before: number | undefined) => round(((after ?? 0) - (before ?? 0)) / count, 2);
  console.log(`${count} SMS steps due at once, sent and projected (cache ${stack.worker.cachedWorkflows})`);
  console.log(`  SQL statements per step: ${round(statements / count, 2)}`);
  for (const [shape, n] of [...shapes].sort((a, b) => b[1] - a[1])) console.log(`    ${round(n / count, 2)}x ${shape}`);
  console.log(`  database per step: ${Object.keys(statsAfter.database).map((k) => `${k} ${per(statsAfter.database[k], statsBefore.database[k])}`).join(', ')}`);
  for (const [table, after] of statsAfter.tables) {
    const before = statsBefore.tables.get(table) ?? {};
    const parts = Object.keys(after).map((k) => [k, per(after[k], before[k])] as const).filter(([, v]) => v !== 0);
    if (parts.length > 0) console.log(`    ${table.padEnd(28)} ${parts.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }
  console.log(`  CPU per step with every statement logged (ms): ${Object.entries(cpu).map(([part, s]) => `${part} ${round((s * 1000) / count, 1)}`).join(', ')}`);
} finally {
  await stack.stop();
}
process.exit(0);
