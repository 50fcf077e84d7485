import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Db } from '../../lib/db.js';
import { importWorkflow } from '../../workflows/import.js';
import {
  ImportStatus,
  importTaskQueue,
  importWorkflowId,
  uploadKeepAliveMs,
  uploadReceivingSignal,
  uploadSettledSignal,
  workflowLease,
} from '../../workflows/import-messages.js';
import { ApiError, notFound, unprocessable } from '../errors.js';
import { checkImportFile, ImportFileError, importFile, removeImportFiles, storeUpload, type ImportFormat } from './import-files.js';
import { activeStrategy } from './strategies.js';

/**
 * Bulk intake as a Temporal workflow, one per job (workflows/import.ts). The API creates the
 * job, starts its workflow and streams the upload to DATA_DIR/imports/<jobId>; once the file is
 * stored (`queued`) the workflow reads it back in batches on the import worker, enrolling the
 * rows and committing each batch's outcomes, rejections and cursor together. Resume after a
 * crash and retries are Temporal's; nothing here runs in the background.
 */

export { ImportStatus, importActor } from '../../workflows/import-messages.js';

/** Settings of the import routes; `dataDir` holds the uploads and must be the worker's DATA_DIR too. */
export interface ImportSettings {
  dataDir: string;
  /** Largest upload accepted, in bytes. @default 1 GiB */
  maxBytes?: number;
  /**
   * Rows of a job in flight at once when they go one by one (known accounts, named persons);
   * a batch's new accounts are written together and then start twice this many workflows at
   * once (import-batches.ts). 16 was the best measured on 2 cores. @default 16
   */
  concurrency?: number;
  /** Rows committed together with the cursor. @default 200 */
  batchSize?: number;
  /** @deprecated The lease-based runner is gone (imports are workflows); ignored. */
  leaseMs?: number;
  /** @deprecated The lease-based runner is gone (imports are workflows); ignored. */
  sweepMs?: number;
}

export function importJobView(job: {
  id: string;
  status: string;
  format: string;
  defaultStrategy: string | null;
  team: string | null;
  totalRows: number | null;
  createdCount: number;
  updatedCount: number;
  unchangedCount: number;
  rejectedCount: number;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}) {
  const processedRows = job.createdCount + job.updatedCount + job.unchangedCount + job.rejectedCount;
  return {
    jobId: job.id,
    status: job.status as ImportStatus,
    format: job.format as ImportFormat,
    defaultStrategy: job.defaultStrategy,
    team: job.team,
    totalRows: job.totalRows,
    processedRows,
    created: job.createdCount,
    updated: job.updatedCount,
    unchanged: job.unchangedCount,
    rejected: job.rejectedCount,
    error: job.error,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
    links: { self: `/api/v1/imports/${job.id}`, rejected: `/api/v1/imports/${job.id}/rejected.csv` },
  };
}
export type ImportJobView = ReturnType<typeof importJobView>;

/**
 * Stores an upload as a new job and starts its workflow; a file-level problem fails the job and
 * answers 4xx. The workflow is started before the file streams in, so an API that dies
 * mid-upload leaves a job the workflow settles (workflows/import.ts), not one stuck receiving.
 */
