import { randomUUID } from 'node:crypto';
import type { ScenarioResult } from '../results.js';
import { benchDefinition, middayZone, saveStrategy } from '../lib/bench-strategies.js';
import { projectedCount } from '../lib/bulk-cases.js';
import { cpuFigures, cpuSpent } from '../lib/cpu.js';
import { progress } from '../lib/log.js';
import { eventually } from '../../testing/eventually.js';
import { runPool } from '../lib/pool.js';
import { benchKeys, type BenchStack } from '../lib/stack.js';
import { percentiles, perSecond, round, since } from '../lib/stats.js';
import { quietTimeline } from '../lib/timelines.js';
import { trivialTaskQueue } from '../workflows/trivial.js';

/**
 * Scenario 1: N accounts enrolled through `POST /api/v1/accounts` against N bare
 * `client.workflow.start` calls of a trivial workflow, on the same server in the same run, with
 * the same number of concurrent callers. Bare Temporal goes first; both get a warm-up.
 */

export interface EnrollmentOptions {
  count: number;
  concurrency: number;
  warmup: number;
}

export async function enrollmentThroughput(stack: BenchStack, { count, concurrency, warmup }: EnrollmentOptions): Promise<ScenarioResult> {
  const run = randomUUID().slice(0, 8);
  const strategy = await saveStrategy(stack, benchDefinition(`bench-enroll-${run}`, quietTimeline()));
  const timeZone = middayZone();

  const bareStart = (label: string) => async (index: number) => {
    await stack.temporal.workflow.start('trivialWorkflow', { taskQueue: trivialTaskQueue, workflowId: `bare-${run}-${label}-${index}`, args: [] });
  };
  const enroll = (label: string) => async (index: number) => {
    const { status, body } = await stack.call('POST', '/api/v1/accounts', {
      key: benchKeys.integration,
      body: {
        externalId: `ENR-${run}-${label}-${index}`,
        strategy: strategy.key,
        currency: 'USD',
        balance: 125_000,
        daysPastDue: 30,
        debtor: { name: `Debtor ${index}`, email: `debtor${index}@example.test`, phone: `+1555${String(index).padStart(7, '0')}`, timeZone, smsConsent: true },
      },
    });
    if (status !== 201) throw new Error(`enrollment answered ${status}: ${JSON.stringify(body)}`);
  };
  /** Runs `count` calls, returning each call's latency and the wall time. */
  const measure = async (label: string, task: (index: number) => Promise<void>) => {
    const latencies: number[] = [];
    const start = performance.now();
    let lastReport = start;
    await runPool(count, concurrency, async (index) => {
      if (performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        progress(`${label}: ${latencies.length}/${count} done`);
      }
      const begin = performance.now();
      await task(index);
      latencies.push(since(begin));
    });
    return { start, wallMs: since(start), latencies };
  };

  await runPool(warmup, concurrency, bareStart('warmup'));
  await runPool(warmup, concurrency, enroll('warmup'));
  await eventually(async () => (await projectedCount(stack, strategy.id)) >= warmup, 'warm-up enrollments to settle', 120_000, 250);

  // "Settled": every bare workflow completed / every enrolled case asleep with its state projected.
  const cpuBefore = await stack.cpu();
  const bare = await measure('bare starts', bareStart('run'));
  const bareDone = `WorkflowType = "trivialWorkflow" AND ExecutionStatus = "Completed" AND WorkflowId STARTS_WITH "bare-${run}-run-"`;
  const bareSettledMs = (await eventually(async () => (await stack.temporal.workflow.count(bareDone)).count >= count && performance.now(),
    'bare workflows to complete', 30 * 60_000, 100)) - bare.start;

  const cpuBare = await stack.cpu();
  const ours = await measure('enrollments', enroll('run'));
  const oursSettledMs = (await eventually(async () => (await projectedCount(stack, strategy.id)) >= warmup + count && performance.now(),
    'enrolled cases to settle', 30 * 60_000, 100)) - ours.start;
  const cpuOurs = await stack.cpu();

  const bareRate = perSecond(count, bare.wallMs);
  const oursRate = perSecond(count, ours.wallMs);
  const bareLatency = percentiles(bare.latencies);
  const oursLatency = percentiles(ours.latencies);
  return {
    id: 'enrollment',
    title: '1. Enrollment throughput vs bare Temporal',
    settings: { accounts: count, concurrentCallers: concurrency, warmup, timeZone, cachedWorkflows: stack.worker.cachedWorkflows },
    figures: {
      bare_starts_per_s: round(bareRate),
      enrollments_per_s: round(oursRate),
      ratio_enroll_to_bare: round(oursRate / bareRate, 2),
      bare_start_p50_ms: round(bareLatency.p50),
      bare_start_p95_ms: round(bareLatency.p95),
      bare_start_p99_ms: round(bareLatency.p99),
      enroll_p50_ms: round(oursLatency.p50),
      enroll_p95_ms: round(oursLatency.p95),
      enroll_p99_ms: round(oursLatency.p99),
      bare_settled_per_s: round(perSecond(count, bareSettledMs)),
      enroll_settled_per_s: round(perSecond(count, oursSettledMs)),
      ratio_settled: round(bareSettledMs / oursSettledMs, 2),
      bare_completed: count,
      enrolled: count,
      ...cpuFigures('bare', cpuSpent(cpuBefore, cpuBare)),
      ...cpuFigures('enroll', cpuSpent(cpuBare, cpuOurs)),
    },
    notes: [
      `bare: client.workflow.start of an empty workflow (bench/workflows/trivial.ts) on its own task queue and worker; ran first`,
      `cpu_<phase>_<part>_s: CPU seconds used by each process from the start of the phase until it settled (bench = this process: API, load generator)`,
      `settled: until every bare workflow completed (visibility count) / every enrolled case had projected its first state (asleep until its first step)`,
      `ours: POST /api/v1/accounts (validation, one DB transaction, workflow start, the new case answered from the rows just written), timeline consumer-early moved one day later so no send runs during the measurement`,
    ],
  };
}
