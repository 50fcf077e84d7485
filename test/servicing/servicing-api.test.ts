import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testKeys } from '../../testing/api-client.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { eventually } from '../../testing/eventually.js';
import { middayZone } from '../../testing/midday-zone.js';
import { consumerEarly, negotiationLimits } from '../support/strategies.js';

/**
 * Account servicing and a queue that holds only work still to do, end to end on the dev server
 * with the real worker, PostgreSQL and API: a returned payment reported through the API
 * (idempotent, conflicts and unknown references refused naming the field, nothing half-applied),
 * tasks closing themselves with the reason (an approval decided, a promise kept, a case placed
 * with an agency, a case paid) and a task's priority recomputed after a payment.
 */

let engine: Engine;
const day = (plus: number) => DateTime.utc().plus({ days: plus }).toISODate() ?? '';

beforeAll(async () => {
  engine = await startEngine();
  const strategy = {
    ...consumerEarly,
    key: 'servicing-test',
    steps: [
      { id: 'call', at: 'PT0S', action: 'call' },
      { id: 'reminder', at: 'P1D', action: 'email', template: 'reminder' },
    ],
    negotiation: negotiationLimits,
  };
  expect((await engine.call('POST', '/api/v1/strategies', { body: strategy })).status).toBe(201);
});

afterAll(async () => {
  await engine?.stop();
});

async function enroll(externalId: string, balance = 100_000): Promise<string> {
  const enrolled = await engine.call('POST', '/api/v1/accounts', {
    body: { externalId, strategy: 'servicing-test', currency: 'USD', balance, debtor: { name: 'Sam Servicing', email: `${externalId.toLowerCase()}@example.com`, phone: '+15555550123', timeZone: middayZone() } },
  });
  expect(enrolled.status).toBe(201);
  return enrolled.body.caseId as string;
}

async function taskOf(caseId: string, kind: string) {
  return eventually(() => engine.db.task.findFirst({ where: { caseId, kind } }), `the ${kind} task of ${caseId}`);
}

async function closedTask(id: string) {
  return eventually(async () => {
    const task = await engine.db.task.findUniqueOrThrow({ where: { id } });
    return task.status === 'cancelled' && task;
  }, `task ${id} to close itself`);
}

describe('a returned payment through the API', () => {
  it('reopens what it paid, once; a differing repeat, an unknown reference or a bad amount are refused naming the field', async () => {
    const caseId = await enroll('SRV-1');
    const call = await taskOf(caseId, 'call');
    expect(call.priorityReasons).toContain('balance (+30)');

    expect((await engine.call('POST', `/api/v1/cases/${caseId}/payments`, { body: { reference: 'PAY-1', amount: 50_000 } })).status).toBe(202);
    // The queue follows the payment: the balance points of the open call task are scored again.
    const rescored = await eventually(async () => {
      const task = await engine.db.task.findUniqueOrThrow({ where: { id: call.id } });
      return (task.priorityReasons as string[]).includes('balance (+27)') && task;
    }, 'the call task rescored after the payment');
    expect(rescored.priority).toBe(call.priority - 3);

    const url = `/api/v1/cases/${caseId}/payments/PAY-1/reversal`;
    const first = await engine.call('POST', url, { key: testKeys.integration, body: { reason: 'NSF' } });
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ caseId, reference: 'PAY-1', amount: 50_000, accepted: true, repeated: false });
    await eventually(async () => (await engine.call('GET', `/api/v1/cases/${caseId}`)).body.balance === 100_000, 'the balance owed again');

    const again = await engine.call('POST', url, { key: testKeys.integration, body: { reason: 'NSF', amount: 50_000 } });
    expect(again.status).toBe(202);
    expect(again.body.repeated).toBe(true);

    const otherReason = await engine.call('POST', url, { key: testKeys.integration, body: { reason: 'chargeback' } });
    expect(otherReason.status).toBe(409);
    expect(otherReason.body.error).toMatchObject({ code: 'reversal_conflict', fields: [{ path: 'body.reason' }] });
    const otherAmount = await engine.call('POST', url, { key: testKeys.integration, body: { reason: 'NSF', amount: 1_000 } });
    expect(otherAmount.status).toBe(409);
    expect(otherAmount.body.error.fields).toEqual([{ path: 'body.amount', message: 'differs from the first report of this return' }]);

    const unknown = await engine.call('POST', `/api/v1/cases/${caseId}/payments/PAY-404/reversal`, { body: { reason: 'NSF' } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'payment_not_found', fields: [{ path: 'params.reference' }] });
    expect((await engine.call('POST', `/api/v1/cases/${caseId}/payments`, { body: { reference: 'PAY-2', amount: 30_000 } })).status).toBe(202);
    const tooMuch = await engine.call('POST', `/api/v1/cases/${caseId}/payments/PAY-2/reversal`, { body: { reason: 'NSF', amount: 40_000 } });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.error.fields).toEqual([{ path: 'body.amount', message: "exceeds the payment's 30000 minor units" }]);
    const noReason = await engine.call('POST', `/api/v1/cases/${caseId}/payments/PAY-2/reversal`, { body: { amount: 100 } });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.fields.map((field: { path: string }) => field.path)).toEqual(['body.reason']);
    const byAuditor = await engine.call('POST', `/api/v1/cases/${caseId}/payments/PAY-2/reversal`, { key: testKeys.auditor, body: { reason: 'NSF' } });
    expect(byAuditor.status).toBe(403);

    // Nothing half-applied: one return recorded and applied, none for the refused requests.
    const status = await eventually(async () => {
      const { body } = await engine.call('GET', `/api/v1/cases/${caseId}`);
      return body.balance === 70_000 && body;
    }, 'PAY-2 applied');
    expect(status.history.filter((event: { action: string }) => event.action === 'payment_reversed')).toHaveLength(1);
    expect(await engine.db.paymentReversal.findMany({ where: { caseId }, select: { reference: true, reason: true, amount: true } })).toEqual([{ reference: 'PAY-1', reason: 'NSF', amount: 50_000 }]);
    expect(await engine.db.auditEvent.count({ where: { caseId, action: 'payment_reversal_reported' } })).toBe(1);
    expect((await engine.db.payment.findUniqueOrThrow({ where: { caseId_reference: { caseId, reference: 'PAY-1' } } })).reversedAt).not.toBeNull();
  });
});

