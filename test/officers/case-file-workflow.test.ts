import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZCaseFile } from '../../domain/case-file.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { testKeys } from '../../testing/api-client.js';
import { eventually } from '../../testing/eventually.js';
import { middayZone } from '../../testing/midday-zone.js';
import { consumerEarly } from '../support/strategies.js';

/**
 * Referral and legal review through the running engine (Temporal dev server, worker, API,
 * PostgreSQL): the case workflow calls the activities, the case file reaches the agency outbox
 * and the legal task, and a placed case still takes payments.
 */

let engine: Engine;

beforeAll(async () => {
  engine = await startEngine();
  const strategy = {
    ...consumerEarly,
    key: 'case-file-flow',
    steps: [
      { id: 'reminder', at: 'PT0S', action: 'email', template: 'reminder' },
      { id: 'agency', at: 'PT4S', action: 'agency_referral', agency: 'acme-recovery' },
    ],
  };
  expect((await engine.call('POST', '/api/v1/strategies', { body: strategy })).status).toBe(201);
}, 60_000);

afterAll(async () => {
  await engine?.stop();
});

async function enroll(externalId: string, name: string): Promise<string> {
  const enrolled = await engine.call('POST', '/api/v1/accounts', {
    body: { externalId, strategy: 'case-file-flow', currency: 'USD', balance: 50_000, debtor: { name, email: `${externalId.toLowerCase()}@example.com`, timeZone: middayZone() } },
  });
  expect(enrolled.status).toBe(201);
  return enrolled.body.caseId as string;
}

describe('through the case workflow', () => {
  it('an agency_referral step delivers the case file to the outbox, and the placed case keeps taking payments', async () => {
    const caseId = await enroll('CFW-1', 'Ada Lovelace');
    await eventually(async () => (await engine.db.communication.count({ where: { caseId, status: 'sent' } })) > 0, 'the reminder email');
    expect((await engine.call('POST', `/api/v1/cases/${caseId}/payments`, { key: testKeys.integration, body: { reference: 'CFW-PAY-1', amount: 10_000 } })).status).toBe(202);

    const stored = await eventually(() => engine.db.caseFilePackage.findFirst({ where: { caseId, purpose: 'agency', deliveredAt: { not: null } } }), 'the delivered case file', 30_000);
    const outbox = path.join(engine.dataDir, 'outbox', 'agency');
    expect((await readdir(outbox)).sort()).toEqual([`${stored.id}.json`, `${stored.id}.pdf`]);
    const file = ZCaseFile.parse(JSON.parse(stored.document));
    expect(file.placement).toMatchObject({ agency: 'acme-recovery', balance: 40_000 });
    expect(file.communications.map((message) => [message.channel, message.template, message.status])).toEqual([['email', 'reminder', 'sent']]);
    expect(file.balance).toMatchObject({ opening: 50_000, closing: 40_000 });
    expect(file.balance.entries).toEqual([expect.objectContaining({ kind: 'payment', reference: 'CFW-PAY-1', change: -10_000, balanceAfter: 40_000 })]);

    const placed = await eventually(async () => {
      const { body } = await engine.call('GET', `/api/v1/cases/${caseId}`);
      return body.nextActionWhy?.startsWith('placed with agency acme-recovery') && body;
    }, 'the case placed');
    expect(placed.status).toBe('open');
    expect((await engine.call('POST', `/api/v1/cases/${caseId}/payments`, { key: testKeys.integration, body: { reference: 'CFW-PAY-2', amount: 5_000 } })).status).toBe(202);
    await eventually(async () => (await engine.call('GET', `/api/v1/cases/${caseId}`)).body.balance === 35_000, 'the payment applied after placement');
    expect(await engine.db.caseFilePackage.count({ where: { caseId } })).toBe(1);
  }, 60_000);

  it("an officer's escalation to legal creates the legal review task with its case file", async () => {
    const caseId = await enroll('CFW-2', 'Alan Turing');
    await eventually(async () => (await engine.db.communication.count({ where: { caseId } })) > 0, 'the reminder email');
    const escalated = await engine.call('POST', `/api/v1/cases/${caseId}/outcomes`, { key: testKeys.officer, body: { kind: 'escalate', to: 'legal', reason: 'assets found' } });
    expect(escalated.status).toBe(200);

    const task = await eventually(() => engine.db.task.findFirst({ where: { caseId, kind: 'legal_review' } }), 'the legal review task');
    // The package is written, then attached to the task (its location): wait for both.
    const stored = await eventually(() => engine.db.caseFilePackage.findFirst({ where: { taskId: task.id, deliveredAt: { not: null } } }), 'the legal case file attached to the task');
    expect(stored).toMatchObject({ purpose: 'legal', taskId: task.id, location: `task:${task.id}` });
    const listed = await engine.call('GET', `/api/v1/cases/${caseId}/case-files`, { key: testKeys.auditor });
    expect(listed.body.items).toEqual([expect.objectContaining({ packageId: stored.id, purpose: 'legal', taskId: task.id })]);
    const download = await engine.call('GET', `/api/v1/case-files/${stored.id}`, { key: testKeys.officer });
    expect(download.status).toBe(200);
    expect(download.text).toBe(stored.document);
    const file = ZCaseFile.parse(download.body);
    expect(file).toMatchObject({ purpose: 'legal', debtor: { name: 'Alan Turing' } });
    expect(file.tasks.map((row) => row.kind)).toContain('legal_review');
    // The case projects itself before the package is built: the escalation that caused it is in it.
    expect(file.outcomes.map((row) => row.action)).toEqual(expect.arrayContaining(['outcome_recorded', 'hold_started']));
    expect(file.outcomes.find((row) => row.action === 'outcome_recorded')?.data).toMatchObject({ kind: 'escalate', to: 'legal' });
  }, 60_000);
});
