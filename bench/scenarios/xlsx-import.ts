import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { xlsxMediaType } from '../../api/services/tables.js';
import type { ScenarioResult } from '../results.js';
import { bareStartRate } from '../lib/bare-starts.js';
import { benchDefinition, middayZone, saveStrategy } from '../lib/bench-strategies.js';
import { progress } from '../lib/log.js';
import { benchKeys, type BenchStack } from '../lib/stack.js';
import { perSecond, round, since } from '../lib/stats.js';
import { quietTimeline } from '../lib/timelines.js';

/**
 * Scenario 7: an .xlsx workbook of N accounts (one in a hundred with a bad balance) uploaded to
 * `POST /api/v1/accounts/import` and followed until the job completes: the upload (stored, read
 * once to count its rows), then the rows read back by exceljs's streaming reader and enrolled by
 * the import runner (batches, a workflow start per good row). Rows per second from the upload's
 * first byte to the job's end, and their ratio to plain Temporal's start rate measured just before
 * in the same run (as many starts of an empty workflow, 16 callers: the import's rows in flight).
 */

export interface XlsxImportOptions {
  rows: number;
  /** Time between reads of the job's progress. */
  pollMs?: number;
}

const isBad = (index: number) => index % 100 === 99;

/** The workbook as a spreadsheet program would hold it: numbers as numbers, yes/no as booleans. */
async function workbook(run: string, strategy: string, rows: number, timeZone: string): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  const writer = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: true, useStyles: false });
  const sheet = writer.addWorksheet('Accounts');
  sheet.addRow(['externalId', 'strategy', 'currency', 'balance', 'daysPastDue', 'debtorName', 'email', 'timeZone', 'smsConsent', 'portfolio']).commit();
  for (let index = 0; index < rows; index++) {
    sheet.addRow([`XLSX-${run}-${index}`, strategy, 'USD', isBad(index) ? 'not-a-number' : 10_000 + index, index % 200, `Debtor ${index}`, `d${index}@example.test`, timeZone, index % 2 === 0, `P${index % 7}`]).commit();
  }
  sheet.commit();
  await writer.commit();
  return Buffer.concat(chunks);
}

interface Job {
  status: string;
  totalRows: number | null;
  processedRows: number;
  created: number;
  rejected: number;
  error: string | null;
}

export async function xlsxImport(stack: BenchStack, { rows, pollMs = 250 }: XlsxImportOptions): Promise<ScenarioResult> {
  const run = randomUUID().slice(0, 8);
  const timeZone = middayZone();
  const strategy = await saveStrategy(stack, benchDefinition(`bench-xlsx-${run}`, quietTimeline()));
  const file = await workbook(run, strategy.key, rows, timeZone);
  progress(`xlsx import: ${rows} bare starts first`);
  const bareRate = await bareStartRate(stack, { count: rows, concurrency: 16, label: `xlsx-${run}` });
  progress(`xlsx import: workbook of ${rows} rows, ${(file.length / 1024).toFixed(0)} KiB; uploading`);

  const start = performance.now();
  const answer = await fetch(`${stack.baseUrl}/api/v1/accounts/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${benchKeys.integration}`, 'content-type': xlsxMediaType },
    body: file,
  });
  const accepted = (await answer.json()) as Job & { jobId: string };
  if (answer.status !== 202) throw new Error(`import answered ${answer.status}: ${JSON.stringify(accepted)}`);
  const acceptedMs = since(start);
  let job: Job = accepted;
  let lastReport = performance.now();
  while (job.status !== 'completed' && job.status !== 'failed') {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    const read = await stack.call('GET', `/api/v1/imports/${accepted.jobId}`, { key: benchKeys.manager });
    job = read.body as unknown as Job;
    if (performance.now() - lastReport > 10_000) {
      lastReport = performance.now();
      progress(`xlsx import: ${job.processedRows}/${job.totalRows ?? '?'} rows`);
    }
  }
  const totalMs = since(start);
  if (job.status !== 'completed') throw new Error(`import ${accepted.jobId} failed: ${job.error}`);
  const bad = Array.from({ length: rows }, (_, index) => index).filter(isBad).length;
  if (job.created !== rows - bad || job.rejected !== bad) throw new Error(`import ${accepted.jobId}: created ${job.created}, rejected ${job.rejected}; expected ${rows - bad} and ${bad}`);
  progress(`xlsx import: ${rows} rows in ${(totalMs / 1000).toFixed(1)} s (${Math.round(perSecond(rows, totalMs))} rows/s)`);

  return {
    id: 'xlsx-import',
    title: '7. Bulk import of an .xlsx workbook',
    settings: { rows, badRows: bad, workbookKiB: Math.round(file.length / 1024), timeZone },
    figures: {
      upload_accepted_ms: round(acceptedMs),
      total_s: round(totalMs / 1000, 1),
      rows_per_s: round(perSecond(rows, totalMs)),
      bare_starts_per_s: round(bareRate),
      ratio_rows_to_bare_starts: round(perSecond(rows, totalMs) / bareRate, 2),
      created: job.created,
      rejected: job.rejected,
      total_rows_at_upload: accepted.totalRows ?? 0,
    },
    notes: [
      'upload_accepted_ms: the body streamed to disk, the workbook read once to count its rows, the header checked (202)',
      'rows_per_s: from the first byte of the upload until GET /api/v1/imports/:id reads completed (default import settings: batches of 200, 16 rows in flight)',
      `one row in a hundred has a bad balance and is rejected; the strategy's first step is a day away, so no send runs during the measurement`,
    ],
  };
}
