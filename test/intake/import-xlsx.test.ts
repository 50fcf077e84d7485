import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xlsxMediaType } from '../../api/services/tables.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { eventually } from '../../testing/eventually.js';
import { importFinished } from '../../testing/imports.js';
import { consumerEarly } from '../support/strategies.js';

/**
 * Bulk intake of an .xlsx workbook on real parts (PostgreSQL, Temporal dev server, worker, HTTP),
 * the workbook built by exceljs's in-memory writer (shared strings, as a spreadsheet program
 * saves): typed cells (numbers, yes/no, dates, formulas, rich text) read as a CSV's text, every
 * visible sheet with its own header, bad rows named by sheet, line and cell, the same
 * idempotency and progress as CSV, and unreadable workbooks refused with a 4xx.
 */

let engine: Engine;

// A first step a month away: the cases start and wait, so the test measures intake, not sends.
const strategy = { ...consumerEarly, key: 'intake-xlsx', steps: [{ id: 'reminder', at: 'P30D', action: 'email', template: 'reminder' }] };

async function xlsx(build: (workbook: ExcelJS.Workbook) => void): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  build(workbook);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/**
 * Sheet "Accounts": rows 2 to 7 (row 4 empty); a hidden sheet; sheet "More" with its own column
 * order, whose lines count on from Accounts' last row (7): its row 3 is line 10.
 */
const portfolio = () =>
  xlsx((workbook) => {
    const accounts = workbook.addWorksheet('Accounts');
    accounts.addRow(['externalId', 'strategy', 'currency', 'balance', 'debtorName', 'timeZone', 'smsConsent', 'phone', 'birthDate', 'portfolio']);
    accounts.addRow(['XL-1', 'intake-xlsx', 'USD', 125000, 'Ana Ruiz', 'America/Chicago', true, '+15555550100', new Date(Date.UTC(1980, 1, 3)), 'ACME']);
    accounts.addRow(['XL-2', 'intake-xlsx', 'USD', 12.5, 'Bo Li', 'UTC']);
    accounts.addRow([]);
    accounts.addRow(['XL-3', 'intake-xlsx', 'EUR', { formula: '1000*2', result: 2000 }, { richText: [{ text: 'Cy ' }, { font: { bold: true }, text: 'Zed' }] }, 'Europe/Paris', false]);
    accounts.addRow(['XL-4', 'intake-xlsx', 'USD', { error: '#N/A' }, 'Di', 'UTC']);
    accounts.addRow(['XL-1', 'intake-xlsx', 'USD', 125000, 'Ana Ruiz', 'America/Chicago']);
    const notes = workbook.addWorksheet('Lookup', { state: 'hidden' });
    notes.addRow(['not', 'an', 'account']);
    const more = workbook.addWorksheet('More');
    more.addRow(['debtorName', 'timeZone', 'externalId', 'currency', 'balance']);
    more.addRow(['Eve', 'UTC', 'XL-5', 'USD', 700]);
    more.addRow(['Fay', 'Mars/Olympus', 'XL-6', 'USD', 800]);
  });

const upload = (data: Uint8Array | string, query = '?strategy=intake-xlsx') => engine.call('POST', `/api/v1/accounts/import${query}`, { raw: { contentType: xlsxMediaType, data } });

beforeAll(async () => {
  engine = await startEngine({ imports: { batchSize: 4, concurrency: 3, sweepMs: 200, leaseMs: 3_000 } });
  expect((await engine.call('POST', '/api/v1/strategies', { body: strategy })).status).toBe(201);
});

afterAll(async () => {
  await engine?.stop();
});

