import { proxyActivities, sleep } from '@temporalio/workflow';
import type { BareActivities } from './bare-activities.js';

/**
 * The bare-Temporal baselines, on their own task queue and worker, so the engine's figures can be
 * set beside plain Temporal doing the least the same job needs.
 */

const { bareSend } = proxyActivities<BareActivities>({ startToCloseTimeout: '1 minute' });

/** Scenario 1's: a workflow that does nothing and returns (the cost of `client.workflow.start` and a first task). */
export async function trivialWorkflow(): Promise<void> {
  // Intentionally empty: the cost measured is Temporal's own start and first task.
}

/**
 * Scenario 3's: sleeps until `dueAt` (epoch ms) and sends one message through the same mailer or
 * SMS client the case's step uses, as a case woken by its timer does with nothing of the engine around it.
 */
export async function bareTimerWorkflow(dueAt: number, channel: 'email' | 'sms', to: string): Promise<void> {
  await sleep(Math.max(0, dueAt - Date.now()));
  await bareSend(channel, to);
}

export const trivialTaskQueue = 'bench-trivial';
