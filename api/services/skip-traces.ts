import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Db } from '../../lib/db.js';
import { skipTraceWorkflow } from '../../workflows/skip-trace.js';
import { taskQueue } from '../../workflows/case-messages.js';
import { skipTraceWorkflowId, type SkipTraceMode } from '../../workflows/skip-trace-messages.js';
import { ApiError, notFound, unprocessable, type FieldProblem } from '../errors.js';

/**
 * Skip tracing through the API: a task (the case's debtor) or a manager's bulk action (debtors or
 * cases) asks the vendor. The requests are written first, then one skip-trace workflow per batch
 * runs them with Temporal's retries; if the workflow cannot be started nothing stays behind. The
 * results arrive as the person's new contacts (records/skip-trace-results.ts), unverified until
 * used successfully or confirmed by an officer (PATCH /api/v1/debtors/{id}/contacts/{contactId}
 * `{ verified: true, reason }`, audited).
 */

interface Subject {
  debtorId: string;
  caseId: string | null;
  taskId: string | null;
}

async function start(db: Db, temporal: Client, { subjects, mode, requestedBy }: { subjects: Subject[]; mode: SkipTraceMode; requestedBy: string }) {
  const batchId = randomUUID();
  const rows = subjects.map((subject) => ({ id: randomUUID(), ...subject, batchId, requestedBy, mode }));
  await db.$transaction([
    db.skipTraceRequest.createMany({ data: rows }),
    db.auditEvent.createMany({
      data: rows.map((row) => ({ debtorId: row.debtorId, caseId: row.caseId, actor: requestedBy, action: 'skip_trace_requested', data: { requestId: row.id, batchId, mode, taskId: row.taskId } })),
    }),
  ]);
  try {
    await temporal.workflow.start(skipTraceWorkflow, { taskQueue, workflowId: skipTraceWorkflowId(batchId), args: [{ batchId, requestIds: rows.map((row) => row.id), mode }] });
  } catch (error) {
    // Not started: the requests would never run, so none of them stays.
    await db.$transaction([
      db.auditEvent.deleteMany({ where: { action: 'skip_trace_requested', data: { path: ['batchId'], equals: batchId } } }),
      db.skipTraceRequest.deleteMany({ where: { batchId } }),
    ]);
    throw error;
  }
  return { batchId, mode, requests: rows.map((row) => ({ requestId: row.id, debtorId: row.debtorId, caseId: row.caseId })) };
}

/** A manager's bulk action: every named debtor and every named case's debtor, once each. */
export async function requestSkipTraces({
  db,
  temporal,
  debtorIds = [],
  caseIds = [],
  mode,
  requestedBy,
  scope,
}: {
  db: Db;
  temporal: Client;
  debtorIds?: string[] | undefined;
  caseIds?: string[] | undefined;
  mode: SkipTraceMode;
  requestedBy: string;
  scope: { team?: string };
}) {
  const problems: FieldProblem[] = [];
  const debtors = await db.debtor.findMany({ where: { id: { in: debtorIds } }, select: { id: true } });
  const knownDebtors = new Set(debtors.map((debtor) => debtor.id));
  debtorIds.forEach((id, index) => {
    if (!knownDebtors.has(id)) problems.push({ path: `body.debtorIds.${index}`, message: `no debtor "${id}"` });
  });
  const cases = await db.case.findMany({ where: { id: { in: caseIds }, ...(scope.team ? { team: scope.team } : {}) }, select: { id: true, account: { select: { debtorId: true } } } });
  const caseDebtor = new Map(cases.map((row) => [row.id, row.account.debtorId]));
  caseIds.forEach((id, index) => {
    if (!caseDebtor.has(id)) problems.push({ path: `body.caseIds.${index}`, message: `no case "${id}"` });
  });
  // All or nothing: a list with an unknown id starts no request.
  if (problems.length > 0) throw unprocessable('unknown_subjects', `${problems.length} of the named debtors or cases do not exist`, problems);
  const subjects = new Map<string, Subject>();
  for (const id of debtorIds) subjects.set(id, { debtorId: id, caseId: null, taskId: null });
  for (const id of caseIds) {
    const debtorId = caseDebtor.get(id) ?? '';
    if (!subjects.has(debtorId)) subjects.set(debtorId, { debtorId, caseId: id, taskId: null });
  }
  return start(db, temporal, { subjects: [...subjects.values()], mode, requestedBy });
}

/** From a task (typically a `skip_trace` task after a wrong party): its case's debtor; the task closes itself when contacts are found. */
export async function requestTaskSkipTrace({ db, temporal, taskId, mode, requestedBy, scope }: { db: Db; temporal: Client; taskId: string; mode: SkipTraceMode; requestedBy: string; scope: { team?: string } }) {
  const task = await db.task.findUnique({ where: { id: taskId }, select: { id: true, status: true, caseId: true, case: { select: { team: true, account: { select: { debtorId: true } } } } } });
  if (!task?.case || task.caseId === null || (scope.team && task.case.team !== scope.team)) throw notFound(`task "${taskId}"`);
  if (task.status !== 'open' && task.status !== 'claimed') throw new ApiError(409, 'task_closed', `task is ${task.status}`);
  return start(db, temporal, { subjects: [{ debtorId: task.case.account.debtorId, caseId: task.caseId, taskId: task.id }], mode, requestedBy });
}

export async function getSkipTraceBatch({ db, batchId }: { db: Db; batchId: string }) {
  const rows = await db.skipTraceRequest.findMany({ where: { batchId }, orderBy: { createdAt: 'asc' } });
  if (rows.length === 0) throw notFound(`skip-trace batch "${batchId}"`);
  return {
    batchId,
    requests: rows.map((row) => ({
      requestId: row.id,
      debtorId: row.debtorId,
      caseId: row.caseId,
      taskId: row.taskId,
      mode: row.mode,
      status: row.status,
      found: row.found,
      error: row.error,
      createdAt: row.createdAt.toISOString(),
      completedAt: row.completedAt?.toISOString() ?? null,
    })),
  };
}
