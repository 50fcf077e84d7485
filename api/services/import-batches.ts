import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { TAccountEnrollment } from '../../domain/account.js';
import type { RowProblem } from '../../domain/import-row.js';
import { clip } from '../../domain/well-formed-text.js';
import type { Db } from '../../lib/db.js';
import { createLimiter } from '../../lib/limiter.js';
import { balanceAdjustedSignal } from '../../workflows/case-messages.js';
import { importActor } from '../../workflows/import-messages.js';
import { ApiError } from '../errors.js';
import type { ImportRowItem } from './import-files.js';
import { enrollAccount } from './enrollment.js';
import { enrollNewAccounts } from './enrollment-batch.js';

/**
 * One batch of an import job: every row enrolled (idempotent by external id) or refused with its
 * reasons, then the batch's outcomes and rejections committed together with the job's cursor.
 * New accounts are written together and their cases started in parallel (enrollment-batch.ts);
 * known accounts, persons named by `debtor.externalId` and replayed lines go one by one.
 * Rows of a batch an earlier attempt left uncommitted (lines up to the job's `inFlightLine`) are
 * replayed; their outcomes are recognised from the audit trail, so the counts stay exact.
 */

type Outcome = 'created' | 'updated' | 'unchanged' | 'rejected';
interface RowOutcome {
  line: number;
  outcome: Outcome;
  problems?: RowProblem[];
  externalId?: string | undefined;
}

/** Audit action written when a re-import changes an account's placed balance. */
export const placedBalanceChangedAction = 'placed_balance_changed';

/** The batch's attempt was overtaken: another attempt committed past its start. */
export class ImportMovedOn extends Error {}

/** The second row naming an external id is refused: which of two rows holds the truth is the sender's call. */
export function withDuplicateCheck(item: ImportRowItem, seen: Map<string, number>): ImportRowItem {
  if (!item.result.ok) return item;
  const { externalId } = item.result.account;
  const first = seen.get(externalId);
  if (first === undefined) {
    seen.set(externalId, item.line);
    return item;
  }
  return { line: item.line, result: { ok: false, externalId, problems: [{ field: 'externalId', reason: `duplicate of line ${first}: the file names this account twice` }] } };
}

export interface ImportBatchDeps {
  db: Db;
  temporal: Client;
  /** LINK_SECRET: keys the hashes of the debtor page's identity facts (enrollment.ts). */
  identitySecret?: string | undefined;
}

export interface ImportBatch {
  jobId: string;
  /** The uploading key's team: rows enroll into it only. */
  team: string | null;
  rows: ImportRowItem[];
  /** The job's cursor before this batch; the commit happens only if it is still there. */
  committedLine: number;
  /** Lines up to here may have taken effect in an attempt that did not commit. */
  replayThrough: number;
  concurrency: number;
  /** Checked between rows: an attempt the server gave up stops taking rows and commits nothing. */
  abandoned: () => boolean;
}

/** A row refused by enrollment (its own fault: a 4xx, or data the database cannot hold), with its reasons; anything else is thrown on. */
function refusal(line: number, externalId: string, error: unknown): RowOutcome {
  // The database refused this row's data (a constraint, a value it cannot hold): the row's
  // problem, not an outage, so it must not hold up the job.
  const code = (error as { code?: unknown }).code;
  if (!(error instanceof ApiError) && typeof code === 'string' && /^P2\d{3}$/.test(code)) {
    return { line, outcome: 'rejected', problems: [{ field: 'row', reason: `the database refused the row (${code})` }], externalId };
  }
  if (!(error instanceof ApiError) || error.statusCode >= 500) throw error;
  const problems = error.fields?.map((field) => ({ field: field.path.replace(/^body\./, ''), reason: field.message })) ?? [{ field: 'row', reason: error.message }];
  return { line, outcome: 'rejected', problems, externalId };
}

