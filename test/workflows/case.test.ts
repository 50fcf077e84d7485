import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '../../testing/engine.js';
import type { Activities } from '../../activities/index.js';
import type { TStrategyDefinition } from '../../domain/strategy.js';
import { caseWorkflow } from '../../workflows/case.js';
import {
  debtorRepliedSignal,
  paymentReceivedSignal,
  statusQuery,
  type CaseInput,
} from '../../workflows/case-messages.js';
import { caseFixture, recordingActivities } from '../../testing/case-fixtures.js';
import { consumerEarly, strategy } from '../support/strategies.js';

/**
 * The case workflow's logic over whole timelines on the time-skipping server. Activities are
 * replaced by recorders here (this file is about the workflow's decisions); the real ones are
 * exercised end to end in test/integration.
 */

const { EventType } = temporal.api.enums.v1;
type EventType = temporal.api.enums.v1.EventType;

let engine: Engine;
beforeAll(async () => {
  engine = await startEngine({ temporal: 'time-skipping' });
});
afterAll(() => engine?.stop());

/** A case starting now on the test server's clock, which earlier tests in this file moved forward. */
async function caseInput(definition: TStrategyDefinition, overrides: { balance?: number; smsConsent?: boolean } = {}): Promise<CaseInput> {
  return caseFixture(await engine.testEnv.currentTimeMs(), definition, overrides);
}

/**
 * Ends a case by paying it off and waiting for its result. (Terminating instead can leave the
 * time-skipping server holding its clock for the next test.)
 */
async function payOff(handle: WorkflowHandle<typeof caseWorkflow>, balance: number): Promise<void> {
  await handle.signal(paymentReceivedSignal, { reference: `PAYOFF-${randomUUID()}`, amount: balance, currency: 'USD', receivedAt: new Date().toISOString() });
  await handle.result();
}

async function withWorker<T>(activities: Activities, run: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = `test-${randomUUID()}`;
  const worker = await engine.caseWorker({ taskQueue, activities });
  return worker.runUntil(run(taskQueue));
}

