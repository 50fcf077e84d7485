import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../api/services/api-keys.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { testKeys } from '../../testing/api-client.js';
import { eventually } from '../../testing/eventually.js';
import { personWorkflowId } from '../../workflows/person-messages.js';
import { consumerEarly } from '../support/strategies.js';

/**
 * The debtor API (api/routes/debtors.ts) on the real API, PostgreSQL and Temporal: the person's
 * page, contacts, preferences and flags, with their audit events, idempotent retries, refusals
 * naming the field, roles and teams; and that each write reached the person workflow (it exists
 * in Temporal: the person workflow's own behaviour is tested in test/persons/).
 */

let engine: Engine;
let eastOfficer: string;
const strategy = { ...consumerEarly, key: 'debtor-api', steps: [{ id: 'call', at: 'P30D', action: 'call' }] };
const enroll = async (externalId: string, debtor: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
  const response = await engine.call('POST', '/api/v1/accounts', {
    body: { externalId, strategy: strategy.key, currency: 'USD', balance: 40_000, debtor: { name: 'Ana Ruiz', timeZone: 'America/Chicago', ...debtor }, ...extra },
  });
  expect(response.status).toBe(201);
  return response.body.caseId as string;
};
const personOf = async (externalId: string) => (await engine.db.account.findUniqueOrThrow({ where: { externalId } })).debtorId;
const audits = (debtorId: string, action: string) => engine.db.auditEvent.count({ where: { debtorId, action } });
/** The write reached Temporal: the person's workflow exists (started by the signal if it was not running). */
const personWorkflowExists = (debtorId: string) =>
  eventually(async () => (await engine.temporal.workflow.getHandle(personWorkflowId(debtorId)).describe().then(() => true, () => false)), `person-${debtorId}`);

let ana: string;
let caseIds: string[];

beforeAll(async () => {
  engine = await startEngine();
  expect((await engine.call('POST', '/api/v1/strategies', { body: strategy })).status).toBe(201);
  eastOfficer = (await createApiKey(engine.db, { role: 'officer', name: 'officer-east', team: 'east', actor: 'test' })).key;
  caseIds = [
    await enroll('DA-1', { externalId: 'P-DA', email: 'ana@example.com', phone: '+13125550100', smsConsent: true }, { team: 'east' }),
    await enroll('DA-2', { externalId: 'P-DA', email: 'ana@example.com' }, { debtGroup: 'LOANS', team: 'west' }),
  ];
  ana = await personOf('DA-1');
});

afterAll(async () => {
  await engine?.stop();
});

