import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingActivities } from '../../testing/case-fixtures.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { caseWorkflow } from '../../workflows/case.js';
import { paymentReversedSignal, statusQuery } from '../../workflows/case-messages.js';
import { negotiatedCases } from './negotiated-cases.js';

/**
 * Account servicing over an arrangement's timeline on the time-skipping server: a plan above the
 * officer's authority waits for a manager; an arrangement amended, rescheduled (its old due date
 * passes without breaking it) and cancelled with a reason; a change above authority waits while
 * the old terms apply; a returned payment re-evaluates the plan it paid. Activities are recorders
 * (the workflow's logic is under test).
 */

let engine: Engine;
beforeAll(async () => {
  engine = await startEngine({ temporal: 'time-skipping' });
});
afterAll(() => engine?.stop());

const { setup, today, outcome, refusal, pay, sleepUntil } = negotiatedCases(() => engine, 'servicing');

describe('account servicing: arrangement changes', () => {
  it('sends a plan above the officer authority to a manager, then reschedules, amends (approved above authority) and keeps it', async () => {
    const recorder = recordingActivities();
    const { input, taskQueue, worker } = await setup(recorder.activities);
    const seen = await worker.runUntil(async () => {
      const handle = await engine.testEnv.client.workflow.start(caseWorkflow, { taskQueue, workflowId: input.caseId, args: [input] });
      // 8 monthly installments: within the policy's 12, above the officer's 6.
      const pending = await outcome(handle, { kind: 'payment_plan', downPayment: 0, installments: 8, frequency: 'monthly', firstDueDate: await today(5) });
      const officerDecides = await refusal(handle, { kind: 'arrangement_decision', approve: true });
      const changeWhilePending = await refusal(handle, { kind: 'arrangement_reschedule', dueDate: await today(9), reason: 'payday moved' });
      await engine.testEnv.sleep('1 day');
      const approved = await outcome(handle, { kind: 'arrangement_decision', approve: true, note: 'steady income' }, 'manager');
      const first = approved.arrangement?.installments[0];
      await sleepUntil(first?.dueDate ?? '');
      await pay(handle, 'PLAN-1', first?.amount ?? 0);
      // The second installment moves 10 days later: its old date plus grace passes without a break.
      const second = approved.arrangement?.installments[1];
      const moved = DateTime.fromISO(second?.dueDate ?? '').plus({ days: 10 }).toISODate() ?? '';
      await sleepUntil(second?.dueDate ?? '', -3);
      const rescheduled = await outcome(handle, { kind: 'arrangement_reschedule', dueDate: moved, reason: 'payday moved to the 20th' });
      await sleepUntil(second?.dueDate ?? '', 5);
      const afterOldDeadline = await handle.query(statusQuery);
      // The rest in 10 installments: above the officer's 6, so the old terms apply until a manager agrees.
      const amendPending = await outcome(handle, { kind: 'arrangement_amend', installments: 10, frequency: 'monthly', firstDueDate: moved, reason: 'lost a second job' });
      const secondChange = await refusal(handle, { kind: 'arrangement_reschedule', dueDate: moved, reason: 'again' });
      const amended = await outcome(handle, { kind: 'arrangement_decision', approve: true }, 'manager');
      for (const installment of amended.arrangement?.installments.slice(1) ?? []) {
        await sleepUntil(installment.dueDate);
        await pay(handle, `AMEND-${installment.seq}`, installment.amount);
      }
      const result = await handle.result();
      return { pending, officerDecides, changeWhilePending, approved, rescheduled, afterOldDeadline, amendPending, secondChange, amended, result, moved, first, final: await handle.query(statusQuery) };
    });

    expect(seen.pending.arrangement).toMatchObject({ kind: 'plan', status: 'pending_approval' });
    expect(seen.pending.nextActionWhy).toBe("payment plan waiting for a manager's approval");
    expect(recorder.tasks).toContainEqual({ kind: 'approval', reason: 'payment plan above officer authority agreed by officer:test' });
    expect(seen.officerDecides).toBe('arrangement decision needs a manager');
    expect(seen.changeWhilePending).toBe("the arrangement still waits for a manager's approval");
    expect(seen.approved.arrangement?.status).toBe('active');
    expect(seen.approved.history.at(-1)?.detail).toBe('payment plan approved by manager:test: steady income');

    expect(seen.rescheduled.arrangement?.installments[1]).toMatchObject({ dueDate: seen.moved, paid: 0 });
    expect(seen.rescheduled.history.some((e) => e.type === 'arrangement_changed' && e.detail === 'payment plan rescheduled by officer:test: payday moved to the 20th')).toBe(true);
    // The old due date plus grace passed: not broken, the plan waits for the moved date.
    expect(seen.afterOldDeadline.arrangement?.status).toBe('active');
    expect(seen.afterOldDeadline.history.some((e) => e.type === 'arrangement_broken')).toBe(false);

    expect(seen.amendPending.arrangement?.pendingChange).toMatchObject({ change: 'amend', by: 'officer:test', reason: 'lost a second job' });
    // The terms in force still apply while the change waits.
    expect(seen.amendPending.arrangement?.installments).toEqual(seen.rescheduled.arrangement?.installments);
    expect(recorder.tasks).toContainEqual({ kind: 'approval', reason: 'payment plan amended above officer authority by officer:test' });
    expect(seen.secondChange).toBe("a change to the arrangement already waits for a manager's approval");
    // What was paid stays as it stood; the rest is 10 monthly installments summing to what was owed.
    const installments = seen.amended.arrangement?.installments ?? [];
    expect(installments).toHaveLength(11);
    expect(installments[0]).toMatchObject({ seq: 1, dueDate: seen.first?.dueDate, amount: seen.first?.amount, paid: seen.first?.amount });
    expect(installments.slice(1).reduce((sum, each) => sum + each.amount, 0)).toBe(125_000 - (seen.first?.amount ?? 0));
    expect(installments[1]?.dueDate).toBe(seen.moved);
    expect(seen.amended.arrangement?.pendingChange).toBeNull();
    expect(seen.result).toEqual({ status: 'closed', closeReason: 'paid', balance: 0 });
    expect(seen.final.history.some((e) => e.type === 'arrangement_broken')).toBe(false);
  });

  it('cancels an arrangement with the reason and resumes dunning; refuses changes outside the policy', async () => {
    const recorder = recordingActivities();
    const { input, taskQueue, worker } = await setup(recorder.activities);
    const seen = await worker.runUntil(async () => {
      const handle = await engine.testEnv.client.workflow.start(caseWorkflow, { taskQueue, workflowId: input.caseId, args: [input] });
      const nothingToCancel = await refusal(handle, { kind: 'arrangement_cancel', reason: 'no longer agreed' });
      await outcome(handle, { kind: 'promise_to_pay', amount: 50_000, dueDate: await today(10) });
      const refused = [
        await refusal(handle, { kind: 'arrangement_reschedule', dueDate: await today(-1), reason: 'r' }),
        await refusal(handle, { kind: 'arrangement_reschedule', dueDate: await today(45), reason: 'r' }),
        await refusal(handle, { kind: 'arrangement_reschedule', dueDate: await today(10), reason: 'r' }),
        await refusal(handle, { kind: 'arrangement_amend', installments: 13, frequency: 'monthly', firstDueDate: await today(3), reason: 'r' }),
        await refusal(handle, { kind: 'arrangement_amend', installments: 2, frequency: 'weekly', firstDueDate: await today(-2), reason: 'r' }),
      ];
      const before = await handle.query(statusQuery);
      await engine.testEnv.sleep('2 days');
      const cancelled = await outcome(handle, { kind: 'arrangement_cancel', reason: 'the debtor withdrew the promise' });
      // Dunning resumes: the SMS due on day 3 (pushed back by the 2 days the promise held it) goes out.
      await engine.testEnv.sleep('4 days');
      const resumed = await handle.query(statusQuery);
      await pay(handle, 'ALL', resumed.balance);
      await handle.result();
      return { nothingToCancel, refused, before, cancelled };
    });
    expect(seen.nothingToCancel).toBe('there is no arrangement to cancel');
    expect(seen.refused).toEqual([
      expect.stringMatching(/^\d{4}-\d\d-\d\d is in the past$/),
      expect.stringMatching(/^the next payment may fall at most 30 days ahead/),
      expect.stringMatching(/^the next payment is already due on /),
      '13 installments exceed the maximum 12 for a promise',
      expect.stringMatching(/^\d{4}-\d\d-\d\d is in the past$/),
    ]);
    expect(seen.before.arrangement).toMatchObject({ kind: 'promise', status: 'active' });
    expect(seen.cancelled.arrangement).toBeNull();
    const event = seen.cancelled.history.find((e) => e.type === 'arrangement_cancelled');
    expect(event).toMatchObject({ detail: 'promise cancelled by officer:test: the debtor withdrew the promise', data: { by: 'officer:test', reason: 'the debtor withdrew the promise' } });
    expect(recorder.sent.map((s) => s.stepId)).toContain('nudge');
  });

  it('re-evaluates a plan when a payment toward it is returned: broken after grace', async () => {
    const recorder = recordingActivities();
    const { input, taskQueue, worker } = await setup(recorder.activities);
    const status = await worker.runUntil(async () => {
      const handle = await engine.testEnv.client.workflow.start(caseWorkflow, { taskQueue, workflowId: input.caseId, args: [input] });
      const plan = await outcome(handle, { kind: 'payment_plan', downPayment: 0, installments: 3, frequency: 'monthly', firstDueDate: await today(3) });
      const first = plan.arrangement?.installments[0];
      await sleepUntil(first?.dueDate ?? '');
      await pay(handle, 'PLAN-1', first?.amount ?? 0);
      await engine.testEnv.sleep('1 day');
      // Half of it comes back (a partial chargeback): the first installment is short again.
      await handle.signal(paymentReversedSignal, { reference: 'PLAN-1', reason: 'chargeback', amount: 10_000 });
      await sleepUntil(first?.dueDate ?? '', 5);
      const status = await handle.query(statusQuery);
      await pay(handle, 'REST', status.balance);
      await handle.result();
      return status;
    });
    const reversed = status.history.find((e) => e.type === 'payment_reversed');
    expect(reversed).toMatchObject({ data: { reference: 'PLAN-1', amount: 10_000, reason: 'chargeback', balanceAfter: 125_000 - 41_666 + 10_000 } });
    expect(status.history.some((e) => e.type === 'arrangement_broken' && e.detail.startsWith('plan broken: $100.00 due'))).toBe(true);
    expect(recorder.tasks.map((t) => t.kind)).toContain('broken_promise');
  });

  it('reinstates a kept promise when the payment that kept it is returned, and breaks it after grace', async () => {
    const recorder = recordingActivities();
    const { input, taskQueue, worker } = await setup(recorder.activities);
    const seen = await worker.runUntil(async () => {
      const handle = await engine.testEnv.client.workflow.start(caseWorkflow, { taskQueue, workflowId: input.caseId, args: [input] });
      const promise = await outcome(handle, { kind: 'promise_to_pay', amount: 30_000, dueDate: await today(2) });
      await sleepUntil(promise.arrangement?.installments[0]?.dueDate ?? '');
      await pay(handle, 'KEPT-1', 30_000);
      await engine.testEnv.sleep('1 day');
      const kept = await handle.query(statusQuery);
      await handle.signal(paymentReversedSignal, { reference: 'KEPT-1', reason: 'NSF' });
      await engine.testEnv.sleep('1 hour');
      const reinstated = await handle.query(statusQuery);
      await sleepUntil(promise.arrangement?.installments[0]?.dueDate ?? '', 5);
      const broken = await handle.query(statusQuery);
      await pay(handle, 'REST', broken.balance);
      await handle.result();
      return { kept, reinstated, broken };
    });
    expect(seen.kept.arrangement).toBeNull();
    expect(seen.kept.history.some((e) => e.type === 'arrangement_kept')).toBe(true);
    expect(seen.reinstated.arrangement).toMatchObject({ kind: 'promise', status: 'active', paidTotal: 0 });
    expect(seen.reinstated.history.some((e) => e.type === 'arrangement_made' && e.detail === 'promise reinstated: payment KEPT-1 that kept it was returned')).toBe(true);
    expect(seen.broken.arrangement).toBeNull();
    expect(seen.broken.history.some((e) => e.type === 'arrangement_broken')).toBe(true);
    expect(seen.broken.balance).toBe(125_000);
    expect(recorder.tasks.map((t) => t.kind)).toContain('broken_promise');
  });
});