describe('importing an .xlsx workbook', () => {
  let firstJob: string;

  it('enrolls the good rows of every visible sheet and names each bad one by sheet, line and cell', async () => {
    const accepted = await upload(await portfolio());
    expect(accepted.status, accepted.text).toBe(202);
    // Progress as for CSV: the rows to import are known once the upload is stored (headers excluded).
    expect(accepted.body).toMatchObject({ status: 'queued', format: 'xlsx', totalRows: 7, processedRows: 0 });
    firstJob = accepted.body.jobId;

    const job = await importFinished(engine, firstJob);
    expect(job).toMatchObject({ status: 'completed', totalRows: 7, processedRows: 7, created: 3, updated: 0, unchanged: 0, rejected: 4, error: null });

    const ana = await engine.db.account.findFirstOrThrow({ where: { externalId: 'XL-1' }, include: { debtor: true } });
    expect(ana).toMatchObject({ originalBalance: 125_000, currency: 'USD', portfolio: 'ACME' });
    expect(ana.debtor).toMatchObject({ name: 'Ana Ruiz', timeZone: 'America/Chicago' });
    const smsConsent = await engine.db.contact.findFirst({ where: { debtorId: ana.debtorId, channel: 'sms' } });
    expect(smsConsent).toMatchObject({ consent: true });
    // A formula's saved result and rich text's words are what the cells say.
    const cy = await engine.db.account.findFirstOrThrow({ where: { externalId: 'XL-3' }, include: { debtor: true } });
    expect(cy).toMatchObject({ originalBalance: 2000, currency: 'EUR' });
    expect(cy.debtor.name).toBe('Cy Zed');
    expect(await engine.db.account.count({ where: { externalId: 'XL-5' } })).toBe(1);
    expect(await engine.db.case.count({ where: { account: { externalId: { in: ['XL-1', 'XL-3', 'XL-5'] } } } })).toBe(3);

    const csv = await engine.call('GET', `/api/v1/imports/${firstJob}/rejected.csv`);
    expect(csv.status).toBe(200);
    const rejected = parse<Record<string, string>>(csv.text, { columns: true });
    expect(rejected.map(({ line, externalId, field }) => [line, externalId, field])).toEqual([
      ['3', 'XL-2', 'balance'],
      ['6', 'XL-4', 'balance'],
      ['7', 'XL-1', 'externalId'],
      ['10', 'XL-6', 'timeZone'],
    ]);
    expect(rejected[0]?.reason).toMatch(/^sheet "Accounts", cell D3: must be a whole number/);
    expect(rejected[1]?.reason).toBe('sheet "Accounts", cell D6: the cell holds the error #N/A');
    expect(rejected[2]?.reason).toMatch(/duplicate of line 2/);
    expect(rejected[3]?.reason).toMatch(/^sheet "More", cell B3: /);

    // The same rejections as a workbook: one sheet, the CSV's columns, line as a number.
    const download = await fetch(`${engine.baseUrl}/api/v1/imports/${firstJob}/rejected.xlsx`, { headers: { authorization: `Bearer ${engine.keys.auditor}` } });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe(xlsxMediaType);
    expect(download.headers.get('content-disposition')).toBe(`attachment; filename="import-${firstJob}-rejected.xlsx"`);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await download.arrayBuffer());
    const sheet = book.worksheets[0];
    const rows: unknown[][] = [];
    sheet?.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    expect(rows[0]).toEqual(['line', 'externalId', 'field', 'reason']);
    expect(rows.slice(1)).toEqual(rejected.map(({ line, externalId, field, reason }) => [Number(line), externalId, field, reason]));
  });

  it('changes nothing when the same workbook is imported again', async () => {
    const accepted = await upload(await portfolio());
    expect(accepted.status).toBe(202);
    const job = await importFinished(engine, accepted.body.jobId);
    expect(job).toMatchObject({ status: 'completed', processedRows: 7, created: 0, updated: 0, unchanged: 3, rejected: 4 });
    expect(await engine.db.case.count({ where: { account: { externalId: { startsWith: 'XL-' } } } })).toBe(3);
  });

  it('reads a workbook that stores its shared strings after its sheets (as Excel saves), leaving nothing in the temp folder', async () => {
    // exceljs's streaming writer puts sharedStrings.xml after the sheets, so its reader extracts each sheet to a temp file first.
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (chunk: Buffer) => chunks.push(chunk));
    const writer = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: true });
    const sheet = writer.addWorksheet('Accounts');
    sheet.addRow(['externalId', 'currency', 'balance', 'debtorName', 'timeZone']).commit();
    for (const index of [1, 2, 3]) sheet.addRow([`XS-${index}`, 'USD', 7_391_110 + index, `Streamed ${index}`, 'UTC']).commit();
    sheet.commit();
    await writer.commit();

    const accepted = await upload(Buffer.concat(chunks));
    expect(accepted.status, accepted.text).toBe(202);
    expect(accepted.body.totalRows).toBe(3);
    expect(await importFinished(engine, accepted.body.jobId)).toMatchObject({ status: 'completed', created: 3, rejected: 0 });
    expect((await engine.db.account.findFirstOrThrow({ where: { externalId: 'XS-3' }, include: { debtor: true } })).debtor.name).toBe('Streamed 3');

    // The header check stops after the first row and the runner reads to the end: neither leaves a sheet behind (removal is asynchronous).
    const leftovers = async () => {
      const names = (await readdir(os.tmpdir())).filter((name) => name.startsWith('tmp-'));
      const contents = await Promise.all(names.map((name) => readFile(path.join(os.tmpdir(), name), 'utf8').catch(() => '')));
      // The sheet's XML holds numbers and indexes into the shared strings: look for a balance.
      return contents.filter((text) => text.includes('<v>7391111</v>')).length;
    };
    await eventually(async () => (await leftovers()) === 0, 'no extracted sheet left in the temp folder', 5_000);
  });

  it('refuses an unreadable workbook, a cut-short one and a bad header with a 4xx naming the field, importing nothing', async () => {
    const before = await engine.db.account.count();

    const text = await upload('externalId,balance\nXL-9,100\n');
    expect(text.status).toBe(400);
    expect(text.body.error.code).toBe('unreadable_file');
    expect(text.body.error.message).toMatch(/not a readable \.xlsx workbook/);
    expect(text.body.error.fields).toEqual([{ path: 'body.file', message: expect.stringMatching(/not a readable \.xlsx workbook/) }]);

    const whole = await portfolio();
    const cut = await upload(whole.subarray(0, Math.floor(whole.length / 2)));
    expect(cut.status).toBe(400);
    expect(cut.body.error.code).toBe('unreadable_file');

    const badHeader = await upload(
      await xlsx((workbook) => {
        workbook.addWorksheet('Accounts').addRow(['externalId', 'currency', 'balanse', 'debtorName', 'timeZone']);
        workbook.getWorksheet('Accounts')?.addRow(['XL-9', 'USD', 100, 'Gil', 'UTC']);
      }),
    );
    expect(badHeader.status).toBe(400);
    expect(badHeader.body.error.code).toBe('invalid_header');
    expect(badHeader.body.error.message).toMatch(/sheet "Accounts"/);
    expect(badHeader.body.error.fields.map((field: { path: string }) => field.path)).toEqual(expect.arrayContaining(['body.balanse', 'body.balance']));

    const empty = await upload(await xlsx((workbook) => workbook.addWorksheet('Nothing')));
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe('empty_file');

    expect(await engine.db.account.count()).toBe(before);
    const failed = await engine.db.importJob.findMany({ where: { format: 'xlsx', status: 'failed' } });
    expect(failed).toHaveLength(4);
  });
});
