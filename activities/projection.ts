import { ApplicationFailure, log } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { wellFormedDeep } from '../domain/well-formed-text.js';
import type { Db } from '../lib/db.js';
import type { Prisma } from '../generated/prisma/client.js';
import { readProjectedCase, writeCaseState } from '../records/case-projection-rows.js';
import { verifyContactsUsed } from '../records/skip-trace-results.js';
import { settleCaseTasks, touchesTasks } from '../records/task-queue.js';
import { tasksClosedBy } from '../domain/task-closing.js';
import type { CaseEvent, CaseEventOf, CaseState, ProjectedLedgerEntry } from '../workflows/case-messages.js';
import { writeLedgerEntries } from '../records/ledger-entries.js';
import { wakeAfterCommit, writeWebhookOutbox } from './webhook-outbox.js';

/**
 * The case's read model: its current state plus its events as audit rows, payments and contact
 * changes, written in one transaction. Safe to retry: events carry a unique key, and a state
 * older than what is already stored is ignored.
 *
 * A write the database refuses for good (a data error) fails at once as `ProjectionRejected`; any
 * failure is noted in `ProjectionFailure` when the database can be reached, for an operator, and
 * the row goes when a later write catches up. Text is repaired on the way in (a lone surrogate
 * from an older history becomes U+FFFD) so one character cannot stall a case.
 */

export interface ProjectCaseInput {
  caseId: string;
  seq: number;
  state: Pick<CaseState, 'status' | 'closeReason' | 'balance' | 'currentStep' | 'nextActionAt' | 'nextActionWhy'>;
  events: CaseEvent[];
  /** Account ledger entries not yet written (cases of 'ledger-entries'); written idempotently by (case, entry id). */
  ledger?: ProjectedLedgerEntry[];
  /** Set by the workflow while an earlier write failed: a success clears the operator's record. */
  catchingUp?: boolean;
}

/** The failure type of a projection the database refused for good: retrying cannot help. */
export const projectionRejected = 'ProjectionRejected';

export function createProjectionActivities({ db, temporal }: { db: Db; temporal?: Client | undefined }) {
  return {
    async projectCase(input: ProjectCaseInput): Promise<void> {
      let outbound: string[];
      try {
        outbound = await writeProjection(db, input);
      } catch (error) {
        const { code, message, permanent } = describeFailure(error);
        // Debtor data stays out of the log: the case id and the database's code only.
        log.warn('case projection failed', { caseId: input.caseId, code, permanent });
        await noteFailure(db, input.caseId, code, message);
        // Rethrown with the safe message only: the workflow keeps it in its status.
        if (permanent) throw ApplicationFailure.nonRetryable(`the database refused the case's read model: ${message}`, projectionRejected);
        throw ApplicationFailure.retryable(`the case's read model could not be written: ${message}${code ? ` (${code})` : ''}`, 'ProjectionFailed');
      }
      if (input.catchingUp) await db.$executeRaw`DELETE FROM "ProjectionFailure" WHERE "caseId" = ${input.caseId}`;
      // Committed: the outbound events are in the outbox; their subscriptions' deliveries start now.
      if (outbound.length > 0) await wakeAfterCommit(temporal, outbound);
    },
  };
}

/** Records (or counts again) a case's projection failure; silent when the database is unreachable too. */
async function noteFailure(db: Db, caseId: string, code: string | null, message: string): Promise<void> {
  await db.$executeRaw`
    INSERT INTO "ProjectionFailure" ("caseId", "code", "message") VALUES (${caseId}, ${code}, ${message})
    ON CONFLICT ("caseId") DO UPDATE SET "lastFailedAt" = now(), "failures" = "ProjectionFailure"."failures" + 1, "code" = EXCLUDED."code", "message" = EXCLUDED."message"`.catch(() => undefined);
}

/**
 * The database's code and a message safe to store and log (PostgreSQL's detail, which may quote
 * the refused value, is left out), and whether retrying is pointless: a data exception (SQLSTATE
 * class 22), an integrity violation (23), a missing case row, or a value Prisma itself refuses.
 */
export function describeFailure(error: unknown): { code: string | null; message: string; permanent: boolean } {
  const known = error as { name?: string; code?: unknown; message?: unknown; meta?: { driverAdapterError?: { cause?: { originalCode?: unknown; originalMessage?: unknown; kind?: unknown } } } };
  const cause = known.meta?.driverAdapterError?.cause;
  const sqlState = typeof cause?.originalCode === 'string' ? cause.originalCode : null;
  const prismaCode = typeof known.code === 'string' ? known.code : null;
  const code = sqlState ?? prismaCode;
  const permanent = (sqlState !== null && /^2[23]/.test(sqlState)) || prismaCode === 'P2025' || known.name === 'PrismaClientValidationError';
  const text = typeof cause?.originalMessage === 'string' ? cause.originalMessage : sqlState ? `SQLSTATE ${sqlState}` : typeof cause?.kind === 'string' ? cause.kind : known.name ?? 'Error';
  // PostgreSQL quotes the refused value in some messages (`value "…" is out of range`): left out too.
  const firstLine = (text.split('\n')[0] ?? 'Error').replace(/"[^"]*"/g, '"…"');
  return { code, message: firstLine.slice(0, 300), permanent };
}

