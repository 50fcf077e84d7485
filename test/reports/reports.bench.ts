// Report queries at 100,000 cases: `npx tsx test/reports/reports.bench.ts [cases]`.
// Not part of `npm test` (its name does not end in .test.ts). Starts its own embedded PostgreSQL,
// fills the projection with generated rows (SQL generate_series, seconds), then runs each report
// several times and prints p50/p95, and EXPLAIN ANALYZE of every query a report sends, so a
// sequential scan where an index belongs shows up.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../../generated/prisma/client.js';
import type { Db } from '../../lib/db.js';
import { startEmbeddedPostgres } from '../../lib/embedded-postgres.js';
import { freePort } from '../../lib/free-port.js';
import { applyMigrations } from '../../lib/migrations.js';
import { agingReport } from '../../api/services/reports/aging.js';
import { asOf } from '../../api/services/reports/as-of.js';
import { funnelReport } from '../../api/services/reports/funnel.js';
import { liquidationReport } from '../../api/services/reports/liquidation.js';
import { officerReport } from '../../api/services/reports/officers.js';
import { period } from '../../api/services/reports/period.js';
import { recoveryReport } from '../../api/services/reports/recovery.js';
import { rollRateReport } from '../../api/services/reports/roll-rates.js';

const cases = Number(process.argv[2] ?? 100_000);
const runs = 10;

