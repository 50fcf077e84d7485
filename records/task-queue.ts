import { tasksAfterClosing, tasksClosedBy } from '../domain/task-closing.js';
import { taskPriority, type TaskFacts } from '../domain/task-priority.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { CaseEvent } from '../workflows/case-messages.js';

/**
 * Keeping the officers' queue true to the cases: tasks whose work was done elsewhere close
 * themselves with the reason, and open tasks are scored again when what their score reads
 * changes. The projection calls both in the transaction that writes the case's events
 * (activities/projection.ts), so the queue never says more or less than the case's record; the
 * API calls the rescoring when it adds a contact.
 */

const workingStatuses = ['open', 'claimed'];
const arrangementActions = ['arrangement_made', 'arrangement_kept', 'arrangement_broken', 'arrangement_cancelled'];
/** Contacts count as new for this long after they were added, unless verified first. */
const newContactDays = 30;
const dayMs = 86_400_000;

/** Events that change what a task's score reads: the balance, a broken or new arrangement, a contact. */
const rescoringEvents: ReadonlySet<CaseEvent['type']> = new Set([
  'payment_applied',
  'payment_reversed',
  'balance_adjusted',
  'arrangement_made',
  'arrangement_kept',
  'arrangement_broken',
  'arrangement_cancelled',
  'contact_changed',
  'opted_in',
]);

/** Whether an event closes or rescores any task: the projection looks for tasks only then. */
export function touchesTasks(event: CaseEvent): boolean {
  return rescoringEvents.has(event.type) || tasksClosedBy(event) !== null;
}

/** What the score of a case's tasks reads, as the database has it now; null without the case. */
export async function caseTaskFacts(tx: Prisma.TransactionClient, caseId: string): Promise<Omit<TaskFacts, 'kind'> | null> {
  const row = await tx.case.findUnique({ where: { id: caseId }, select: { balance: true, startedAt: true, account: { select: { daysPastDue: true, debtorId: true } } } });
  if (!row) return null;
  const [last, newContacts] = await Promise.all([
    tx.auditEvent.findFirst({ where: { caseId, action: { in: arrangementActions } }, orderBy: [{ at: 'desc' }, { id: 'desc' }], select: { action: true } }),
    tx.contact.count({
      where: {
        debtorId: row.account.debtorId,
        verifiedAt: null,
        retiredAt: null,
        status: 'valid',
        source: { in: ['skip_trace', 'officer'] },
        createdAt: { gte: new Date(Date.now() - newContactDays * dayMs) },
      },
    }),
  ]);
  return {
    balance: row.balance,
    daysPastDue: row.account.daysPastDue + Math.floor((Date.now() - row.startedAt.getTime()) / dayMs),
    brokenPromise: last?.action === 'arrangement_broken',
    newContacts,
  };
}

/** Scores a case's open and claimed tasks again; answers how many changed. */
export async function rescoreCaseTasks(tx: Prisma.TransactionClient, caseId: string): Promise<number> {
  const tasks = await tx.task.findMany({ where: { caseId, status: { in: workingStatuses } }, select: { id: true, kind: true, priority: true } });
  if (tasks.length === 0) return 0;
  const facts = await caseTaskFacts(tx, caseId);
  if (!facts) return 0;
  let changed = 0;
  for (const task of tasks) {
    const { score, reasons } = taskPriority({ ...facts, kind: task.kind });
    await tx.task.update({ where: { id: task.id }, data: { priority: score, priorityReasons: reasons } });
    if (score !== task.priority) changed++;
  }
  return changed;
}

/** Scores again the tasks of every case of a person (a contact was added or confirmed). */
export async function rescoreDebtorTasks(tx: Prisma.TransactionClient, debtorId: string): Promise<void> {
  const cases = await tx.case.findMany({ where: { account: { debtorId }, tasks: { some: { status: { in: workingStatuses } } } }, select: { id: true } });
  for (const { id } of cases) await rescoreCaseTasks(tx, id);
}

/**
 * Applies newly recorded events to the case's queue: closes the tasks each settles (with the
 * reason, audited) and rescores the rest when an event changed what they read. `fresh` are the
 * events not recorded before, so a retried write does not close a task created since.
 */
export async function settleCaseTasks(tx: Prisma.TransactionClient, caseId: string, fresh: CaseEvent[]): Promise<{ closed: number }> {
  let closed = 0;
  for (const event of fresh) {
    const closing = tasksClosedBy(event);
    if (!closing) continue;
    const kind = closing.kinds === 'all' ? { notIn: [...tasksAfterClosing] } : { in: [...closing.kinds] };
    const tasks = await tx.task.findMany({ where: { caseId, status: { in: workingStatuses }, kind }, select: { id: true, kind: true, status: true, assignee: true } });
    for (const task of tasks) {
      await tx.task.update({ where: { id: task.id }, data: { status: 'cancelled', closedReason: closing.reason, completedAt: new Date() } });
      await tx.auditEvent.create({
        data: { caseId, actor: 'workflow', action: 'task_closed', data: { taskId: task.id, kind: task.kind, was: task.status, assignee: task.assignee, reason: closing.reason, event: event.type, seq: event.seq } },
      });
      closed++;
    }
  }
  if (fresh.some((event) => rescoringEvents.has(event.type))) await rescoreCaseTasks(tx, caseId);
  return { closed };
}
