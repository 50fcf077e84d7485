import { WorkflowUpdateFailedError } from '@temporalio/client';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '../../testing/engine.js';
import type { TOutcome } from '../../domain/outcomes.js';
import { caseWorkflow } from '../../workflows/case.js';
import { paymentReversedSignal, statusQuery } from '../../workflows/case-messages.js';
import { recordingActivities } from '../../testing/case-fixtures.js';
import { negotiatedCases } from './negotiated-cases.js';

/**
 * Officers' negotiated outcomes on the time-skipping server: plans kept and broken, settlements
 * above authority, disputes, returned payments. Activities are recorders (workflow logic only).
 */

let engine: Engine;
beforeAll(async () => {
  engine = await startEngine({ temporal: 'time-skipping' });
});
afterAll(() => engine?.stop());

const { setup, today, outcome, pay, sleepUntil } = negotiatedCases(() => engine, 'outcomes');

describe('officer outcomes', () => {
  it('keeps a plan of 6 monthly installments to the end, with a reminder before each', async () => {
    const recorder = recordingActivities();
    const { input, taskQueue, worker } = await setup(recorder.activities);
    const { result, planStatus } = await worker.runUntil(async () => {
      const handle = await engine.testEnv.client.workflow.start(caseWorkflow, { taskQueue, workflowId: input.caseId, args: [input] });
      const planStatus = await outcome(handle, { kind: 'payment_plan', downPayment: 0, installments: 6, frequency: 'monthly', firstDueDate: await today(7) });
      for (const installment of planStatus.arrangement?.installments ?? []) {
        await sleepUntil(installment.dueDate);
        await pay(handle, `PLAN-${installment.seq}`, installment.amount);
      }
      return { result: await handle.result(), planStatus };
    });

    expect(planStatus.arrangement?.installments.map((i) => i.amount)).toEqual([20_833, 20_833, 20_833, 20_833, 20_833, 20_835]);
    expect(planStatus.nextActionWhy).toContain('plan');
    expect(result).toEqual({ status: 'closed', closeReason: 'paid', balance: 0 });
    // Only the day-0 reminder email of the timeline went out, then one reminder per installment.
    expect(recorder.sent.map((s) => s.stepId)).toEqual(['reminder', 'reminder-1', 'reminder-2', 'reminder-3', 'reminder-4', 'reminder-5', 'reminder-6']);
  });

  it('breaks a plan when an installment is missed past grace, and resumes dunning', async () => {
    const recorder = recordingActivities();
    const { input, taskQueue, worker } = await setup(recorder.activities);
    const status = await worker.runUntil(async () => {
      const handle = await engine.testEnv.client.workflow.start(caseWorkflow, { taskQueue, workflowId: input.caseId, args: [input] });
      await engine.testEnv.sleep('1 day');
      const plan = await outcome(handle, { kind: 'payment_plan', installments: 3, frequency: 'monthly', firstDueDate: await today(1), downPayment: 0 });
      const [first, second] = plan.arrangement?.installments ?? [];
      await sleepUntil(first?.dueDate ?? '');
      await pay(handle, 'PLAN-1', first?.amount ?? 0);
      // The second is never paid: 3 days' grace, then broken.
      await sleepUntil(DateTime.fromISO(second?.dueDate ?? '').plus({ days: 5 }).toISODate() ?? '');
      // The timeline resumes shifted by the weeks the plan held it; the SMS is a few days out.
      await engine.testEnv.sleep('3 days');
      const status = await handle.query(statusQuery);
      await pay(handle, 'REST', status.balance);
      await handle.result();
      return status;
    });

    expect(status.arrangement).toBeNull();
    expect(status.history.some((e) => e.type === 'arrangement_broken')).toBe(true);
    expect(recorder.tasks.map((t) => t.kind)).toContain('broken_promise');
    // Dunning resumed where it stopped: the SMS due on day 3 went out only after the break.
    const nudge = recorder.sent.findIndex((s) => s.stepId === 'nudge');
    const lastReminder = recorder.sent.findIndex((s) => s.stepId === 'reminder-2');
    expect(nudge).toBeGreaterThan(lastReminder);
  });

  it('holds a settlement above officer authority for a manager, then closes it as settled when paid', async () => {
    const recorder = recordingActivities();
    const { input, taskQueue, worker } = await setup(recorder.activities);
    const { pending, approved, result, final } = await worker.runUntil(async () => {
      const handle = await engine.testEnv.client.workflow.start(caseWorkflow, { taskQueue, workflowId: input.caseId, args: [input] });
      // 30% off 1,250.00: above the officer's 20%, within the policy's 40%.
      const pending = await outcome(handle, { kind: 'settlement', amount: 87_500, firstDueDate: await today(5), installments: 1, frequency: 'monthly' });
      await engine.testEnv.sleep('2 days');
      const approved = await outcome(handle, { kind: 'settlement_decision', approve: true }, 'manager');
      await pay(handle, 'SETTLE-1', 87_500);
      const result = await handle.result();
      return { pending, approved, result, final: await handle.query(statusQuery) };
    });

    expect(pending.arrangement).toMatchObject({ kind: 'settlement', status: 'pending_approval' });
    expect(pending.nextActionWhy).toBe("settlement waiting for a manager's approval");
    expect(recorder.tasks.map((t) => t.kind)).toContain('approval');
    expect(approved.arrangement?.status).toBe('active');
    expect(result).toEqual({ status: 'closed', closeReason: 'settled', balance: 0 });
    expect(final.waived).toBe(37_500);
    // Nothing from the timeline ran while the settlement was pending or active (the day-0 email may
    // have gone out before it, depending on the hour). The settlement's own installment reminder
    // (`reminder-<seq>`) is the arrangement's, not the timeline's: it goes when its day comes first.
    expect(recorder.sent.filter((s) => s.stepId !== 'reminder' && !/^reminder-\d+$/.test(s.stepId))).toEqual([]);
  });

  it('refuses outcomes outside the policy or the authority, with the reason, and changes nothing', async () => {
    const recorder = recordingActivities();
    const { input, taskQueue, worker } = await setup(recorder.activities);
    const { errors, after } = await worker.runUntil(async () => {
      const handle = await engine.testEnv.client.workflow.start(caseWorkflow, { taskQueue, workflowId: input.caseId, args: [input] });
      const attempts: TOutcome[] = [
        { kind: 'settlement', amount: 62_500, firstDueDate: await today(5), installments: 1, frequency: 'monthly' },
        { kind: 'payment_plan', installments: 13, frequency: 'monthly', firstDueDate: await today(5), downPayment: 0 },
        { kind: 'promise_to_pay', amount: 10_000, dueDate: await today(-1) },
        { kind: 'dispute_resolution', upheld: true, note: 'n/a' },
        // A caller other than the API (the Temporal CLI, a script) is checked by the case itself.
        { kind: 'promise_to_pay', amount: 99.5, dueDate: await today(5) },
      ];
      const errors: string[] = [];
      for (const attempt of attempts) {
        const error = await outcome(handle, attempt).then(() => null, (e: unknown) => e);
        expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
        errors.push(((error as WorkflowUpdateFailedError).cause as Error).message);
      }
      const after = await handle.query(statusQuery);
      await pay(handle, 'ALL', after.balance);
      await handle.result();
      return { errors, after };
    });
    expect(errors).toEqual([
      'discount 50% exceeds the policy maximum 40%',
      '13 installments exceed the policy maximum 12',
      expect.stringMatching(/^\d{4}-\d\d-\d\d is in the past$/),
      'dispute resolution needs a manager',
      'must be a whole number of minor units (cents)',
    ]);
    expect(after.arrangement).toBeNull();
    expect(after.history.some((e) => e.type === 'outcome_recorded')).toBe(false);
  });

  it('stops a scheduled SMS when the debt is disputed, and resumes after a rejected dispute', async () => {
    const recorder = recordingActivities();
    const { input, taskQueue, worker } = await setup(recorder.activities);
    const { disputed } = await worker.runUntil(async () => {
      const handle = await engine.testEnv.client.workflow.start(caseWorkflow, { taskQueue, workflowId: input.caseId, args: [input] });
      await engine.testEnv.sleep('1 day');
      await outcome(handle, { kind: 'dispute', reason: 'debtor says the amount is wrong' });
      // The SMS was due on day 3.
      await engine.testEnv.sleep('5 days');
      const disputed = await handle.query(statusQuery);
      await outcome(handle, { kind: 'dispute_resolution', upheld: false, note: 'statement matches the contract' }, 'manager');
      await engine.testEnv.sleep('3 days');
      await pay(handle, 'ALL', disputed.balance);
      await handle.result();
      return { disputed };
    });
    expect(disputed.hold).toMatchObject({ kind: 'dispute' });
    expect(disputed.nextActionWhy).toContain('on hold (dispute)');
    const order = recorder.sent.map((s) => s.stepId);
    // Day-0 email; nothing during the dispute; the verification letter; then the SMS, 5 days late.
    expect(order.slice(0, 3)).toEqual(['reminder', 'verification', 'nudge']);
    expect(recorder.tasks.map((t) => t.kind)).toContain('dispute');
  });

  it('reopens a paid case when the payment is returned, and goes on with the timeline', async () => {
    const recorder = recordingActivities();
    const { input, taskQueue, worker } = await setup(recorder.activities);
    const { closed, reopened } = await worker.runUntil(async () => {
      const handle = await engine.testEnv.client.workflow.start(caseWorkflow, { taskQueue, workflowId: input.caseId, args: [input] });
      await engine.testEnv.sleep('1 day');
      await pay(handle, 'CHK-1', 125_000);
      await engine.testEnv.sleep('2 days');
      const closed = await handle.query(statusQuery);
      await handle.signal(paymentReversedSignal, { reference: 'CHK-1', reason: 'NSF' });
      await engine.testEnv.sleep('5 days');
      const reopened = await handle.query(statusQuery);
      await pay(handle, 'CHK-2', reopened.balance);
      await handle.result();
      return { closed, reopened };
    });
    expect(closed).toMatchObject({ status: 'closed', closeReason: 'paid', balance: 0 });
    expect(reopened).toMatchObject({ status: 'open', closeReason: null, balance: 125_000 });
    expect(reopened.history.map((e) => e.type)).toEqual(expect.arrayContaining(['reopened', 'payment_reversed']));
    // The SMS due on day 3 was pushed back by the 2 days the case was closed, and then sent.
    expect(recorder.sent.map((s) => s.stepId)).toEqual(['reminder', 'nudge']);
  });
});
