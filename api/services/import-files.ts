import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import {
  csvHeader,
  importRowFromCsv,
  importRowFromJson,
  type CsvColumn,
  type RowProblem,
  type RowResult,
  type StrategyChoiceContext,
} from '../../domain/import-row.js';
import { wellFormed } from '../../domain/well-formed-text.js';
import { columnLetter, UnreadableWorkbook, workbookRows, type WorkbookRow } from './import-workbook.js';

/**
 * The uploaded file of an import: stored to disk while it streams in (so a restarted API can
 * read it again), then read back one row at a time. Nothing here holds the whole file in memory.
 */

export const ImportFormat = { csv: 'csv', jsonl: 'jsonl', xlsx: 'xlsx' } as const;
export type ImportFormat = (typeof ImportFormat)[keyof typeof ImportFormat];

/**
 * One row of the file with its line number (1-based; a CSV's header is line 1). In a workbook the
 * line is the row's number in its sheet, counted on from the last row of the sheets before it (so
 * lines rise through the whole file); each problem's reason names the sheet and the cell.
 */
export interface ImportRowItem {
  line: number;
  result: RowResult;
}

/** The file as a whole cannot be imported (bad header, too large, interrupted). */
export class ImportFileError extends Error {
  constructor(
    readonly code: 'invalid_header' | 'file_too_large' | 'line_too_long' | 'empty_file' | 'upload_interrupted' | 'unreadable_file',
    message: string,
    readonly problems: RowProblem[] = [],
  ) {
    super(message);
  }
}

/** Longest line accepted: a row of an account is far shorter; this bounds what one row may hold. */
export const maxLineBytes = 64 * 1024;

export function importDir(dataDir: string, jobId: string): string {
  return path.join(dataDir, 'imports', jobId);
}

export function importFile(dataDir: string, jobId: string, format: ImportFormat): string {
  return path.join(importDir(dataDir, jobId), `source.${format}`);
}

export async function removeImportFiles(dataDir: string, jobId: string): Promise<void> {
  await rm(importDir(dataDir, jobId), { recursive: true, force: true });
}

/** Counts non-blank lines and refuses a file over `maxBytes` or with an over-long line, as bytes pass. */
function lineCounter(maxBytes: number) {
  let bytes = 0;
  let lines = 0;
  let lineBytes = 0;
  let lineHasContent = false;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (bytes > maxBytes) return callback(new ImportFileError('file_too_large', `the file is larger than ${maxBytes} bytes`));
      for (const byte of chunk) {
        if (byte === 0x0a) {
          if (lineHasContent) lines++;
          lineHasContent = false;
          lineBytes = 0;
          continue;
        }
        if (++lineBytes > maxLineBytes) {
          return callback(new ImportFileError('line_too_long', `line ${lines + 1} is longer than ${maxLineBytes} bytes`));
        }
        // Anything but CR, space and tab makes a line count.
        if (byte !== 0x0d && byte !== 0x20 && byte !== 0x09) lineHasContent = true;
      }
      callback(null, chunk);
    },
    flush(callback) {
      if (lineHasContent) lines++;
      callback();
    },
  });
  return { stream, counts: () => ({ bytes, lines }) };
}

/** Refuses a stream over `maxBytes` as bytes pass (a workbook is compressed: its lines mean nothing). */
function byteLimit(maxBytes: number) {
  let bytes = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (bytes > maxBytes) return callback(new ImportFileError('file_too_large', `the file is larger than ${maxBytes} bytes`));
      callback(null, chunk);
    },
  });
  return { stream, bytes: () => bytes };
}

/**
 * A workbook is stored whole, then read once to prove it can be and to count its rows: `lines`
 * answers the rows to import, each sheet's header row excluded.
 */
async function storeWorkbook({ body, file, maxBytes }: { body: Readable; file: string; maxBytes: number }): Promise<{ bytes: number; lines: number }> {
  const limit = byteLimit(maxBytes);
  await pipeline(body, limit.stream, createWriteStream(file));
  let rows = 0;
  const headers = new Set<string>();
  try {
    for await (const row of workbookRows(file)) {
      if (headers.has(row.sheet)) rows++;
      else headers.add(row.sheet);
    }
  } catch (error) {
    if (error instanceof UnreadableWorkbook) throw new ImportFileError('unreadable_file', error.message);
    throw error;
  }
  if (headers.size === 0) throw new ImportFileError('empty_file', 'the workbook has no rows');
  return { bytes: limit.bytes(), lines: rows };
}

/**
 * Streams the request body into the job's file; answers the byte count and non-blank line count
 * (for a workbook, named by the file's `.xlsx` extension, its data rows).
 */
export async function storeUpload({ body, file, maxBytes }: { body: Readable; file: string; maxBytes: number }): Promise<{ bytes: number; lines: number }> {
  await mkdir(path.dirname(file), { recursive: true });
  if (path.extname(file) === `.${ImportFormat.xlsx}`) return storeWorkbook({ body, file, maxBytes });
  const counter = lineCounter(maxBytes);
  await pipeline(body, counter.stream, createWriteStream(file));
  const counts = counter.counts();
  if (counts.lines === 0) throw new ImportFileError('empty_file', 'the file has no rows');
  return counts;
}

