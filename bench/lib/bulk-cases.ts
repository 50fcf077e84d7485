import { randomUUID } from 'node:crypto';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { caseWorkflow } from '../../workflows/case.js';
import { caseWorkflowId, taskQueue, type CaseInput, type CaseStrategy } from '../../workflows/case-messages.js';
import { progress } from './log.js';
import { eventually } from '../../testing/eventually.js';
import { runPool } from './pool.js';
import { since } from './stats.js';
import type { BenchStack } from './stack.js';

/**
 * Opens many cases fast: the projection rows enrollment would write (debtor, contacts, account,
 * case, audit event) are inserted in bulk with SQL, then each case's workflow is started directly
 * with the Temporal client, with the same input api/services/enrollment.ts builds. Enrollment
 * through the API is measured on its own in scenario 1; here it would only make setup slow.
 */

export interface BulkCase {
  caseId: string;
  accountId: string;
  balance: number;
}

export interface BulkOptions {
  strategy: CaseStrategy;
  count: number;
  /** The instant every case's timeline counts from. */
  startedAt: Date;
  timeZone: string;
  /** Distinguishes this batch's external ids from other batches. */
  label: string;
  /** Concurrent `workflow.start` calls. */
  concurrency: number;
  balance?: number;
}

const chunkSize = 5_000;

