import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '../../testing/engine.js';
import { testKeys } from '../../testing/api-client.js';
import { eventually } from '../../testing/eventually.js';
import { importFinished } from '../../testing/imports.js';
import { consumerEarly } from '../support/strategies.js';

/**
 * Bulk intake on real parts (PostgreSQL, Temporal dev server, worker, HTTP): good, bad and
 * duplicate rows; importing twice; a changed balance reaching the running case; JSON Lines; a bad
 * header; and a job that survives a restart of the API.
 */

let engine: Engine;

// A first step a month away: the cases start and wait, so the test measures intake, not sends.
const strategy = { ...consumerEarly, key: 'intake', steps: [{ id: 'reminder', at: 'P30D', action: 'email', template: 'reminder' }] };

const header = 'externalId,strategy,currency,balance,daysPastDue,debtorName,email,phone,timeZone,smsConsent,addressLine1,city,postalCode,country,portfolio';
const portfolioFile = [
  header,
  'GOOD-1,intake,USD,125000,10,Ana Ruiz,ana@example.com,+15555550100,America/Chicago,yes,,,,,ACME',
  'GOOD-2,,USD,5000,0,Bo Li,,,Europe/Paris,,,,,,ACME',
  'BAD-1,intake,USD,12.50,0,Cy,cy@,+1,Mars/Olympus,maybe,,,,,ACME',
  'GOOD-1,intake,USD,125000,10,Ana Ruiz,ana@example.com,+15555550100,America/Chicago,yes,,,,,ACME',
  'BAD-2,no-such-strategy,USD,100,0,Di,,,UTC,,,,,,',
  '"=HYPERLINK(""http://x"")",intake,USD,abc,0,Eve,,,UTC,,,,,,',
  '"GOOD-3",intake,EUR,20000,95,"Fay, Jr.",fay@example.com,,Europe/Berlin,no,"1 Hauptstr.",Berlin,10115,de,Globex',
  'SHORT-1,intake,USD',
  '',
].join('\n');

async function upload(body: string, { contentType = 'text/csv', query = '', key = testKeys.manager }: { contentType?: string; query?: string; key?: string } = {}) {
  return engine.call('POST', `/api/v1/accounts/import${query}`, { raw: { contentType, data: body }, key });
}

const finished = (jobId: string) => importFinished(engine, jobId);

async function caseOf(externalId: string) {
  return engine.db.case.findFirstOrThrow({ where: { account: { externalId } }, include: { account: true } });
}

beforeAll(async () => {
  engine = await startEngine({ imports: { batchSize: 4, concurrency: 3, sweepMs: 200, leaseMs: 3_000 } });
  expect((await engine.call('POST', '/api/v1/strategies', { body: strategy })).status).toBe(201);
});

afterAll(async () => {
  await engine?.stop();
});

