import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '../../testing/engine.js';
import { eventually } from '../../testing/eventually.js';
import { importFile } from '../../testing/imports.js';
import { consumerEarly } from '../support/strategies.js';

/**
 * A 10,000-row file through the real API and Temporal dev server with the default throttle (16
 * rows in flight, batches of 200): every good row ends with exactly one case and one workflow,
 * every bad row is reported. No worker runs here: this measures intake (the workflows' own work is
 * covered by the other tests). The wall time is printed, not asserted.
 */

let engine: Engine;
const rows = 10_000;
const isBad = (index: number) => index % 100 === 99;

beforeAll(async () => {
  engine = await startEngine({ worker: 'none' });
  const strategy = { ...consumerEarly, key: 'bulk', steps: [{ id: 'reminder', at: 'P30D', action: 'email', template: 'reminder' }] };
  expect((await engine.call('POST', '/api/v1/strategies', { body: strategy })).status).toBe(201);
});

afterAll(async () => {
  await engine?.stop();
});

describe('a 10,000-row import', () => {
  it('gives every good row exactly one case', async () => {
    const lines = ['externalId,strategy,currency,balance,daysPastDue,debtorName,email,timeZone,portfolio'];
    for (let index = 0; index < rows; index++) {
      lines.push(`BULK-${index},bulk,USD,${isBad(index) ? 'not-a-number' : 10_000 + index},${index % 200},Debtor ${index},d${index}@example.com,America/New_York,P${index % 7}`);
    }
    const started = Date.now();
    const job = await importFile(engine, lines.join('\n'), 'text/csv', { timeoutMs: 9 * 60_000, everyMs: 500 });
    const seconds = (Date.now() - started) / 1000;
    console.log(`10,000-row import: ${seconds.toFixed(1)} s (${Math.round(rows / seconds)} rows/s)`);

    const good = rows - rows / 100;
    expect(job).toMatchObject({ status: 'completed', totalRows: rows, processedRows: rows, created: good, rejected: rows / 100, updated: 0, unchanged: 0 });
    const [counts] = await engine.db.$queryRaw<{ accounts: bigint; cases: bigint; distinctAccounts: bigint; bad: bigint }[]>`
      SELECT COUNT(DISTINCT a.id)::bigint AS accounts, COUNT(c.id)::bigint AS cases, COUNT(DISTINCT c."accountId")::bigint AS "distinctAccounts",
             COUNT(*) FILTER (WHERE (substring(a."externalId" from 6))::int % 100 = 99)::bigint AS bad
      FROM "Account" a LEFT JOIN "Case" c ON c."accountId" = a.id
      WHERE a."externalId" LIKE 'BULK-%'`;
    expect(counts).toEqual({ accounts: BigInt(good), cases: BigInt(good), distinctAccounts: BigInt(good), bad: 0n });
    const rejected = await engine.db.importRejection.findMany({ where: { jobId: job.jobId }, select: { line: true, field: true }, orderBy: { line: 'asc' } });
    expect(rejected).toHaveLength(rows / 100);
    expect(rejected.every((row, index) => row.field === 'balance' && row.line === (index + 1) * 100 + 1)).toBe(true);
    // One workflow per case, each started once (a start of an existing id would have failed).
    await eventually(async () => (await engine.temporal.workflow.count('WorkflowType = "caseWorkflow"')).count === good, 'a workflow per case', 120_000, 1_000);
  }, 10 * 60_000);
});
