import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { TAccountEnrollment } from '../../domain/account.js';
import type { RowProblem } from '../../domain/import-row.js';
import type { Db } from '../../lib/db.js';
import type { Logger } from '../../lib/logger.js';
import { balanceAdjustedSignal } from '../../workflows/case-messages.js';
import { csvLine } from './csv.js';
import { enrollAccount } from './enrollment.js';
import { ApiError, notFound, unprocessable } from '../errors.js';
import { clip } from '../../domain/well-formed-text.js';
import {
  checkImportFile,
  ImportFileError,
  importFile,
  readImportRows,
  removeImportFiles,
  storeUpload,
  type ImportFormat,
  type ImportRowItem,
} from './import-files.js';
import { activeStrategy } from './strategies.js';

/**
 * Bulk intake as a durable job. The upload is stored to DATA_DIR/imports/<jobId> while it
 * streams in, then read back in batches: each row goes through `enrollAccount` (idempotent by
 * external id) with a bounded number in flight across all jobs, and a batch's outcomes and its
 * rejected rows are committed together with the job's cursor (`committedLine`). A restarted API,
 * or another instance once the lease lapses, resumes after the cursor; rows of the batch that was
 * in flight are replayed, which enrollment's idempotency makes harmless, and their outcomes are
 * recognised from the audit trail so the counts stay exact.
 */

export const ImportStatus = { receiving: 'receiving', queued: 'queued', running: 'running', completed: 'completed', failed: 'failed' } as const;
export type ImportStatus = (typeof ImportStatus)[keyof typeof ImportStatus];

type Outcome = 'created' | 'updated' | 'unchanged' | 'rejected';
interface RowOutcome {
  line: number;
  outcome: Outcome | 'skipped';
  problems?: RowProblem[];
  externalId?: string | undefined;
}

/** The audit trail's actor for everything a job does; the job row says who uploaded it. */
export const importActor = (jobId: string) => `import:${jobId}`;
/** Audit action written when a re-import changes an account's placed balance. */
export const placedBalanceChangedAction = 'placed_balance_changed';

class LostLease extends Error {}

