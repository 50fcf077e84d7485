import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '../../testing/engine.js';
import { testKeys } from '../../testing/api-client.js';
import { eventually } from '../../testing/eventually.js';
import { personWorkflowId } from '../../workflows/person-messages.js';
import { consumerEarly } from '../support/strategies.js';

/**
 * Match suggestions, merge and undo over the real API and PostgreSQL: who may be one person (never
 * a phone number alone), a merge that moves exactly what it records in one transaction, its exact
 * undo, and every refusal naming its field.
 */

let engine: Engine;
const strategy = { ...consumerEarly, key: 'debtor-merge', steps: [{ id: 'call', at: 'P30D', action: 'call' }] };
async function enroll(externalId: string, debtor: Record<string, unknown>) {
  const response = await engine.call('POST', '/api/v1/accounts', {
    body: { externalId, strategy: strategy.key, currency: 'USD', balance: 30_000, debtor: { timeZone: 'America/Chicago', ...debtor } },
  });
  expect(response.status).toBe(201);
  return (await engine.db.account.findUniqueOrThrow({ where: { externalId } })).debtorId;
}
const pairOf = (ids: string[]) => [...ids].sort().join(' ');

let ana1: string;
let ana2: string;
let ana3: string;
let neighbour: string;

beforeAll(async () => {
  engine = await startEngine();
  expect((await engine.call('POST', '/api/v1/strategies', { body: strategy })).status).toBe(201);
  ana1 = await enroll('MG-1', { name: 'Ana Ruiz', email: 'Ana@Example.com', phone: '+13125550100' });
  ana2 = await enroll('MG-2', { name: 'ana ruiz', email: 'ana@example.com' });
  ana3 = await enroll('MG-3', { name: 'Aná  Ruíz', phone: '+13125550100' });
  neighbour = await enroll('MG-4', { name: 'Bo Diaz', phone: '+13125550100' });
});

afterAll(async () => {
  await engine?.stop();
});

describe('match suggestions', () => {
  it('pairs the same email (any case) and the same phone with the same name, never the phone alone; managers only', async () => {
    const { status, body } = await engine.call('GET', '/api/v1/debtors/match-suggestions');
    expect(status).toBe(200);
    const pairs = new Map(body.items.map((item: { debtorIds: string[]; reasons: string[] }) => [pairOf(item.debtorIds), item.reasons]));
    expect(pairs.get(pairOf([ana1, ana2]))).toEqual(['same_email']);
    expect(pairs.get(pairOf([ana1, ana3]))).toEqual(['same_phone_and_name']);
    expect(pairs.has(pairOf([ana1, neighbour]))).toBe(false);
    expect(pairs.has(pairOf([ana3, neighbour]))).toBe(false);
    expect(pairs.has(pairOf([ana2, ana3]))).toBe(false);
    expect((await engine.call('GET', '/api/v1/debtors/match-suggestions', { key: testKeys.officer })).status).toBe(403);
  });
});