describe('case workflow', () => {
  it('runs a 60-day strategy to agency placement, where payments still apply', async () => {
    const { activities, sent, projections } = recordingActivities();
    const input = await caseInput(strategy(consumerEarly));
    const { placed, result } = await withWorker(activities, async (taskQueue) => {
      const handle = await engine.testEnv.client.workflow.start(caseWorkflow, { taskQueue, workflowId: input.caseId, args: [input] });
      await engine.testEnv.sleep('61 days');
      const placed = await handle.query(statusQuery);
      await handle.signal(paymentReceivedSignal, { reference: 'AGENCY-1', amount: 125_000, currency: 'USD', receivedAt: new Date().toISOString() });
      return { placed, result: await handle.result() };
    });

    expect(sent.map((s) => s.stepId)).toEqual(['reminder', 'nudge', 'letter', 'call', 'agency']);
    expect(placed).toMatchObject({ status: 'open', placement: { agency: 'default' }, balance: 125_000 });
    expect(placed.nextActionWhy).toContain('placed with agency default');
    expect(result).toEqual({ status: 'closed', closeReason: 'paid', balance: 0 });
    // Every event reached the projection exactly once, in order.
    const seqs = projections.flatMap((p) => p.events.map((e) => e.seq));
    expect(seqs).toEqual(seqs.map((_, index) => index + 1));
    // The referral came no earlier than 60 days after the start.
    const referral = projections.flatMap((p) => p.events).find((e) => e.stepId === 'agency');
    expect(Date.parse(referral?.at ?? '') - Date.parse(input.startedAt)).toBeGreaterThanOrEqual(60 * 86_400_000);
  });

  it('projects a new case and a payment in one workflow task each, through a local activity', async () => {
    const { activities, projections } = recordingActivities();
    // The only step a day away, so nothing runs but the start and the payment.
    const input = await caseInput(strategy({ ...consumerEarly, steps: [{ id: 'letter', at: 'P1D', action: 'letter', template: 'demand' }] }));
    // Sleeps, not queries, between the two: the test server answers a query with a workflow task of its own.
    const history = await withWorker(activities, async (taskQueue) => {
      const handle = await engine.testEnv.client.workflow.start(caseWorkflow, { taskQueue, workflowId: input.caseId, args: [input] });
      await engine.testEnv.sleep('1 minute');
      await handle.signal(paymentReceivedSignal, { reference: 'PAY-LOCAL', amount: 10_000, currency: 'USD', receivedAt: new Date().toISOString() });
      await engine.testEnv.sleep('1 minute');
      const events = (await handle.fetchHistory()).events ?? [];
      await payOff(handle, 115_000);
      return events;
    });
    const counted = (type: EventType) => history.filter((event) => event.eventType === type).length;
    expect(counted(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)).toBe(2);
    expect(counted(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)).toBe(0);
    expect(counted(EventType.EVENT_TYPE_MARKER_RECORDED)).toBeGreaterThanOrEqual(2);
    expect(projections.slice(0, 2).map((projection) => projection.state.balance)).toEqual([125_000, 115_000]);
  });

  it('closes as paid on a payment mid-way and sends nothing after it', async () => {
    const { activities, sent } = recordingActivities();
    const input = await caseInput(strategy(consumerEarly));
    const result = await withWorker(activities, async (taskQueue) => {
      const handle = await engine.testEnv.client.workflow.start(caseWorkflow, { taskQueue, workflowId: input.caseId, args: [input] });
      await engine.testEnv.sleep('5 days');
      await handle.signal(paymentReceivedSignal, { reference: 'PAY-1', amount: 125_000, currency: 'USD', receivedAt: new Date().toISOString() });
      return handle.result();
    });

    expect(result).toEqual({ status: 'closed', closeReason: 'paid', balance: 0 });
    expect(sent.map((s) => s.stepId)).toEqual(['reminder', 'nudge']);
  });

  it('applies a repeated payment reference once and lowers the balance by partial payments', async () => {
    const { activities } = recordingActivities();
    const input = await caseInput(strategy(consumerEarly));
    const status = await withWorker(activities, async (taskQueue) => {
      const handle = await engine.testEnv.client.workflow.start(caseWorkflow, { taskQueue, workflowId: input.caseId, args: [input] });
      const payment = { reference: 'PAY-7', amount: 20_000, currency: 'USD', receivedAt: new Date().toISOString() };
      await handle.signal(paymentReceivedSignal, payment);
      await handle.signal(paymentReceivedSignal, payment);
      await handle.signal(paymentReceivedSignal, { ...payment, reference: 'PAY-8', amount: 5_000 });
      const current = await handle.query(statusQuery);
      await payOff(handle, current.balance);
      return current;
    });

    expect(status.balance).toBe(100_000);
    expect(status.status).toBe('open');
    expect(status.history.filter((e) => e.type === 'payment_applied')).toHaveLength(2);
    expect(status.history.filter((e) => e.type === 'payment_duplicate')).toHaveLength(1);
  });

  it('stops SMS after a STOP reply but keeps sending email', async () => {
    const { activities, sent } = recordingActivities();
    const definition = strategy({
      key: 'mixed',
      name: 'Mixed channels',
      templates: consumerEarly.templates,
      steps: [
        { id: 'email-1', at: 'P0D', action: 'email', template: 'reminder' },
        { id: 'sms-1', at: 'P1D', action: 'sms', template: 'nudge' },
        { id: 'email-2', at: 'P2D', action: 'email', template: 'reminder' },
        { id: 'sms-2', at: 'P3D', action: 'sms', template: 'nudge' },
        { id: 'email-3', at: 'P4D', action: 'email', template: 'reminder' },
      ],
    });
    const input = await caseInput(definition);
    const { result, status } = await withWorker(activities, async (taskQueue) => {
      const handle = await engine.testEnv.client.workflow.start(caseWorkflow, { taskQueue, workflowId: input.caseId, args: [input] });
      await engine.testEnv.sleep('36 hours');
      await handle.signal(debtorRepliedSignal, { channel: 'sms', text: 'stop', receivedAt: new Date().toISOString() });
      const result = await handle.result();
      return { result, status: await handle.query(statusQuery) };
    });

    expect(result.closeReason).toBe('timeline_complete');
    expect(sent.map((s) => s.stepId)).toEqual(['email-1', 'sms-1', 'email-2', 'email-3']);
    expect(status.channels.sms).toMatchObject({ optedOut: true });
    const skipped = status.history.find((e) => e.type === 'step_skipped' && e.stepId === 'sms-2');
    expect(skipped?.detail).toContain('opted out of sms');
  });

  it('skips SMS without recorded consent and skips steps whose balance condition fails', async () => {
    const { activities, sent } = recordingActivities();
    const definition = strategy({
      ...consumerEarly,
      steps: [
        { id: 'nudge', at: 'P0D', action: 'sms', template: 'nudge' },
        { id: 'big-only', at: 'P1D', action: 'letter', template: 'demand', when: { minBalance: 500_000 } },
        { id: 'reminder', at: 'P2D', action: 'email', template: 'reminder' },
      ],
    });
    const input = await caseInput(definition, { smsConsent: false });
    const result = await withWorker(activities, (taskQueue) =>
      engine.testEnv.client.workflow.execute(caseWorkflow, { taskQueue, workflowId: input.caseId, args: [input] }),
    );
    expect(result.closeReason).toBe('timeline_complete');
    expect(sent.map((s) => s.stepId)).toEqual(['reminder']);
  });

  it('marks the number invalid when the provider rejects it and goes on with the timeline', async () => {
    const { activities, sent } = recordingActivities({ rejectSms: true });
    const input = await caseInput(strategy(consumerEarly));
    const { status } = await withWorker(activities, async (taskQueue) => {
      const handle = await engine.testEnv.client.workflow.start(caseWorkflow, { taskQueue, workflowId: input.caseId, args: [input] });
      await engine.testEnv.sleep('12 days');
      const status = await handle.query(statusQuery);
      await payOff(handle, status.balance);
      return { status };
    });
    expect(sent.map((s) => s.stepId)).toEqual(['reminder', 'letter']);
    expect(status.channels.sms).toMatchObject({ valid: false });
    expect(status.history.find((e) => e.type === 'step_failed')?.detail).toContain('21211');
  });

  it('holds an email due outside the debtor\'s hours and sends it at the first permitted minute', async () => {
    const { activities, sent, projections } = recordingActivities();
    // A one-hour window inside the law's 08:00–21:00 that does not contain the present moment.
    const now = DateTime.fromMillis(await engine.testEnv.currentTimeMs(), { zone: 'America/Chicago' });
    const opensAt = now.hour < 8 ? now.set({ hour: 8 }).startOf('hour') : now.hour < 19 ? now.plus({ hours: 1 }).startOf('hour') : now.plus({ days: 1 }).set({ hour: 8 }).startOf('hour');
    const clock = (time: DateTime) => time.toFormat('HH:mm');
    const window = { start: clock(opensAt), end: clock(opensAt.plus({ hours: 1 })) };
    const input = await caseInput(strategy({ ...consumerEarly, contact: { allowedHours: window } }));

    const status = await withWorker(activities, async (taskQueue) => {
      const handle = await engine.testEnv.client.workflow.start(caseWorkflow, { taskQueue, workflowId: input.caseId, args: [input] });
      const held = await handle.query(statusQuery);
      await engine.testEnv.sleep('1 day');
      await payOff(handle, held.balance);
      return held;
    });

    expect(status.nextActionWhy).toBe(
      `held: ${clock(now)} local is outside ${window.start}–${window.end}; next ${opensAt.toFormat('yyyy-MM-dd HH:mm')} America/Chicago`,
    );
    expect(status.nextActionAt).toBe(opensAt.toUTC().toISO({ suppressMilliseconds: false }));
    expect(sent.map((s) => s.stepId)).toEqual(['reminder']);
    const reminder = projections.flatMap((p) => p.events).find((e) => e.stepId === 'reminder' && e.type === 'step_done');
    // Sent when the window opened (timers fire within a second), not a minute later.
    expect(Math.abs(Date.parse(reminder?.at ?? '') - opensAt.toMillis())).toBeLessThan(1_000);
  });
});
