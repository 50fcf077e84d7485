// Where one import batch's time goes: `npx tsx bench/profile-import.ts [rows] [batchSize] [concurrency]`.
// Runs the import's batch service (api/services/import-batches.ts) directly on rows of new
// accounts, with the Temporal calls timed, every SQL statement counted and this process's CPU
// measured, and prints the time per part and per row.
import { randomUUID } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import { createImportBatches } from '../api/services/import-batches.js';
import type { ImportRowItem } from '../api/services/import-files.js';
import { PrismaClient } from '../generated/prisma/client.js';
import type { Db } from '../lib/db.js';
import { installWorkerRuntime } from '../worker/runtime.js';
import { benchDefinition, middayZone, saveStrategy } from './lib/bench-strategies.js';
import { startBenchStack } from './lib/stack.js';
import { cpuSpent } from './lib/cpu.js';
import { percentiles, round, since } from './lib/stats.js';
import { timedTemporal } from './lib/timed-temporal.js';
import { quietTimeline } from './lib/timelines.js';

const rowCount = Number(process.argv[2] ?? 2000);
const batchSize = Number(process.argv[3] ?? 200);
const concurrency = Number(process.argv[4] ?? 16);
installWorkerRuntime('warn');
const stack = await startBenchStack({});
const timings: Record<string, number[]> = {};
const note = (part: string, ms: number) => (timings[part] ??= []).push(ms);

try {
  const databaseUrl = (stack.sql as unknown as { options: { connectionString: string } }).options.connectionString;
  const logged = new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: 20 }), log: [{ emit: 'event', level: 'query' }] });
  let statements = 0;
  let statementMs = 0;
  const seen = new Map<string, number>();
  logged.$on('query', (event) => {
    statements++;
    statementMs += Number(event.duration);
    const shape = event.query.replace(/\s+/g, ' ').slice(0, 90);
    seen.set(shape, (seen.get(shape) ?? 0) + 1);
  });
  const db = logged as unknown as Db;
  const batches = createImportBatches({ db, temporal: timedTemporal(stack.temporal, note, { workflow: ['start', 'signalWithStart'] }) });
  const strategy = await saveStrategy(stack, benchDefinition(`bench-import-${randomUUID().slice(0, 8)}`, quietTimeline()));
  const timeZone = middayZone();
  const run = randomUUID().slice(0, 8);
  const rowsOf = (from: number, count: number): ImportRowItem[] =>
    Array.from({ length: count }, (_, i) => ({
      line: from + i + 1,
      result: {
        ok: true,
        account: { externalId: `PROFI-${run}-${from + i}`, strategy: strategy.key, currency: 'USD', balance: 10_000 + i, daysPastDue: 30, debtor: { name: `Debtor ${from + i}`, email: `d${from + i}@example.test`, timeZone, smsConsent: false } },
      },
    }));
  const runJob = async (count: number) => {
    const job = await db.importJob.create({ data: { format: 'csv', createdBy: 'profile', status: 'running' } });
    let committedLine = 0;
    for (let from = 0; from < count; from += batchSize) {
      const rows = rowsOf(from + (count === rowCount ? 0 : 1_000_000), Math.min(batchSize, count - from));
      const begin = performance.now();
      committedLine = await batches.runBatch({ jobId: job.id, team: null, rows, committedLine, replayThrough: 0, concurrency, abandoned: () => false });
      note('batch', since(begin));
    }
  };
  await runJob(Math.min(200, rowCount)); // warm-up
  for (const key of Object.keys(timings)) delete timings[key];
  statements = 0;
  statementMs = 0;
  seen.clear();
  const cpu = process.cpuUsage();
  const stackCpu = await stack.cpu();
  const begin = performance.now();
  await runJob(rowCount);
  const wall = since(begin);
  const used = process.cpuUsage(cpu);
  const stackAfter = await stack.cpu();
  console.log(`${rowCount} rows, batches of ${batchSize}, ${concurrency} in flight: ${round((rowCount * 1000) / wall)} rows/s, ${round(wall / rowCount, 2)} ms wall per row`);
  console.log(`  this process (batch service + Temporal client + Prisma) CPU per row: ${round((used.user + used.system) / 1000 / rowCount, 2)} ms`);
  for (const [part, seconds] of Object.entries(cpuSpent(stackCpu, stackAfter))) {
    console.log(`  CPU per row, ${part}: ${round((seconds * 1000) / rowCount, 2)} ms`);
  }
  for (const [part, values] of Object.entries(timings)) {
    const p = percentiles(values);
    console.log(`  ${part.padEnd(28)} per row ${round(values.length / rowCount, 2)}x  p50 ${round(p.p50)} ms  p95 ${round(p.p95)} ms`);
  }
  console.log(`  SQL statements per row: ${round(statements / rowCount, 1)} (mean ${round(statementMs / Math.max(1, statements), 2)} ms each as Prisma saw them)`);
  for (const [shape, n] of [...seen].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`    ${round(n / rowCount, 2)}x ${shape}`);
  await logged.$disconnect();
} finally {
  await stack.stop();
}
process.exit(0);
