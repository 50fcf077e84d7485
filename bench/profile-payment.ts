// Where one payment's time goes: `npx tsx bench/profile-payment.ts [openCases] [payments] [perSecond] [cache]`.
// Opens cases in bulk as scenario 2 does, then sends payments through the route's service with
// the Temporal signal timed and the API's SQL statements counted, reads each back once live and
// once from the read model when visible, and prints per payment: the route's parts, the
// database's transactions, rows and trigger calls (pg_stat_*), the case histories' length and
// each process's CPU. BENCH_WORKER_CPU_PROF=<dir> profiles the worker meanwhile.
import { randomUUID } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import { receivePayment } from '../api/services/cases.js';
import { statusQuery } from '../workflows/case-messages.js';
import { installWorkerRuntime } from '../worker/runtime.js';
import { PrismaClient } from '../generated/prisma/client.js';
import type { Db } from '../lib/db.js';
import { benchDefinition, middayZone, saveStrategy } from './lib/bench-strategies.js';
import { insertProjectionRows, projectedCount, startCaseWorkflows } from './lib/bulk-cases.js';
import { cpuSpent } from './lib/cpu.js';
import { shuffled } from './lib/pool.js';
import { startBenchStack } from './lib/stack.js';
import { percentiles, round, since } from './lib/stats.js';
import { timedTemporal } from './lib/timed-temporal.js';
import { quietTimeline } from './lib/timelines.js';
import { randomStream } from '../domain/simulation/random.js';

const openCases = Number(process.argv[2] ?? 2000);
const payments = Number(process.argv[3] ?? 300);
const perSecond = Number(process.argv[4] ?? 10);
const cache = process.argv[5] ? Number(process.argv[5]) : undefined;
installWorkerRuntime('warn');
const stack = await startBenchStack({ tuning: cache ? { maxCachedWorkflows: cache } : {} });
const timings: Record<string, number[]> = {};
const note = (part: string, ms: number) => (timings[part] ??= []).push(ms);

type Stats = Record<string, number>;
async function dbStats(): Promise<{ database: Stats; tables: Map<string, Stats>; functions: Map<string, Stats> }> {
  const [database, tables, functions] = await Promise.all([
    stack.sql.query<Stats>(`SELECT xact_commit::float8 AS xact_commit, tup_inserted::float8 AS tup_inserted, tup_updated::float8 AS tup_updated, tup_fetched::float8 AS tup_fetched FROM pg_stat_database WHERE datname = current_database()`),
    stack.sql.query<Stats & { relname: string }>(`SELECT relname, n_tup_ins::float8 AS ins, n_tup_upd::float8 AS upd, seq_scan::float8 AS seq, idx_scan::float8 AS idx FROM pg_stat_user_tables`),
    stack.sql.query<Stats & { funcname: string }>(`SELECT funcname, calls::float8 AS calls, self_time::float8 AS self_ms FROM pg_stat_user_functions`),
  ]);
  const { relname: _r, ...first } = { relname: '', ...database.rows[0] };
  return {
    database: first,
    tables: new Map(tables.rows.map(({ relname, ...rest }) => [relname, rest])),
    functions: new Map(functions.rows.map(({ funcname, ...rest }) => [funcname, rest])),
  };
}