async function* csvRows(file: string, context: StrategyChoiceContext): AsyncGenerator<ImportRowItem> {
  // Records the parser cannot read are skipped by it and reported here, each as a rejected line.
  const skipped: ImportRowItem[] = [];
  const parser = parse({
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    max_record_size: maxLineBytes,
    on_skip: (error) => {
      const line = Number((error as { lines?: unknown } | undefined)?.lines ?? 0);
      skipped.push({ line, result: { ok: false, problems: [{ field: 'row', reason: `unreadable CSV: ${error?.message ?? 'malformed'}` }], externalId: undefined } });
    },
  });
  const source = createReadStream(file);
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);
  // The parser reads ahead, so a skip is yielded once the records before it have been.
  function* skippedBefore(line: number): Generator<ImportRowItem> {
    while (skipped[0] && skipped[0].line < line) yield skipped.shift() as ImportRowItem;
  }
  let columns: CsvColumn[] | undefined;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const line = info.lines;
      if (!columns) {
        const unreadable = skipped.find((item) => item.line <= line);
        if (unreadable && !unreadable.result.ok) {
          throw new ImportFileError('invalid_header', 'the header line cannot be read', unreadable.result.problems);
        }
        const header = csvHeader(record, context);
        if (!header.ok) throw new ImportFileError('invalid_header', 'the CSV header is not valid', header.problems);
        columns = header.columns;
        continue;
      }
      yield* skippedBefore(line);
      yield { line, result: importRowFromCsv(record, columns, context) };
    }
    if (!columns) throw new ImportFileError('empty_file', 'the file has no header line');
    yield* skippedBefore(Number.POSITIVE_INFINITY);
  } finally {
    source.destroy();
    parser.destroy();
  }
}

async function* jsonLines(file: string, context: StrategyChoiceContext): AsyncGenerator<ImportRowItem> {
  const source = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input: source, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  try {
    for await (const text of lines) {
      line++;
      const row = line === 1 ? text.replace(/^\uFEFF/, '') : text;
      if (row.trim() === '') continue;
      yield { line, result: importRowFromJson(row, context) };
    }
  } finally {
    lines.close();
    source.destroy();
  }
}

/** Where a problem is in a workbook: the cell of a column the header names, else the row. */
function workbookPlace(row: WorkbookRow, columns: readonly CsvColumn[], field: string): string {
  const index = columns.indexOf(field as CsvColumn);
  return index >= 0 ? `sheet "${row.sheet}", cell ${columnLetter(index)}${row.row}` : `sheet "${row.sheet}", row ${row.row}`;
}

/** A workbook row validated as the CSV row with the same cells, its problems placed by sheet and cell. */
function workbookRowResult(row: WorkbookRow, columns: readonly CsvColumn[], context: StrategyChoiceContext): RowResult {
  const place = (problem: RowProblem): RowProblem => ({ field: problem.field, reason: `${workbookPlace(row, columns, problem.field)}: ${problem.reason}` });
  const written = row.cells[columns.indexOf('externalId')]?.trim();
  const externalId = written ? wellFormed(written) : undefined;
  const beyond = row.cells.findIndex((cell, index) => index >= columns.length && cell.trim() !== '');
  if (beyond >= 0) {
    return { ok: false, externalId, problems: [{ field: 'row', reason: `sheet "${row.sheet}", cell ${columnLetter(beyond)}${row.row}: a value beyond the header's ${columns.length} columns` }] };
  }
  if (row.cellErrors.length > 0) {
    return { ok: false, externalId, problems: row.cellErrors.map(({ column, reason }) => place({ field: columns[column] ?? 'row', reason })) };
  }
  const cells = columns.map((_, index) => row.cells[index] ?? '');
  const result = importRowFromCsv(cells, columns, context);
  return result.ok ? result : { ...result, problems: result.problems.map(place) };
}

async function* xlsxRows(file: string, context: StrategyChoiceContext): AsyncGenerator<ImportRowItem> {
  let sheet: string | undefined;
  let columns: CsvColumn[] | undefined;
  // Lines rise through the workbook: a sheet's rows are numbered on from the last row of the one before.
  let offset = 0;
  let lastRow = 0;
  try {
    for await (const row of workbookRows(file)) {
      if (row.sheet !== sheet) {
        offset += lastRow;
        sheet = row.sheet;
        columns = undefined;
      }
      lastRow = row.row;
      if (!columns) {
        // Blank cells after the last name are formatting, not columns.
        const names = row.cells.slice(0, row.cells.findLastIndex((cell) => cell.trim() !== '') + 1);
        const header = csvHeader(names, context);
        if (!header.ok) throw new ImportFileError('invalid_header', `the header row of sheet "${row.sheet}" is not valid`, header.problems);
        columns = header.columns;
        continue;
      }
      yield { line: offset + row.row, result: workbookRowResult(row, columns, context) };
    }
  } catch (error) {
    if (error instanceof UnreadableWorkbook) throw new ImportFileError('unreadable_file', error.message);
    throw error;
  }
  if (sheet === undefined) throw new ImportFileError('empty_file', 'the workbook has no rows');
}

/** The file's rows in order, each validated; a CSV's or workbook's header is checked first (ImportFileError). */
export function readImportRows({ file, format, context }: { file: string; format: ImportFormat; context: StrategyChoiceContext }): AsyncGenerator<ImportRowItem> {
  if (format === 'xlsx') return xlsxRows(file, context);
  return format === 'csv' ? csvRows(file, context) : jsonLines(file, context);
}

/** Reads only as far as the first row: a CSV's or workbook's header problem is found before the job is queued. */
export async function checkImportFile({ file, format, context }: { file: string; format: ImportFormat; context: StrategyChoiceContext }): Promise<void> {
  const rows = readImportRows({ file, format, context });
  try {
    await rows.next();
  } finally {
    await rows.return(undefined);
  }
}
