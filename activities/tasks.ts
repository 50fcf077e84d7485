import type { Db } from '../lib/db.js';

/** Call steps put work in the officers' queue; one task per case, step and run. */
export function createTaskActivities({ db }: { db: Db }) {
  return {
    async createCallTask({
      caseId,
      stepId,
      idempotencyKey,
      balance,
    }: {
      caseId: string;
      stepId: string;
      idempotencyKey: string;
      balance: number;
    }): Promise<{ taskId: string }> {
      const task = await db.task.upsert({
        where: { idempotencyKey },
        create: { caseId, stepId, idempotencyKey, kind: 'call', reason: `scheduled call step "${stepId}" (balance ${balance})` },
        update: {},
      });
      return { taskId: task.id };
    },
  };
}