describe('merge and undo', () => {
  it('refuses a merge into itself (422), of an unknown person (404) and by an officer (403), naming the field', async () => {
    const itself = await engine.call('POST', `/api/v1/debtors/${ana1}/merge`, { body: { from: ana1, reason: 'same person' } });
    expect(itself.status).toBe(422);
    expect(itself.body.error).toMatchObject({ code: 'merge_into_itself', fields: [{ path: 'body.from' }] });
    const unknownFrom = await engine.call('POST', `/api/v1/debtors/${ana1}/merge`, { body: { from: 'nobody', reason: 'same person' } });
    expect(unknownFrom.status).toBe(404);
    expect(unknownFrom.body.error.fields[0].path).toBe('body.from');
    const unknownInto = await engine.call('POST', `/api/v1/debtors/nobody/merge`, { body: { from: ana2, reason: 'same person' } });
    expect(unknownInto.status).toBe(404);
    expect(unknownInto.body.error.fields[0].path).toBe('params.debtorId');
    expect((await engine.call('POST', `/api/v1/debtors/${ana1}/merge`, { key: testKeys.officer, body: { from: ana2, reason: 'x' } })).status).toBe(403);
    expect(await engine.db.debtorMerge.count()).toBe(0);
  });

  it('merges in one transaction (accounts and new contacts move, preferences combine), answers a retry once, refuses a second merge, and undoes exactly', async () => {
    // What each told us: the survivor's designation, the merged person's cease and refusal.
    expect((await engine.call('PUT', `/api/v1/debtors/${ana1}/preferences`, { body: { inconvenientTimes: [{ from: '00:00', to: '10:00' }] } })).status).toBe(200);
    expect((await engine.call('PUT', `/api/v1/debtors/${ana3}/preferences`, { body: { refusedPlaces: ['work'] } })).status).toBe(200);
    expect((await engine.call('POST', `/api/v1/debtors/${ana3}/flags`, { body: { flag: 'ceaseCommunication', set: true, source: 'debtor_letter' } })).status).toBe(200);
    const survivorBefore = await engine.db.debtor.findUniqueOrThrow({ where: { id: ana1 } });

    const headers = { 'idempotency-key': 'merge-ana3' };
    const merged = await engine.call('POST', `/api/v1/debtors/${ana1}/merge`, { body: { from: ana3, reason: 'same phone and name, confirmed on a call' }, headers });
    expect(merged.status).toBe(201);
    const mg3 = await engine.db.account.findUniqueOrThrow({ where: { externalId: 'MG-3' } });
    expect(merged.body).toMatchObject({ survivor: ana1, merged: ana3, accountIds: [mg3.id], contactIds: [], undoneAt: null });
    expect(mg3.debtorId).toBe(ana1);
    // The phone was the survivor's already: it stays with the merged person, not duplicated.
    expect(await engine.db.contact.count({ where: { debtorId: ana3 } })).toBe(1);
    const retry = await engine.call('POST', `/api/v1/debtors/${ana1}/merge`, { body: { from: ana3, reason: 'same phone and name, confirmed on a call' }, headers });
    expect(retry.status).toBe(200);
    expect(retry.body.mergeId).toBe(merged.body.mergeId);
    expect(await engine.db.debtorMerge.count()).toBe(1);

    const again = await engine.call('POST', `/api/v1/debtors/${ana2}/merge`, { body: { from: ana3, reason: 'again' } });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'debtor_merged', fields: [{ path: 'body.from' }] });
    const writeMerged = await engine.call('POST', `/api/v1/debtors/${ana3}/contacts`, { body: { channel: 'email', value: 'x@example.com', source: 'officer' } });
    expect(writeMerged.status).toBe(409);

    const survivor = (await engine.call('GET', `/api/v1/debtors/${ana1}`)).body;
    expect(survivor.accounts.map((a: { externalId: string }) => a.externalId)).toEqual(['MG-1', 'MG-3']);
    expect(survivor.flags.ceaseCommunication).toMatchObject({ source: 'debtor_letter' });
    expect(survivor.preferences.refusedPlaces.map((p: { place: string }) => p.place)).toEqual(['work']);
    expect(survivor.preferences.inconvenientTimes).toHaveLength(1);
    expect((await engine.call('GET', `/api/v1/debtors/${ana3}`)).body).toMatchObject({ mergedInto: ana1, accounts: [] });
    expect(await engine.db.auditEvent.count({ where: { debtorId: ana1, action: 'debtor_merged' } })).toBe(1);
    expect(await engine.db.auditEvent.count({ where: { debtorId: ana3, action: 'debtor_merged_into' } })).toBe(1);
    // Both persons' workflows were told (signal-with-start).
    for (const id of [ana1, ana3]) {
      await eventually(() => engine.temporal.workflow.getHandle(personWorkflowId(id)).describe().then(() => true, () => false), `person-${id}`);
    }

    const undone = await engine.call('POST', `/api/v1/debtor-merges/${merged.body.mergeId}/undo`, { body: { reason: 'two people after all' } });
    expect(undone.status).toBe(200);
    expect(undone.body.undoneAt).not.toBeNull();
    expect((await engine.db.account.findUniqueOrThrow({ where: { externalId: 'MG-3' } })).debtorId).toBe(ana3);
    const survivorAfter = await engine.db.debtor.findUniqueOrThrow({ where: { id: ana1 } });
    expect(survivorAfter.preferences).toEqual(survivorBefore.preferences);
    expect((await engine.db.debtor.findUniqueOrThrow({ where: { id: ana3 } })).mergedIntoId).toBeNull();
    const undoneAgain = await engine.call('POST', `/api/v1/debtor-merges/${merged.body.mergeId}/undo`, { body: { reason: 'retry' } });
    expect(undoneAgain.status).toBe(200);
    expect(undoneAgain.body.undoneAt).toBe(undone.body.undoneAt);
    expect(await engine.db.auditEvent.count({ where: { debtorId: ana1, action: 'debtor_merge_undone' } })).toBe(1);
    const unknownMerge = await engine.call('POST', '/api/v1/debtor-merges/nope/undo', { body: { reason: 'x' } });
    expect(unknownMerge.status).toBe(404);
    expect(unknownMerge.body.error.fields[0].path).toBe('params.mergeId');
  });

  it('moves contacts the survivor lacks, and a later enrollment naming the merged person joins the survivor', async () => {
    await engine.db.debtor.update({ where: { id: ana2 }, data: { externalId: 'P-ANA2' } });
    const merged = await engine.call('POST', `/api/v1/debtors/${ana1}/merge`, { body: { from: ana2, reason: 'same email' } });
    expect(merged.status).toBe(201);
    // "Ana@Example.com" and "ana@example.com" are different values (same email for suggestions, kept as written): it moves.
    expect(merged.body.contactIds).toHaveLength(1);
    expect(await engine.db.contact.count({ where: { debtorId: ana1, channel: 'email' } })).toBe(2);
    await enroll('MG-5', { externalId: 'P-ANA2', name: 'ana ruiz', email: 'ana@example.com' });
    expect((await engine.db.account.findUniqueOrThrow({ where: { externalId: 'MG-5' } })).debtorId).toBe(ana1);
  });

  it('serializes two managers merging the same pair opposite ways at the same instant: one merge, the other 409', async () => {
    const [x, y] = [await enroll('MG-6', { name: 'Cy Park', email: 'cy@example.com' }), await enroll('MG-7', { name: 'Cy Park', email: 'cy@example.com' })];
    const results = await Promise.all([
      engine.call('POST', `/api/v1/debtors/${x}/merge`, { body: { from: y, reason: 'same email' } }),
      engine.call('POST', `/api/v1/debtors/${y}/merge`, { body: { from: x, reason: 'same email' } }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(await engine.db.debtorMerge.count({ where: { OR: [{ survivorId: x }, { survivorId: y }] } })).toBe(1);
    const rows = await engine.db.debtor.findMany({ where: { id: { in: [x, y] } } });
    expect(rows.filter((row) => row.mergedIntoId !== null)).toHaveLength(1);
    expect(await engine.db.account.findMany({ where: { externalId: { in: ['MG-6', 'MG-7'] } }, select: { debtorId: true }, distinct: ['debtorId'] })).toHaveLength(1);
  });
});
