import { taskPriority } from '../domain/task-priority.js';
import type { Db } from '../lib/db.js';
import { ensureCaseFilePackage, markCaseFileDelivered } from '../records/case-file.js';
import { caseTaskFacts } from '../records/task-queue.js';

/** Days past due today: at enrollment, plus the days the case has run since. */
export async function caseDaysPastDue(db: Db, caseId: string): Promise<number> {
  const current = await db.case.findUnique({ where: { id: caseId }, select: { startedAt: true, account: { select: { daysPastDue: true } } } });
  return (current?.account.daysPastDue ?? 0) + Math.floor((Date.now() - (current?.startedAt.getTime() ?? Date.now())) / 86_400_000);
}

/** The officers' work queue: one task per case, step (or event) and run, scored when created (and again as the case changes: records/task-queue.ts). */
export function createTaskActivities({ db }: { db: Db }) {
  async function upsertTask(data: { caseId: string; kind: string; idempotencyKey: string; reason: string; stepId?: string; balance: number; daysPastDue: number }) {
    // The case's broken promise and new contacts count from the start; balance and age as the case gave them.
    const facts = await caseTaskFacts(db, data.caseId);
    const { score, reasons } = taskPriority({ ...facts, ...data });
    const { balance: _balance, daysPastDue: _days, ...task } = data;
    const row = await db.task.upsert({
      where: { idempotencyKey: data.idempotencyKey },
      create: { ...task, priority: score, priorityReasons: reasons },
      update: {},
    });
    return { taskId: row.id };
  }

  /** The legal team gets the case file with the task: the same package an agency would. */
  async function attachCaseFile({ caseId, idempotencyKey, taskId }: { caseId: string; idempotencyKey: string; taskId: string }): Promise<void> {
    const stored = await ensureCaseFilePackage(db, { caseId, purpose: 'legal', idempotencyKey, taskId });
    if (!stored.deliveredAt) await markCaseFileDelivered(db, stored, `task:${taskId}`, 'case file attached to the legal review task');
  }

  return {
    async createCallTask({ caseId, stepId, idempotencyKey, balance }: { caseId: string; stepId: string; idempotencyKey: string; balance: number }): Promise<{ taskId: string }> {
      return upsertTask({ caseId, stepId, idempotencyKey, kind: 'call', reason: `scheduled call step "${stepId}"`, balance, daysPastDue: await caseDaysPastDue(db, caseId) });
    },

    /** A task for an exception the case met: a reply, a broken promise, a dispute, an approval, a legal review (with the case file). */
    async createTask(input: { caseId: string; idempotencyKey: string; kind: string; reason: string; balance: number; daysPastDue: number }): Promise<{ taskId: string }> {
      const created = await upsertTask(input);
      if (input.kind === 'legal_review') await attachCaseFile({ caseId: input.caseId, idempotencyKey: input.idempotencyKey, taskId: created.taskId });
      return created;
    },
  };
}