describe('tasks close themselves when their work is done elsewhere', () => {
  it('closes the approval task when a manager decides a settlement, and a plan above authority', async () => {
    const caseId = await enroll('SRV-2');
    const pending = await engine.call('POST', `/api/v1/cases/${caseId}/outcomes`, { key: testKeys.officer, body: { kind: 'settlement', amount: 70_000, firstDueDate: day(5) } });
    expect(pending.body.arrangement).toMatchObject({ kind: 'settlement', status: 'pending_approval' });
    const approval = await taskOf(caseId, 'approval');
    expect(approval.status).toBe('open');
    expect((await engine.call('POST', `/api/v1/cases/${caseId}/outcomes`, { body: { kind: 'settlement_decision', approve: true } })).status).toBe(200);
    const closed = await closedTask(approval.id);
    expect(closed.closedReason).toMatch(/^approval decided: approved by manager/);
    const open = await engine.call('GET', '/api/v1/tasks?kind=approval', { key: testKeys.officer });
    expect(open.body.items.map((task: { id: string }) => task.id)).not.toContain(approval.id);
    const cancelled = await engine.call('GET', '/api/v1/tasks?status=cancelled&kind=approval', { key: testKeys.officer });
    expect(cancelled.body.items.find((task: { id: string }) => task.id === approval.id)).toMatchObject({ status: 'cancelled', closedReason: closed.closedReason });
    expect(await engine.db.auditEvent.count({ where: { caseId, action: 'task_closed' } })).toBeGreaterThanOrEqual(1);

    const planCase = await enroll('SRV-3');
    const plan = await engine.call('POST', `/api/v1/cases/${planCase}/outcomes`, {
      key: testKeys.officer,
      body: { kind: 'payment_plan', downPayment: 10_000, installments: 8, frequency: 'monthly', firstDueDate: day(5) },
    });
    expect(plan.status).toBe(200);
    expect(plan.body.arrangement).toMatchObject({ kind: 'plan', status: 'pending_approval' });
    const planApproval = await taskOf(planCase, 'approval');
    expect(planApproval.reason).toMatch(/^payment plan above officer authority agreed by officer/);
    const byOfficer = await engine.call('POST', `/api/v1/cases/${planCase}/outcomes`, { key: testKeys.officer, body: { kind: 'arrangement_decision', approve: true } });
    expect(byOfficer.status).toBe(422);
    expect(byOfficer.body.error.fields).toEqual([{ path: 'body.kind', message: 'arrangement decision needs a manager' }]);
    const rejected = await engine.call('POST', `/api/v1/cases/${planCase}/outcomes`, { body: { kind: 'arrangement_decision', approve: false, note: 'too long' } });
    expect(rejected.body.arrangement).toBeNull();
    expect((await closedTask(planApproval.id)).closedReason).toMatch(/^approval decided: rejected by manager/);
  });

  it('closes a broken promise follow-up when a promise is kept, and the call task when the case is placed', async () => {
    const caseId = await enroll('SRV-4');
    const call = await taskOf(caseId, 'call');
    // A follow-up the case asked for earlier (a broken promise): the promise kept settles it.
    const followUp = await engine.db.task.create({ data: { caseId, kind: 'broken_promise', reason: 'broken promise: call the debtor', idempotencyKey: `${caseId}-followup` } });
    expect((await engine.call('POST', `/api/v1/cases/${caseId}/outcomes`, { key: testKeys.officer, body: { kind: 'promise_to_pay', amount: 20_000, dueDate: day(5) } })).status).toBe(200);
    await engine.call('POST', `/api/v1/cases/${caseId}/payments`, { body: { reference: 'KEPT-1', amount: 20_000 } });
    expect((await closedTask(followUp.id)).closedReason).toBe('a new promise was agreed');

    expect((await engine.db.task.findUniqueOrThrow({ where: { id: call.id } })).status).toBe('open');
    const escalated = await engine.call('POST', `/api/v1/cases/${caseId}/outcomes`, { key: testKeys.officer, body: { kind: 'escalate', to: 'agency', reason: 'no contact in 60 days' } });
    expect(escalated.status).toBe(200);
    expect((await closedTask(call.id)).closedReason).toMatch(/^the case was placed with agency /);
    // Officers are no longer offered a claim on it.
    const claim = await engine.call('POST', `/api/v1/tasks/${call.id}/claim`, { key: testKeys.officer });
    expect(claim.status).toBe(409);
  });

  it('closes a kept promise follow-up, and every task of a paid case, a claimed one included', async () => {
    const caseId = await enroll('SRV-5');
    const call = await taskOf(caseId, 'call');
    expect((await engine.call('POST', `/api/v1/cases/${caseId}/outcomes`, { key: testKeys.officer, body: { kind: 'promise_to_pay', amount: 20_000, dueDate: day(5) } })).status).toBe(200);
    // Created after the promise was agreed (as the case would on a missed installment): only the kept promise settles it.
    const followUp = await engine.db.task.create({ data: { caseId, kind: 'broken_promise', reason: 'broken promise: call the debtor', idempotencyKey: `${caseId}-followup` } });
    await engine.call('POST', `/api/v1/cases/${caseId}/payments`, { body: { reference: 'KEPT-1', amount: 20_000 } });
    expect((await closedTask(followUp.id)).closedReason).toBe('the promise was kept');

    expect((await engine.call('POST', `/api/v1/tasks/${call.id}/claim`, { key: testKeys.officer })).status).toBe(200);
    await engine.call('POST', `/api/v1/cases/${caseId}/payments`, { body: { reference: 'ALL', amount: 80_000 } });
    const closed = await closedTask(call.id);
    expect(closed).toMatchObject({ closedReason: 'the case closed (paid)', assignee: expect.stringMatching(/^officer/) });
    const audit = await engine.db.auditEvent.findFirstOrThrow({ where: { caseId, action: 'task_closed', data: { path: ['taskId'], equals: call.id } } });
    expect(audit.data).toMatchObject({ kind: 'call', was: 'claimed', reason: 'the case closed (paid)', event: 'closed' });
    // The officer who held it still records the call they made; another officer cannot.
    const byOther = await engine.call('POST', `/api/v1/tasks/${call.id}/complete`, { key: testKeys.officer2, body: { outcome: 'no_answer' } });
    expect(byOther.status).toBe(409);
    const completed = await engine.call('POST', `/api/v1/tasks/${call.id}/complete`, { key: testKeys.officer, body: { outcome: 'no_answer', note: 'rang out' } });
    expect(completed.status).toBe(200);
    expect(await engine.db.task.findUniqueOrThrow({ where: { id: call.id } })).toMatchObject({ status: 'done', outcome: 'no_answer', closedReason: 'the case closed (paid)' });
  });
});
