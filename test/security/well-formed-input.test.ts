import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debtorRepliedSignal, statusQuery } from '../../workflows/case-messages.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { eventually } from '../../testing/eventually.js';
import { importFile } from '../../testing/imports.js';
import { consumerEarly } from '../support/strategies.js';

/**
 * One character must not stall a case (issue 23): a lone UTF-16 surrogate (a JSON `\ud83d` escape;
 * URLs and forms carry UTF-8 bytes, which cannot hold one) is refused with the field's path
 * wherever text enters (every route family, a webhook, an import row), and nothing is
 * written; and a surrogate that is already inside a case (an older history) is repaired when the
 * read model is written, on real PostgreSQL, Temporal and worker.
 */

let engine: Engine;
let caseId: string;
const lone = 'hi \ud83d there';
const reason = 'contains ill-formed Unicode (a lone UTF-16 surrogate)';

// The first step a month away: the case waits, so nothing but these requests writes.
const strategy = { ...consumerEarly, key: 'well-formed', steps: [{ id: 'reminder', at: 'P30D', action: 'email', template: 'reminder' }] };
const account = (externalId: string, name = 'Ana Ruiz') => ({ externalId, strategy: 'well-formed', currency: 'USD', balance: 125_000, debtor: { name, email: 'ana@example.com', timeZone: 'America/Chicago' } });

/** Row counts of what a request could write. */
async function counts() {
  const { db } = engine;
  return { accounts: await db.account.count(), cases: await db.case.count(), debtors: await db.debtor.count(), payments: await db.payment.count(), audit: await db.auditEvent.count(), tasks: await db.task.count() };
}

/** The 400 naming `path` with the ill-formed-Unicode reason. */
function expectRefused(answer: { status: number; body: unknown }, path: string) {
  expect(answer.status).toBe(400);
  expect(answer.body).toMatchObject({ error: { code: 'invalid_request', fields: [{ path, message: reason }] } });
}

beforeAll(async () => {
  engine = await startEngine();
  expect((await engine.call('POST', '/api/v1/strategies', { body: strategy })).status).toBe(201);
  const enrolled = await engine.call('POST', '/api/v1/accounts', { body: account('WF-1') });
  expect(enrolled.status).toBe(201);
  caseId = enrolled.body.caseId;
  // The case has written its first state: from here on nothing moves unless a request does.
  await eventually(async () => (await engine.db.case.findUnique({ where: { id: caseId } }))?.projectedSeq, 'the first projection');
}, 120_000);

afterAll(async () => {
  await engine?.stop();
});

describe('a lone surrogate at the door', () => {
  it('is refused by every route family with the field named, and nothing is written', async () => {
    const before = await counts();
    const history = (await engine.temporal.workflow.getHandle(caseId).query(statusQuery)).history.length;

    expectRefused(await engine.call('POST', '/api/v1/accounts', { body: account('WF-2', lone) }), 'body.debtor.name');
    expectRefused(await engine.call('POST', '/api/v1/accounts', { body: account(`WF-\udc00`) }), 'body.externalId');
    expectRefused(await engine.call('POST', `/api/v1/cases/${caseId}/payments`, { body: { reference: `PAY-${lone}`, amount: 100 } }), 'body.reference');
    expectRefused(await engine.call('POST', `/api/v1/cases/${caseId}/replies`, { body: { channel: 'sms', text: lone } }), 'body.text');
    expectRefused(await engine.call('POST', `/api/v1/cases/${caseId}/pause`, { body: { reason: lone } }), 'body.reason');
    expectRefused(await engine.call('POST', `/api/v1/cases/${caseId}/outcomes`, { body: { kind: 'hardship_pause', until: '2099-01-01', reason: lone } }), 'body.reason');
    // A webhook: refused before its signature is even looked at, as any other caller's mistake.
    expectRefused(await engine.call('POST', '/webhooks/twilio/sms', { body: { MessageSid: 'SM1', From: '+15555550100', Body: lone } }), 'body.Body');

    expect(await counts()).toEqual(before);
    expect((await engine.temporal.workflow.getHandle(caseId).query(statusQuery)).history.length).toBe(history);
  });

  it('makes an import row a rejected row naming the field, as a single request would be refused', async () => {
    const lines = [JSON.stringify(account('WF-IMPORT-1', lone)), JSON.stringify(account('WF-IMPORT-2'))].join('\n');
    const job = await importFile(engine, lines);
    expect(job).toMatchObject({ status: 'completed', created: 1, rejected: 1 });
    const rejections = await engine.db.importRejection.findMany({ where: { jobId: job.jobId } });
    expect(rejections.map(({ line, field, reason: why, externalId }) => ({ line, field, reason: why, externalId }))).toEqual([{ line: 1, field: 'debtor.name', reason, externalId: 'WF-IMPORT-1' }]);
    expect(await engine.db.account.count({ where: { externalId: 'WF-IMPORT-1' } })).toBe(0);
  });
});

describe('a lone surrogate already inside a case (an older history)', () => {
  it('is repaired when the read model is written, so the projection keeps up with the live case', async () => {
    // Sent past the API, as a case started before the door was guarded may hold one.
    const handle = engine.temporal.workflow.getHandle(caseId);
    await handle.signal(debtorRepliedSignal, { channel: 'sms', text: lone, receivedAt: new Date().toISOString() });
    const live = await eventually(async () => {
      const status = await handle.query(statusQuery);
      return status.history.some((event) => event.type === 'reply_received') && status;
    }, 'the reply to reach the case');
    const seq = Math.max(...live.history.map((event) => event.seq));
    const row = await eventually(async () => {
      const current = await engine.db.case.findUnique({ where: { id: caseId } });
      return current && current.projectedSeq >= seq && current;
    }, 'the read model to catch up with the live case');
    expect(row.projectedSeq).toBeGreaterThanOrEqual(seq);
    const reply = await engine.db.auditEvent.findFirstOrThrow({ where: { caseId, action: 'reply_received' } });
    expect((reply.data as { text: string }).text).toBe('hi \uFFFD there');
    expect((await engine.call('GET', '/health')).body).toMatchObject({ database: true, laggingCases: 0 });
  });
});