export function createImportBatches({ db, temporal, identitySecret }: ImportBatchDeps) {
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

  /** A row whose account exists: a changed placed balance updates the account and tells the case. */
  async function reconcileBalance(jobId: string, line: number, account: TAccountEnrollment, replayed: boolean): Promise<RowOutcome> {
    const idempotencyKey = `${importActor(jobId)}#${line}`;
    const existing = await db.account.findUniqueOrThrow({ where: { externalId: account.externalId }, include: { cases: true } });
    const current = existing.cases[0];
    if (account.balance === existing.originalBalance || !current) {
      // Replaying a row whose change was stored before a crash: finish it (the signal is idempotent).
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

  async function processRow(jobId: string, team: string | null, item: ImportRowItem, replayed: boolean): Promise<RowOutcome> {
    const { line, result } = item;
    if (!result.ok) return { line, outcome: 'rejected', problems: result.problems, externalId: result.externalId };
    const actor = importActor(jobId);
    try {
      // The job enrolls as the key that uploaded it: its team's rules hold row by row. An outage
      // fails the batch and Temporal retries the slice; the row's own fault is answered here.
      const { created, caseId } = await enrollAccount({ db, temporal, input: result.account, actor, allowBalanceChange: true, callerTeam: team, identitySecret });
      if (created) return { line, outcome: 'created' };
      // Enrolled by this job in an attempt that died before its batch was committed.
      if (replayed && (await db.auditEvent.count({ where: { caseId, action: 'account_enrolled', actor } })) > 0) return { line, outcome: 'created' };
      return await reconcileBalance(jobId, line, result.account, replayed);
    } catch (error) {
      return refusal(line, result.account.externalId, error);
    }
  }

  /** Runs one batch and commits its outcomes with the cursor; answers the new cursor. */
  async function runBatch({ jobId, team, rows, committedLine, replayThrough, concurrency, abandoned }: ImportBatch): Promise<number> {
    const last = rows.at(-1)?.line ?? committedLine;
    // Marks how far this attempt may reach before it commits, for whoever replays it after a crash.
    const { count } = await db.importJob.updateMany({ where: { id: jobId, committedLine }, data: { inFlightLine: Math.max(last, replayThrough) } });
    if (count !== 1) throw new ImportMovedOn(`import ${jobId} moved past line ${committedLine} without this attempt`);
    // New accounts go together (enrollment-batch.ts); rows an earlier attempt may have reached, and
    // whatever the batch leaves, one by one.
    const together = await enrollNewAccounts({
      db,
      temporal,
      rows: rows.flatMap((item) => (item.result.ok && item.line > replayThrough ? [{ line: item.line, input: item.result.account }] : [])),
      actor: importActor(jobId),
      callerTeam: team,
      identitySecret,
      // Its rows' writes are done by then: what is in flight is only workflow starts, which hold
      // no database connection. Twice the rows measured best (bench/profile-import.ts, 2 cores:
      // 16 starts in flight 20 rows/s, 32 26 rows/s, 64 27 rows/s with each start twice as slow).
      concurrency: concurrency * 2,
      abandoned,
    });
    const limit = createLimiter(concurrency);
    const outcomes = await Promise.all(
      rows.map((item) =>
        limit(async (): Promise<RowOutcome> => {
          if (together.created.has(item.line)) return { line: item.line, outcome: 'created' };
          const refused = together.refused.get(item.line);
          if (refused !== undefined && item.result.ok) return refusal(item.line, item.result.account.externalId, refused);
          // A given-up attempt stops enrolling; the retry replays the batch.
          if (abandoned()) throw new ImportMovedOn(`import ${jobId}: this attempt was given up`);
          return processRow(jobId, team, item, item.line <= replayThrough);
        }),
      ),
    );

    const tally = (outcome: Outcome) => outcomes.filter((row) => row.outcome === outcome).length;
    const rejections = outcomes.flatMap((row) =>
      (row.problems ?? []).map((problem) => ({ jobId, line: row.line, field: clip(problem.field, 200), reason: clip(problem.reason, 1000), externalId: typeof row.externalId === 'string' ? clip(row.externalId, 100) : null })),
    );
    await db.$transaction(async (tx) => {
      if (rejections.length > 0) await tx.importRejection.createMany({ data: rejections, skipDuplicates: true });
      const moved = await tx.importJob.updateMany({
        where: { id: jobId, committedLine },
        data: {
          committedLine: last,
          createdCount: { increment: tally('created') },
          updatedCount: { increment: tally('updated') },
          unchangedCount: { increment: tally('unchanged') },
          rejectedCount: { increment: tally('rejected') },
          error: null,
        },
      });
      if (moved.count !== 1) throw new ImportMovedOn(`import ${jobId} moved past line ${committedLine} without this attempt`);
    });
    return last;
  }

  return { runBatch };
}
