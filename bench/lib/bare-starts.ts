import { trivialTaskQueue } from '../workflows/trivial.js';
import { runPool } from './pool.js';
import type { BenchStack } from './stack.js';
import { perSecond, since } from './stats.js';

/**
 * Plain Temporal's start rate on this machine now: `count` starts of the empty baseline workflow
 * (bench/workflows/trivial.ts) with `concurrency` callers, in starts per second. A scenario takes
 * it in its own run, so its ratio is not thrown off by how busy the machine was at another time.
 */
export async function bareStartRate(stack: BenchStack, { count, concurrency, label }: { count: number; concurrency: number; label: string }): Promise<number> {
  const start = performance.now();
  await runPool(count, concurrency, async (index) => {
    await stack.temporal.workflow.start('trivialWorkflow', { taskQueue: trivialTaskQueue, workflowId: `bare-${label}-${index}`, args: [] });
  });
  return perSecond(count, since(start));
}
