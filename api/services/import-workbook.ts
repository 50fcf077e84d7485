import { createReadStream } from 'node:fs';
import ExcelJS from 'exceljs';

/**
 * Reads an .xlsx workbook one row at a time with exceljs's streaming WorkbookReader (exceljs: kept
 * up, MIT, reads and writes .xlsx as streams; the npm `xlsx` package is an old SheetJS release with
 * published advisories). Each cell comes back as the text a CSV would have held, so an import
 * validates a workbook's rows exactly as it validates a CSV's. Hidden sheets and empty rows are
 * skipped.
 */

/** One row of a worksheet with content: its cells as text (index 0 is column A). */
export interface WorkbookRow {
  sheet: string;
  /** The row's number in its sheet, as the spreadsheet shows it. */
  row: number;
  cells: string[];
  /** Cells that hold no usable value (an error such as #N/A, a formula never calculated). */
  cellErrors: { column: number; reason: string }[];
}

/** The file is not a workbook that can be read (not a zip, not an .xlsx, cut short). */
export class UnreadableWorkbook extends Error {}

/** Column letters as the spreadsheet shows them: 0 is A, 25 is Z, 26 is AA. */
export function columnLetter(index: number): string {
  let letters = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}

/** A date cell as a calendar date when it has no time of day (a birth date), else an ISO instant. */
function dateText(date: Date): string {
  const iso = date.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
}

type CellText = { text: string } | { error: string };

/** What one cell holds, as text. */
export function cellText(value: ExcelJS.CellValue | undefined): CellText {
  if (value === null || value === undefined) return { text: '' };
  if (typeof value === 'string') return { text: value };
  if (typeof value === 'number') return Number.isFinite(value) ? { text: String(value) } : { error: 'the cell holds an error value' };
  if (typeof value === 'boolean') return { text: value ? 'true' : 'false' };
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? { error: 'the cell holds an invalid date' } : { text: dateText(value) };
  if ('error' in value) return { error: `the cell holds the error ${String(value.error)}` };
  if ('richText' in value) return { text: value.richText.map((run) => run.text ?? '').join('') };
  if ('formula' in value || 'sharedFormula' in value) {
    const { result } = value as { result?: ExcelJS.CellValue };
    if (result === undefined) return { error: 'the formula has no saved result (save the file in a spreadsheet program first)' };
    return cellText(result);
  }
  if ('text' in value) return cellText((value as { text: ExcelJS.CellValue }).text);
  return { error: 'the cell holds a value that is not text, a number, a date or yes/no' };
}

interface SheetReader extends AsyncIterable<ExcelJS.Row> {
  name: string;
  state?: string;
  /** The sheet's XML as exceljs reads it: the zip entry, or a file it extracted to the OS temp folder. */
  iterator?: { destroy?: () => void };
}

/**
 * Walks the rest of the zip without reading rows. exceljs extracts a sheet to a temporary file when
 * the workbook stores its shared strings after its sheets (as Excel does) and removes that file
 * only when its walk moves past the sheet: a read that stops early (a header check) must not leave
 * debtor data in the temp folder, nor the file open.
 */
async function finishWalk(worksheets: AsyncIterator<SheetReader>): Promise<void> {
  try {
    for (let next = await worksheets.next(); !next.done; next = await worksheets.next()) next.value.iterator?.destroy?.();
  } catch {
    // The file was already refused or is being abandoned: nothing more to tell.
  }
}

/** Every row with content of every visible sheet, in order; a file that cannot be read throws UnreadableWorkbook. */
export async function* workbookRows(file: string): AsyncGenerator<WorkbookRow> {
  const source = createReadStream(file);
  // Styles are read for the number formats that mark a number as a date.
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(source, { worksheets: 'emit', sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', entries: 'ignore' });
  const worksheets = (reader as AsyncIterable<unknown> as AsyncIterable<SheetReader>)[Symbol.asyncIterator]();
  let sheets = 0;
  let walked = false;
  try {
    for (let next = await worksheets.next(); !next.done; next = await worksheets.next()) {
      const worksheet = next.value;
      sheets++;
      if (worksheet.state && worksheet.state !== 'visible') continue;
      for await (const row of worksheet) {
        const values = (row.values as ExcelJS.CellValue[] | undefined) ?? [];
        const cells: string[] = [];
        const cellErrors: WorkbookRow['cellErrors'] = [];
        // values[0] is unused: exceljs numbers columns from 1.
        for (let column = 1; column < values.length; column++) {
          const read = cellText(values[column]);
          if ('error' in read) {
            cellErrors.push({ column: column - 1, reason: read.error });
            cells.push('');
          } else {
            cells.push(read.text);
          }
        }
        if (cellErrors.length === 0 && cells.every((cell) => cell.trim() === '')) continue;
        yield { sheet: worksheet.name, row: row.number, cells, cellErrors };
      }
    }
    walked = true;
  } catch (error) {
    walked = true;
    throw new UnreadableWorkbook(`not a readable .xlsx workbook: ${(error as Error).message}`);
  } finally {
    if (!walked) await finishWalk(worksheets);
    source.destroy();
  }
  if (sheets === 0) throw new UnreadableWorkbook('not a readable .xlsx workbook: it has no worksheet');
}
