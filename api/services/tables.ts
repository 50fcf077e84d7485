import { PassThrough, type Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { csvLine, toCsv } from './csv.js';

/**
 * A downloadable table (a report, an export, an import's rejections): a header and its rows, written
 * as CSV or as an .xlsx workbook by the one writer here, so every download offers both with the
 * same columns. The workbook is written by exceljs's streaming writer: rows go out as they come,
 * never held whole.
 */

export const DownloadFormat = { csv: 'csv', xlsx: 'xlsx' } as const;
export type DownloadFormat = (typeof DownloadFormat)[keyof typeof DownloadFormat];

export const xlsxMediaType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export type TableRows = Iterable<readonly unknown[]> | AsyncIterable<readonly unknown[]>;

export interface Table {
  /** The worksheet's name (cut to Excel's 31 characters, without the characters Excel refuses). */
  sheet: string;
  header: readonly string[];
  rows: TableRows;
}

/** A table already in memory (a report): it can be written as CSV too. */
export interface SyncTable extends Table {
  rows: readonly (readonly unknown[])[];
}

export function table(sheet: string, header: readonly string[], rows: readonly (readonly unknown[])[]): SyncTable {
  return { sheet, header, rows };
}

/** A table in memory as CSV (csv.ts: quoting and the formula guard). */
export function tableCsv({ header, rows }: SyncTable): string {
  return toCsv(header, rows);
}

/** Any table as CSV lines, streamed: its rows are read as the lines are sent. */
export async function* csvLines({ header, rows }: Table): AsyncGenerator<string> {
  yield csvLine(header);
  for await (const row of rows) yield csvLine(row);
}

/** Excel refuses sheet names over 31 characters or with any of : \ / ? * [ ]. */
export function sheetName(name: string): string {
  return name.replace(/[:\\/?*[\]]/g, ' ').trim().slice(0, 31) || 'Sheet1';
}

/**
 * A cell as the workbook holds it: numbers, booleans and dates typed, everything else text. Text
 * is stored as a string cell, never a formula, so the CSV formula guard is not needed here.
 */
export function xlsxCell(value: unknown): ExcelJS.CellValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string' || value instanceof Date) return value;
  if (typeof value === 'bigint') return Number(value);
  return JSON.stringify(value) ?? null;
}

async function writeWorkbook(table: Table, out: PassThrough): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(sheetName(table.sheet), { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = table.header.map((name) => ({ header: name, key: name, width: Math.min(40, Math.max(10, name.length + 2)) }));
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).commit();
  for await (const row of table.rows) sheet.addRow(row.map(xlsxCell)).commit();
  sheet.commit();
  await workbook.commit();
}

/** The table as an .xlsx workbook, streamed: a failure while reading rows ends the stream with it. */
export function xlsxStream(table: Table): Readable {
  const out = new PassThrough();
  writeWorkbook(table, out).catch((error: unknown) => out.destroy(error instanceof Error ? error : new Error(String(error))));
  return out;
}

/** The whole workbook in memory (tests, small attachments). */
export async function xlsxBuffer(table: Table): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of xlsxStream(table)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
