import type { Client } from '@temporalio/client';
import type { Prisma } from '../../generated/prisma/client.js';
import type { ActorRole, TOutcome } from '../../domain/outcomes.js';
import type { Db } from '../../lib/db.js';
import { conversationOutcomes } from '../../domain/regulation/events.js';
import { callAttemptedSignal, contactChangedSignal } from '../../workflows/case-messages.js';
import { ApiError, conflict, notFound } from '../errors.js';
import { recordOutcome } from './outcomes.js';
import { callAttemptOfTask } from './task-calls.js';

/**
 * The officers' work queue: tasks in priority order with the reasons, claimed by one officer at a
 * time (the claim is one conditional UPDATE, so two officers cannot both win), completed with the
 * call's outcome, which reaches the case.
 */

export const CallOutcome = [
  'right_party_contact',
  'no_answer',
  'left_message',
  'wrong_number',
  'refused',
  'promise',
  'plan',
  'settlement',
  'dispute',
  'other',
] as const;
export type CallOutcome = (typeof CallOutcome)[number];

export async function listTasks({
  db,
  status,
  kind,
  limit,
  offset,
  scope,
}: {
  db: Db;
  status: string;
  kind?: string;
  limit: number;
  offset: number;
  scope: { team?: string };
}) {
  const where: Prisma.TaskWhereInput = {
    // The officers' queue is case work; a manager's task about the engine (a disabled webhook) is not.
    caseId: { not: null },
    status,
    ...(kind ? { kind } : {}),
    ...(scope.team ? { case: { team: scope.team } } : {}),
    // A booked callback (api/services/callbacks.ts) is work from its time on, not before.
    ...(status === 'open' ? { OR: [{ dueAt: null }, { dueAt: { lte: new Date() } }] } : {}),
  };
  const [rows, total] = await Promise.all([
    db.task.findMany({
      where,
      orderBy: [{ priority: 'desc' }, { createdAt: 'asc' }],
      take: limit,
      skip: offset,
      include: { case: { select: { id: true, balance: true, currency: true, status: true, account: { select: { externalId: true, daysPastDue: true } } } } },
    }),
    db.task.count({ where }),
  ]);
  return {
    total,
    items: rows.map((row) => ({
      id: row.id,
      caseId: row.caseId!,
      kind: row.kind,
      status: row.status,
      assignee: row.assignee,
      reason: row.reason,
      priority: row.priority,
      priorityReasons: Array.isArray(row.priorityReasons) ? (row.priorityReasons as string[]) : [],
      createdAt: row.createdAt.toISOString(),
      claimedAt: row.claimedAt?.toISOString() ?? null,
      closedReason: row.closedReason,
      // Never null: the query asks for case tasks only.
      case: { balance: row.case!.balance, currency: row.case!.currency, status: row.case!.status, externalId: row.case!.account.externalId },
    })),
  };
}

async function taskRow(db: Db, id: string, scope: { team?: string }) {
  const row = await db.task.findUnique({ where: { id }, include: { case: { select: { team: true } } } });
  // A task without a case (a manager's, about a disabled webhook) closes with what it asked for, not here.
  if (!row?.case || row.caseId === null || (scope.team && row.case.team !== scope.team)) throw notFound(`task "${id}"`);
  return { ...row, caseId: row.caseId, case: row.case };
}

export async function claimTask({ db, id, actor, scope }: { db: Db; id: string; actor: string; scope: { team?: string } }) {
  await taskRow(db, id, scope);
  const { count } = await db.task.updateMany({ where: { id, status: 'open' }, data: { status: 'claimed', assignee: actor, claimedAt: new Date() } });
  if (count === 0) {
    const current = await db.task.findUniqueOrThrow({ where: { id } });
    throw conflict('task_unavailable', current.status === 'claimed' ? `task already claimed by ${current.assignee}` : `task is ${current.status}`);
  }
  await db.auditEvent.create({ data: { caseId: (await db.task.findUniqueOrThrow({ where: { id } })).caseId, actor, action: 'task_claimed', data: { taskId: id } } });
  return db.task.findUniqueOrThrow({ where: { id } });
}

export async function completeTask({
  db,
  temporal,
  id,
  actor,
  role,
  scope,
  outcome,
  note,
  negotiated,
}: {
  db: Db;
  temporal: Client;
  id: string;
  actor: string;
  role: ActorRole;
  scope: { team?: string };
  outcome: CallOutcome;
  note?: string;
  negotiated?: TOutcome;
}) {
  const task = await taskRow(db, id, scope);
  // A task the case closed while an officer held it (paid, placed...) still takes that officer's call outcome.
  const closedWhileHeld = task.status === 'cancelled' && task.closedReason !== null && task.assignee === actor;
  if (task.status !== 'claimed' && !closedWhileHeld) throw conflict('task_not_claimed', `task is ${task.status}; claim it first`);
  if (task.assignee !== actor) throw new ApiError(403, 'forbidden', `task is claimed by ${task.assignee}`);
  // The negotiated part first: if policy refuses it (422), the task stays with the officer.
  const status = negotiated ? await recordOutcome({ temporal, caseId: task.caseId, outcome: negotiated, by: actor, role }) : null;
  // Every completed call counts toward Reg F's call cap; a conversation starts its 7 quiet days.
  // A click-to-call placed for the task is the attempt (api/services/task-calls.ts): reported once.
  const attempt = await callAttemptOfTask(db, id, outcome);
  if (attempt) {
    await temporal.workflow
      .getHandle(task.caseId)
      .signal(callAttemptedSignal, { ...attempt, outcome, conversation: conversationOutcomes.includes(outcome), by: actor })
      .catch(() => undefined);
  }
  if (outcome === 'wrong_number') {
    await temporal.workflow.getHandle(task.caseId).signal(contactChangedSignal, { channel: 'sms', valid: false, source: 'call_outcome' }).catch(() => undefined);
  }
  await db.$transaction([
    db.task.update({ where: { id }, data: { status: 'done', outcome, outcomeNote: note ?? null, completedAt: new Date() } }),
    db.auditEvent.create({ data: { caseId: task.caseId, actor, action: 'call_outcome', data: { taskId: id, outcome, negotiated: negotiated?.kind ?? null } } }),
  ]);
  return { taskId: id, caseId: task.caseId, outcome, case: status };
}
