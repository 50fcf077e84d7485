import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { DateTime } from 'luxon';
import { callbackTimeProblem, firstCallbackTime, localClock } from '../../domain/callbacks.js';
import { taskPriority } from '../../domain/task-priority.js';
import { textProblem } from '../../domain/well-formed-text.js';
import type { Db } from '../../lib/db.js';
import { contactFactsQuery } from '../../workflows/case-messages.js';
import { ApiError, conflict, invalidRequest, notFound, unprocessable } from '../errors.js';
import { unavailableDependency } from '../unavailable.js';

/**
 * Callbacks: a call at a time the person chose, booked by an officer or asked for on the debtor's
 * page. The booking is refused, with the rule's reason, when the contact rules would never let the
 * call happen then (domain/callbacks.ts); otherwise the callback and its call task are written in
 * one transaction, the task due at that time (the queue shows it from then, and the dial-time
 * check holds it like any call).
 */

export const CallbackSource = { officer: 'officer', debtorPage: 'debtor_page' } as const;
export type CallbackSource = (typeof CallbackSource)[keyof typeof CallbackSource];

/** Longest note on a callback, in characters. */
export const callbackNoteMax = 1000;
/** How far ahead a callback may be booked. */
export const callbackHorizonDays = 90;
/** Points a booked time adds to its task's priority: the person is waiting for that call. */
const bookedPoints = 15;

export interface CallbackView {
  id: string;
  caseId: string;
  /** ISO instant. */
  at: string;
  /** The time on the debtor's clock (their declared zone). */
  debtorLocal: string;
  note: string | null;
  source: string;
  bookedBy: string;
  /** keyId of the officer whose callbacks list holds it. */
  officer: string | null;
  taskId: string;
  taskStatus: string;
  createdAt: string;
}

type CallbackRow = {
  id: string;
  caseId: string;
  at: Date;
  note: string | null;
  source: string;
  bookedBy: string;
  officer: string | null;
  taskId: string;
  createdAt: Date;
  task: { status: string };
  case: { account: { debtor: { timeZone: string } } };
};

export const callbackInclude = { task: { select: { status: true } }, case: { select: { account: { select: { debtor: { select: { timeZone: true } } } } } } } as const;

export function toCallbackView(row: CallbackRow): CallbackView {
  return {
    id: row.id,
    caseId: row.caseId,
    at: row.at.toISOString(),
    debtorLocal: localClock(row.at.getTime(), row.case.account.debtor.timeZone),
    note: row.note,
    source: row.source,
    bookedBy: row.bookedBy,
    officer: row.officer,
    taskId: row.taskId,
    taskStatus: row.task.status,
    createdAt: row.createdAt.toISOString(),
  };
}

/** How long a booking waits for the case's workflow to answer. */
const factsDeadlineMs = 10_000;

/**
 * The case's live contact facts. A case whose workflow is gone answers 409; one that does not
 * answer in time (no worker) 503, as Temporal being unreachable does (api/unavailable.ts).
 */
async function caseContactFacts(temporal: Client, caseId: string) {
  try {
    return await temporal.connection.withDeadline(Date.now() + factsDeadlineMs, () => temporal.workflow.getHandle(caseId).query(contactFactsQuery));
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw conflict('case_not_running', "the case's workflow is not running: no callback can be booked on it");
    if (unavailableDependency(error)) throw error;
    throw new ApiError(503, 'case_unavailable', "the case's workflow did not answer in time to check the contact rules; try again");
  }
}

/**
 * Books a callback on a case and writes its call task, due at `at`.
 *
 * @param at when the person wants the call; absent (the debtor's page "ask for a call" without a
 *   time): the first time the rules' clock permits from now
 * @param source `officer` (booked on the phone) or `debtor_page` (the person asked on their page)
 * @param by who booked it, as the audit trail names it (`officer:<keyId>`, `debtor_page:<link id>`)
 * @param officer keyId of the officer whose callbacks list holds it; default the case's owner
 * @param requestId makes a repeat (a double click, a retried request) return the first booking
 * @returns the callback; 422 `callback_not_permitted` naming `body.at` and the rule when the call
 *   could never happen then, 409 `case_closed` on a closed case, 404 for an unknown case
 */
