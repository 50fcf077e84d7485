import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '../../testing/engine.js';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { TStrategyDefinition } from '../../domain/strategy.js';
import { caseWorkflow } from '../../workflows/case.js';
import {
  callAttemptedSignal,
  contactChangedSignal,
  debtorRepliedSignal,
  paymentReceivedSignal,
  paymentReversedSignal,
  recordOutcomeUpdate,
  statusQuery,
  type CaseInput,
} from '../../workflows/case-messages.js';
import { caseFixture, recordingActivities } from '../../testing/case-fixtures.js';
import { plainTemplates as templates, strategy } from '../support/strategies.js';
import { middayZone } from '../../testing/midday-zone.js';

/**
 * The case walks the whole strategy language on the time-skipping server: fallbacks after a
 * refused send and after a late bounce, previous-step and last-contact conditions, and the `on`
 * branches for broken promises, returned payments and replies. Activities are recorders.
 */

let engine: Engine;
beforeAll(async () => {
  engine = await startEngine({ temporal: 'time-skipping' });
});
afterAll(() => engine?.stop());

// Any hour is fine in these tests; holds have their own.
const anyHour = { allowedHours: { start: '00:00', end: '23:59' } };

/** Starts a case on `definition` with recording activities and drives its workflow with `drive` while a worker runs. */
async function walk<T>(definition: TStrategyDefinition, drive: (handle: WorkflowHandleWithFirstExecutionRunId<typeof caseWorkflow>, input: CaseInput) => Promise<T>, options?: Parameters<typeof recordingActivities>[0]) {
  const recorder = recordingActivities(options);
  const input: CaseInput = caseFixture(await engine.testEnv.currentTimeMs(), definition);
  // Midday for the debtor when the test starts: the day-0 step is never held for the hour.
  input.account.debtor.timeZone = middayZone(new Date(await engine.testEnv.currentTimeMs()));
  const taskQueue = `walk-${randomUUID()}`;
  const worker = await engine.caseWorker({ taskQueue, activities: recorder.activities });
  const outcome = await worker.runUntil(async () => {
    const handle = await engine.testEnv.client.workflow.start(caseWorkflow, { taskQueue, workflowId: input.caseId, args: [input] });
    return drive(handle, input);
  });
  return { recorder, input, outcome };
}

async function isoDate(plusDays: number): Promise<string> {
  return DateTime.fromMillis(await engine.testEnv.currentTimeMs(), { zone: 'utc' }).plus({ days: plusDays }).toISODate() ?? '';
}

async function nowIso(): Promise<string> {
  return new Date(await engine.testEnv.currentTimeMs()).toISOString();
}

