import { taskPriority } from '../domain/task-priority.js';
import type { Db } from '../lib/db.js';

/** The officers' work queue: one task per case, step (or event) and run, scored when created. */
export function createTaskActivities({ db }: { db: Db }) {
  async function upsertTask(data: { caseId: string; kind: string; idempotencyKey: string; reason: string; stepId?: string; balance: number; daysPastDue: number }) {
    const { score, reasons } = taskPriority(data);
    const { balance: _balance, daysPastDue: _days, ...task } = data;
    const row = await db.task.upsert({
      where: { idempotencyKey: data.idempotencyKey },
      create: { ...task, priority: score, priorityReasons: reasons },
      update: {},
    });
    return { taskId: row.id };
  }

  return {
    async createCallTask({ caseId, stepId, idempotencyKey, balance }: { caseId: string; stepId: string; idempotencyKey: string; balance: number }): Promise<{ taskId: string }> {
      const current = await db.case.findUnique({ where: { id: caseId }, select: { startedAt: true, account: { select: { daysPastDue: true } } } });
      const daysPastDue = (current?.account.daysPastDue ?? 0) + Math.floor((Date.now() - (current?.startedAt.getTime() ?? Date.now())) / 86_400_000);
      return upsertTask({ caseId, stepId, idempotencyKey, kind: 'call', reason: `scheduled call step "${stepId}"`, balance, daysPastDue });
    },

    /** A task for an exception the case met: a reply, a broken promise, a dispute, an approval. */
    async createTask(input: { caseId: string; idempotencyKey: string; kind: string; reason: string; balance: number; daysPastDue: number }): Promise<{ taskId: string }> {
      return upsertTask(input);
    },
  };
}
