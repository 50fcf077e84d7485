import { existsSync } from 'node:fs';
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Prisma } from '../../generated/prisma/client.js';
import type { Db } from '../../lib/db.js';
import { ImportStatus, workflowLease, type ImportSlice } from '../../workflows/import-messages.js';
import { ImportFileError, importFile, readImportRows, removeImportFiles, type ImportFormat, type ImportRowItem } from './import-files.js';
import { createImportBatches, withDuplicateCheck } from './import-batches.js';

/**
 * The import workflow's activities (workflows/import.ts), run by the import worker
 * (worker/create-import-worker.ts). They live beside the enrollment service they drive: code
 * under activities/ does not import the API. A slice reads the stored upload
 * (DATA_DIR/imports/<jobId>, written by the API: worker and API must share DATA_DIR) in batches
 * after the job's committed cursor and runs them until the file ends or the slice's time is up.
 *
 * The file is read from its start by `readImportRows` (a CSV record may span lines, so there is
 * no seeking to a line), which also rebuilds the duplicate check of the lines before the cursor.
 * The reader is kept open between the slices of a job that land on this worker, so a job reads
 * its file once; a slice that finds no reader at its cursor (another worker, a crash) reads
 * from the start again.
 */

export interface ImportActivityDeps {
  db: Db;
  temporal: Client;
  /** DATA_DIR: where the API stores uploads. */
  dataDir: string;
  identitySecret?: string | undefined;
  /** How long a slice runs batches before it hands back to the workflow. @default 20000 */
  sliceMs?: number;
}

interface OpenReader {
  rows: AsyncGenerator<ImportRowItem>;
  /** External ids seen so far, with their first line. */
  seen: Map<string, number>;
  /** Every line up to here was read, none after. */
  readThrough: number;
  usedAt: number;
}

/** A reader unused this long is closed (its job's slices went elsewhere, or it ended). */
const readerIdleMs = 2 * 60_000;