/** At most `size` tasks run at once; the rest wait their turn in order. */
function createLimiter(size: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async function limit<T>(task: () => Promise<T>): Promise<T> {
    if (active >= size) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface ImportRunnerOptions {
  db: Db;
  temporal: Client;
  dataDir: string;
  /** LINK_SECRET: keys the hashes of the debtor page's identity facts (enrollment.ts). */
  identitySecret?: string | undefined;
  /**
   * Rows in flight (enrollments and workflow starts) across all jobs of this process. Each row
   * waits on a few database round trips and one workflow start, so throughput grows with it until
   * the database or Temporal is busy; 16 was the best measured on 2 cores. @default 16
   */
  concurrency?: number;
  /** Rows committed together with the cursor. @default 200 */
  batchSize?: number;
  /** How long a claim on a job lasts without renewal. @default 30000 */
  leaseMs?: number;
  /** How often unclaimed or abandoned jobs are looked for. @default 5000 */
  sweepMs?: number;
  /** Pause before a job that hit an infrastructure error is tried again. @default 10000 */
  retryDelayMs?: number;
  log?: Pick<Logger, 'warn' | 'error'>;
}

/** Settings of the import routes and their background runner; `dataDir` holds the uploads. */
export interface ImportSettings extends Partial<Omit<ImportRunnerOptions, 'db' | 'temporal' | 'log' | 'identitySecret'>> {
  dataDir: string;
  /** Largest upload accepted, in bytes. @default 1 GiB */
  maxBytes?: number;
}

export type ImportRunner = ReturnType<typeof createImportRunner>;

/** Works import jobs in the background of one process; `start` resumes unfinished ones. */
export function createImportRunner({
  db,
  temporal,
  dataDir,
  concurrency = 16,
  batchSize = 200,
  leaseMs = 30_000,
  sweepMs = 5_000,
  retryDelayMs = 10_000,
  log,
  identitySecret,
}: ImportRunnerOptions) {
  const instanceId = randomUUID();
  const limit = createLimiter(concurrency);
  const running = new Map<string, { abort: AbortController; done: Promise<void> }>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const leaseUntil = () => new Date(Date.now() + leaseMs);

  /** Takes a queued job, or one whose owner let its lease lapse; false when another holds it. */
  async function claim(jobId: string): Promise<boolean> {
    const now = new Date();
    const { count } = await db.importJob.updateMany({
      where: {
        id: jobId,
        status: { in: [ImportStatus.queued, ImportStatus.running] },
        OR: [{ leaseOwner: null }, { leaseExpiresAt: null }, { leaseExpiresAt: { lt: now } }],
      },
      data: { status: ImportStatus.running, leaseOwner: instanceId, leaseExpiresAt: leaseUntil() },
    });
    if (count === 1) await db.importJob.updateMany({ where: { id: jobId, startedAt: null }, data: { startedAt: now } });
    return count === 1;
  }

  async function launch(jobId: string): Promise<void> {
    if (stopped || running.has(jobId) || !(await claim(jobId))) return;
    const abort = new AbortController();
    const done = run(jobId, abort.signal)
      .catch((error: unknown) => log?.error({ err: error, jobId }, 'import job failed unexpectedly'))
      .finally(() => running.delete(jobId));
    running.set(jobId, { abort, done });
  }

  /** Resumes what nobody works on: queued jobs, abandoned running ones, and fails stale uploads. */
  async function sweep(): Promise<void> {
    if (stopped) return;
    const now = new Date();
    const stale = { OR: [{ leaseExpiresAt: null }, { leaseExpiresAt: { lt: now } }] };
    const interrupted = await db.importJob.findMany({ where: { status: ImportStatus.receiving, ...stale }, select: { id: true } });
    for (const { id } of interrupted) {
      await db.importJob.updateMany({
        where: { id, status: ImportStatus.receiving, ...stale },
        data: { status: ImportStatus.failed, error: 'the upload was interrupted before the whole file arrived; upload it again', finishedAt: now, leaseOwner: null },
      });
      await removeImportFiles(dataDir, id);
    }
    const waiting = await db.importJob.findMany({
      where: { status: { in: [ImportStatus.queued, ImportStatus.running] }, OR: [{ leaseOwner: null }, ...stale.OR] },
      orderBy: { createdAt: 'asc' },
      select: { id: true },
    });
    for (const { id } of waiting) await launch(id);
  }

  async function renewLease(jobId: string): Promise<void> {
    const { count } = await db.importJob.updateMany({ where: { id: jobId, leaseOwner: instanceId }, data: { leaseExpiresAt: leaseUntil() } });
    if (count !== 1) throw new LostLease(`lost the lease on import ${jobId}`);
  }

  async function enrollWithRetry(account: TAccountEnrollment, actor: string, team: string | null, signal: AbortSignal) {
    for (let attempt = 1; ; attempt++) {
      try {
        // The job enrolls as the key that uploaded it: its team's rules hold row by row.
        return await enrollAccount({ db, temporal, input: account, actor, allowBalanceChange: true, callerTeam: team, identitySecret });
      } catch (error) {
        // The row's own fault is answered at once; an outage is retried, then fails the batch.
        if (error instanceof ApiError || attempt >= 3 || signal.aborted) throw error;
        await sleep(250 * 4 ** (attempt - 1));
      }
    }
  }

  /** A row whose account exists: a changed placed balance updates the account and tells the case. */
  async function reconcileBalance(jobId: string, item: ImportRowItem & { account: TAccountEnrollment }, replayed: boolean): Promise<RowOutcome> {
    const { line, account } = item;
    const idempotencyKey = `${importActor(jobId)}#${line}`;
    const existing = await db.account.findUniqueOrThrow({ where: { externalId: account.externalId }, include: { cases: true } });
    const current = existing.cases[0];
    if (account.balance === existing.originalBalance || !current) {
      // Replaying a row whose change was stored before a restart: finish it (the signal is idempotent).
      const earlier = replayed ? await db.auditEvent.findUnique({ where: { idempotencyKey } }) : null;
      if (!earlier || !current) return { line, outcome: 'unchanged' };
      const after = earlier.after as { balance: number; originalBalance: number };
      await signalBalance(current.id, after.balance, (earlier.before as { originalBalance: number }).originalBalance, after.originalBalance, jobId);
      return { line, outcome: 'updated' };
    }
    if (current.status === 'closed') {
      return {
        line,
        outcome: 'rejected',
        externalId: account.externalId,
        problems: [
          {
            field: 'balance',
            reason: `the account's case is closed (${current.closeReason ?? 'closed'}); the changed balance ${account.balance} (placed ${existing.originalBalance}) was not applied`,
          },
        ],
      };
    }
    // The creditor changed the placed amount: move what is still owed by the same difference, so
    // payments already collected stay applied.
    const balance = Math.max(0, current.balance + (account.balance - existing.originalBalance));
    await db.$transaction([
      db.account.update({ where: { id: existing.id }, data: { originalBalance: account.balance, balance } }),
      db.auditEvent.create({
        data: {
          caseId: current.id,
          actor: importActor(jobId),
          action: placedBalanceChangedAction,
          before: { originalBalance: existing.originalBalance, balance: current.balance },
          after: { originalBalance: account.balance, balance },
          data: { jobId, line },
          idempotencyKey,
        },
      }),
    ]);
    await signalBalance(current.id, balance, existing.originalBalance, account.balance, jobId);
    return { line, outcome: 'updated' };
  }

  async function signalBalance(caseId: string, balance: number, placedBefore: number, placedAfter: number, jobId: string): Promise<void> {
    try {
      await temporal.workflow
        .getHandle(caseId)
        .signal(balanceAdjustedSignal, { balance, reason: `placed balance changed from ${placedBefore} to ${placedAfter}`, source: importActor(jobId) });
    } catch (error) {
      // The case ended meanwhile: nothing is left to adjust.
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
  }

  async function processRow(jobId: string, team: string | null, item: ImportRowItem, replayed: boolean, signal: AbortSignal): Promise<RowOutcome> {
    const { line, result } = item;
    if (!result.ok) return { line, outcome: 'rejected', problems: result.problems, externalId: result.externalId };
    if (signal.aborted) return { line, outcome: 'skipped' };
    const actor = importActor(jobId);
    try {
      const { created, caseId } = await enrollWithRetry(result.account, actor, team, signal);
      if (created) return { line, outcome: 'created' };
      // Enrolled by this job before a restart, and only its outcome was not yet counted.
      if (replayed && (await db.auditEvent.count({ where: { caseId, action: 'account_enrolled', actor } })) > 0) return { line, outcome: 'created' };
      return await reconcileBalance(jobId, { ...item, account: result.account }, replayed);
    } catch (error) {
      // The database refused this row's data (a constraint, a value it cannot hold): the row's
      // problem, not an outage, so it must not hold up the job.
      const code = (error as { code?: unknown }).code;
      if (!(error instanceof ApiError) && typeof code === 'string' && /^P2\d{3}$/.test(code)) {
        return { line, outcome: 'rejected', problems: [{ field: 'row', reason: `the database refused the row (${code})` }], externalId: result.account.externalId };
      }
      if (!(error instanceof ApiError) || error.statusCode >= 500) throw error;
      const problems = error.fields?.map((field) => ({ field: field.path.replace(/^body\./, ''), reason: field.message })) ?? [{ field: 'row', reason: error.message }];
      return { line, outcome: 'rejected', problems, externalId: result.account.externalId };
    }
  }

  /** Runs one batch and commits its outcomes with the cursor; false when stopped before the end. */
  async function processBatch(jobId: string, team: string | null, batch: ImportRowItem[], committed: number, replayThrough: number, signal: AbortSignal): Promise<boolean> {
    const last = batch.at(-1)?.line ?? committed;
    const { count } = await db.importJob.updateMany({ where: { id: jobId, leaseOwner: instanceId }, data: { inFlightLine: last, leaseExpiresAt: leaseUntil() } });
    if (count !== 1) throw new LostLease(`lost the lease on import ${jobId}`);
    const outcomes = await Promise.all(batch.map((item) => limit(() => processRow(jobId, team, item, item.line <= replayThrough, signal))));
    if (outcomes.some((row) => row.outcome === 'skipped')) return false;

    const tally = (outcome: Outcome) => outcomes.filter((row) => row.outcome === outcome).length;
    const rejections = outcomes.flatMap((row) =>
      (row.problems ?? []).map((problem) => ({ jobId, line: row.line, field: clip(problem.field, 200), reason: clip(problem.reason, 1000), externalId: typeof row.externalId === 'string' ? clip(row.externalId, 100) : null })),
    );
    await db.$transaction(async (tx) => {
      if (rejections.length > 0) await tx.importRejection.createMany({ data: rejections, skipDuplicates: true });
      const moved = await tx.importJob.updateMany({
        where: { id: jobId, leaseOwner: instanceId, committedLine: committed },
        data: {
          committedLine: last,
          createdCount: { increment: tally('created') },
          updatedCount: { increment: tally('updated') },
          unchangedCount: { increment: tally('unchanged') },
          rejectedCount: { increment: tally('rejected') },
          leaseExpiresAt: leaseUntil(),
          error: null,
        },
      });
      if (moved.count !== 1) throw new LostLease(`import ${jobId} moved on without this process`);
    });
    return true;
  }

  async function run(jobId: string, signal: AbortSignal): Promise<void> {
    const job = await db.importJob.findUniqueOrThrow({ where: { id: jobId } });
    const format = job.format as ImportFormat;
    const file = importFile(dataDir, jobId, format);
    const heartbeat = setInterval(() => void renewLease(jobId).catch(() => undefined), Math.max(1000, leaseMs / 3));
    heartbeat.unref();
    try {
      if (!existsSync(file)) throw new ImportFileError('empty_file', 'the uploaded file is no longer on this server; upload it again');
      let committed = job.committedLine;
      const seen = new Map<string, number>();
      let batch: ImportRowItem[] = [];
      const context = { defaultStrategy: job.defaultStrategy ?? undefined };
      for await (const item of readImportRows({ file, format, context })) {
        if (signal.aborted) return;
        const checked = withDuplicateCheck(item, seen);
        if (checked.line <= committed) continue;
        batch.push(checked);
        if (batch.length < batchSize) continue;
        if (!(await processBatch(jobId, job.team, batch, committed, job.inFlightLine, signal))) return;
        committed = batch.at(-1)?.line ?? committed;
        batch = [];
      }
      if (signal.aborted) return;
      if (batch.length > 0 && !(await processBatch(jobId, job.team, batch, committed, job.inFlightLine, signal))) return;
      await finish(jobId);
    } catch (error) {
      if (error instanceof LostLease) {
        log?.warn({ jobId }, error.message);
      } else if (error instanceof ImportFileError) {
        await fail(jobId, error.message);
      } else {
        // An outage (database, Temporal): let any instance try again after a pause.
        log?.warn({ err: error, jobId }, 'import job interrupted; it will be retried');
        await db.importJob
          .updateMany({ where: { id: jobId, leaseOwner: instanceId }, data: { leaseOwner: null, leaseExpiresAt: new Date(Date.now() + retryDelayMs), error: `interrupted, will retry: ${(error as Error).message}`.slice(0, 1000) } })
          .catch(() => undefined);
      }
    } finally {
      clearInterval(heartbeat);
    }
  }

  async function finish(jobId: string): Promise<void> {
    const job = await db.importJob.findUniqueOrThrow({ where: { id: jobId } });
    const total = job.createdCount + job.updatedCount + job.unchangedCount + job.rejectedCount;
    const { count } = await db.importJob.updateMany({
      where: { id: jobId, leaseOwner: instanceId },
      data: { status: ImportStatus.completed, finishedAt: new Date(), totalRows: total, leaseOwner: null, leaseExpiresAt: null, inFlightLine: job.committedLine },
    });
    // The rows now live in the database; the file held debtor data we no longer need.
    if (count === 1) await removeImportFiles(dataDir, jobId);
  }

  async function fail(jobId: string, message: string): Promise<void> {
    await db.importJob.updateMany({
      where: { id: jobId, leaseOwner: instanceId },
      data: { status: ImportStatus.failed, error: message, finishedAt: new Date(), leaseOwner: null, leaseExpiresAt: null },
    });
    await removeImportFiles(dataDir, jobId);
  }

  return {
    instanceId,
    leaseMs,
    /** Resumes unfinished jobs now and keeps looking for abandoned ones. */
    async start(): Promise<void> {
      stopped = false;
      timer ??= setInterval(() => void sweep().catch((error: unknown) => log?.warn({ err: error }, 'import sweep failed')), sweepMs);
      timer.unref();
      await sweep();
    },
    /** Starts a job that was just queued, if this process may take it. */
    kick(jobId: string): void {
      launch(jobId).catch((error: unknown) => log?.warn({ err: error, jobId }, 'import job could not start now; the sweep will retry'));
    },
    /**
     * Stops taking rows, lets the rows in flight finish and hands the jobs back at once (their
     * uncommitted batch is replayed by whoever resumes them).
     */
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      const jobs = [...running.entries()];
      for (const [, job] of jobs) job.abort.abort();
      await Promise.all(jobs.map(([, job]) => job.done));
      if (jobs.length > 0) {
        await db.importJob.updateMany({ where: { id: { in: jobs.map(([id]) => id) }, leaseOwner: instanceId }, data: { leaseOwner: null, leaseExpiresAt: null } });
      }
    },
    /** Waits for the jobs running now (tests). */
    idle: () => Promise.all([...running.values()].map((job) => job.done)).then(() => undefined),
  };
}

/** The second row naming an external id is refused: which of two rows holds the truth is the sender's call. */
function withDuplicateCheck(item: ImportRowItem, seen: Map<string, number>): ImportRowItem {
  if (!item.result.ok) return item;
  const { externalId } = item.result.account;
  const first = seen.get(externalId);
  if (first === undefined) {
    seen.set(externalId, item.line);
    return item;
  }
  return { line: item.line, result: { ok: false, externalId, problems: [{ field: 'externalId', reason: `duplicate of line ${first}: the file names this account twice` }] } };
}

/** Resumes unfinished import jobs in a process that does not serve the import routes itself. */
export async function resumeImportJobs(options: ImportRunnerOptions): Promise<ImportRunner> {
  const runner = createImportRunner(options);
  await runner.start();
  return runner;
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

/** Stores an upload as a new job and queues it; a file-level problem fails the job and answers 4xx. */
export async function createImport({
  db,
  runner,
  dataDir,
  body,
  format,
  defaultStrategy,
  actor,
  team,
  maxBytes,
}: {
  db: Db;
  runner: ImportRunner;
  dataDir: string;
  body: Readable;
  format: ImportFormat;
  defaultStrategy: string | undefined;
  actor: string;
  /** The uploading key's team: the job belongs to it and its rows enroll into it only. */
  team: string | null;
  maxBytes: number;
}): Promise<ImportJobView> {
  if (defaultStrategy && !(await activeStrategy(db, defaultStrategy))) {
    throw unprocessable('unknown_strategy', `no active strategy "${defaultStrategy}"`, [{ path: 'querystring.strategy', message: `no active strategy named "${defaultStrategy}"` }]);
  }
  const job = await db.importJob.create({
    data: { format, defaultStrategy: defaultStrategy ?? null, createdBy: actor, team, leaseOwner: runner.instanceId, leaseExpiresAt: new Date(Date.now() + runner.leaseMs) },
  });
  // Keep the claim on the upload alive however slowly the file arrives.
  const heartbeat = setInterval(
    () => void db.importJob.updateMany({ where: { id: job.id, status: ImportStatus.receiving }, data: { leaseExpiresAt: new Date(Date.now() + runner.leaseMs) } }).catch(() => undefined),
    Math.max(1000, runner.leaseMs / 3),
  );
  heartbeat.unref();
  const file = importFile(dataDir, job.id, format);
  try {
    const { lines } = await storeUpload({ body, file, maxBytes }).catch((error: unknown) => {
      if (error instanceof ImportFileError) throw error;
      throw new ImportFileError('upload_interrupted', `the upload did not complete: ${(error as Error).message}`);
    });
    await checkImportFile({ file, format, context: { defaultStrategy } });
    const queued = await db.importJob.update({
      where: { id: job.id },
      data: { status: ImportStatus.queued, totalRows: format === 'csv' ? lines - 1 : lines, leaseOwner: null, leaseExpiresAt: null },
    });
    runner.kick(job.id);
    return importJobView(queued);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await db.importJob.update({ where: { id: job.id }, data: { status: ImportStatus.failed, error: message, finishedAt: new Date(), leaseOwner: null, leaseExpiresAt: null } });
    await removeImportFiles(dataDir, job.id);
    if (error instanceof ImportFileError) {
      const problems = error.problems.length ? error.problems : [{ field: 'file', reason: error.message }];
      if (error.code === 'file_too_large') throw new ApiError(413, error.code, error.message);
      throw new ApiError(400, error.code, `${error.message} (import ${job.id})`, problems.map((problem) => ({ path: `body.${problem.field}`, message: problem.reason })));
    }
    throw error;
  } finally {
    clearInterval(heartbeat);
  }
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

/** The rejected rows as CSV (line, externalId, field, reason) in line order, read a page at a time. */
export async function* rejectedRowsCsv({ db, jobId }: { db: Db; jobId: string }): AsyncGenerator<string> {
  yield csvLine(['line', 'externalId', 'field', 'reason']);
  let after: { line: number; field: string } | undefined;
  for (;;) {
    const page = await db.importRejection.findMany({
      where: { jobId, ...(after ? { OR: [{ line: { gt: after.line } }, { line: after.line, field: { gt: after.field } }] } : {}) },
      orderBy: [{ line: 'asc' }, { field: 'asc' }],
      take: 1000,
    });
    for (const row of page) yield csvLine([row.line, row.externalId, row.field, row.reason]);
    const last = page.at(-1);
    if (!last || page.length < 1000) return;
    after = { line: last.line, field: last.field };
  }
}

/** Checks the job exists before a download starts streaming. */
export async function requireImportJob({ db, jobId, scope }: { db: Db; jobId: string; scope: { team?: string } }): Promise<void> {
  if (!(await db.importJob.count({ where: jobWhere(jobId, scope) }))) throw notFound(`import "${jobId}"`);
}