describe('reading a person', () => {
  it('answers the person with accounts, contacts, preferences, holds and history; masked unless revealed; initials for auditors', async () => {
    // A STOP on one case: its SMS is barred, which the person's page shows as a hold of that case.
    expect((await engine.call('POST', `/api/v1/cases/${caseIds[0]}/replies`, { body: { channel: 'sms', text: 'STOP' } })).status).toBe(202);
    const detail = await eventually(async () => {
      const { body } = await engine.call('GET', `/api/v1/debtors/${ana}`);
      return body.holds?.some((hold: { channel: string }) => hold.channel === 'sms') && body;
    }, 'the SMS hold');
    expect(detail).toMatchObject({ debtorId: ana, externalId: 'P-DA', name: 'Ana Ruiz', masked: true, mergedInto: null });
    expect(detail.accounts.map((a: { externalId: string; debtGroup: string; caseId: string }) => [a.externalId, a.debtGroup, a.caseId])).toEqual([
      ['DA-1', 'DA-1', caseIds[0]],
      ['DA-2', 'LOANS', caseIds[1]],
    ]);
    expect(detail.holds.find((hold: { channel: string }) => hold.channel === 'sms')).toMatchObject({ caseId: caseIds[0], accountExternalId: 'DA-1', kind: 'barred' });
    expect(detail.contacts.map((c: { channel: string; value: string; source: string; status: string }) => [c.channel, c.value, c.source, c.status])).toEqual([
      ['email', 'a***@example.com', 'enrollment', 'valid'],
      ['sms', '+******0100', 'enrollment', 'valid'],
    ]);
    expect(detail.history.some((event: { type: string; accountExternalId: string }) => event.type === 'account_enrolled' && event.accountExternalId === 'DA-2')).toBe(true);

    const revealed = await engine.call('GET', `/api/v1/debtors/${ana}?reveal=true`, { key: testKeys.officer });
    expect(revealed.body.masked).toBe(false);
    expect(revealed.body.contacts[0].value).toBe('ana@example.com');
    expect(await audits(ana, 'contact_details_read')).toBe(1);

    const auditor = await engine.call('GET', `/api/v1/debtors/${ana}?reveal=true`, { key: testKeys.auditor });
    expect(auditor.body).toMatchObject({ masked: true, name: 'A. R.' });
    expect(auditor.body.contacts[0].value).toBe('a***@example.com');
  });

  it('lists and searches persons; a team-scoped key sees only persons with an account in its team; unknown is 404', async () => {
    const other = await enroll('DA-3', { name: 'Bo Diaz', email: 'bo@example.com' }, { team: 'west' });
    expect(other).toBeTruthy();
    const byName = await engine.call('GET', '/api/v1/debtors?q=ana%20ruiz');
    expect(byName.body.items.map((item: { debtorId: string }) => item.debtorId)).toEqual([ana]);
    expect((await engine.call('GET', '/api/v1/debtors?q=DA-3')).body.items[0]).toMatchObject({ name: 'Bo Diaz', accounts: 1, openCases: 1 });
    expect((await engine.call('GET', '/api/v1/debtors?externalId=P-DA')).body.items[0]).toMatchObject({ debtorId: ana, accounts: 2 });
    expect((await engine.call('GET', '/api/v1/debtors?q=bo@example.com', { key: testKeys.auditor })).body.items[0].name).toBe('B. D.');

    const east = await engine.call('GET', '/api/v1/debtors', { key: eastOfficer });
    expect(east.body.items.map((item: { debtorId: string }) => item.debtorId)).toEqual([ana]);
    const bo = await personOf('DA-3');
    expect((await engine.call('GET', `/api/v1/debtors/${bo}`, { key: eastOfficer })).status).toBe(404);
    expect((await engine.call('POST', `/api/v1/debtors/${bo}/flags`, { key: eastOfficer, body: { flag: 'deceased', set: true, source: 'officer' } })).status).toBe(404);

    const unknown = await engine.call('GET', '/api/v1/debtors/no-such-person');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.fields).toEqual([{ path: 'params.debtorId', message: 'no such debtor' }]);
  });
});