/** Writes the read model; answers the webhook subscriptions with new deliveries in the outbox. */
async function writeProjection(db: Db, input: ProjectCaseInput): Promise<string[]> {
  // Ill-formed text from an older history is repaired, not refused: the case's record must be written.
  const { caseId, seq, state, events, ledger } = wellFormedDeep(input);
  return db.$transaction(async (tx) => {
    // The case with its account read in one statement, and written in one (records/case-projection-rows.ts).
    const current = await readProjectedCase(tx, caseId);
    if (seq >= current.projectedSeq) await writeCaseState(tx, current, seq, state);
    if (events.length === 0) {
      await writeMoneyRows(tx, caseId, ledger, []);
      return [];
    }

    // Events that may close or rescore tasks, and which of the closing ones this write records for
    // the first time (a retried write must not close a task created since). Rescoring reads the
    // database as it is now, so doing it again on a retry changes nothing: a payment looks nothing up.
    const forQueue = events.filter(touchesTasks);
    const closing = forQueue.filter((event) => tasksClosedBy(event) !== null);
    const known = closing.length === 0 ? new Set<string | null>() : new Set((await tx.auditEvent.findMany({ where: { idempotencyKey: { in: closing.map((event) => `${caseId}#${event.seq}`) } }, select: { idempotencyKey: true } })).map((row) => row.idempotencyKey));

    await tx.auditEvent.createMany({
      data: events.map((event) => ({
        caseId,
        actor: 'workflow',
        action: event.type,
        at: new Date(event.at),
        // Event data is plain JSON (it travelled through Temporal as JSON).
        data: { seq: event.seq, detail: event.detail, stepId: event.stepId ?? null, ...event.data } as Prisma.InputJsonObject,
        idempotencyKey: `${caseId}#${event.seq}`,
      })),
      skipDuplicates: true,
    });

    // The queue follows the case in the same transaction: settled tasks close, the rest are rescored.
    const fresh = forQueue.filter((event) => !known.has(`${caseId}#${event.seq}`));
    if (fresh.length > 0) await settleCaseTasks(tx, caseId, fresh);

    // A skip-traced contact a message reached is verified by that use (a retried send included: the step's one send).
    const used = events.flatMap((event) => (event.type === 'step_done' && event.data?.communicationId ? [event.data.communicationId] : []));
    if (used.length > 0 && current.unverifiedSkipTrace) await verifyContactsUsed(tx, caseId, used);

    for (const event of events) {
      const change = contactChange(event);
      if (!change) continue;
      const where = { debtorId: current.account.debtorId, channel: change.channel };
      if (change.kind === 'opted_out') {
        await tx.contact.updateMany({ where, data: { optedOutAt: new Date(event.at), optOutSource: change.source } });
      } else if (change.kind === 'opted_in') {
        await tx.contact.updateMany({ where, data: { optedOutAt: null, optOutSource: null } });
      } else {
        await tx.contact.updateMany({ where, data: { status: 'invalid' } });
      }
    }

    // Events out (issue 22): the outbox is written with the change that causes it.
    const outbound = await writeWebhookOutbox(tx, current, events);
    await writeMoneyRows(tx, caseId, ledger, events);
    return outbound;
    // Waiting up to 5 s for a connection (Prisma's default is 2 s): in a burst the worker's
    // activities outnumber its pool for a moment, and a write given up there is a failed attempt.
  }, { maxWait: 5_000 });
}

/**
 * The ledger entries, payments and reversals: written last, just before the commit, because their
 * triggers update the report aggregates (records/*-aggregates.ts), whose rows every case of a
 * cohort or currency shares; a row lock taken there is held until the commit, so taken early it
 * made concurrent projections wait on each other for the whole transaction. Their order among
 * themselves is the triggers' (the ledger entry before its payment, then reversals).
 */
async function writeMoneyRows(tx: Prisma.TransactionClient, caseId: string, ledger: ProjectedLedgerEntry[] | undefined, events: readonly CaseEvent[]): Promise<void> {
  // The ledger's rows with the case's balance they add up to, in the same transaction.
  if (ledger && ledger.length > 0) await writeLedgerEntries(tx, caseId, ledger);
  const payments = events.filter((event): event is CaseEventOf<'payment_applied'> => event.type === 'payment_applied');
  if (payments.length > 0) {
    await tx.payment.createMany({
      data: payments.map(({ data }) => ({
        caseId,
        reference: data.reference,
        amount: data.amount,
        currency: data.currency,
        receivedAt: new Date(data.receivedAt),
      })),
      skipDuplicates: true,
    });
  }
  // A returned payment stays on record; reports stop counting it from its reversal on.
  for (const event of events) {
    if (event.type !== 'payment_reversed') continue;
    await tx.payment.updateMany({ where: { caseId, reference: event.data.reference, reversedAt: null }, data: { reversedAt: new Date(event.at) } });
  }
}

/** What an event changes about one of the debtor's contacts: an opt-out, an opt-in, or an address found invalid. */
function contactChange(event: CaseEvent): { kind: 'opted_out' | 'opted_in' | 'invalid'; channel: string; source: string } | null {
  switch (event.type) {
    case 'opted_out':
    case 'opted_in':
      return { kind: event.type, channel: event.data.channel, source: event.data.source };
    case 'step_failed':
      return event.data?.type === 'InvalidRecipient' && event.data.channel ? { kind: 'invalid', channel: event.data.channel, source: 'provider' } : null;
    default:
      return null;
  }
}
