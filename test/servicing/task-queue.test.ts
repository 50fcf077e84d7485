import { randomUUID } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProjectionActivities, type ProjectCaseInput } from '../../activities/projection.js';
import { createTaskActivities } from '../../activities/tasks.js';
import { PrismaClient } from '../../generated/prisma/client.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import type { CaseEvent } from '../../workflows/case-messages.js';

/**
 * The queue kept by the projection on a real PostgreSQL: a broken promise raises the case's
 * other tasks and a new arrangement lowers them again and settles the follow-up; a retried write
 * does not close a task created since; a closing keeps the tasks it asks for (a death's specialist
 * routing). Priorities are recomputed, not fixed at creation.
 */

let engine: Engine;
beforeAll(async () => {
  engine = await startEngine({ temporal: 'none' });
}, 120_000);
afterAll(async () => {
  await engine?.stop();
});

async function caseRow(): Promise<string> {
  const { db } = engine;
  const strategy = await db.strategy.create({ data: { key: `s-${randomUUID()}`, version: 1, name: 'S', definition: {} } });
  const debtor = await db.debtor.create({ data: { name: 'Tia Queue', timeZone: 'UTC' } });
  const accountId = randomUUID();
  await db.account.create({ data: { id: accountId, externalId: `Q-${accountId}`, debtorId: debtor.id, currency: 'USD', originalBalance: 100_000, balance: 100_000 } });
  const caseId = `case-${accountId}`;
  await db.case.create({ data: { id: caseId, accountId, strategyId: strategy.id, balance: 100_000, currency: 'USD' } });
  return caseId;
}

let seq = 0;
function event(partial: Omit<CaseEvent, 'seq' | 'at' | 'detail'> & { detail?: string }): CaseEvent {
  return { seq: ++seq, at: new Date().toISOString(), detail: partial.type, ...partial } as CaseEvent;
}

const project = (caseId: string, events: CaseEvent[], balance = 100_000) => {
  const input: ProjectCaseInput = { caseId, seq: events.at(-1)?.seq ?? seq, state: { status: 'open', closeReason: null, balance, currentStep: null, nextActionAt: null, nextActionWhy: null }, events };
  return new MockActivityEnvironment().run((write: ProjectCaseInput) => createProjectionActivities({ db: engine.db }).projectCase(write), input);
};

const task = (caseId: string, kind: string) =>
  createTaskActivities({ db: engine.db }).createTask({ caseId, idempotencyKey: `${caseId}-${kind}-${randomUUID()}`, kind, reason: `a ${kind} task`, balance: 100_000, daysPastDue: 0 });
const row = (taskId: string) => engine.db.task.findUniqueOrThrow({ where: { id: taskId } });