export function createImportActivities({ db, temporal, dataDir, identitySecret, sliceMs = 20_000 }: ImportActivityDeps) {
  const batches = createImportBatches({ db, temporal, identitySecret });
  const readers = new Map<string, OpenReader>();

  async function closeReader(jobId: string): Promise<void> {
    const reader = readers.get(jobId);
    readers.delete(jobId);
    await reader?.rows.return(undefined);
  }

  async function closeIdleReaders(): Promise<void> {
    const now = Date.now();
    for (const [jobId, reader] of readers) if (now - reader.usedAt > readerIdleMs) await closeReader(jobId);
  }

  /** A reader positioned right after `line`: the one left open here, or a new one read up to it. */
  async function readerAt(jobId: string, format: ImportFormat, defaultStrategy: string | null, line: number): Promise<OpenReader> {
    const open = readers.get(jobId);
    if (open && open.readThrough === line) return open;
    await closeReader(jobId);
    const file = importFile(dataDir, jobId, format);
    if (!existsSync(file)) throw new ImportFileError('empty_file', 'the uploaded file is no longer on this server; upload it again');
    const reader: OpenReader = { rows: readImportRows({ file, format, context: { defaultStrategy: defaultStrategy ?? undefined } }), seen: new Map(), readThrough: 0, usedAt: Date.now() };
    readers.set(jobId, reader);
    // Lines up to the cursor are accounted for; reading them again only fills the duplicate check.
    while (reader.readThrough < line) {
      const next = await reader.rows.next();
      if (next.done) break;
      withDuplicateCheck(next.value, reader.seen);
      reader.readThrough = next.value.line;
    }
    return reader;
  }

  /** Up to `size` rows after the reader's position; fewer only at the end of the file. */
  async function nextBatch(reader: OpenReader, size: number): Promise<ImportRowItem[]> {
    const batch: ImportRowItem[] = [];
    while (batch.length < size) {
      const next = await reader.rows.next();
      if (next.done) break;
      batch.push(withDuplicateCheck(next.value, reader.seen));
      reader.readThrough = next.value.line;
    }
    reader.usedAt = Date.now();
    return batch;
  }

  async function fail(jobId: string, message: string): Promise<void> {
    await db.importJob.updateMany({
      where: { id: jobId, status: { in: [ImportStatus.receiving, ImportStatus.queued, ImportStatus.running] } },
      data: { status: ImportStatus.failed, error: message, finishedAt: new Date() },
    });
    await closeReader(jobId);
    await removeImportFiles(dataDir, jobId);
  }

  /**
   * Runs batches after the job's committed cursor for about `sliceMs`. The database's cursor
   * wins over `afterLine`: an earlier attempt of this slice may have committed batches before it
   * died. Answers the cursor and whether the file ended, or `failed` when the file cannot be read.
   */
  async function importSlice({ jobId, afterLine, batchSize, concurrency }: { jobId: string; afterLine: number; batchSize: number; concurrency: number }): Promise<ImportSlice> {
    await closeIdleReaders();
    const now = new Date();
    await db.importJob.updateMany({ where: { id: jobId, status: ImportStatus.queued }, data: { status: ImportStatus.running, startedAt: now } });
    const job = await db.importJob.findUniqueOrThrow({ where: { id: jobId } });
    if (job.status === ImportStatus.failed) return { status: 'failed' };
    if (job.status === ImportStatus.completed) return { status: 'running', committedLine: job.committedLine, done: true };
    const context = Context.current();
    const abandoned = () => context.cancellationSignal.aborted;
    const until = Date.now() + sliceMs;
    let committedLine = job.committedLine;
    if (afterLine > committedLine) throw new Error(`import ${jobId}: the workflow's cursor ${afterLine} is ahead of the database's ${committedLine}`);
    try {
      const reader = await readerAt(jobId, job.format as ImportFormat, job.defaultStrategy, committedLine);
      do {
        const rows = await nextBatch(reader, batchSize);
        if (rows.length === 0) return { status: 'running', committedLine, done: true };
        try {
          committedLine = await batches.runBatch({ jobId, team: job.team, rows, committedLine, replayThrough: job.inFlightLine, concurrency, abandoned });
        } catch (error) {
          // The reader went past what is committed: the retry reads again from the cursor.
          await closeReader(jobId);
          throw error;
        }
        if (rows.length < batchSize) return { status: 'running', committedLine, done: true };
      } while (Date.now() < until && !abandoned());
      return { status: 'running', committedLine, done: false };
    } catch (error) {
      if (!(error instanceof ImportFileError)) throw error;
      await fail(jobId, error.message);
      return { status: 'failed' };
    }
  }

  /** Counts are final: the job is completed and the file (debtor data) removed. */
  async function finishImport({ jobId }: { jobId: string }): Promise<void> {
    await closeReader(jobId);
    const job = await db.importJob.findUniqueOrThrow({ where: { id: jobId } });
    const total = job.createdCount + job.updatedCount + job.unchangedCount + job.rejectedCount;
    await db.importJob.updateMany({
      where: { id: jobId, status: { in: [ImportStatus.queued, ImportStatus.running] } },
      data: { status: ImportStatus.completed, finishedAt: new Date(), totalRows: total, inFlightLine: job.committedLine },
    });
    // The rows now live in the database; the file held debtor data we no longer need.
    await removeImportFiles(dataDir, jobId);
  }

  /** Gives up an upload still arriving (status receiving, and `where`); answers the job's status after. */
  async function giveUpUpload(jobId: string, where: Prisma.ImportJobWhereInput = {}): Promise<'queued' | 'failed'> {
    const { count } = await db.importJob.updateMany({
      where: { id: jobId, status: ImportStatus.receiving, ...where },
      data: { status: ImportStatus.failed, error: 'the upload was interrupted before the whole file arrived; upload it again', finishedAt: new Date() },
    });
    if (count === 1) await removeImportFiles(dataDir, jobId);
    const job = await db.importJob.findUniqueOrThrow({ where: { id: jobId }, select: { status: true } });
    return job.status === ImportStatus.failed ? 'failed' : 'queued';
  }

  /** The API fell silent while the upload arrived: a stored upload goes on, an unfinished one fails. */
  async function settleUpload({ jobId }: { jobId: string }): Promise<'queued' | 'failed'> {
    return giveUpUpload(jobId);
  }

  /**
   * Takes over a job the previous release's runner began (a roll to this release): once that
   * runner's lease has lapsed, the job is the workflow's; until then this fails and Temporal asks
   * again. An upload it was still receiving is given up, as that runner would have.
   */
  async function adoptRunnerJob({ jobId }: { jobId: string }): Promise<'adopted' | 'ended'> {
    const lapsed = { OR: [{ leaseOwner: null }, { leaseExpiresAt: null }, { leaseExpiresAt: { lt: new Date() } }] };
    const open = [ImportStatus.queued, ImportStatus.running];
    if ((await giveUpUpload(jobId, lapsed)) === 'failed') return 'ended';
    const { count } = await db.importJob.updateMany({ where: { id: jobId, status: { in: open }, ...lapsed }, data: workflowLease });
    if (count === 1) return 'adopted';
    const job = await db.importJob.findUniqueOrThrow({ where: { id: jobId } });
    if (job.status === ImportStatus.completed || job.status === ImportStatus.failed) return 'ended';
    if (job.leaseOwner === workflowLease.leaseOwner) return 'adopted';
    throw new Error(`import ${jobId} is still worked by ${job.leaseOwner ?? 'a runner'} until ${job.leaseExpiresAt?.toISOString() ?? '?'}`);
  }

  return { importSlice, finishImport, settleUpload, adoptRunnerJob };
}

export type ImportActivities = ReturnType<typeof createImportActivities>;
