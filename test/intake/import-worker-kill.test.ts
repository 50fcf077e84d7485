import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '../../testing/engine.js';
import { eventually } from '../../testing/eventually.js';
import { importFile, importFinished } from '../../testing/imports.js';
import { importWorkflowId } from '../../workflows/import-messages.js';
import { consumerEarly } from '../support/strategies.js';

/**
 * An import survives its worker's death: the import workflow runs in a child worker process
 * (as `npm run worker` does), which is killed -9 in the middle of the file. Temporal notices the
 * slice's silence, retries it on a new worker from the committed cursor, and every line of the
 * file ends counted once: new accounts created once, known ones unchanged or updated once, bad
 * and duplicate lines rejected once, and the counts exact.
 */

let engine: Engine;

const header = 'externalId,strategy,currency,balance,daysPastDue,debtorName,email,timeZone,portfolio';
const rows = 300;
const isBad = (index: number) => index % 50 === 49;
/** Accounts imported beforehand: the first ten again as they were, the next ten with a new placed balance. */
const known = 20;
const row = (externalId: string, balance: number | string) => `${externalId},killwf,USD,${balance},0,Debtor ${externalId},,America/New_York,KILL`;

beforeAll(async () => {
  engine = await startEngine({ worker: 'child', imports: { batchSize: 25, concurrency: 6 } });
  const strategy = { ...consumerEarly, key: 'killwf', steps: [{ id: 'reminder', at: 'P30D', action: 'email', template: 'reminder' }] };
  expect((await engine.call('POST', '/api/v1/strategies', { body: strategy })).status).toBe(201);
}, 120_000);

afterAll(async () => {
  await engine?.stop();
});

describe('an import whose worker is killed mid-file', () => {
  it('resumes on a new worker and counts every line exactly once', async () => {
    const first = await importFile(engine, [header, ...Array.from({ length: known }, (_, index) => row(`KNOWN-${index}`, 5_000))].join('\n'), 'text/csv');
    expect(first).toMatchObject({ status: 'completed', created: known });

    // Known accounts spread through the file, so some may fall in the batch the kill interrupts.
    const lines = [header];
    const badLines: number[] = [];
    for (let index = 0; index < rows; index++) {
      if (isBad(index)) badLines.push(lines.length + 1);
      lines.push(row(`KILL-${index}`, isBad(index) ? 'not-a-number' : 10_000 + index));
      if (index % 15 === 10 && index / 15 < known) {
        const k = Math.floor(index / 15);
        lines.push(row(`KNOWN-${k}`, k < 10 ? 5_000 : 7_500));
      }
    }
    const duplicateLine = lines.length + 1;
    lines.push(row('KILL-0', 10_000));
    const total = lines.length - 1;
    const newAccounts = rows - badLines.length;

    const accepted = await engine.call('POST', '/api/v1/accounts/import', { raw: { contentType: 'text/csv', data: lines.join('\n') } });
    expect(accepted.status).toBe(202);
    const jobId = accepted.body.jobId as string;
    await eventually(async () => (await engine.call('GET', `/api/v1/imports/${jobId}`)).body.processedRows >= 100, 'the job under way', 60_000, 20);
    await engine.killChildWorkers('SIGKILL');
    const killedAt = Date.now();
    const atKill = (await engine.call('GET', `/api/v1/imports/${jobId}`)).body;
    expect(atKill.status).toBe('running');
    expect(atKill.processedRows).toBeLessThan(total);

    await engine.startChildWorker().ready;
    const job = await importFinished(engine, jobId, { timeoutMs: 120_000, everyMs: 250 });
    console.log(`import finished ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill (${atKill.processedRows} of ${total} lines committed then)`);
    expect(job).toMatchObject({
      status: 'completed',
      totalRows: total,
      processedRows: total,
      created: newAccounts,
      updated: 10,
      unchanged: 10,
      rejected: badLines.length + 1,
      error: null,
    });

    // Each new account once, enrolled once by this job; each known one changed at most once.
    const accounts = await engine.db.account.findMany({ where: { portfolio: 'KILL' }, select: { externalId: true, originalBalance: true, _count: { select: { cases: true } } } });
    expect(accounts).toHaveLength(newAccounts + known);
    expect(accounts.every((account) => account._count.cases === 1)).toBe(true);
    expect(await engine.db.auditEvent.count({ where: { action: 'account_enrolled', actor: `import:${jobId}` } })).toBe(newAccounts);
    expect(await engine.db.auditEvent.count({ where: { action: 'placed_balance_changed', actor: `import:${jobId}` } })).toBe(10);
    const placed = new Map(accounts.map((account) => [account.externalId, account.originalBalance]));
    for (let k = 0; k < known; k++) expect(placed.get(`KNOWN-${k}`)).toBe(k < 10 ? 5_000 : 7_500);

    // Every refused line once, in the rejected-rows CSV as in the table.
    const rejections = await engine.db.importRejection.findMany({ where: { jobId }, orderBy: { line: 'asc' }, select: { line: true, field: true } });
    expect(rejections).toEqual([...badLines.map((line) => ({ line, field: 'balance' })), { line: duplicateLine, field: 'externalId' }]);
    const csv = await engine.call('GET', `/api/v1/imports/${jobId}/rejected.csv`);
    expect(csv.text.trim().split('\r\n')).toHaveLength(rejections.length + 1);

    // One case workflow per account, each started once.
    await eventually(async () => (await engine.temporal.workflow.count('WorkflowType = "caseWorkflow"')).count === newAccounts + known, 'a workflow per case', 60_000, 500);

    // The kill interrupted a slice, and Temporal ran it again: an attempt after the first.
    const history = await engine.temporal.workflow.getHandle(importWorkflowId(jobId)).fetchHistory();
    const attempts = (history.events ?? []).flatMap((event) => (event.activityTaskStartedEventAttributes ? [event.activityTaskStartedEventAttributes.attempt ?? 1] : []));
    expect(Math.max(...attempts)).toBeGreaterThan(1);
  }, 240_000);

  it("takes over, once its lease lapses, a job the previous release's runner left unfinished", async () => {
    // As that runner left it: claimed by an API that is gone, its lease running a few seconds more.
    const leaseExpiresAt = new Date(Date.now() + 3_000);
    const job = await engine.db.importJob.create({
      data: { format: 'csv', createdBy: 'test', status: 'running', totalRows: 3, startedAt: new Date(), leaseOwner: 'an-old-api', leaseExpiresAt },
    });
    const folder = path.join(engine.dataDir, 'imports', job.id);
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, 'source.csv'), [header, row('OLD-1', 100), row('OLD-2', 'x'), row('OLD-3', 300)].join('\n'));

    await engine.restartApi();
    const report = await importFinished(engine, job.id, { timeoutMs: 60_000, everyMs: 250 });
    expect(report).toMatchObject({ status: 'completed', processedRows: 3, created: 2, rejected: 1 });
    expect(new Date(report.finishedAt as string).getTime()).toBeGreaterThanOrEqual(leaseExpiresAt.getTime());
    expect(await engine.db.account.count({ where: { externalId: { in: ['OLD-1', 'OLD-3'] } } })).toBe(2);
  }, 90_000);
});
