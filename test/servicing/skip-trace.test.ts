import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testKeys } from '../../testing/api-client.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { eventually } from '../../testing/eventually.js';
import { middayZone } from '../../testing/midday-zone.js';
import { startSkipTraceVendor, type SkipTraceVendorStandIn } from '../../testing/standins/skip-trace-vendor.js';
import { consumerEarly } from '../support/strategies.js';

/**
 * Finding people, end to end: the dev server, the real worker running the skip-trace workflow,
 * PostgreSQL, the API, and a stand-in vendor over real HTTP with a bearer token. A vendor that
 * fails is retried until it answers and no request is lost; results become unverified contacts
 * with source and confidence; the task that asked closes itself; the queue is rescored; an
 * officer confirms a contact (audited); a manager's bulk CSV batch goes out and comes back; bad
 * requests are refused naming the field, with nothing started.
 */

let engine: Engine;
let vendor: SkipTraceVendorStandIn;

beforeAll(async () => {
  vendor = await startSkipTraceVendor({
    findings: ({ name }) =>
      name.startsWith('Wes')
        ? [
            { channel: 'phone', value: '+15555550177', confidence: 87 },
            { channel: 'email', value: 'wes.new@example.com', confidence: 64 },
            // Malformed: left out, and the trail says why.
            { channel: 'phone', value: 'not-a-number', confidence: 50 },
          ]
        : [{ channel: 'phone', value: `+1555555${String(name.length).padStart(4, '0')}`, confidence: 70 }],
    refuses: ({ name }) => name.startsWith('Nia'),
  });
  engine = await startEngine({ workerEnv: { SKIP_TRACE_URL: vendor.url, SKIP_TRACE_TOKEN: vendor.token } });
  const strategy = { ...consumerEarly, key: 'skip-trace-test', steps: [{ id: 'call', at: 'PT0S', action: 'call' }, { id: 'reminder', at: 'P1D', action: 'email', template: 'reminder' }] };
  expect((await engine.call('POST', '/api/v1/strategies', { body: strategy })).status).toBe(201);
});

afterAll(async () => {
  await engine?.stop();
  await vendor?.stop();
});

async function enroll(externalId: string, name: string): Promise<{ caseId: string; debtorId: string }> {
  const enrolled = await engine.call('POST', '/api/v1/accounts', {
    body: { externalId, strategy: 'skip-trace-test', currency: 'USD', balance: 90_000, debtor: { name, phone: '+15555550100', timeZone: middayZone() } },
  });
  expect(enrolled.status).toBe(201);
  const caseId = enrolled.body.caseId as string;
  const debtor = await engine.call('GET', `/api/v1/cases/${caseId}/debtor`);
  return { caseId, debtorId: debtor.body.debtorId as string };
}

async function batchDone(batchId: string) {
  return eventually(async () => {
    const { body } = await engine.call('GET', `/api/v1/skip-traces/${batchId}`, { key: testKeys.officer });
    return body.requests.every((request: { status: string }) => request.status !== 'pending') && body;
  }, `skip-trace batch ${batchId}`, 45_000);
}

