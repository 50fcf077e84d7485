import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '../../testing/engine.js';
import type { Activities } from '../../activities/index.js';
import { caseWorkflow } from '../../workflows/case.js';
import { pauseSignal, paymentReceivedSignal, resumeSignal, statusQuery } from '../../workflows/case-messages.js';
import { caseFixture, recordingActivities } from '../../testing/case-fixtures.js';
import { consumerEarly, strategy } from '../support/strategies.js';

/**
 * 'keeps-wake-timer' (workflows/case/wake-timer.ts): a signal that leaves the instant the case
 * wakes at where it was keeps the timer it sleeps on; one that moves it (or leaves none) cancels it.
 */

const { EventType } = temporal.api.enums.v1;
type EventType = temporal.api.enums.v1.EventType;

let engine: Engine;
beforeAll(async () => {
  engine = await startEngine({ temporal: 'time-skipping' });
});
afterAll(() => engine?.stop());

/** One letter a day in, so between the start and the letter the case only waits. */
const letterADayIn = strategy({ ...consumerEarly, steps: [{ id: 'letter', at: 'P1D', action: 'letter', template: 'demand' }] });

async function withCase<T>(activities: Activities, run: (handle: WorkflowHandle<typeof caseWorkflow>) => Promise<T>): Promise<T> {
  const taskQueue = `test-${randomUUID()}`;
  const input = caseFixture(await engine.testEnv.currentTimeMs(), letterADayIn);
  const worker = await engine.caseWorker({ taskQueue, activities });
  return worker.runUntil(async () => run(await engine.testEnv.client.workflow.start(caseWorkflow, { taskQueue, workflowId: input.caseId, args: [input] })));
}

async function eventCounts(handle: WorkflowHandle<typeof caseWorkflow>): Promise<(type: EventType) => number> {
  const events = (await handle.fetchHistory()).events ?? [];
  return (type) => events.filter((event) => event.eventType === type).length;
}

const pay = (handle: WorkflowHandle<typeof caseWorkflow>, reference: string, amount: number) =>
  handle.signal(paymentReceivedSignal, { reference, amount, currency: 'USD', receivedAt: new Date().toISOString() });

describe("the case's wake timer", () => {
  it('is kept across payments that leave the next step where it was, and still wakes the case for it on time', async () => {
    const { activities, sent, projections } = recordingActivities();
    const { beforeLetter, atLetter, result } = await withCase(activities, async (handle) => {
      // Sleeps, not queries, between the signals: the test server answers a query with a workflow task of its own.
      await engine.testEnv.sleep('1 minute');
      await pay(handle, 'PAY-1', 10_000);
      await engine.testEnv.sleep('1 minute');
      await pay(handle, 'PAY-2', 5_000);
      await engine.testEnv.sleep('1 hour');
      const beforeLetter = { counted: await eventCounts(handle), sent: sent.length };
      await engine.testEnv.sleep('23 hours');
      const atLetter = await eventCounts(handle);
      return { beforeLetter, atLetter, result: await handle.result() };
    });

    // One timer for the letter's instant, neither cancelled nor started again by the payments.
    expect(beforeLetter.counted(EventType.EVENT_TYPE_TIMER_STARTED)).toBe(1);
    expect(beforeLetter.counted(EventType.EVENT_TYPE_TIMER_CANCELED)).toBe(0);
    expect(beforeLetter.sent).toBe(0);
    // Each payment was applied and projected all the same.
    expect(projections.map((projection) => projection.state.balance).slice(0, 3)).toEqual([125_000, 115_000, 110_000]);
    // That timer woke the case for its letter.
    expect(atLetter(EventType.EVENT_TYPE_TIMER_FIRED)).toBe(1);
    expect(sent.map((s) => s.stepId)).toEqual(['letter']);
    expect(result).toEqual({ status: 'closed', closeReason: 'timeline_complete', balance: 110_000 });
  });

  it('is cancelled when a signal moves the wake time, and a new one wakes the case at the new time', async () => {
    const { activities, sent } = recordingActivities();
    const { paused, resumed, counted } = await withCase(activities, async (handle) => {
      await engine.testEnv.sleep('1 hour');
      await handle.signal(pauseSignal, { reason: 'debtor asked for two days', by: 'officer:test' });
      // Past the letter's first instant: a timer left behind would fire here.
      await engine.testEnv.sleep('2 days');
      const paused = { status: await handle.query(statusQuery), sent: sent.length };
      await handle.signal(resumeSignal, { reason: 'two days over', by: 'officer:test' });
      // The pause shifted the timeline by its two days: the letter, first due a day in, is due about 23 hours on.
      await engine.testEnv.sleep('21 hours');
      const resumed = sent.length;
      await engine.testEnv.sleep('4 hours');
      await handle.result();
      return { paused, resumed, counted: await eventCounts(handle) };
    });

    expect(paused.status.status).toBe('paused');
    expect(paused.sent).toBe(0);
    expect(resumed).toBe(0);
    expect(sent.map((s) => s.stepId)).toEqual(['letter']);
    // The letter's first timer cancelled by the pause (a wait with no time), the shifted one fired.
    expect(counted(EventType.EVENT_TYPE_TIMER_STARTED)).toBe(2);
    expect(counted(EventType.EVENT_TYPE_TIMER_CANCELED)).toBe(1);
    expect(counted(EventType.EVENT_TYPE_TIMER_FIRED)).toBe(1);
  });
});
