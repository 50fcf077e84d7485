import type { Db } from '../lib/db.js';
import { cacheSizingDefaults, workflowCacheSize, type CacheSize } from './cache-size.js';

/**
 * The case worker's working set, from the read model: the cases not closed whose next action is
 * due before `now + windowMs` (overdue ones included: they wake as soon as a worker polls). Cases
 * of every worker: with several workers each holds the share it ran last (the server keeps a case
 * on the worker that has it cached), so this overstates one worker's share, and the memory budget
 * is what bounds it.
 */
export async function countWorkingSet(db: Db, { now = new Date(), windowMs }: { now?: Date; windowMs: number }): Promise<number> {
  return db.case.count({ where: { status: { not: 'closed' }, nextActionAt: { lt: new Date(now.getTime() + windowMs) } } });
}

/** The case worker's cache size from the working set and WORKER_MEMORY_MB; without a database (or when it cannot be read) the budget alone decides. */
export async function sizeCaseCache(
  { WORKER_MEMORY_MB, WORKER_CACHE_WINDOW_MINUTES }: { WORKER_MEMORY_MB: number; WORKER_CACHE_WINDOW_MINUTES: number },
  db: Db | undefined,
): Promise<CacheSize & { workingSet: number | undefined }> {
  const workingSet = db ? await countWorkingSet(db, { windowMs: WORKER_CACHE_WINDOW_MINUTES * 60_000 }).catch(() => undefined) : undefined;
  return { ...workflowCacheSize({ workingSet, memoryBudgetMiB: WORKER_MEMORY_MB, ...cacheSizingDefaults }), workingSet };
}