describe('the case walking its strategy', () => {
  it('runs the fallback when a send is refused and when a bounce is reported later, and the next step sees the result', async () => {
    const definition = strategy({
      key: 'fallbacks',
      name: 'Fallbacks',
      templates,
      steps: [
        { id: 'reminder', at: 'PT0S', action: 'email', template: 'reminder', fallback: { action: 'letter', template: 'demand' } },
        { id: 'nudge', at: 'P2D', action: 'sms', template: 'nudge', fallback: { action: 'letter', template: 'demand' } },
        { id: 'after-bounce', at: 'P3D', action: 'letter', template: 'demand', when: { previousStepResult: ['bounced', 'failed'] } },
        { id: 'only-after-bounce', at: 'P4D', action: 'note', note: 'The letter bounced too.', when: { previousStepResult: ['bounced'] } },
        { id: 'final', at: 'P5D', action: 'letter', template: 'demand' },
      ],
      contact: anyHour,
    });
    const { recorder, outcome: { result, final } } = await walk(definition, async (handle) => {
      await engine.testEnv.sleep('1 hour');
      // The mail system reports a hard bounce of the day-0 email.
      await handle.signal(contactChangedSignal, { channel: 'email', valid: false, source: 'email_bounce' });
      // The same report again changes nothing.
      await engine.testEnv.sleep('1 hour');
      await handle.signal(contactChangedSignal, { channel: 'email', valid: false, source: 'email_bounce' });
      const result = await handle.result();
      return { result, final: await handle.query(statusQuery) };
    }, { rejectSms: true });

    expect(result.closeReason).toBe('timeline_complete');
    // The email bounced later: its fallback letter ran at once. The SMS was refused: its letter ran at once.
    // The next step saw the SMS bounced and ran; the one after saw it sent, and was skipped.
    expect(recorder.sent.map((s) => `${s.action}:${s.stepId}`)).toEqual([
      'email:reminder',
      'letter:reminder.fallback',
      'letter:nudge.fallback',
      'letter:after-bounce',
      'letter:final',
    ]);
    const events = recorder.projections.flatMap((p) => p.events);
    expect(events.filter((e) => e.type === 'step_failed' && e.stepId === 'reminder')).toHaveLength(1);
    expect(events.some((e) => e.type === 'step_skipped' && e.stepId === 'only-after-bounce' && e.detail.includes('the previous step was sent'))).toBe(true);
    expect(final.channels.email?.valid).toBe(false);
  });

  it('chooses steps by the last contact outcome an officer recorded', async () => {
    const definition = strategy({
      key: 'by-outcome',
      name: 'By outcome',
      templates,
      steps: [
        { id: 'call', at: 'PT0S', action: 'call' },
        { id: 'try-again', at: 'P2D', action: 'sms', template: 'nudge', when: { lastContactOutcome: ['no_answer', 'left_message'] } },
        { id: 'confirm', at: 'P3D', action: 'email', template: 'reminder', when: { lastContactOutcome: ['reached'] } },
      ],
      contact: anyHour,
    });
    const { recorder } = await walk(definition, async (handle) => {
      await engine.testEnv.sleep('1 day');
      await handle.signal(callAttemptedSignal, { taskId: randomUUID(), placedAt: await nowIso(), outcome: 'no_answer', conversation: false, by: 'officer:test' });
      return handle.result();
    });
    expect(recorder.sent.map((s) => s.stepId)).toEqual(['call', 'try-again']);
  });

  it('restarts the timeline after a broken promise when the strategy says so, sending its steps again', async () => {
    const definition = strategy({
      key: 'restart-on-broken',
      name: 'Restart on broken promise',
      templates,
      steps: [
        { id: 'reminder', at: 'PT0S', action: 'email', template: 'reminder' },
        { id: 'nudge', at: 'P10D', action: 'sms', template: 'nudge' },
      ],
      negotiation: { graceDays: 1 },
      on: { brokenPromise: 'restart' },
      contact: anyHour,
    });
    const { recorder } = await walk(definition, async (handle, input) => {
      await engine.testEnv.sleep('1 day');
      await handle.executeUpdate(recordOutcomeUpdate, {
        args: [{ outcome: { kind: 'promise_to_pay', amount: input.account.balance, dueDate: await isoDate(2) }, by: 'officer:test', role: 'officer' }],
      });
      // Never paid: broken after the date and a day's grace; the timeline starts again.
      await engine.testEnv.sleep('15 days');
      return handle.result();
    });
    const timeline = recorder.sent.filter((s) => s.stepId === 'reminder' || s.stepId === 'nudge');
    expect(timeline.map((s) => s.stepId)).toEqual(['reminder', 'reminder', 'nudge']);
    // A restart is a new send, not a retry of the first one: its idempotency key differs.
    expect(new Set(timeline.filter((s) => s.stepId === 'reminder').map((s) => s.idempotencyKey)).size).toBe(2);
    expect(recorder.tasks.map((t) => t.kind)).toContain('broken_promise');
  });

  it('places the case with the strategy\'s agency when a payment is returned, if the strategy says so', async () => {
    const definition = strategy({
      key: 'escalate-on-return',
      name: 'Escalate on a returned payment',
      templates,
      steps: [
        { id: 'reminder', at: 'PT0S', action: 'email', template: 'reminder' },
        { id: 'agency', at: 'P60D', action: 'agency_referral', agency: 'acme-recovery' },
      ],
      on: { paymentReturned: 'escalate_agency' },
      negotiation: { reversalWindowDays: 0 },
      contact: anyHour,
    });
    const { recorder, input, outcome: placed } = await walk(definition, async (handle) => {
      await engine.testEnv.sleep('1 day');
      await handle.signal(paymentReceivedSignal, { reference: 'P-1', amount: 10_000, currency: 'USD', receivedAt: await nowIso() });
      await engine.testEnv.sleep('1 day');
      await handle.signal(paymentReversedSignal, { reference: 'P-1', reason: 'NSF' });
      await engine.testEnv.sleep('1 hour');
      const placed = await handle.query(statusQuery);
      await handle.signal(paymentReceivedSignal, { reference: 'P-2', amount: placed.balance, currency: 'USD', receivedAt: await nowIso() });
      await handle.result();
      return placed;
    });
    expect(placed.balance).toBe(input.account.balance);
    expect(placed.placement?.agency).toBe('acme-recovery');
    expect(recorder.referrals).toEqual([{ stepId: 'escalation', agency: 'acme-recovery' }]);
  });

  it('keeps the case open with a task for a person when the agency refuses an escalation for good', async () => {
    const definition = strategy({ key: 'refused-referral', name: 'Refused referral', templates, steps: [{ id: 'reminder', at: 'PT0S', action: 'email', template: 'reminder' }, { id: 'call', at: 'P20D', action: 'call' }], contact: anyHour });
    const { recorder, outcome: after } = await walk(definition, async (handle, input) => {
      await handle.executeUpdate(recordOutcomeUpdate, { args: [{ outcome: { kind: 'escalate', to: 'agency', reason: 'no contact in 90 days' }, by: 'officer:test', role: 'officer' }] });
      await engine.testEnv.sleep('1 hour');
      const after = await handle.query(statusQuery);
      await handle.signal(paymentReceivedSignal, { reference: 'P-1', amount: input.account.balance, currency: 'USD', receivedAt: await nowIso() });
      await handle.result();
      return after;
    }, { refuseAgency: 'the agency does not take this portfolio' });
    expect(after.status).toBe('open');
    expect(after.placement).toBeNull();
    expect(after.history.some((event) => event.type === 'step_failed' && event.detail.includes('does not take this portfolio'))).toBe(true);
    expect(recorder.tasks.map((task) => task.kind)).toContain('escalation');
  });

  it('leaves a task for a person, not a placement, when the agency refuses the timeline\'s referral for good', async () => {
    const definition = strategy({
      key: 'refused-step',
      name: 'Refused agency step',
      templates,
      steps: [
        { id: 'reminder', at: 'PT0S', action: 'email', template: 'reminder' },
        { id: 'agency', at: 'P2D', action: 'agency_referral', agency: 'acme-recovery' },
      ],
      contact: anyHour,
    });
    const { recorder, outcome: after } = await walk(definition, async (handle) => {
      // The refused step was the last one: the timeline ends, not as a referral.
      await handle.result();
      return handle.query(statusQuery);
    }, { refuseAgency: 'agency provider refused the referral (422)' });
    expect(after.closeReason).not.toBe('referred');
    expect(after.placement).toBeNull();
    expect(after.history.some((event) => event.type === 'step_failed' && event.stepId === 'agency')).toBe(true);
    expect(recorder.tasks).toEqual([
      { kind: 'escalation', reason: 'agency acme-recovery refused the referral of step "agency" (agency provider refused the referral (422)): place the case by hand' },
    ]);
  });

  it('answers replies as the strategy says: a call task for "call me", a hold for a dispute', async () => {
    const definition = strategy({
      key: 'reply-branches',
      name: 'Reply branches',
      templates,
      steps: [
        { id: 'reminder', at: 'PT0S', action: 'email', template: 'reminder' },
        { id: 'nudge', at: 'P3D', action: 'sms', template: 'nudge' },
      ],
      on: { reply: { dispute: 'hold', callMe: 'call_task' } },
      contact: anyHour,
    });
    const { recorder, outcome: { held, result } } = await walk(definition, async (handle) => {
      await engine.testEnv.sleep('1 hour');
      await handle.signal(debtorRepliedSignal, { channel: 'sms', text: 'please call me tonight', intent: 'call_me', receivedAt: await nowIso() });
      await engine.testEnv.sleep('1 hour');
      await handle.signal(debtorRepliedSignal, { channel: 'sms', text: 'I dispute this, it is not my debt', intent: 'dispute', receivedAt: await nowIso() });
      // The SMS due on day 3 must not go out while the dispute stands.
      await engine.testEnv.sleep('5 days');
      const held = await handle.query(statusQuery);
      await handle.executeUpdate(recordOutcomeUpdate, { args: [{ outcome: { kind: 'dispute_resolution', upheld: true, note: 'not theirs' }, by: 'manager:test', role: 'manager' }] });
      return { held, result: await handle.result() };
    });
    expect(recorder.tasks.map((t) => t.kind)).toEqual(['call', 'dispute']);
    expect(held.hold?.kind).toBe('dispute');
    expect(recorder.sent.map((s) => s.stepId)).toEqual(['reminder']);
    expect(result.closeReason).toBe('dispute_upheld');
  });
});