describe('contacts', () => {
  it('adds a contact with its source (idempotent by channel and value), audits it and tells the person', async () => {
    const added = await engine.call('POST', `/api/v1/debtors/${ana}/contacts`, { key: testKeys.officer, body: { channel: 'phone', value: '+13125550199', place: 'work', source: 'debtor' } });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ channel: 'phone', value: '+13125550199', place: 'work', source: 'debtor', status: 'valid', verifiedAt: null });
    const again = await engine.call('POST', `/api/v1/debtors/${ana}/contacts`, { key: testKeys.officer, body: { channel: 'phone', value: '+13125550199', place: 'work', source: 'debtor' } });
    expect(again.status).toBe(200);
    expect(again.body.contactId).toBe(added.body.contactId);
    expect(await audits(ana, 'debtor_contact_added')).toBe(1);
    await personWorkflowExists(ana);

    // An auditor cannot write; an integration writes and gets the value masked.
    expect((await engine.call('POST', `/api/v1/debtors/${ana}/contacts`, { key: testKeys.auditor, body: { channel: 'email', value: 'x@example.com', source: 'officer' } })).status).toBe(403);
    const skipTrace = await engine.call('POST', `/api/v1/debtors/${ana}/contacts`, { key: testKeys.integration, body: { channel: 'email', value: 'ana.ruiz@work.example', source: 'skip_trace' } });
    expect(skipTrace.status).toBe(201);
    expect(skipTrace.body.value).toBe('a***@work.example');
  });

  it('refuses a value in the wrong format for its channel (400 naming body.value) and writes nothing', async () => {
    const before = await engine.db.contact.count({ where: { debtorId: ana } });
    const cases = [
      { channel: 'email', value: 'not-an-email' },
      { channel: 'sms', value: '3125550100' },
      { channel: 'phone', value: '+1 312 555 0100' },
      { channel: 'letter', value: '1 Main St, Springfield' },
      { channel: 'email', value: { line1: '1 Main St', city: 'Springfield', postalCode: '62701', country: 'US' } },
    ];
    for (const body of cases) {
      const refused = await engine.call('POST', `/api/v1/debtors/${ana}/contacts`, { body: { ...body, source: 'officer' } });
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.body.error.fields.map((f: { path: string }) => f.path)).toContain('body.value');
    }
    const surrogate = await engine.call('POST', `/api/v1/debtors/${ana}/contacts`, { body: '{"channel":"email","value":"a\\ud800@example.com","source":"officer"}' });
    expect(surrogate.status).toBe(400);
    expect(surrogate.body.error.fields[0].path).toBe('body.value');
    const unknownChannel = await engine.call('POST', `/api/v1/debtors/${ana}/contacts`, { body: { channel: 'fax', value: '+13125550100', source: 'officer' } });
    expect(unknownChannel.status).toBe(400);
    expect(unknownChannel.body.error.fields[0].path).toBe('body.channel');
    const letter = await engine.call('POST', `/api/v1/debtors/${ana}/contacts`, {
      body: { channel: 'letter', value: { line1: '1 Main St', city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' }, place: 'home', source: 'officer' },
    });
    expect(letter.status).toBe(201);
    expect(letter.body.value).toBe('Ana Ruiz | 1 Main St | Springfield, IL 62701 | US');
    expect(await engine.db.contact.count({ where: { debtorId: ana } })).toBe(before + 1);
  });

  it('corrects, verifies and retires a contact; a corrected number loses the old consent; a retired one cannot be re-added', async () => {
    const sms = await engine.db.contact.findFirstOrThrow({ where: { debtorId: ana, channel: 'sms' } });
    expect(sms.consent).toBe(true);
    const corrected = await engine.call('PATCH', `/api/v1/debtors/${ana}/contacts/${sms.id}`, { key: testKeys.officer, body: { value: '+13125550111', verified: true, reason: 'debtor gave a new number' } });
    expect(corrected.status).toBe(200);
    expect(corrected.body).toMatchObject({ value: '+13125550111', consent: false, consentAt: null, status: 'valid' });
    expect(corrected.body.verifiedAt).not.toBeNull();
    const audit = await engine.db.auditEvent.findFirstOrThrow({ where: { debtorId: ana, action: 'debtor_contact_changed' } });
    expect(JSON.stringify({ ...audit, id: String(audit.id) })).not.toContain('+13125550111'); // the trail says it changed, not to what
    expect(audit.data).toMatchObject({ reason: 'debtor gave a new number' });

    const retired = await engine.call('PATCH', `/api/v1/debtors/${ana}/contacts/${sms.id}`, { key: testKeys.officer, body: { retired: true, reason: 'number disconnected' } });
    expect(retired.body).toMatchObject({ status: 'retired' });
    const readd = await engine.call('POST', `/api/v1/debtors/${ana}/contacts`, { body: { channel: 'sms', value: '+13125550111', source: 'officer' } });
    expect(readd.status).toBe(409);
    expect(readd.body.error).toMatchObject({ code: 'contact_retired', fields: [{ path: 'body.value' }] });

    const wrongFormat = await engine.call('PATCH', `/api/v1/debtors/${ana}/contacts/${sms.id}`, { body: { value: 'ana@example.com', reason: 'typo' } });
    expect(wrongFormat.status).toBe(400);
    expect(wrongFormat.body.error.fields).toEqual([{ path: 'body.value', message: expect.stringContaining('E.164') }]);
    const nothing = await engine.call('PATCH', `/api/v1/debtors/${ana}/contacts/${sms.id}`, { body: { reason: 'nothing' } });
    expect(nothing.status).toBe(400);
    const missing = await engine.call('PATCH', `/api/v1/debtors/${ana}/contacts/no-such-contact`, { body: { verified: true, reason: 'x' } });
    expect(missing.status).toBe(404);
    expect(missing.body.error.fields[0].path).toBe('params.contactId');
  });
});