try {
  await stack.sql.query(`ALTER SYSTEM SET track_functions = 'all'`);
  await stack.sql.query(`SELECT pg_reload_conf()`);
  const databaseUrl = (stack.sql as unknown as { options: { connectionString: string } }).options.connectionString;
  const logged = new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }), log: [{ emit: 'event', level: 'query' }] });
  let statements = 0;
  const seen = new Map<string, number>();
  logged.$on('query', (event) => {
    statements++;
    const shape = event.query.replace(/\s+/g, ' ').slice(0, 100);
    seen.set(shape, (seen.get(shape) ?? 0) + 1);
  });
  const db = logged as unknown as Db;
  const temporal = timedTemporal(stack.temporal, note, { handle: ['signal'] });
  const run = randomUUID().slice(0, 8);
  const strategy = await saveStrategy(stack, benchDefinition(`bench-profile-pay-${run}`, quietTimeline()));
  const opened = await insertProjectionRows(stack, { strategy, count: openCases, startedAt: new Date(), timeZone: middayZone(), label: `prof-${run}` });
  await startCaseWorkflows(stack, opened.inputs, 32);
  // 99.5% settled is enough here: on a loaded machine a first projection may wait a minute for its retry.
  while ((await projectedCount(stack, strategy.id)) < openCases * 0.995) await new Promise((resolve) => setTimeout(resolve, 500));
  const order = shuffled(opened.cases, randomStream(42));
  const expected = new Map(opened.cases.map((c) => [c.caseId, c.balance]));
  const amount = 100;

  const pay = async (index: number) => {
    const target = order[index % order.length]!;
    const balance = expected.get(target.caseId)! - amount;
    expected.set(target.caseId, balance);
    const begin = performance.now();
    await receivePayment({ db, temporal, caseId: target.caseId, payment: { reference: `PROF-${run}-${index}`, amount, receivedAt: new Date().toISOString() }, actor: 'integration:profile' });
    note('route service (row, request, signal)', since(begin));
    // Read back sparsely (every 20 ms from the read model, live once it is there), so the probes do not weigh on the figure.
    for (;;) {
      const { rows } = await stack.sql.query<{ balance: number }>('SELECT balance FROM "Case" WHERE id = $1', [target.caseId]);
      if ((rows[0]?.balance ?? Infinity) <= balance) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    note('signal → read model (20 ms polls)', since(begin));
    const live = performance.now();
    const status = await stack.temporal.workflow.getHandle(target.caseId).query(statusQuery);
    note('one live status query after', since(live));
    if (status.balance > balance) throw new Error(`live balance ${status.balance} behind the read model's ${balance}`);
  };

  const statementsBefore = statements;
  seen.clear();
  const statsBefore = await dbStats();
  const cpuBefore = await stack.cpu();
  const windowFromUs = process.hrtime.bigint() / 1000n;
  const begin = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let index = 0; index < payments; index++) {
    const wait = begin + (index * 1000) / perSecond - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(pay(index));
  }
  await Promise.all(inFlight);
  const wall = since(begin);
  const windowToUs = process.hrtime.bigint() / 1000n;
  const cpu = cpuSpent(cpuBefore, await stack.cpu());
  const statsAfter = await dbStats();

  console.log(`${payments} payments over ${openCases} open cases at ${perSecond}/s (cache ${stack.worker.cachedWorkflows}): ${round((payments * 1000) / wall)}/s`);
  for (const [part, values] of Object.entries(timings)) {
    const p = percentiles(values);
    console.log(`  ${part.padEnd(40)} ${round(values.length / payments, 2)}x  p50 ${round(p.p50)}  p95 ${round(p.p95)}  p99 ${round(p.p99)} ms`);
  }
  console.log(`  worker profile window of the payments: --window ${windowFromUs}-${windowToUs}`);
  console.log(`  CPU per payment (ms): ${Object.entries(cpu).map(([part, s]) => `${part} ${round((s * 1000) / payments, 1)}`).join(', ')}`);
  console.log(`  API SQL statements per payment: ${round((statements - statementsBefore) / payments, 2)}`);
  for (const [shape, n] of [...seen].sort((a, b) => b[1] - a[1])) console.log(`    ${round(n / payments, 2)}x ${shape}`);
  const per = (after: number | undefined, before: number | undefined) => round(((after ?? 0) - (before ?? 0)) / payments, 2);
  console.log(`  database per payment: ${Object.keys(statsAfter.database).map((k) => `${k} ${per(statsAfter.database[k], statsBefore.database[k])}`).join(', ')}`);
  for (const [table, after] of statsAfter.tables) {
    const before = statsBefore.tables.get(table) ?? {};
    const parts = Object.keys(after).map((k) => [k, per(after[k], before[k])] as const).filter(([, v]) => v !== 0);
    if (parts.length > 0) console.log(`    ${table.padEnd(28)} ${parts.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }
  for (const [fn, after] of statsAfter.functions) {
    const before = statsBefore.functions.get(fn) ?? {};
    const calls = per(after.calls, before.calls);
    if (calls !== 0) console.log(`    fn ${fn.padEnd(36)} calls ${calls}, self ${per(after.self_ms, before.self_ms)} ms`);
  }
  const lengths: number[] = [];
  for (const target of order.slice(0, 20)) lengths.push((await stack.temporal.workflow.getHandle(target.caseId).describe()).historyLength);
  console.log(`  history length of 20 paid cases: p50 ${percentiles(lengths).p50}, max ${Math.max(...lengths)}`);
  await logged.$disconnect();
} finally {
  await stack.stop();
}
process.exit(0);
