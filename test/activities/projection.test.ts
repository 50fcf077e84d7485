import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProjectionActivities, projectionRejected, type ProjectCaseInput } from '../../activities/projection.js';
import { createApiKey } from '../../api/services/api-keys.js';
import { startEngine, type Engine } from '../../testing/engine.js';

/**
 * The projection activity on a real PostgreSQL (issue 23): a write the database refuses for good
 * fails at once as `ProjectionRejected` and is noted in ProjectionFailure, where GET /health and
 * the admin list show it; the write that catches up removes the note; ill-formed text from an
 * older history is repaired instead of refused.
 */

let engine: Engine;
let adminKey: string;

beforeAll(async () => {
  // Temporal runs (no worker) so GET /health answers at once.
  engine = await startEngine({ worker: 'none' });
  adminKey = (await createApiKey(engine.db, { role: 'admin', name: 'operator', actor: 'test' })).key;
}, 120_000);

afterAll(async () => {
  await engine?.stop();
});

async function caseRow(): Promise<string> {
  const { db } = engine;
  const strategy = await db.strategy.create({ data: { key: `s-${randomUUID()}`, version: 1, name: 'S', definition: {} } });
  const debtor = await db.debtor.create({ data: { name: 'Ana Ruiz', timeZone: 'UTC' } });
  const accountId = randomUUID();
  await db.account.create({ data: { id: accountId, externalId: `P-${accountId}`, debtorId: debtor.id, currency: 'USD', originalBalance: 1000, balance: 1000 } });
  const caseId = `case-${accountId}`;
  await db.case.create({ data: { id: caseId, accountId, strategyId: strategy.id, balance: 1000, currency: 'USD' } });
  return caseId;
}

function write(caseId: string, overrides: Partial<ProjectCaseInput> & { balance?: number } = {}): ProjectCaseInput {
  const { balance = 900, ...rest } = overrides;
  return {
    caseId,
    seq: 1,
    state: { status: 'open', closeReason: null, balance, currentStep: null, nextActionAt: null, nextActionWhy: null },
    events: [{ seq: 1, at: new Date().toISOString(), type: 'reply_received', detail: 'sms reply', data: { channel: 'sms', text: 'paid \ud83d soon', intent: 'other', receivedAt: new Date().toISOString() } }],
    ...rest,
  };
}

const project = (input: ProjectCaseInput) => {
  const activities = createProjectionActivities({ db: engine.db });
  return new MockActivityEnvironment().run((write: ProjectCaseInput) => activities.projectCase(write), input);
};

describe('projectCase', () => {
  it('fails at once on a write the database refuses, notes it for an operator, and clears the note when it catches up', async () => {
    const caseId = await caseRow();
    // A balance PostgreSQL's integer cannot hold: refused however often it is tried.
    const refused = await project(write(caseId, { balance: 2 ** 40 })).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApplicationFailure);
    expect(refused).toMatchObject({ type: projectionRejected, nonRetryable: true });

    const [failure] = await engine.db.$queryRaw<{ caseId: string; failures: number; code: string | null; message: string }[]>`SELECT * FROM "ProjectionFailure" WHERE "caseId" = ${caseId}`;
    expect(failure).toMatchObject({ caseId, failures: 1 });
    // Neither debtor data nor the refused value reaches the operator's record: 22003, 'value "…" is out of range for type integer'.
    expect(failure).toMatchObject({ code: '22003' });
    expect(failure?.message).not.toContain('Ana');
    expect(failure?.message).not.toContain(String(2 ** 40));
    expect((await engine.call('GET', '/health')).body).toMatchObject({ laggingCases: 1 });
    const listed = await engine.call('GET', '/api/v1/admin/projection-failures', { key: adminKey });
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([expect.objectContaining({ caseId, failures: 1 })]);
    expect((await engine.call('GET', '/api/v1/admin/projection-failures')).status).toBe(403);

    // Nothing of the refused write was kept.
    expect(await engine.db.auditEvent.count({ where: { caseId } })).toBe(0);

    await project(write(caseId, { catchingUp: true }));
    expect((await engine.call('GET', '/health')).body).toMatchObject({ laggingCases: 0 });
    expect(await engine.db.case.findUniqueOrThrow({ where: { id: caseId } })).toMatchObject({ balance: 900, projectedSeq: 1 });
  });

  it('repairs a lone surrogate from an older history instead of refusing the write', async () => {
    const caseId = await caseRow();
    await project(write(caseId));
    const reply = await engine.db.auditEvent.findFirstOrThrow({ where: { caseId, action: 'reply_received' } });
    expect(reply.data).toMatchObject({ text: 'paid \uFFFD soon' });
  });
});
