// Where one enrollment's time goes: `npx tsx bench/profile-enrollment.ts [count] [concurrency]`.
// Calls the enrollment service and the case read-back the route makes, directly (no HTTP), with
// the Temporal calls timed and every SQL statement counted, and prints the time per part.
import { randomUUID } from 'node:crypto';
import { getCase } from '../api/services/cases.js';
import { enrollAccount } from '../api/services/enrollment.js';
import { installWorkerRuntime } from '../worker/runtime.js';
import { benchDefinition, middayZone, saveStrategy } from './lib/bench-strategies.js';
import { runPool } from './lib/pool.js';
import { startBenchStack } from './lib/stack.js';
import { percentiles, round, since } from './lib/stats.js';
import { timedTemporal } from './lib/timed-temporal.js';
import { quietTimeline } from './lib/timelines.js';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';
import type { Db } from '../lib/db.js';

const count = Number(process.argv[2] ?? 300);
const concurrency = Number(process.argv[3] ?? 16);
installWorkerRuntime('warn');
const stack = await startBenchStack({});
const timings: Record<string, number[]> = {};
const note = (part: string, ms: number) => (timings[part] ??= []).push(ms);

try {
  // The stack's own pool knows the database's address.
  const databaseUrl = (stack.sql as unknown as { options: { connectionString: string } }).options.connectionString;
  const logged = new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }), log: [{ emit: 'event', level: 'query' }] });
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
  const temporal = timedTemporal(stack.temporal, note, { workflow: ['start'], handle: ['query'], parts: { query: 'temporal query (live status)' } });
  const strategy = await saveStrategy(stack, benchDefinition(`bench-profile-${randomUUID().slice(0, 8)}`, quietTimeline()));
  const timeZone = middayZone();
  const run = randomUUID().slice(0, 8);
  const enroll = async (index: number) => {
    const begin = performance.now();
    const { caseId } = await enrollAccount({
      db,
      temporal,
      actor: 'integration:profile',
      input: {
        externalId: `PROF-${run}-${index}`,
        strategy: strategy.key,
        currency: 'USD',
        balance: 125_000,
        daysPastDue: 30,
        debtor: { name: `Debtor ${index}`, email: `debtor${index}@example.test`, phone: `+1555${String(index).padStart(7, '0')}`, timeZone, smsConsent: true },
      },
    });
    note('enrollAccount (DB + start)', since(begin));
    const read = performance.now();
    await getCase({ db, temporal, caseId });
    note('getCase (DB + live query)', since(read));
    note('whole call', since(begin));
  };
  await runPool(Math.min(50, count), concurrency, (i) => enroll(100_000 + i)); // warm-up
  for (const key of Object.keys(timings)) delete timings[key];
  statements = 0;
  statementMs = 0;
  seen.clear();
  const begin = performance.now();
  await runPool(count, concurrency, enroll);
  const wall = since(begin);
  console.log(`${count} enrollments, ${concurrency} concurrent: ${round((count * 1000) / wall)}/s`);
  for (const [part, values] of Object.entries(timings)) {
    const p = percentiles(values);
    console.log(`  ${part.padEnd(32)} per call ${round(values.length / count, 2)}x  p50 ${round(p.p50)} ms  p95 ${round(p.p95)} ms`);
  }
  console.log(`  SQL statements per enrollment: ${round(statements / count, 1)} (mean ${round(statementMs / Math.max(1, statements), 2)} ms each as Prisma saw them)`);
  for (const [shape, n] of [...seen].sort((a, b) => b[1] - a[1])) console.log(`    ${round(n / count, 2)}x ${shape}`);
  await logged.$disconnect();
} finally {
  await stack.stop();
}
process.exit(0);