export async function insertProjectionRows(stack: BenchStack, options: Omit<BulkOptions, 'concurrency'>): Promise<{ cases: BulkCase[]; inputs: CaseInput[] }> {
  const { strategy, count, startedAt, timeZone, label, balance = 125_000 } = options;
  const cases: BulkCase[] = [];
  const inputs: CaseInput[] = [];
  for (let from = 0; from < count; from += chunkSize) {
    const rows = Array.from({ length: Math.min(chunkSize, count - from) }, (_, offset) => {
      const index = from + offset;
      const accountId = randomUUID();
      return {
        index,
        accountId,
        caseId: caseWorkflowId(accountId),
        debtorId: randomUUID(),
        externalId: `BENCH-${label}-${index}`,
        name: `Debtor ${index}`,
        email: `debtor${index}@example.test`,
        phone: `+1555${String(index % 10_000_000).padStart(7, '0')}`,
      };
    });
    const column = <K extends keyof (typeof rows)[number]>(key: K) => rows.map((row) => row[key]);
    const client = await stack.sql.connect();
    try {
      await client.query('BEGIN');
      // Prisma keeps instants as UTC in timestamp columns.
      await client.query(`SET LOCAL TIME ZONE 'UTC'`);
      await client.query(
        `INSERT INTO "Debtor" ("id", "name", "timeZone") SELECT id, name, $3 FROM unnest($1::text[], $2::text[]) AS t(id, name)`,
        [column('debtorId'), column('name'), timeZone],
      );
      await client.query(
        `INSERT INTO "Contact" ("id", "debtorId", "channel", "value", "consent", "consentAt", "consentSource", "updatedAt")
         SELECT gen_random_uuid()::text, d, 'email', e, false, NULL::timestamp(3), NULL::text, now() FROM unnest($1::text[], $2::text[]) AS t(d, e)
         UNION ALL
         SELECT gen_random_uuid()::text, d, 'sms', p, true, $4::timestamptz, 'enrollment', now() FROM unnest($1::text[], $3::text[]) AS t(d, p)`,
        [column('debtorId'), column('email'), column('phone'), startedAt],
      );
      await client.query(
        `INSERT INTO "Account" ("id", "externalId", "debtorId", "currency", "originalBalance", "balance", "daysPastDue", "updatedAt")
         SELECT a, x, d, 'USD', $4, $4, 30, now() FROM unnest($1::text[], $2::text[], $3::text[]) AS t(a, x, d)`,
        [column('accountId'), column('externalId'), column('debtorId'), balance],
      );
      await client.query(
        `INSERT INTO "Case" ("id", "accountId", "strategyId", "balance", "currency", "startedAt", "updatedAt")
         SELECT c, a, $3, $4, 'USD', $5::timestamptz, now() FROM unnest($1::text[], $2::text[]) AS t(c, a)`,
        [column('caseId'), column('accountId'), strategy.id, balance, startedAt],
      );
      await client.query(
        `INSERT INTO "AuditEvent" ("caseId", "actor", "action", "data")
         SELECT c, 'integration:bench', 'account_enrolled', jsonb_build_object('externalId', x, 'strategy', $3::text, 'version', $4::int)
           FROM unnest($1::text[], $2::text[]) AS t(c, x)`,
        [column('caseId'), column('externalId'), strategy.key, strategy.version],
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
    for (const row of rows) {
      cases.push({ caseId: row.caseId, accountId: row.accountId, balance });
      inputs.push({
        caseId: row.caseId,
        startedAt: startedAt.toISOString(),
        account: {
          accountId: row.accountId,
          externalId: row.externalId,
          currency: 'USD',
          balance,
          daysPastDue: 30,
          debtor: { name: row.name, timeZone },
          contacts: {
            email: { address: row.email, valid: true, optedOut: false, consent: false },
            sms: { address: row.phone, valid: true, optedOut: false, consent: true },
          },
        },
        strategy,
      });
    }
  }
  return { cases, inputs };
}

/** Starts each input's workflow the way enrollment does; `onStarted` sees each one as it is accepted. */
export async function startCaseWorkflows(stack: BenchStack, inputs: CaseInput[], concurrency: number): Promise<void> {
  let lastReport = performance.now();
  await runPool(inputs.length, concurrency, async (index) => {
    if (performance.now() - lastReport > 10_000) {
      lastReport = performance.now();
      progress(`started ${index}/${inputs.length} workflows`);
    }
    const input = inputs[index]!;
    await stack.temporal.workflow.start(caseWorkflow, {
      taskQueue,
      workflowId: input.caseId,
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
  });
}

/** Cases of the strategy whose workflow has written its first projection (it is asleep or further). */
export async function projectedCount(stack: BenchStack, strategyId: string): Promise<number> {
  const { rows } = await stack.sql.query<{ n: string }>(`SELECT count(*) AS n FROM "Case" WHERE "strategyId" = $1 AND "projectedSeq" >= 1`, [strategyId]);
  return Number(rows[0]?.n ?? 0);
}

export interface OpenedCases {
  cases: BulkCase[];
  insertMs: number;
  startMs: number;
  /** From the first start until every case had written its first projection. */
  settledMs: number;
}

/** Inserts, starts and waits until every case has projected its first state. */
export async function openCasesInBulk(stack: BenchStack, options: BulkOptions, { timeoutMs = 30 * 60_000 } = {}): Promise<OpenedCases> {
  const insertStart = performance.now();
  const { cases, inputs } = await insertProjectionRows(stack, options);
  const insertMs = since(insertStart);
  progress(`${options.label}: ${options.count} cases inserted in ${Math.round(insertMs)} ms; starting workflows`);
  const before = await projectedCount(stack, options.strategy.id);
  const start = performance.now();
  await startCaseWorkflows(stack, inputs, options.concurrency);
  const startMs = since(start);
  progress(`${options.label}: ${options.count} workflows started in ${Math.round(startMs)} ms; waiting for them to settle`);
  let lastReport = performance.now();
  await eventually(async () => {
    const projected = (await projectedCount(stack, options.strategy.id)) - before;
    if (performance.now() - lastReport > 10_000) {
      lastReport = performance.now();
      progress(`${options.label}: ${projected}/${options.count} settled`);
    }
    return projected >= options.count;
  }, `${options.count} cases to project their first state`, timeoutMs, 200);
  return { cases, insertMs, startMs, settledMs: since(start) };
}
