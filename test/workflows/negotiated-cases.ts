import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { DateTime } from 'luxon';
import { expect } from 'vitest';
import type { Activities } from '../../activities/index.js';
import type { TOutcome } from '../../domain/outcomes.js';
import { caseFixture } from '../../testing/case-fixtures.js';
import type { Engine } from '../../testing/engine.js';
import { middayZone } from '../../testing/midday-zone.js';
import type { caseWorkflow } from '../../workflows/case.js';
import { paymentReceivedSignal, recordOutcomeUpdate, type CaseInput, type OutcomeRequest } from '../../workflows/case-messages.js';
import { consumerEarly, strategy } from '../support/strategies.js';

/**
 * What the tests of officers' outcomes and arrangement changes share on the time-skipping server:
 * a strategy with a negotiation policy and an officer's authority below it, a case on it at
 * midday for the debtor, and the moves (an outcome, a refusal, a payment, a sleep to a date).
 */

export const negotiated = strategy({
  ...consumerEarly,
  negotiation: {
    maxSettlementDiscountPercent: 40,
    maxInstallments: 12,
    minInstallment: 1_000,
    graceDays: 3,
    reminderDaysBefore: 2,
    officerAuthority: { maxSettlementDiscountPercent: 20, maxInstallments: 6 },
  },
  // Wide hours so reminders are never held in these tests; holds have their own tests.
  contact: { allowedHours: { start: '00:00', end: '23:59' } },
});

export type Handle = WorkflowHandle<typeof caseWorkflow>;

/** The moves on `engine()` (read when called: the engine starts in the test file's beforeAll). */
export function negotiatedCases(engine: () => Engine, queuePrefix: string) {
  const now = () => engine().testEnv.currentTimeMs();

  async function setup(activities: Activities) {
    const input: CaseInput = caseFixture(await now(), negotiated);
    // Midday for the debtor when the test starts: the day-0 step is never held for the hour.
    input.account.debtor.timeZone = middayZone(new Date(await now()));
    const taskQueue = `${queuePrefix}-${randomUUID()}`;
    const worker = await engine().caseWorker({ taskQueue, activities });
    return { input, taskQueue, worker };
  }

  async function today(plusDays = 0): Promise<string> {
    return DateTime.fromMillis(await now(), { zone: 'utc' }).plus({ days: plusDays }).toISODate() ?? '';
  }

  function outcome(handle: Handle, value: TOutcome, role: OutcomeRequest['role'] = 'officer') {
    return handle.executeUpdate(recordOutcomeUpdate, { args: [{ outcome: value, by: `${role}:test`, role }] });
  }

  /** The reason the case's validator gives for refusing `value`. */
  async function refusal(handle: Handle, value: TOutcome, role: OutcomeRequest['role'] = 'officer'): Promise<string> {
    const error = await outcome(handle, value, role).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
    return ((error as WorkflowUpdateFailedError).cause as Error).message;
  }

  async function pay(handle: Handle, reference: string, amount: number): Promise<void> {
    await handle.signal(paymentReceivedSignal, { reference, amount, currency: 'USD', receivedAt: new Date(await now()).toISOString() });
  }

  /** Sleeps on the test server until the given calendar date (UTC) plus `plusDays`, plus an hour. */
  async function sleepUntil(date: string, plusDays = 0): Promise<void> {
    const target = DateTime.fromISO(date, { zone: 'utc' }).plus({ days: plusDays, hours: 1 }).toMillis();
    const current = await now();
    if (target > current) await engine().testEnv.sleep(target - current);
  }

  return { setup, today, outcome, refusal, pay, sleepUntil };
}