describe('importing a portfolio file', () => {
  let firstJob: string;

  it('enrolls the good rows and reports each bad one with its line, field and reason', async () => {
    const accepted = await upload(portfolioFile, { query: '?strategy=intake' });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ status: 'queued', format: 'csv', defaultStrategy: 'intake', totalRows: 8 });
    firstJob = accepted.body.jobId;

    const job = await finished(firstJob);
    expect(job).toMatchObject({ status: 'completed', totalRows: 8, processedRows: 8, created: 3, updated: 0, unchanged: 0, rejected: 5, error: null });

    for (const externalId of ['GOOD-1', 'GOOD-2', 'GOOD-3']) expect(await engine.db.case.count({ where: { account: { externalId } } })).toBe(1);
    expect(await engine.db.account.count()).toBe(3);
    const ana = await caseOf('GOOD-1');
    expect(ana.account).toMatchObject({ portfolio: 'ACME', originalBalance: 125_000, daysPastDue: 10, currency: 'USD' });
    const fay = await caseOf('GOOD-3');
    expect(fay.account).toMatchObject({ portfolio: 'Globex', currency: 'EUR', daysPastDue: 95 });
    const contacts = await engine.db.contact.findMany({ where: { debtor: { accounts: { some: { externalId: 'GOOD-1' } } } }, orderBy: { channel: 'asc' } });
    expect(contacts.map(({ channel, consent }) => ({ channel, consent }))).toEqual([
      { channel: 'email', consent: false },
      { channel: 'sms', consent: true },
    ]);
    // The workflows run: each case is projected by its own workflow.
    await eventually(async () => (await engine.db.case.count({ where: { nextActionWhy: { not: null } } })) === 3, 'three running cases');
    const enrolled = await engine.db.auditEvent.findFirstOrThrow({ where: { caseId: ana.id, action: 'account_enrolled' } });
    expect(enrolled.actor).toBe(`import:${firstJob}`);
    // The uploaded file (debtor data) is gone once its rows are in the database.
    expect(existsSync(path.join(engine.dataDir, 'imports', firstJob))).toBe(false);

    const rejected = await engine.call('GET', `/api/v1/imports/${firstJob}/rejected.csv`, { key: testKeys.auditor });
    expect(rejected.status).toBe(200);
    expect(rejected.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = rejected.text.trim().split('\r\n');
    expect(lines[0]).toBe('line,externalId,field,reason');
    const byLine = lines.slice(1).map((line) => line.split(',').slice(0, 3).join(','));
    expect(byLine).toEqual([
      '4,BAD-1,balance',
      '4,BAD-1,smsConsent',
      '5,GOOD-1,externalId',
      '6,BAD-2,strategy',
      `7,"'=HYPERLINK(""http://x"")",balance`,
      '9,SHORT-1,row',
    ]);
    expect(rejected.text).toContain('duplicate of line 2');
    expect(rejected.text).toContain('"no active strategy named ""no-such-strategy"""');
    // A line whose number does not parse stops before the semantic checks; the rest are named.
    const second = await upload([header, 'BAD-3,intake,USD,100,0,Cy,cy@,+1,Mars/Olympus,maybe,,,,,'].join('\n'));
    await finished(second.body.jobId);
    const fields = (await engine.db.importRejection.findMany({ where: { jobId: second.body.jobId } })).map((row) => row.field).sort();
    expect(fields).toEqual(['smsConsent']);
  });

  it('changes nothing when the same file is imported again', async () => {
    const auditBefore = await engine.db.auditEvent.count({ where: { action: 'account_enrolled' } });
    const again = await upload(portfolioFile, { query: '?strategy=intake' });
    expect(again.status).toBe(202);
    const job = await finished(again.body.jobId);
    expect(job).toMatchObject({ status: 'completed', created: 0, updated: 0, unchanged: 3, rejected: 5 });
    expect(await engine.db.account.count()).toBe(3);
    expect(await engine.db.case.count()).toBe(3);
    expect(await engine.db.auditEvent.count({ where: { action: 'account_enrolled' } })).toBe(auditBefore);
    expect((await caseOf('GOOD-1')).account.originalBalance).toBe(125_000);
  });

  it('updates a changed balance and signals the open case, keeping payments collected; a closed case refuses it', async () => {
    const bo = await caseOf('GOOD-2');
    expect((await engine.call('POST', `/api/v1/cases/${bo.id}/payments`, { body: { reference: 'P-1', amount: 1_000 }, key: testKeys.integration })).status).toBe(202);
    await eventually(async () => (await engine.db.case.findUniqueOrThrow({ where: { id: bo.id } })).balance === 4_000, 'the payment projected');
    const fay = await caseOf('GOOD-3');
    await engine.call('POST', `/api/v1/cases/${fay.id}/payments`, { body: { reference: 'P-2', amount: 20_000 }, key: testKeys.integration });
    await eventually(async () => (await engine.db.case.findUniqueOrThrow({ where: { id: fay.id } })).status === 'closed', 'the paid case closed');

    const changed = [
      header,
      'GOOD-1,intake,USD,150000,10,Ana Ruiz,ana@example.com,+15555550100,America/Chicago,yes,,,,,ACME',
      'GOOD-2,intake,USD,6000,0,Bo Li,,,Europe/Paris,,,,,,ACME',
      // The same account but its balance (a row that differs otherwise is a conflict: conflicting-duplicates.test.ts).
      'GOOD-3,intake,EUR,30000,95,"Fay, Jr.",fay@example.com,,Europe/Berlin,no,"1 Hauptstr.",Berlin,10115,de,Globex',
    ].join('\n');
    const job = await finished((await upload(changed)).body.jobId);
    expect(job).toMatchObject({ created: 0, updated: 2, unchanged: 0, rejected: 1 });

    // Ana paid nothing: owes the new placed amount. Bo paid 1,000 of 5,000 and the placement grew by 1,000.
    for (const [externalId, placed, owed] of [['GOOD-1', 150_000, 150_000], ['GOOD-2', 6_000, 5_000]] as const) {
      const row = await caseOf(externalId);
      expect(row.account.originalBalance).toBe(placed);
      const live = await eventually(async () => {
        const { body } = await engine.call('GET', `/api/v1/cases/${row.id}`);
        return body.balance === owed && body;
      }, `${externalId}'s case to owe ${owed}`);
      expect(live.status).toBe('open');
      await eventually(async () => (await engine.db.auditEvent.count({ where: { caseId: row.id, action: 'balance_adjusted' } })) === 1, 'the adjustment in the audit trail');
      expect(await engine.db.auditEvent.count({ where: { caseId: row.id, action: 'placed_balance_changed' } })).toBe(1);
    }
    const closedRow = await engine.db.importRejection.findFirstOrThrow({ where: { jobId: job.jobId } });
    expect(closedRow).toMatchObject({ line: 4, externalId: 'GOOD-3', field: 'balance' });
    expect(closedRow.reason).toMatch(/case is closed \(paid\)/);
    expect((await caseOf('GOOD-3')).account.originalBalance).toBe(20_000);

    // Importing the changed file again is a no-op.
    const repeat = await finished((await upload(changed)).body.jobId);
    expect(repeat).toMatchObject({ created: 0, updated: 0, unchanged: 2, rejected: 1 });
  });

  it('imports JSON Lines, naming problems by field path', async () => {
    const lines = [
      JSON.stringify({ externalId: 'JSON-1', strategy: 'intake', currency: 'USD', balance: 700, debtor: { name: 'Gil', timeZone: 'UTC' }, portfolio: 'ACME' }),
      '{"externalId": "JSON-2", ',
      '',
      JSON.stringify({ externalId: 'JSON-3', strategy: 'intake', currency: 'USD', balance: 700, debtor: { name: 'Hal', timeZone: 'UTC', email: 'hal' } }),
    ].join('\n');
    const accepted = await upload(lines, { contentType: 'application/x-ndjson' });
    expect(accepted.status).toBe(202);
    const job = await finished(accepted.body.jobId);
    expect(job).toMatchObject({ format: 'jsonl', created: 1, rejected: 2, totalRows: 3 });
    const rejections = await engine.db.importRejection.findMany({ where: { jobId: job.jobId }, orderBy: { line: 'asc' } });
    expect(rejections.map(({ line, field }) => ({ line, field }))).toEqual([
      { line: 2, field: 'row' },
      { line: 4, field: 'debtor.email' },
    ]);
  });

  it('refuses a file with a bad header, an unknown default strategy, and callers without the role', async () => {
    const badHeader = await upload('externalId,balence,currency,debtorName,timeZone,strategy\nX,1,USD,A,UTC,intake\n');
    expect(badHeader.status).toBe(400);
    expect(badHeader.body.error.code).toBe('invalid_header');
    expect(badHeader.body.error.fields.map((field: { path: string }) => field.path)).toEqual(['body.balence', 'body.balance']);
    const jobId = /import ([0-9a-f-]{36})/.exec(badHeader.body.error.message)?.[1];
    expect((await engine.call('GET', `/api/v1/imports/${jobId}`)).body).toMatchObject({ status: 'failed' });

    const unknown = await upload(portfolioFile, { query: '?strategy=nope' });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.fields[0].path).toBe('querystring.strategy');
    expect((await upload(portfolioFile, { key: testKeys.officer })).status).toBe(403);
    expect((await upload('', {})).status).toBe(400);
    expect((await engine.call('POST', '/api/v1/accounts/import', { body: { externalId: 'X' } })).status).toBe(400);
    expect((await engine.call('GET', '/api/v1/imports/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('runs from the command line: uploads, follows the job and saves the rejected rows', async () => {
    const file = path.join(engine.dataDir, 'cli-accounts.csv');
    await writeFile(file, [header, 'CLI-1,,USD,900,0,Ivy,,,UTC,,,,,,CLI', 'CLI-2,,USD,-5,0,Jon,,,UTC,,,,,,CLI'].join('\n'));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/import.ts', file, '--strategy', 'intake'], {
      env: { ...process.env, API_URL: engine.baseUrl, API_KEY: testKeys.integration },
    });
    expect(stdout).toMatch(/completed: 1 created, 0 updated, 0 unchanged, 1 rejected/);
    expect(stdout).toContain('100% 2/2 rows');
    const rejected = await readFile(path.join(engine.dataDir, 'cli-accounts.rejected.csv'), 'utf8');
    expect(rejected.split('\r\n')[1]).toMatch(/^3,CLI-2,balance,/);
    expect(await engine.db.account.count({ where: { portfolio: 'CLI' } })).toBe(1);
  });

  it('survives a restart of the API in the middle of a job without losing or duplicating rows', async () => {
    await engine.restartApi({ batchSize: 10, concurrency: 2 });
    const rows = Array.from({ length: 120 }, (_, index) => `R-${index},intake,USD,${1_000 + index},0,Debtor ${index},,,UTC,,,,,,Restart`);
    const accepted = await upload([header, ...rows].join('\n'), { contentType: 'text/csv; charset=utf-8' });
    expect(accepted.status).toBe(202);
    const jobId = accepted.body.jobId as string;
    await eventually(async () => (await engine.call('GET', `/api/v1/imports/${jobId}`)).body.processedRows >= 20, 'the job under way', 60_000, 20);
    await engine.restartApi({ batchSize: 10, concurrency: 4 });
    const midway = (await engine.call('GET', `/api/v1/imports/${jobId}`)).body;
    expect(midway.processedRows).toBeLessThan(120);

    const job = await finished(jobId);
    expect(job).toMatchObject({ status: 'completed', created: 120, unchanged: 0, rejected: 0, processedRows: 120 });
    expect(await engine.db.account.count({ where: { portfolio: 'Restart' } })).toBe(120);
    expect(await engine.db.case.count({ where: { account: { portfolio: 'Restart' } } })).toBe(120);
    expect(await engine.db.auditEvent.count({ where: { action: 'account_enrolled', actor: `import:${jobId}` } })).toBe(120);
  }, 240_000);
});
