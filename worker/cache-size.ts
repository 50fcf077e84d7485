/**
 * How many workflows the case worker keeps in its sticky cache.
 *
 * The SDK's default (`maxCachedWorkflows`) follows the V8 heap limit: about 2,300 workflows on a
 * 4 GiB heap, whatever the portfolio. Its cache is an LRU of runs (sdk-core's
 * `WorkflowCacheManager`): when it is full the least recently active run is evicted, and an evicted
 * case is replayed from its history when it next wakes. A case asleep for days gains nothing from
 * staying cached; the cases that wake soon do. So the cache is sized from the working set (the open
 * cases due within a window) with some headroom, never below what the task slots keep in flight,
 * and never above what fits the worker's memory budget at the bench's per-case figure.
 *
 * The SDK fixes the size when the Worker is created: it is computed at start and again at each
 * restart, not while the worker runs.
 */

export const CacheBound = {
  /** The working set with its headroom. */
  workingSet: 'working-set',
  /** The working set was smaller than the floor. */
  floor: 'floor',
  /** The memory budget allows fewer (or the working set was unknown). */
  memory: 'memory',
} as const;
export type CacheBound = (typeof CacheBound)[keyof typeof CacheBound];

export interface CacheSizeInput {
  /** Open cases that will wake within the window; undefined when unknown (no read model at hand). */
  workingSet: number | undefined;
  /** What the whole worker process may take (resident memory), MiB. */
  memoryBudgetMiB: number;
  /** The worker's resident memory with an empty cache, MiB. */
  baselineMiB: number;
  /** Resident memory one cached workflow adds, KiB. */
  perCaseKiB: number;
  /** Multiplies the working set: cases signalled (payments, replies) are active without being due. */
  headroom: number;
  /** The least cache worth having: the workflows the task slots keep in flight at once. */
  floor: number;
}

export interface CacheSize {
  size: number;
  bound: CacheBound;
  /** Workflows the memory budget holds. */
  fits: number;
}

/** The SDK refuses a cache of 1 (0 disables caching, which we never want). */
const sdkMinimum = 2;

/** The cache size for a working set, bounded by the memory budget; pure, so it is tested alone. */
export function workflowCacheSize({ workingSet, memoryBudgetMiB, baselineMiB, perCaseKiB, headroom, floor }: CacheSizeInput): CacheSize {
  const fits = Math.max(0, Math.floor(((memoryBudgetMiB - baselineMiB) * 1024) / perCaseKiB));
  const byMemory = { size: Math.max(sdkMinimum, fits), bound: CacheBound.memory, fits };
  if (workingSet === undefined) return byMemory;
  const wanted = Math.ceil(Math.max(0, workingSet) * headroom);
  const [size, bound] = wanted >= floor ? [wanted, CacheBound.workingSet] : [Math.max(sdkMinimum, floor), CacheBound.floor];
  return size > fits ? byMemory : { size, bound, fits };
}

/**
 * The figures behind the defaults, from `npm run bench -- --only 3` (bench/README.md): an idle
 * worker process holds about 630 MiB, and each cached case about 440 KiB since zod left the
 * workflow bundle. The floor covers the default task slots (40 workflow tasks, 100 activities in
 * flight, each activity's case waiting for its result) so a case mid-step is not evicted.
 */
export const cacheSizingDefaults = {
  baselineMiB: 640,
  perCaseKiB: 440,
  headroom: 1.5,
  floor: 200,
} as const satisfies Omit<CacheSizeInput, 'workingSet' | 'memoryBudgetMiB'>;
