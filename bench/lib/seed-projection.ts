import type { CaseStrategy } from '../../workflows/case-messages.js';
import type { BenchStack } from './stack.js';

/**
 * Fills the projection with `count` cases of a realistic mix, entirely inside PostgreSQL
 * (INSERT ... SELECT over generate_series): statuses and close reasons, steps, officers,
 * balances, start dates over a year, payments, communications, call tasks, agency placements and
 * an audit event per case. Only the read side matters here; no workflow runs for these cases.
 *
 * Mix (by a hash of the row number): 55% open, 5% paused, 15% paid, 5% settled, 12% referred,
 * 8% timeline complete; a third of the cases have an officer. Nothing is dated after now (a
 * payment or a close in the future would be a clock error), so today's reports are today's. The report aggregates are rebuilt
 * from the rows at the end (their triggers are off while it inserts).
 */
export async function seedProjection(stack: BenchStack, { count, strategies, label }: { count: number; strategies: CaseStrategy[]; label: string }): Promise<void> {
  const client = await stack.sql.connect();
  try {
    await client.query('BEGIN');
    // Prisma keeps instants as UTC in timestamp columns.
    await client.query(`SET LOCAL TIME ZONE 'UTC'`);
    // The report aggregates' row triggers are off for the bulk insert (each would update its group's
    // row once per seeded row, all in this one transaction) and rebuilt from the rows below, as the
    // migration's backfill does: the same tables, filled once.
    await client.query(`SET LOCAL session_replication_role = replica`);
    await client.query(
      `CREATE TEMP TABLE seed ON COMMIT DROP AS
       SELECT i,
              $2::text || '-' || i AS n,
              ($3::text[])[1 + i % cardinality($3::text[])] AS strategy_id,
              (ARRAY['reminder','nudge','letter','call','agency'])[1 + (i * 13) % 5] AS step,
              CASE WHEN b < 55 THEN 'open' WHEN b < 60 THEN 'paused' ELSE 'closed' END AS status,
              CASE WHEN b < 60 THEN NULL WHEN b < 75 THEN 'paid' WHEN b < 80 THEN 'settled' WHEN b < 92 THEN 'referred' ELSE 'timeline_complete' END AS close_reason,
              10000 + (i::bigint * 7919) % 500000 AS original,
              now() - make_interval(days => (i * 17) % 365, secs => i % 86400) AS started_at,
              CASE WHEN i % 3 = 0 THEN 'officer-' || (i % 20) END AS officer,
              30 + (i * 31) % 330 AS days_past_due,
              i % 4 AS partials
         FROM generate_series(1, $1::int) AS i, LATERAL (SELECT (i * 37) % 100 AS b) AS bucket`,
      [count, label, strategies.map((s) => s.id)],
    );
    const statements = [
      `INSERT INTO "Debtor" ("id", "name", "timeZone", "createdAt") SELECT 'rd-' || n, 'Debtor ' || i, 'America/Chicago', started_at FROM seed`,
      `INSERT INTO "Contact" ("id", "debtorId", "channel", "value", "updatedAt") SELECT 'rc-' || n, 'rd-' || n, 'email', 'debtor' || i || '@example.test', started_at FROM seed`,
      `INSERT INTO "Account" ("id", "externalId", "debtorId", "currency", "originalBalance", "balance", "daysPastDue", "createdAt", "updatedAt")
       SELECT 'ra-' || n, 'REP-' || n, 'rd-' || n, 'USD', original,
              CASE WHEN close_reason IN ('paid', 'settled') THEN 0 ELSE original - (original / 10) * partials END,
              days_past_due, started_at, started_at FROM seed`,
      `INSERT INTO "Case" ("id", "accountId", "strategyId", "status", "closeReason", "balance", "currency", "currentStep", "nextActionAt", "nextActionWhy", "officer", "startedAt", "closedAt", "updatedAt", "projectedSeq")
       SELECT 'case-ra-' || n, 'ra-' || n, strategy_id, status, close_reason,
              CASE WHEN close_reason IN ('paid', 'settled') THEN 0 ELSE original - (original / 10) * partials END,
              'USD', step,
              CASE WHEN status = 'open' THEN now() + make_interval(days => i % 30) END,
              CASE WHEN status = 'open' THEN 'next step is due' WHEN status = 'paused' THEN 'paused' END,
              officer, started_at,
              CASE WHEN status = 'closed' THEN LEAST(started_at + make_interval(days => 1 + i % 60), now()) END,
              started_at, 3
         FROM seed`,
      `INSERT INTO "Payment" ("id", "caseId", "reference", "amount", "currency", "receivedAt")
       SELECT 'rp-' || n || '-' || k, 'case-ra-' || n, 'REF-' || n || '-' || k,
              CASE WHEN close_reason = 'paid' THEN original - (original / 10) * partials
                   WHEN close_reason = 'settled' THEN (original - (original / 10) * partials) * 8 / 10
                   ELSE original / 10 END,
              'USD', LEAST(started_at + make_interval(days => 5 * k), now())
         FROM seed, LATERAL generate_series(1, CASE WHEN close_reason IN ('paid', 'settled') THEN 1 ELSE partials END) AS k
        WHERE close_reason IN ('paid', 'settled') OR partials > 0`,
      `INSERT INTO "Communication" ("id", "caseId", "stepId", "channel", "template", "recipient", "subject", "body", "idempotencyKey", "provider", "providerId", "status", "createdAt", "sentAt", "updatedAt")
       SELECT 'rm-' || n || '-' || k, 'case-ra-' || n, (ARRAY['reminder','nudge','letter','reminder'])[k], (ARRAY['email','sms','letter','email'])[k],
              (ARRAY['reminder','nudge','demand','reminder'])[k], 'debtor' || i || '@example.test', NULL, 'bench', 'case-ra-' || n || '/seed/' || k,
              'bench', 'bench-' || n || '-' || k, CASE WHEN (i + k) % 50 = 0 THEN 'failed' ELSE 'sent' END,
              started_at + make_interval(days => 3 * k), started_at + make_interval(days => 3 * k), started_at + make_interval(days => 3 * k)
         FROM seed, LATERAL generate_series(1, 1 + (i % 4)) AS k`,
      `INSERT INTO "Task" ("id", "caseId", "kind", "stepId", "status", "assignee", "idempotencyKey", "createdAt", "completedAt")
       SELECT 'rt-' || n, 'case-ra-' || n, 'call', 'call', CASE WHEN status = 'closed' THEN 'done' ELSE 'open' END, officer,
              'case-ra-' || n || '/seed/call', started_at + make_interval(days => 14),
              CASE WHEN status = 'closed' THEN started_at + make_interval(days => 15) END
         FROM seed WHERE i % 10 = 0`,
      `INSERT INTO "AgencyPlacement" ("id", "caseId", "agency", "balance", "currency", "placedAt")
       SELECT 'rg-' || n, 'case-ra-' || n, 'default', original - (original / 10) * partials, 'USD', started_at + make_interval(days => 60)
         FROM seed WHERE close_reason = 'referred'`,
      `INSERT INTO "AuditEvent" ("caseId", "actor", "action", "at", "data", "idempotencyKey")
       SELECT 'case-ra-' || n, 'integration:bench', 'account_enrolled', started_at, jsonb_build_object('externalId', 'REP-' || n), 'case-ra-' || n || '#seed'
         FROM seed`,
    ];
    for (const statement of statements) await client.query(statement);
    const { rows: rebuilds } = await client.query<{ name: string }>(`SELECT proname AS name FROM pg_proc WHERE proname IN ('liquidation_rebuild', 'aging_rebuild', 'recovery_rebuild', 'funnel_rebuild', 'roll_rate_rebuild')`);
    // Statistics first: the new rows are all this transaction's.
    if (rebuilds.length > 0) await client.query('ANALYZE');
    for (const { name } of rebuilds) await client.query(`SELECT "${name}"()`);
    await client.query('COMMIT');
    await client.query('ANALYZE');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