export async function createImport({
  db,
  temporal,
  dataDir,
  body,
  format,
  defaultStrategy,
  actor,
  team,
  maxBytes,
  batchSize = 200,
  concurrency = 16,
}: {
  db: Db;
  temporal: Client;
  dataDir: string;
  body: Readable;
  format: ImportFormat;
  defaultStrategy: string | undefined;
  actor: string;
  /** The uploading key's team: the job belongs to it and its rows enroll into it only. */
  team: string | null;
  maxBytes: number;
  batchSize?: number;
  concurrency?: number;
}): Promise<ImportJobView> {
  if (defaultStrategy && !(await activeStrategy(db, defaultStrategy))) {
    throw unprocessable('unknown_strategy', `no active strategy "${defaultStrategy}"`, [{ path: 'querystring.strategy', message: `no active strategy named "${defaultStrategy}"` }]);
  }
  const job = await db.importJob.create({ data: { id: randomUUID(), format, defaultStrategy: defaultStrategy ?? null, createdBy: actor, team, ...workflowLease } });
  let workflow;
  try {
    workflow = await temporal.workflow.start(importWorkflow, { taskQueue: importTaskQueue, workflowId: importWorkflowId(job.id), args: [{ jobId: job.id, batchSize, concurrency }] });
  } catch (error) {
    await db.importJob.update({ where: { id: job.id }, data: { status: ImportStatus.failed, error: 'the import could not be started; upload the file again', finishedAt: new Date() } });
    throw error;
  }
  // Tells the workflow the file is still arriving, however slowly.
  const keepAlive = setInterval(() => void workflow.signal(uploadReceivingSignal).catch(() => undefined), uploadKeepAliveMs);
  keepAlive.unref();
  const file = importFile(dataDir, job.id, format);
  try {
    const { lines } = await storeUpload({ body, file, maxBytes }).catch((error: unknown) => {
      if (error instanceof ImportFileError) throw error;
      throw new ImportFileError('upload_interrupted', `the upload did not complete: ${(error as Error).message}`);
    });
    await checkImportFile({ file, format, context: { defaultStrategy } });
    const stored = await db.importJob.updateMany({ where: { id: job.id, status: ImportStatus.receiving }, data: { status: ImportStatus.queued, totalRows: format === 'csv' ? lines - 1 : lines } });
    // The workflow gave the upload up (this API fell silent for too long): the file must come again.
    if (stored.count !== 1) throw new ImportFileError('upload_interrupted', 'the upload took too long to arrive; upload it again');
    clearInterval(keepAlive);
    // Read before the workflow hears of it: the answer says `queued`, as the job was when accepted.
    const queued = await db.importJob.findUniqueOrThrow({ where: { id: job.id } });
    // Unheard, the workflow finds the job stored when it next looks (uploadSilenceLimitMs).
    await workflow.signal(uploadSettledSignal, { status: ImportStatus.queued }).catch(() => undefined);
    return importJobView(queued);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await db.importJob.updateMany({ where: { id: job.id, status: ImportStatus.receiving }, data: { status: ImportStatus.failed, error: message, finishedAt: new Date() } });
    await removeImportFiles(dataDir, job.id);
    await workflow.signal(uploadSettledSignal, { status: ImportStatus.failed }).catch(() => undefined);
    if (error instanceof ImportFileError) {
      const problems = error.problems.length ? error.problems : [{ field: 'file', reason: error.message }];
      if (error.code === 'file_too_large') throw new ApiError(413, error.code, error.message);
      throw new ApiError(400, error.code, `${error.message} (import ${job.id})`, problems.map((problem) => ({ path: `body.${problem.field}`, message: problem.reason })));
    }
    throw error;
  } finally {
    clearInterval(keepAlive);
  }
}

/**
 * Starts a workflow for each unfinished job the previous release's lease-based runner began
 * (found by its lease columns): run once when an API of this release is ready, so a roll loses
 * no job. Each workflow takes its job over once the old runner's lease lapses
 * (import-slices.ts `adoptRunnerJob`); starting one twice is refused by its id. Goes with the
 * lease columns in the next release.
 */
export async function adoptRunnerJobs({ db, temporal, batchSize = 200, concurrency = 16 }: { db: Db; temporal: Client; batchSize?: number; concurrency?: number }): Promise<number> {
  const jobs = await db.importJob.findMany({
    where: {
      status: { in: [ImportStatus.receiving, ImportStatus.queued, ImportStatus.running] },
      OR: [{ leaseOwner: null }, { leaseOwner: { not: workflowLease.leaseOwner } }],
    },
    select: { id: true },
  });
  for (const { id } of jobs) {
    try {
      await temporal.workflow.start(importWorkflow, { taskQueue: importTaskQueue, workflowId: importWorkflowId(id), args: [{ jobId: id, batchSize, concurrency, adopt: true }] });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
  }
  return jobs.length;
}

/**
 * The `where` of one job as a caller may see it: a team-scoped key sees its team's jobs only;
 * another's answers 404, like another team's case (api/access.ts `caseScope`).
 */
const jobWhere = (jobId: string, scope: { team?: string }) => ({ id: jobId, ...(scope.team ? { team: scope.team } : {}) });

export async function getImportJob({ db, jobId, scope }: { db: Db; jobId: string; scope: { team?: string } }): Promise<ImportJobView> {
  const job = await db.importJob.findFirst({ where: jobWhere(jobId, scope) });
  if (!job) throw notFound(`import "${jobId}"`);
  return importJobView(job);
}

/** Checks the job exists before a download starts streaming. */
export async function requireImportJob({ db, jobId, scope }: { db: Db; jobId: string; scope: { team?: string } }): Promise<void> {
  if (!(await db.importJob.count({ where: jobWhere(jobId, scope) }))) throw notFound(`import "${jobId}"`);
}