describe('the queue follows the case', () => {
  it('raises open tasks after a broken promise, lowers them when a new plan is agreed, and settles the follow-up', async () => {
    const caseId = await caseRow();
    const { taskId: callId } = await task(caseId, 'call');
    const before = await row(callId);
    await project(caseId, [event({ type: 'arrangement_made', data: { kind: 'promise', installments: [] } }), event({ type: 'arrangement_broken', data: { kind: 'promise', paidTotal: 0 } })]);
    const raised = await row(callId);
    expect(raised.priority).toBe(before.priority + 15);
    expect(raised.priorityReasons).toContain('promise broken (+15)');

    const { taskId: followUpId } = await task(caseId, 'broken_promise');
    // Its own kind counts the broken promise; no bonus on top.
    expect((await row(followUpId)).priorityReasons).not.toContain('promise broken (+15)');
    await project(caseId, [event({ type: 'arrangement_made', data: { kind: 'plan', installments: [] } })]);
    expect((await row(callId)).priority).toBe(before.priority);
    expect(await row(followUpId)).toMatchObject({ status: 'cancelled', closedReason: 'a new plan was agreed' });

    // A payment lowers the balance points of what is still open.
    await project(caseId, [event({ type: 'payment_applied', data: { reference: 'P-1', amount: 90_000, currency: 'USD', receivedAt: new Date().toISOString(), balanceBefore: 100_000, balanceAfter: 10_000, overpaid: 0 } })], 10_000);
    expect((await row(callId)).priorityReasons).toContain('balance (+20)');
  });

  it('does not close a task created after the event when the write is retried, and keeps what a closing asks for', async () => {
    const caseId = await caseRow();
    const { taskId: first } = await task(caseId, 'call');
    const placed = [event({ type: 'placed', data: { placementId: 'p-1', agency: 'north' } })];
    await project(caseId, placed);
    expect(await row(first)).toMatchObject({ status: 'cancelled', closedReason: 'the case was placed with agency north' });
    const { taskId: second } = await task(caseId, 'call');
    await project(caseId, placed);
    expect((await row(second)).status).toBe('open');

    const { taskId: specialist } = await task(caseId, 'deceased');
    const { taskId: legal } = await task(caseId, 'legal_review');
    await project(caseId, [event({ type: 'closed', data: { reason: 'deceased' } })]);
    expect((await row(specialist)).status).toBe('open');
    expect(await row(legal)).toMatchObject({ status: 'cancelled', closedReason: 'the case closed (deceased)' });
    expect((await row(second)).status).toBe('cancelled');
    expect(await engine.db.auditEvent.count({ where: { caseId, action: 'task_closed' } })).toBe(3);
  });

  it("rescores on a payment's write without looking up which events are new, also when the write is retried", async () => {
    const caseId = await caseRow();
    const { taskId: callId } = await task(caseId, 'call');
    const before = await row(callId);
    const logged = new PrismaClient({ adapter: new PrismaPg({ connectionString: engine.env.DATABASE_URL }), log: [{ emit: 'event', level: 'query' }] });
    const statements: string[] = [];
    logged.$on('query', (event) => statements.push(event.query));
    try {
      const paid = [event({ type: 'payment_applied', data: { reference: 'P-2', amount: 90_000, currency: 'USD', receivedAt: new Date().toISOString(), balanceBefore: 100_000, balanceAfter: 10_000, overpaid: 0 } })];
      const input: ProjectCaseInput = { caseId, seq: paid[0]!.seq, state: { status: 'open', closeReason: null, balance: 10_000, currentStep: null, nextActionAt: null, nextActionWhy: null }, events: paid };
      const write = () => new MockActivityEnvironment().run((each: ProjectCaseInput) => createProjectionActivities({ db: logged }).projectCase(each), input);
      await write();
      const lowered = await row(callId);
      expect(lowered.priority).toBeLessThan(before.priority);
      expect(lowered.priorityReasons).toContain('balance (+20)');
      // A payment closes no task: nothing asks which of its events the audit already holds.
      expect(statements.filter((sql) => /FROM "public"\."AuditEvent" WHERE .*"idempotencyKey" IN/.test(sql))).toEqual([]);
      // Retried (the worker lost the answer): the same score, nothing written twice.
      await write();
      expect(await row(callId)).toMatchObject({ priority: lowered.priority, priorityReasons: lowered.priorityReasons, status: 'open' });
      expect(await engine.db.payment.count({ where: { caseId } })).toBe(1);
      expect(await engine.db.auditEvent.count({ where: { caseId, action: 'payment_applied' } })).toBe(1);
    } finally {
      await logged.$disconnect();
    }
  });

  it('verifies a skip-traced contact once a message to it was taken by the provider, and no other', async () => {
    const caseId = await caseRow();
    const { account } = await engine.db.case.findUniqueOrThrow({ where: { id: caseId }, select: { account: { select: { debtorId: true } } } });
    const traced = await engine.db.contact.create({ data: { debtorId: account.debtorId, channel: 'email', value: 'tia.found@example.com', source: 'skip_trace', confidence: 75 } });
    const other = await engine.db.contact.create({ data: { debtorId: account.debtorId, channel: 'email', value: 'tia.other@example.com', source: 'skip_trace', confidence: 40 } });
    const message = (recipient: string, status: string) =>
      engine.db.communication.create({ data: { caseId, stepId: 'reminder', channel: 'email', template: 'reminder', recipient, body: 'b', idempotencyKey: randomUUID(), status } });
    const sent = await message(traced.value, 'sent');
    const failed = await message(other.value, 'failed');
    await project(caseId, [event({ type: 'step_done', stepId: 'reminder', data: { communicationId: sent.id } }), event({ type: 'step_done', stepId: 'reminder', data: { communicationId: failed.id } })]);
    expect((await engine.db.contact.findUniqueOrThrow({ where: { id: traced.id } })).verifiedAt).not.toBeNull();
    expect((await engine.db.contact.findUniqueOrThrow({ where: { id: other.id } })).verifiedAt).toBeNull();
  });
});
