import type { Client } from '@temporalio/client';
import type { Db } from '../../lib/db.js';

/** Whether the database and Temporal answer now (each probe's failure is an answer, not an error). */
export async function reachability({ db, temporal }: { db: Db; temporal: Client }): Promise<{ database: boolean; temporal: boolean }> {
  const [database, temporalUp] = await Promise.all([
    db.$queryRaw`SELECT 1`.then(() => true, () => false),
    temporal.workflowService.getSystemInfo({}).then(() => true, () => false),
  ]);
  return { database, temporal: temporalUp };
}