describe('preferences and flags', () => {
  it('stores designated times with their provenance, validates them by field, and answers a retry with the same Idempotency-Key once', async () => {
    const body = { inconvenientTimes: [{ from: '00:00', to: '10:00' }, { from: '21:00', to: '24:00', days: [6, 7], media: ['phone'] }], refusedPlaces: ['work'], callConsent: true, preferredChannel: 'email' };
    const headers = { 'idempotency-key': 'prefs-1' };
    const first = await engine.call('PUT', `/api/v1/debtors/${ana}/preferences`, { key: testKeys.officer, body, headers });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ preferredChannel: 'email', refusedPlaces: [{ place: 'work', source: 'debtor' }], callConsent: { source: 'debtor' } });
    expect(first.body.inconvenientTimes).toEqual([
      { from: '00:00', to: '10:00', source: 'debtor', at: expect.any(String) },
      { from: '21:00', to: '24:00', days: [6, 7], media: ['phone'], source: 'debtor', at: expect.any(String) },
    ]);
    const retry = await engine.call('PUT', `/api/v1/debtors/${ana}/preferences`, { key: testKeys.officer, body, headers });
    expect(retry.body).toEqual(first.body);
    expect(await audits(ana, 'debtor_preferences_changed')).toBe(1);
    const reused = await engine.call('PUT', `/api/v1/debtors/${ana}/preferences`, { key: testKeys.officer, body: { callConsent: false }, headers });
    expect(reused.status).toBe(409);
    expect(reused.body.error.fields[0].path).toBe('headers.idempotency-key');

    // Without a key, the same PUT again changes nothing and writes no audit event.
    expect((await engine.call('PUT', `/api/v1/debtors/${ana}/preferences`, { key: testKeys.officer, body })).body).toEqual(first.body);
    expect(await audits(ana, 'debtor_preferences_changed')).toBe(1);

    const invalid = [
      [{ from: '10:00', to: '09:00' }, 'body.inconvenientTimes.0.to'],
      [{ from: '25:00', to: '26:00' }, 'body.inconvenientTimes.0.from'],
      [{ from: '9:00', to: '10:00' }, 'body.inconvenientTimes.0.from'],
      [{ from: '09:00', to: '10:00', days: [0] }, 'body.inconvenientTimes.0.days.0'],
      [{ from: '09:00', to: '10:00', days: [1, 1] }, 'body.inconvenientTimes.0.days'],
      [{ from: '09:00', to: '10:00', media: ['pigeon'] }, 'body.inconvenientTimes.0.media.0'],
    ] as const;
    for (const [time, path] of invalid) {
      const refused = await engine.call('PUT', `/api/v1/debtors/${ana}/preferences`, { body: { inconvenientTimes: [time] } });
      expect(refused.status, JSON.stringify(time)).toBe(400);
      expect(refused.body.error.fields.map((f: { path: string }) => f.path), JSON.stringify(time)).toContain(path);
    }
    const stored = await engine.db.debtor.findUniqueOrThrow({ where: { id: ana } });
    expect((stored.preferences as { inconvenientTimes: unknown[] }).inconvenientTimes).toHaveLength(2);
  });

  it('sets and clears person-level flags with source and time; setting a set flag changes nothing', async () => {
    const set = await engine.call('POST', `/api/v1/debtors/${ana}/flags`, { key: testKeys.integration, body: { flag: 'attorneyRepresented', set: true, source: 'attorney_letter', at: '2026-12-01T15:00:00Z' } });
    expect(set.status).toBe(200);
    expect(set.body.flags).toEqual({ attorneyRepresented: { at: '2026-12-01T15:00:00.000Z', source: 'attorney_letter' } });
    await engine.call('POST', `/api/v1/debtors/${ana}/flags`, { key: testKeys.integration, body: { flag: 'attorneyRepresented', set: true, source: 'attorney_letter' } });
    expect(await audits(ana, 'debtor_flag_set')).toBe(1);
    const future = await engine.call('POST', `/api/v1/debtors/${ana}/flags`, { body: { flag: 'deceased', set: true, source: 'officer', at: '2200-01-01T00:00:00Z' } });
    expect(future.status).toBe(400);
    expect(future.body.error.fields[0].path).toBe('body.at');
    const badFlag = await engine.call('POST', `/api/v1/debtors/${ana}/flags`, { body: { flag: 'timeBarred', set: true, source: 'officer' } });
    expect(badFlag.status).toBe(400);
    expect(badFlag.body.error.fields[0].path).toBe('body.flag');
    const cleared = await engine.call('POST', `/api/v1/debtors/${ana}/flags`, { body: { flag: 'attorneyRepresented', set: false, source: 'attorney_withdrew' } });
    expect(cleared.body.flags).toEqual({});
    expect((await engine.call('GET', `/api/v1/debtors/${ana}`)).body.flags).toEqual({});
  });
});