export async function requestCallback({
  db,
  temporal,
  caseId,
  at,
  note,
  source,
  by,
  officer,
  requestId,
  now = new Date(),
}: {
  db: Db;
  temporal: Client;
  caseId: string;
  at?: Date;
  note?: string;
  source: CallbackSource;
  by: string;
  officer?: string | null;
  requestId?: string;
  now?: Date;
}): Promise<CallbackView> {
  const idempotencyKey = `callback:${caseId}:${requestId ?? randomUUID()}`;
  if (requestId) {
    const earlier = await db.callback.findFirst({ where: { caseId, task: { idempotencyKey } }, include: callbackInclude });
    if (earlier) return toCallbackView(earlier);
  }
  if (note !== undefined) {
    const problem = textProblem(note) ?? (note.length > callbackNoteMax ? `must be at most ${callbackNoteMax} characters` : null);
    if (problem) throw invalidRequest([{ path: 'body.note', message: problem }]);
  }
  if (at && at.getTime() < now.getTime() - 60_000) throw invalidRequest([{ path: 'body.at', message: 'must not be in the past' }]);
  if (at && at.getTime() > now.getTime() + callbackHorizonDays * 86_400_000) {
    throw invalidRequest([{ path: 'body.at', message: `must be within ${callbackHorizonDays} days` }]);
  }
  const row = await db.case.findUnique({
    where: { id: caseId },
    select: { id: true, status: true, officer: true, balance: true, account: { select: { daysPastDue: true, debtor: { select: { timeZone: true } } } } },
  });
  if (!row) throw notFound(`case "${caseId}"`);
  if (row.status === 'closed') throw conflict('case_closed', 'the case is closed: no callback can be booked on it');

  // The case's live facts (what the person told us on any account included), at the chosen instant.
  const { facts, policy } = await caseContactFacts(temporal, caseId);
  let when = at;
  if (!when) {
    const first = firstCallbackTime({ from: now.getTime(), facts, policy });
    if (first === null) throw unprocessable('callback_not_permitted', 'no time in the coming weeks is one the rules permit for a call', [{ path: 'body.at', message: 'no permitted time' }]);
    when = new Date(first);
  }
  const problem = callbackTimeProblem({ at: when.getTime(), facts, policy });
  if (problem) {
    throw new ApiError(422, 'callback_not_permitted', `a call at ${when.toISOString()} is not permitted: ${problem.reason}`, [
      { path: 'body.at', message: problem.reason },
    ]);
  }

  const zone = row.account.debtor.timeZone;
  const priority = taskPriority({ kind: 'call', balance: row.balance, daysPastDue: row.account.daysPastDue });
  const holder = officer === undefined ? row.officer : officer;
  const bookedAt = when;
  const created = await db.$transaction(async (tx) => {
    const task = await tx.task.create({
      data: {
        caseId,
        kind: 'call',
        status: 'open',
        reason: `callback the person asked for at ${localClock(bookedAt.getTime(), zone)}${source === CallbackSource.debtorPage ? ' (from their page)' : ''}`,
        idempotencyKey,
        dueAt: bookedAt,
        priority: priority.score + bookedPoints,
        priorityReasons: [...priority.reasons, `a time the person chose (+${bookedPoints})`],
      },
    });
    const callback = await tx.callback.create({
      data: { caseId, at: bookedAt, note: note ?? null, source, bookedBy: by, officer: holder ?? null, taskId: task.id },
      include: callbackInclude,
    });
    await tx.auditEvent.create({
      data: { caseId, actor: by, action: 'callback_booked', data: { callbackId: callback.id, taskId: task.id, at: bookedAt.toISOString(), source, officer: holder ?? null } },
    });
    return callback;
  });
  return toCallbackView(created);
}

/** A case's callbacks, soonest first. */
export async function listCaseCallbacks({ db, caseId }: { db: Db; caseId: string }): Promise<CallbackView[]> {
  const rows = await db.callback.findMany({ where: { caseId }, orderBy: [{ at: 'asc' }, { id: 'asc' }], include: callbackInclude });
  return rows.map(toCallbackView);
}

/**
 * The callbacks an officer holds on one day, soonest first. The day is the officer's: `day` is a
 * calendar date or `today`, read in `timeZone` (the officer's zone; the console sends the
 * browser's), so "today" means the officer's working day wherever the debtors are; each callback
 * also shows the debtor's own clock.
 */
export async function officerCallbacks({
  db,
  officer,
  day,
  timeZone,
  scope,
  now = new Date(),
}: {
  db: Db;
  officer: string;
  day: string;
  timeZone: string;
  scope: { team?: string };
  now?: Date;
}): Promise<{ day: string; timeZone: string; from: string; to: string; items: CallbackView[] }> {
  const start = day === 'today' ? DateTime.fromJSDate(now, { zone: timeZone }).startOf('day') : DateTime.fromISO(day, { zone: timeZone }).startOf('day');
  const end = start.plus({ days: 1 });
  const rows = await db.callback.findMany({
    where: { officer, at: { gte: start.toJSDate(), lt: end.toJSDate() }, ...(scope.team ? { case: { team: scope.team } } : {}) },
    orderBy: [{ at: 'asc' }, { id: 'asc' }],
    include: callbackInclude,
  });
  return { day: start.toISODate() ?? day, timeZone, from: start.toISO() ?? '', to: end.toISO() ?? '', items: rows.map(toCallbackView) };
}
