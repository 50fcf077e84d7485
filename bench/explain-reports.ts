// The plans behind scenario 5: `npx tsx bench/explain-reports.ts [cases]` seeds the projection as
// the scenario does, runs every report (and the case list) once with each SQL statement captured,
// and prints `EXPLAIN (ANALYZE, BUFFERS)` of the statements that took longest. For deciding indexes.
import { randomUUID } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import { listCases } from '../api/services/cases.js';
import { agingReport } from '../api/services/reports/aging.js';
import { asOf } from '../api/services/reports/as-of.js';
import { funnelReport } from '../api/services/reports/funnel.js';
import { liquidationReport } from '../api/services/reports/liquidation.js';
import { officerReport } from '../api/services/reports/officers.js';
import { period } from '../api/services/reports/period.js';
import { recoveryReport } from '../api/services/reports/recovery.js';
import { rollRateReport } from '../api/services/reports/roll-rates.js';
import { PrismaClient } from '../generated/prisma/client.js';
import type { Db } from '../lib/db.js';
import type { CaseStrategy } from '../workflows/case-messages.js';
import { startEmbeddedPostgres } from '../lib/embedded-postgres.js';
import { freePort } from '../lib/free-port.js';
import { applyMigrations } from '../lib/migrations.js';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { consumerEarlyDefinition } from './lib/bench-strategies.js';
import { seedProjection } from './lib/seed-projection.js';
import type { BenchStack } from './lib/stack.js';
import { round } from './lib/stats.js';

const cases = Number(process.argv[2] ?? 100_000);
const shown = Number(process.argv[3] ?? 8);
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'dunning-explain-'));
const server = await startEmbeddedPostgres({ dataDir, port: await freePort() });
try {
  await applyMigrations(server.url);
  const sql = new pg.Pool({ connectionString: server.url, max: 2 });
  const strategies: CaseStrategy[] = [];
  for (const arm of ['a', 'b', 'c']) {
    const definition = consumerEarlyDefinition(`explain-${arm}`);
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO "Strategy" ("id", "key", "version", "name", "status", "definition", "createdAt") VALUES ($1, $2, 1, $3, 'active', $4, now()) RETURNING id`,
      [randomUUID(), definition.key, definition.name, JSON.stringify(definition)],
    );
    strategies.push({ id: rows[0]!.id, key: definition.key, version: 1, definition });
  }
  const started = performance.now();
  // seedProjection needs only the pool of a stack.
  await seedProjection({ sql } as unknown as BenchStack, { count: cases, strategies, label: 'explain' });
  console.log(`seeded ${cases} cases in ${round((performance.now() - started) / 1000)} s`);

  const captured: { label: string; query: string; params: unknown[]; ms: number }[] = [];
  let label = '';
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: server.url }), log: [{ emit: 'event', level: 'query' }] });
  prisma.$on('query', (event) => captured.push({ label, query: event.query, params: JSON.parse(event.params) as unknown[], ms: Number(event.duration) }));
  const db = prisma as unknown as Db;
  const at = asOf(undefined);
  const runs: [string, () => Promise<unknown>][] = [
    ['recovery', () => recoveryReport({ db, at, groupBy: [] })],
    ['aging', () => agingReport({ db, at })],
    ['roll-rates', () => rollRateReport({ db, at })],
    ['liquidation', () => liquidationReport({ db, at })],
    ['funnel', () => funnelReport({ db, range: period(at, undefined) })],
    ['officers', () => officerReport({ db, range: period(at, undefined) })],
    ['cases', () => listCases({ db, filter: {}, limit: 50 })],
    ['cases?step=letter', () => listCases({ db, filter: { step: 'letter' }, limit: 50 })],
    ['cases?status=closed&strategy', () => listCases({ db, filter: { status: 'closed', strategy: strategies[0]!.key }, limit: 200 })],
  ];
  for (const [name, run] of runs) {
    label = name;
    const mark = captured.length;
    await run(); // warm: its statements are dropped
    captured.splice(mark);
    const begin = performance.now();
    await run();
    console.log(`${name}: ${round(performance.now() - begin)} ms`);
  }
  const slowest = [...captured].sort((a, b) => b.ms - a.ms).slice(0, shown);
  const client = await sql.connect();
  try {
    for (const statement of slowest) {
      console.log(`\n=== ${statement.label}: ${statement.ms} ms\n${statement.query.replace(/\s+/g, ' ').slice(0, 600)}`);
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${statement.query}`, statement.params);
      for (const row of rows) console.log(`  ${row['QUERY PLAN']}`);
    }
  } finally {
    client.release();
  }
  await prisma.$disconnect();
  await sql.end();
} finally {
  await server.stop();
  await rm(dataDir, { recursive: true, force: true });
}
process.exit(0);