describe('skip tracing', () => {
  it('asks the vendor from a task, rides out its outage without losing the request, and stores unverified contacts an officer confirms', async () => {
    const { caseId, debtorId } = await enroll('SKIP-1', 'Wes Wrongparty');
    // Generous bounds: a case's task is written by an activity, which a loaded machine may retry.
    const call = await eventually(() => engine.db.task.findFirst({ where: { caseId, kind: 'call' } }), 'the call task', 90_000);
    expect((await engine.call('POST', `/api/v1/cases/${caseId}/outcomes`, { key: testKeys.officer, body: { kind: 'wrong_party', note: 'says he is not Wes' } })).status).toBe(200);
    const task = await eventually(() => engine.db.task.findFirst({ where: { caseId, kind: 'skip_trace' } }), 'the skip-trace task', 90_000);

    vendor.failNext(2);
    const started = await engine.call('POST', `/api/v1/tasks/${task.id}/skip-trace`, { key: testKeys.officer, body: {} });
    expect(started.status).toBe(202);
    const [request] = started.body.requests;
    expect(request).toMatchObject({ debtorId, caseId });
    const batch = await batchDone(started.body.batchId);
    expect(batch.requests).toEqual([expect.objectContaining({ requestId: request.requestId, taskId: task.id, status: 'completed', found: 2, error: null })]);

    // The vendor was down twice and answered the third time: the same request, retried, with our token.
    const searches = vendor.requests.filter((each) => each.path === '/search');
    expect(searches.map((each) => each.status)).toEqual([503, 503, 200]);
    expect(searches.every((each) => each.authorized && each.idempotencyKey === request.requestId)).toBe(true);
    expect(JSON.parse(searches[2]?.body ?? '{}')).toMatchObject({ reference: request.requestId, name: 'Wes Wrongparty', phones: ['+15555550100'] });

    const contacts = await engine.call('GET', `/api/v1/debtors/${debtorId}`, { key: testKeys.officer });
    const traced = (contacts.body.contacts as { source: string; channel: string; contactId: string }[]).filter((contact) => contact.source === 'skip_trace');
    expect(traced).toHaveLength(2);
    expect(traced).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ channel: 'phone', source: 'skip_trace', confidence: 87, verifiedAt: null }),
        expect.objectContaining({ channel: 'email', source: 'skip_trace', confidence: 64, verifiedAt: null }),
      ]),
    );
    const stored = await engine.db.contact.findMany({ where: { debtorId, source: 'skip_trace' }, orderBy: { value: 'asc' } });
    expect(stored.map((contact) => [contact.channel, contact.value, contact.skipTraceId])).toEqual([
      ['phone', '+15555550177', request.requestId],
      ['email', 'wes.new@example.com', request.requestId],
    ]);
    const audit = await engine.db.auditEvent.findFirstOrThrow({ where: { debtorId, action: 'skip_trace_completed' } });
    expect(audit.data).toMatchObject({ requestId: request.requestId, found: 2, known: 0, rejected: ['value: not a valid phone'] });
    // The values stay out of the trail.
    expect(JSON.stringify(audit.data)).not.toContain('5555550177');

    // The task that asked closes itself; the case's other tasks count the new contacts.
    const closed = await engine.db.task.findUniqueOrThrow({ where: { id: task.id } });
    expect(closed).toMatchObject({ status: 'cancelled', closedReason: 'skip trace found 2 new contacts' });
    const rescored = await engine.db.task.findUniqueOrThrow({ where: { id: call.id } });
    expect(rescored.priorityReasons).toContain('new contact to try (+5)');
    expect(rescored.priority).toBe(call.priority + 5);

    // An officer confirms one (audited, with the reason); it is then verified.
    const phone = traced.find((contact) => contact.channel === 'phone') ?? { contactId: '' };
    const confirmed = await engine.call('PATCH', `/api/v1/debtors/${debtorId}/contacts/${phone.contactId}`, { key: testKeys.officer, body: { verified: true, reason: 'confirmed on the phone' } });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.verifiedAt).not.toBeNull();
    expect(await engine.db.auditEvent.count({ where: { debtorId, action: 'debtor_contact_changed', data: { path: ['reason'], equals: 'confirmed on the phone' } } })).toBe(1);

    // The queue is scored again as the contacts change: with the email confirmed too, nothing is new to try;
    // a number an officer adds is (source officer), and moves the call up again.
    expect((await engine.db.task.findUniqueOrThrow({ where: { id: call.id } })).priority).toBe(call.priority + 5);
    const email = traced.find((contact) => contact.channel === 'email') ?? { contactId: '' };
    expect((await engine.call('PATCH', `/api/v1/debtors/${debtorId}/contacts/${email.contactId}`, { key: testKeys.officer, body: { verified: true, reason: 'replied from it' } })).status).toBe(200);
    const settled = await engine.db.task.findUniqueOrThrow({ where: { id: call.id } });
    expect(settled.priority).toBe(call.priority);
    expect(settled.priorityReasons).not.toContain('new contact to try (+5)');
    const added = await engine.call('POST', `/api/v1/debtors/${debtorId}/contacts`, { key: testKeys.officer, body: { channel: 'phone', value: '+15555550178', source: 'officer' } });
    expect(added.status, added.text).toBe(201);
    expect((await engine.db.task.findUniqueOrThrow({ where: { id: call.id } })).priority).toBe(call.priority + 5);

    // A closed task asks nothing more.
    const again = await engine.call('POST', `/api/v1/tasks/${task.id}/skip-trace`, { key: testKeys.officer, body: {} });
    expect(again.status).toBe(409);
  }, 180_000);

  it("sends a manager's bulk batch out as CSV and stores what comes back; a bad request starts nothing", async () => {
    const first = await enroll('SKIP-2', 'Bo Bulk');
    const second = await enroll('SKIP-3', 'Cy Bulk-Second');
    const before = await engine.db.skipTraceRequest.count();

    const unknown = await engine.call('POST', '/api/v1/skip-traces', { body: { caseIds: [first.caseId, second.caseId, 'case-nope'], mode: 'csv' } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.fields).toEqual([{ path: 'body.caseIds.2', message: 'no case "case-nope"' }]);
    const badMode = await engine.call('POST', '/api/v1/skip-traces', { body: { caseIds: [first.caseId], mode: 'fax' } });
    expect(badMode.status).toBe(400);
    expect(badMode.body.error.fields.map((field: { path: string }) => field.path)).toEqual(['body.mode']);
    const empty = await engine.call('POST', '/api/v1/skip-traces', { body: { mode: 'csv' } });
    expect(empty.status).toBe(400);
    expect(empty.body.error.fields).toEqual([{ path: 'body.debtorIds', message: 'name at least one debtor or case' }]);
    expect((await engine.call('POST', '/api/v1/skip-traces', { key: testKeys.officer, body: { caseIds: [first.caseId] } })).status).toBe(403);
    expect(await engine.db.skipTraceRequest.count()).toBe(before);

    const started = await engine.call('POST', '/api/v1/skip-traces', { body: { caseIds: [first.caseId], debtorIds: [second.debtorId], mode: 'csv' } });
    expect(started.status).toBe(202);
    const batch = await batchDone(started.body.batchId);
    expect(batch.requests.map((request: { status: string; found: number }) => [request.status, request.found])).toEqual([
      ['completed', 1],
      ['completed', 1],
    ]);
    // One file out, then the results file fetched until ready (202 first).
    expect(vendor.requests.filter((each) => each.path === '/batches').map((each) => each.status)).toEqual([201]);
    expect(vendor.requests.filter((each) => each.path.startsWith('/batches/')).map((each) => each.status)).toEqual([202, 200]);
    const sent = vendor.requests.find((each) => each.path === '/batches')?.body ?? '';
    expect(sent.split('\r\n')[0]).toBe('reference,name,phones,emails,addresses');
    expect(sent).toContain('Bo Bulk');
    for (const { debtorId, name } of [{ ...first, name: 'Bo Bulk' }, { ...second, name: 'Cy Bulk-Second' }]) {
      const found = await engine.db.contact.findFirstOrThrow({ where: { debtorId, source: 'skip_trace' } });
      expect(found).toMatchObject({ channel: 'phone', value: `+1555555${String(name.length).padStart(4, '0')}`, confidence: 70, verifiedAt: null });
    }
  });

  it('rides out a vendor outage on a CSV batch as well: the same file is sent again until taken, once, and its results stored once', async () => {
    const { caseId, debtorId } = await enroll('SKIP-5', 'Di Outage');
    const seen = vendor.requests.length;
    vendor.failNext(2);
    const started = await engine.call('POST', '/api/v1/skip-traces', { body: { caseIds: [caseId], mode: 'csv' } });
    expect(started.status, started.text).toBe(202);
    const batch = await batchDone(started.body.batchId);
    expect(batch.requests).toEqual([expect.objectContaining({ status: 'completed', found: 1, error: null })]);
    const sent = vendor.requests.slice(seen).filter((each) => each.path === '/batches');
    expect(sent.map((each) => each.status)).toEqual([503, 503, 201]);
    // One request, sent three times under one key and with the same file: the vendor can tell a retry from a new batch.
    expect(new Set(sent.map((each) => each.idempotencyKey)).size).toBe(1);
    expect(sent[0]?.idempotencyKey).toBeTruthy();
    expect(new Set(sent.map((each) => each.body)).size).toBe(1);
    expect(sent.every((each) => each.authorized)).toBe(true);
    expect(await engine.db.contact.count({ where: { debtorId, source: 'skip_trace' } })).toBe(1);
  });

  it('ends a request the vendor refuses for good as failed, with the reason, and keeps the task open', async () => {
    const { caseId } = await enroll('SKIP-4', 'Nia Refused');
    expect((await engine.call('POST', `/api/v1/cases/${caseId}/outcomes`, { key: testKeys.officer, body: { kind: 'wrong_party' } })).status).toBe(200);
    const task = await eventually(() => engine.db.task.findFirst({ where: { caseId, kind: 'skip_trace' } }), 'the skip-trace task', 90_000);
    const started = await engine.call('POST', `/api/v1/tasks/${task.id}/skip-trace`, { key: testKeys.officer, body: { mode: 'http' } });
    expect(started.status).toBe(202);
    const batch = await batchDone(started.body.batchId);
    expect(batch.requests).toEqual([expect.objectContaining({ status: 'failed', found: 0, error: 'skip-trace vendor refused the request (422)' })]);
    // Asked once: a refusal is not retried.
    expect(vendor.requests.filter((each) => each.path === '/search' && each.status === 422)).toHaveLength(1);
    expect((await engine.db.task.findUniqueOrThrow({ where: { id: task.id } })).status).toBe('open');
  });
});
