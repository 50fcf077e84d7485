import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cacheSizingDefaults, workflowCacheSize, type CacheSizeInput } from '../../worker/cache-size.js';
import { ZWorkerEnv } from '../../worker/config.js';

/** The case worker's cache size: the working set with headroom, above a floor, within the memory budget. */

const sizing = (input: Partial<CacheSizeInput>) =>
  workflowCacheSize({ workingSet: 0, memoryBudgetMiB: 1_400, baselineMiB: 640, perCaseKiB: 440, headroom: 1.5, floor: 200, ...input });

describe('workflowCacheSize', () => {
  it('holds the working set and its headroom when the budget allows', () => {
    expect(sizing({ workingSet: 1_000 })).toEqual({ size: 1_500, bound: 'working-set', fits: 1_768 });
  });

  it('keeps the floor when few cases are due: the cases in flight stay cached mid-step', () => {
    expect(sizing({ workingSet: 10 })).toEqual({ size: 200, bound: 'floor', fits: 1_768 });
    expect(sizing({ workingSet: 0 })).toMatchObject({ size: 200, bound: 'floor' });
  });

  it('stops at what the memory budget holds, however many cases are due', () => {
    // (1,400 - 640) MiB at 440 KiB a case: 1,768 cases, not the 30,000 a 20,000-case burst would want.
    expect(sizing({ workingSet: 20_000 })).toEqual({ size: 1_768, bound: 'memory', fits: 1_768 });
    expect(sizing({ workingSet: 20_000, memoryBudgetMiB: 2_000 })).toMatchObject({ size: 3_165, bound: 'memory' });
  });

  it('sizes by the budget alone when the working set is unknown', () => {
    expect(sizing({ workingSet: undefined })).toEqual({ size: 1_768, bound: 'memory', fits: 1_768 });
  });

  it('gives the SDK its minimum of 2 when the budget holds less than the floor', () => {
    expect(sizing({ workingSet: 50, memoryBudgetMiB: 700 })).toEqual({ size: 139, bound: 'memory', fits: 139 });
    expect(sizing({ workingSet: 50, memoryBudgetMiB: 256 })).toEqual({ size: 2, bound: 'memory', fits: 0 });
  });

  it('never exceeds the budget nor falls below 2, and holds every due case when it can', () => {
    fc.assert(
      fc.property(fc.nat(200_000), fc.integer({ min: 256, max: 64_000 }), fc.integer({ min: 50, max: 2_000 }), (workingSet, memoryBudgetMiB, perCaseKiB) => {
        const { size, fits } = workflowCacheSize({ ...cacheSizingDefaults, workingSet, memoryBudgetMiB, perCaseKiB });
        expect(size).toBeGreaterThanOrEqual(2);
        expect(size <= fits || size === 2).toBe(true);
        if (workingSet * cacheSizingDefaults.headroom <= fits) expect(size).toBeGreaterThanOrEqual(workingSet);
      }),
    );
  });
});

describe('the worker settings', () => {
  it('default to a 1,400 MiB budget and a 60-minute window, and refuse a budget that is not a number of MiB', () => {
    const parsed = ZWorkerEnv.parse({});
    expect(parsed).toMatchObject({ WORKER_MEMORY_MB: 1_400, WORKER_CACHE_WINDOW_MINUTES: 60 });
    expect(ZWorkerEnv.safeParse({ WORKER_MEMORY_MB: '1.5GB' }).success).toBe(false);
    expect(ZWorkerEnv.safeParse({ WORKER_MEMORY_MB: '100' }).success).toBe(false);
  });
});
