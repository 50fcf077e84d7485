import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xlsxMediaType } from '../../api/services/tables.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { eventually } from '../../testing/eventually.js';
import { middayZone } from '../../testing/midday-zone.js';
import { callStrategy, enroll, zoneAtLocalHour } from '../calls/support.js';
import { consumerEarly } from '../support/strategies.js';

/**
 * Every list that downloads as CSV downloads as .xlsx too, with the same columns and values (the
 * one writer in api/services/tables.ts): the six reports, a case's communications export and the
 * dialer's campaign, on the real engine (API, worker, Temporal dev server, PostgreSQL).
 */

let engine: Engine;
let emailed: string;

beforeAll(async () => {
  engine = await startEngine({});
  expect((await engine.call('POST', '/api/v1/strategies', { body: callStrategy('xlsx-calls') })).status).toBe(201);
  const mail = { ...consumerEarly, key: 'xlsx-mail', contact: { validationNotice: { required: false } } };
  expect((await engine.call('POST', '/api/v1/strategies', { body: mail })).status).toBe(201);
  for (const [index, externalId] of ['XD-1', 'XD-2'].entries()) {
    await enroll(engine, { strategy: 'xlsx-calls', externalId, person: `P-${externalId}`, phone: `+1555555017${index}`, timeZone: zoneAtLocalHour(10), team: 'dialers' });
  }
  const mailed = await engine.call('POST', '/api/v1/accounts', {
    body: { externalId: 'XD-MAIL', strategy: 'xlsx-mail', currency: 'USD', balance: 9_900, debtor: { name: 'Mo "Quote", Jr.', email: 'mo@example.com', timeZone: middayZone() } },
  });
  expect(mailed.status, mailed.text).toBe(201);
  emailed = mailed.body.caseId;
});

afterAll(async () => {
  await engine?.stop();
});

/** A CSV's cells as a person reads them: the spreadsheet guard's leading quote taken off. */
function csvRows(text: string): string[][] {
  const rows: string[][] = parse(text, { relax_column_count: true });
  return rows.map((row) => row.map((cell) => cell.replace(/^'(?=[=+\-@\t\r])/, '')));
}

/** A workbook's one sheet as rows of text, as wide as its header. */
async function xlsxRows(data: ArrayBuffer): Promise<{ sheet: string; rows: string[][] }> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(data);
  expect(book.worksheets).toHaveLength(1);
  const sheet = book.worksheets[0] as ExcelJS.Worksheet;
  const width = sheet.getRow(1).cellCount;
  const rows: string[][] = [];
  for (let number = 1; number <= sheet.rowCount; number++) {
    const values = sheet.getRow(number).values as unknown[];
    rows.push(Array.from({ length: width }, (_, index) => {
      const value = values[index + 1];
      if (value === null || value === undefined) return '';
      if (typeof value === 'string') return value;
      return typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
    }));
  }
  return { sheet: sheet.name, rows };
}

/**
 * Downloads `path` as CSV and as .xlsx and expects the same table; answers it with the sheet's name.
 * Columns in `live` hold the time of the request, so they are compared by header only.
 */
async function sameTable(path: string, key = engine.keys.manager, live: string[] = []) {
  const join = path.includes('?') ? '&' : '?';
  const csv = await engine.call('GET', `${path}${join}format=csv`, { key });
  expect(csv.status, csv.text).toBe(200);
  const response = await fetch(`${engine.baseUrl}${path}${join}format=xlsx`, { headers: { authorization: `Bearer ${key}` } });
  expect(response.status, path).toBe(200);
  expect(response.headers.get('content-type')).toBe(xlsxMediaType);
  const csvName = /filename="(.+)\.csv"/.exec(csv.headers.get('content-disposition') ?? '')?.[1];
  expect(response.headers.get('content-disposition')).toBe(`attachment; filename="${csvName}.xlsx"`);
  const workbook = await xlsxRows(await response.arrayBuffer());
  const expected = csvRows(csv.text);
  const skip = live.map((name) => expected[0]?.indexOf(name) ?? -1);
  expect(skip).not.toContain(-1);
  const comparable = (rows: string[][]) => rows.map((row, index) => (index === 0 ? row : row.map((cell, column) => (skip.includes(column) ? '' : cell))));
  expect(comparable(workbook.rows), path).toEqual(comparable(expected));
  return workbook;
}

describe('downloads as .xlsx', () => {
  it('offers every report as a workbook with the CSV’s columns and values', async () => {
    const aging = await sameTable('/api/v1/reports/aging');
    expect(aging.sheet).toBe('Aging');
    expect(aging.rows[0]).toEqual(['currency', 'bucket', 'cases', 'balance', 'principal', 'interest', 'fees']);
    expect(aging.rows.length).toBeGreaterThan(1);
    // Numbers stay numbers in the workbook: a spreadsheet sums them.
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await (await fetch(`${engine.baseUrl}/api/v1/reports/aging?format=xlsx`, { headers: { authorization: `Bearer ${engine.keys.manager}` } })).arrayBuffer());
    expect(typeof book.worksheets[0]?.getRow(2).getCell(3).value).toBe('number');

    for (const path of ['/api/v1/reports/recovery', '/api/v1/reports/recovery?groupBy=strategy,arm', '/api/v1/reports/roll-rates', '/api/v1/reports/liquidation', '/api/v1/reports/funnel', '/api/v1/reports/officers']) {
      await sameTable(path);
    }
    const officer = await sameTable('/api/v1/reports/aging', engine.keys.officer);
    expect(officer.rows[0]).toEqual(aging.rows[0]);
    // JSON stays the default.
    expect((await engine.call('GET', '/api/v1/reports/aging')).body.report).toBe('aging');
    const unknown = await engine.call('GET', '/api/v1/reports/aging?format=ods');
    expect(unknown.status).toBe(400);
  });

  it("offers a case's communications export and the dialer's campaign as workbooks", async () => {
    await eventually(async () => (await engine.db.communication.count({ where: { caseId: emailed } })) > 0, 'the reminder to be recorded', 60_000);
    const communications = await sameTable(`/api/v1/cases/${emailed}/communications/export`);
    expect(communications.sheet).toBe('Communications');
    expect(communications.rows.length).toBeGreaterThan(1);
    expect(communications.rows[1]?.[3]).toBe('mo@example.com');

    // A window that is open now starts at the moment of the request.
    const campaign = await sameTable('/api/v1/dialer/campaign?team=dialers&window=now', engine.keys.officer, ['window_start']);
    expect(campaign.sheet).toBe('Campaign');
    expect(campaign.rows.slice(1).map((row) => row[1]).sort()).toEqual(['XD-1', 'XD-2']);
  });
});
