import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personInputOf } from '../../records/persons.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { importFile } from '../../testing/imports.js';
import { consumerEarly } from '../support/strategies.js';

/**
 * The person behind the accounts, at enrollment and import (api/services/debtor-identity.ts), on
 * the real API and PostgreSQL: one debtor per debtor.externalId with the contacts of all its
 * accounts, a repeat that names the person differently refused, and the person's input for its
 * workflow read back from the rows (records/persons.ts).
 */

let engine: Engine;
const strategy = { ...consumerEarly, key: 'persons-idle', steps: [{ id: 'call', at: 'P30D', action: 'call' }] };
const account = (externalId: string, debtor: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  externalId,
  strategy: strategy.key,
  currency: 'USD',
  balance: 50_000,
  debtor: { name: 'Ana Ruiz', timeZone: 'America/Chicago', ...debtor },
  ...extra,
});

beforeAll(async () => {
  engine = await startEngine();
  expect((await engine.call('POST', '/api/v1/strategies', { body: strategy })).status).toBe(201);
});

afterAll(async () => {
  await engine?.stop();
});

describe('enrollment finds or creates the person', () => {
  it('joins accounts with the same debtor.externalId to one debtor, unioning contacts with their source', async () => {
    const first = await engine.call('POST', '/api/v1/accounts', { body: account('ID-1', { externalId: 'P-ANA', email: 'ana@example.com' }) });
    const second = await engine.call('POST', '/api/v1/accounts', {
      body: account('ID-2', { externalId: 'P-ANA', email: 'ana@example.com', phone: '+13125550100', smsConsent: true }, { debtGroup: 'LOANS' }),
    });
    const other = await engine.call('POST', '/api/v1/accounts', { body: account('ID-3', { email: 'ana@example.com' }) });
    expect([first.status, second.status, other.status]).toEqual([201, 201, 201]);

    const accounts = await engine.db.account.findMany({ where: { externalId: { in: ['ID-1', 'ID-2', 'ID-3'] } }, orderBy: { externalId: 'asc' } });
    expect(accounts[0]!.debtorId).toBe(accounts[1]!.debtorId);
    expect(accounts[2]!.debtorId).not.toBe(accounts[0]!.debtorId); // no identity: a debtor of its own
    expect(accounts.map((row) => row.debtGroup)).toEqual([null, 'LOANS', null]);

    const person = await engine.db.debtor.findUniqueOrThrow({ where: { externalId: 'P-ANA' }, include: { contacts: { orderBy: { channel: 'asc' } } } });
    expect(person.contacts.map((c) => [c.channel, c.value, c.source, c.consent])).toEqual([
      ['email', 'ana@example.com', 'enrollment', false],
      ['sms', '+13125550100', 'enrollment', true],
    ]);

    const input = await personInputOf(engine.db, person.id);
    expect(input).toMatchObject({ personId: person.id, name: 'Ana Ruiz', timeZone: 'America/Chicago' });
    expect(input.cases).toEqual([
      { caseId: first.body.caseId, accountExternalId: 'ID-1', debtGroup: 'ID-1' },
      { caseId: second.body.caseId, accountExternalId: 'ID-2', debtGroup: 'LOANS' },
    ]);
    expect(input.facts.contacts.email).toMatchObject({ address: 'ana@example.com', valid: true, optedOut: false });
    expect(input.facts.contacts.sms).toMatchObject({ address: '+13125550100', consent: true, consentRecord: { granted: true, source: 'enrollment' } });
    expect(input.facts.timeZones).toContain('America/Chicago');
  });

  it('refuses (409, fields named) an account that names a known person with another name or zone, and writes nothing', async () => {
    const refused = await engine.call('POST', '/api/v1/accounts', {
      body: account('ID-4', { externalId: 'P-ANA', name: 'Ana Ruiz-Lopez', timeZone: 'America/New_York', email: 'new@example.com' }),
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('debtor_conflict');
    expect(refused.body.error.fields.map((f: { path: string }) => f.path)).toEqual(['body.debtor.name', 'body.debtor.timeZone']);
    expect(await engine.db.account.count({ where: { externalId: 'ID-4' } })).toBe(0);
    expect(await engine.db.contact.count({ where: { value: 'new@example.com' } })).toBe(0);
  });

  it('joins an account that writes the known name in another case or spacing: the same person', async () => {
    const joined = await engine.call('POST', '/api/v1/accounts', { body: account('ID-5', { externalId: 'P-ANA', name: 'ANA  RUIZ' }) });
    expect(joined.status).toBe(201);
    const person = await engine.db.debtor.findUniqueOrThrow({ where: { externalId: 'P-ANA' }, select: { id: true, name: true } });
    expect(await engine.db.account.findUniqueOrThrow({ where: { externalId: 'ID-5' }, select: { debtorId: true } })).toEqual({ debtorId: person.id });
    expect(person.name).toBe('Ana Ruiz'); // the first stands
  });

  it('joins two first enrollments of one person made at the same instant', async () => {
    const results = await Promise.all(
      ['RACE-1', 'RACE-2', 'RACE-3'].map((externalId, i) => engine.call('POST', '/api/v1/accounts', { body: account(externalId, { externalId: 'P-RACE', email: `race${i}@example.com` }) })),
    );
    expect(results.map((r) => r.status)).toEqual([201, 201, 201]);
    const person = await engine.db.debtor.findUniqueOrThrow({ where: { externalId: 'P-RACE' }, include: { accounts: true, contacts: true } });
    expect(person.accounts).toHaveLength(3);
    expect(person.contacts).toHaveLength(3);
  });

  it('imports rows with debtorExternalId and debtGroup (CSV) and debtor.externalId (JSON lines) into the same person', async () => {
    const csv = [
      'externalId,strategy,currency,balance,debtorName,timeZone,email,debtorExternalId,debtGroup',
      'IMP-1,persons-idle,USD,1000,Bo Diaz,America/Denver,bo@example.com,P-BO,STUDENT',
      'IMP-2,persons-idle,USD,2000,Bo Diaz,America/Denver,bo.work@example.com,P-BO,STUDENT',
    ].join('\n');
    const report = await importFile(engine, csv, 'text/csv');
    expect(report).toMatchObject({ status: 'completed' });
    const jsonl = JSON.stringify(account('IMP-3', { externalId: 'P-BO', name: 'Bo Diaz', timeZone: 'America/Denver', email: 'bo@example.com' }));
    expect(await importFile(engine, jsonl)).toMatchObject({ status: 'completed' });

    const person = await engine.db.debtor.findUniqueOrThrow({ where: { externalId: 'P-BO' }, include: { accounts: { orderBy: { externalId: 'asc' } }, contacts: true } });
    expect(person.accounts.map((a) => [a.externalId, a.debtGroup])).toEqual([['IMP-1', 'STUDENT'], ['IMP-2', 'STUDENT'], ['IMP-3', null]]);
    expect(person.contacts.map((c) => [c.value, c.source]).sort()).toEqual([['bo.work@example.com', 'import'], ['bo@example.com', 'import']]);
  });

  it('imports many rows of one new person at once (rows run concurrently) into one debtor, losing no contact and rejecting no row', async () => {
    const lines = Array.from({ length: 24 }, (_, i) =>
      JSON.stringify(account(`MANY-${i}`, { externalId: 'P-MANY', name: 'Cy Park', email: `cy${i}@example.com`, phone: '+13125550142', smsConsent: i === 7 })),
    );
    const report = await importFile(engine, lines.join('\n'));
    expect(report, JSON.stringify(report)).toMatchObject({ status: 'completed', created: 24, rejected: 0 });
    const person = await engine.db.debtor.findUniqueOrThrow({ where: { externalId: 'P-MANY' }, include: { accounts: true, contacts: true } });
    expect(person.accounts).toHaveLength(24);
    expect(person.contacts).toHaveLength(25);
    // The consent given on one row is recorded on the shared number, whichever row created it.
    expect(person.contacts.find((c) => c.channel === 'sms')).toMatchObject({ consent: true, consentSource: 'import' });
    expect(await engine.db.debtor.count({ where: { name: 'Cy Park' } })).toBe(1);
  });
});