async function seed(client: pg.Client): Promise<void> {
  const hasOutcome = (await client.query(`SELECT 1 FROM information_schema.columns WHERE table_name = 'Task' AND column_name = 'outcome'`)).rowCount === 1;
  await client.query(`
    INSERT INTO "Strategy"(id, key, version, name, definition) VALUES
      ('s1', 'alpha', 1, 'a', '{}'), ('s2', 'alpha', 2, 'a', '{}'), ('s3', 'beta', 1, 'b', '{}'), ('s4', 'gamma', 1, 'g', '{}');
    INSERT INTO "Debtor"(id, name, "timeZone") SELECT 'd' || g, 'Debtor ' || g, 'UTC' FROM generate_series(1, $1::int) g;
    INSERT INTO "Account"(id, "externalId", "debtorId", currency, "originalBalance", balance, "daysPastDue", portfolio, "updatedAt")
      SELECT 'a' || g, 'EXT-' || g, 'd' || g, CASE WHEN g % 10 = 0 THEN 'EUR' ELSE 'USD' END, 10000 + (g * 37) % 500000, 10000 + (g * 37) % 500000, g % 200, 'P' || (g % 12), now()
      FROM generate_series(1, $1::int) g;
    INSERT INTO "Case"(id, "accountId", "strategyId", arm, status, "closeReason", balance, currency, "startedAt", "closedAt", "updatedAt")
      SELECT 'case-a' || g, 'a' || g, 's' || (1 + g % 4), (ARRAY['champion', 'challenger', NULL])[1 + g % 3],
             CASE WHEN g % 5 = 0 THEN 'closed' ELSE 'open' END, CASE WHEN g % 5 = 0 THEN 'paid' END,
             10000, CASE WHEN g % 10 = 0 THEN 'EUR' ELSE 'USD' END,
             timestamp '2025-01-01' + (g % 540) * interval '1 day' + (g % 24) * interval '1 hour',
             CASE WHEN g % 5 = 0 THEN timestamp '2025-01-01' + (g % 540 + 40) * interval '1 day' END, now()
      FROM generate_series(1, $1::int) g;
    INSERT INTO "Payment"(id, "caseId", reference, amount, currency, "receivedAt", "reversedAt")
      SELECT 'p' || g || '-' || n, 'case-a' || g, 'ref-' || n, 1000 + (g % 50) * 100, CASE WHEN g % 10 = 0 THEN 'EUR' ELSE 'USD' END,
             timestamp '2025-01-01' + (g % 540 + 10 * n) * interval '1 day',
             CASE WHEN g % 50 = 0 THEN timestamp '2025-01-01' + (g % 540 + 10 * n + 5) * interval '1 day' END
      FROM generate_series(1, $1::int) g, generate_series(1, 2) n WHERE g % 2 = 0 AND (n = 1 OR g % 6 = 0);
    INSERT INTO "Communication"(id, "caseId", "stepId", channel, template, recipient, body, "idempotencyKey", status, "createdAt", "updatedAt")
      SELECT 'c' || g || '-' || n, 'case-a' || g, 's' || n, (ARRAY['email', 'sms', 'letter'])[n], 't', 'r', 'b', 'k' || g || '-' || n,
             (ARRAY['sent', 'delivered', 'failed', 'pending'])[1 + (g + n) % 4], timestamp '2025-01-01' + (g % 540 + 3 * n) * interval '1 day', now()
      FROM generate_series(1, $1::int) g, generate_series(1, 3) n;
    INSERT INTO "Task"(id, "caseId", kind, status, assignee, "idempotencyKey", "createdAt", "completedAt")
      SELECT 't' || g, 'case-a' || g, 'call', CASE WHEN g % 8 = 0 THEN 'done' ELSE 'open' END, 'officer:' || (g % 20), 'tk' || g,
             timestamp '2025-01-01' + (g % 540 + 14) * interval '1 day', CASE WHEN g % 8 = 0 THEN timestamp '2025-01-01' + (g % 540 + 15) * interval '1 day' END
      FROM generate_series(1, $1::int) g WHERE g % 4 = 0;
    INSERT INTO "AuditEvent"("caseId", actor, action, at, data)
      SELECT 'case-a' || g, 'workflow', e.action, timestamp '2025-01-01' + (g % 540 + e.day) * interval '1 day', e.data::jsonb
      FROM generate_series(1, $1::int) g
      CROSS JOIN LATERAL (VALUES
        ('account_enrolled', 0, '{}'), ('enrolled', 0, '{}'), ('step_done', 1, '{}'), ('step_done', 3, '{}'), ('step_done', 10, '{}'),
        (CASE WHEN g % 10 = 0 THEN 'outcome_recorded' END, 15, '{"kind": "promise_to_pay", "by": "officer:' || (g % 20) || '"}'),
        (CASE WHEN g % 10 = 0 THEN 'arrangement_made' END, 15, '{"kind": "promise"}'),
        (CASE WHEN g % 20 = 0 THEN 'arrangement_kept' WHEN g % 10 = 0 THEN 'arrangement_broken' END, 30, '{"kind": "promise"}'),
        (CASE WHEN g % 20 = 1 THEN 'opted_out' END, 5, '{"channel": "sms"}'),
        (CASE WHEN g % 15 = 2 THEN 'step_skipped' END, 3, '{"detail": "step \\"nudge\\" skipped: no recorded consent for SMS"}'),
        (CASE WHEN g % 30 = 3 THEN 'hold_started' END, 20, '{"kind": "dispute"}')
      ) AS e(action, day, data)
      WHERE e.action IS NOT NULL;
  `.replaceAll('$1::int', String(cases)));
  if (hasOutcome) await client.query(`UPDATE "Task" SET outcome = (ARRAY['right_party_contact', 'no_answer', 'promise'])[1 + (length(id) % 3)] WHERE status = 'done'`);
  await client.query('ANALYZE');
}

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))] ?? 0;

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dunning-bench-reports-'));
  const postgres = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: await freePort() });
  try {
    await applyMigrations(postgres.url);
    const client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
    const seeding = Date.now();
    await seed(client);
    const counts = await client.query(`SELECT (SELECT count(*) FROM "Case") cases, (SELECT count(*) FROM "Payment") payments, (SELECT count(*) FROM "Communication") communications, (SELECT count(*) FROM "AuditEvent") audit, (SELECT count(*) FROM "Task") tasks`);
    console.log(`seeded in ${((Date.now() - seeding) / 1000).toFixed(1)} s:`, counts.rows[0]);

    const queries: { query: string; params: string }[] = [];
    const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: postgres.url }), log: [{ emit: 'event', level: 'query' }] });
    prisma.$on('query', (event) => queries.push({ query: event.query, params: event.params }));
    const db = prisma as unknown as Db;
    const at = asOf('2026-06-30');
    const reports: [string, () => Promise<unknown>][] = [
      ['recovery (strategy)', () => recoveryReport({ db, at, groupBy: ['strategy'] })],
      ['recovery (all dimensions)', () => recoveryReport({ db, at, groupBy: ['strategy', 'version', 'arm', 'portfolio', 'cohort'] })],
      ['aging', () => agingReport({ db, at })],
      ['roll-rates', () => rollRateReport({ db, at })],
      ['liquidation', () => liquidationReport({ db, at })],
      ['funnel', () => funnelReport({ db, range: period(at, undefined) })],
      ['funnel (one month)', () => funnelReport({ db, range: period(at, '2026-06-01') })],
      ['officers', () => officerReport({ db, range: period(at, undefined) })],
    ];
    console.log(`\n${'report'.padEnd(28)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)}   (${runs} runs, ${cases.toLocaleString('en-US')} cases)`);
    const plans: string[] = [];
    for (const [name, run] of reports) {
      queries.length = 0;
      await run();
      const sent = [...queries];
      const times: number[] = [];
      for (let index = 0; index < runs; index++) {
        const started = performance.now();
        await run();
        times.push(performance.now() - started);
      }
      console.log(`${name.padEnd(28)} ${percentile(times, 50).toFixed(0).padStart(8)} ${percentile(times, 95).toFixed(0).padStart(8)}`);
      for (const { query, params } of sent) {
        const values = JSON.parse(params) as unknown[];
        const explained = await client.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${query}`, values.map((value) => (typeof value === 'object' && value && 'prisma__value' in value ? value.prisma__value : value)));
        const [plan] = explained.rows[0]['QUERY PLAN'] as { Plan: PlanNode; 'Execution Time': number }[];
        if (!plan) continue;
        const scans = collectScans(plan.Plan);
        plans.push(`${name}: ${plan['Execution Time'].toFixed(0)} ms — ${scans.join(', ')}`);
      }
    }
    console.log('\nEXPLAIN ANALYZE (execution time, scans):');
    for (const line of plans) console.log(`  ${line}`);
    await prisma.$disconnect();
    await client.end();
  } finally {
    await postgres.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function collectScans(node: PlanNode): string[] {
  const own = node['Relation Name'] ? [`${node['Node Type']} ${node['Relation Name']}${node['Index Name'] ? ` (${node['Index Name']})` : ''}`] : [];
  return [...own, ...(node.Plans ?? []).flatMap(collectScans)];
}

await main();
