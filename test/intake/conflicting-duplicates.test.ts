import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusQuery } from '../../workflows/case-messages.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { eventually } from '../../testing/eventually.js';
import { importFile } from '../../testing/imports.js';
import { consumerEarly } from '../support/strategies.js';

/**
 * A repeat that differs is not a repeat (issue 23): a payment reference or an external id sent
 * again with other data is refused (409) with the differing fields, and the first one stands; an
 * identical repeat is answered as before. References and external ids are case-sensitive. On
 * real PostgreSQL, Temporal and worker.
 */

let engine: Engine;

// The first step a month away: the cases start and wait.
const strategy = { ...consumerEarly, key: 'dupes', steps: [{ id: 'reminder', at: 'P30D', action: 'email', template: 'reminder' }] };
const account = (externalId: string) => ({
  externalId,
  strategy: 'dupes',
  currency: 'USD',
  balance: 125_000,
  debtor: { name: 'Ana Ruiz', email: 'ana@example.com', timeZone: 'America/Chicago' },
});

beforeAll(async () => {
  engine = await startEngine();
  expect((await engine.call('POST', '/api/v1/strategies', { body: strategy })).status).toBe(201);
  expect((await engine.call('POST', '/api/v1/strategies', { body: { ...strategy, key: 'dupes-other' } })).status).toBe(201);
}, 120_000);

afterAll(async () => {
  await engine?.stop();
});

const fieldsOf = (body: { error: { fields?: { path: string }[] } }) => body.error.fields?.map((field) => field.path);

describe('a repeated payment reference', () => {
  it('is accepted again when identical, refused with the fields when it differs, and compared case-sensitively', async () => {
    const { body: enrolled } = await engine.call('POST', '/api/v1/accounts', { body: account('DUP-PAY-1') });
    const caseId = enrolled.caseId as string;
    const pay = (body: Record<string, unknown>) => engine.call('POST', `/api/v1/cases/${caseId}/payments`, { body });

    expect((await pay({ reference: 'PAY-1', amount: 10_000 })).status).toBe(202);
    expect((await pay({ reference: 'PAY-1', amount: 10_000 })).status).toBe(202);
    const conflicting = await pay({ reference: 'PAY-1', amount: 99_000 });
    expect(conflicting.status).toBe(409);
    expect(conflicting.body.error.code).toBe('payment_conflict');
    expect(fieldsOf(conflicting.body)).toEqual(['body.amount']);
    // Another case of letters is another reference.
    expect((await pay({ reference: 'pay-1', amount: 5_000 })).status).toBe(202);

    // Two first requests at once with different amounts: one stands, the other is refused.
    const race = await Promise.all([pay({ reference: 'PAY-RACE', amount: 1_000 }), pay({ reference: 'PAY-RACE', amount: 2_000 })]);
    expect(race.map((answer) => answer.status).sort()).toEqual([202, 409]);
    const winner = race[0]?.status === 202 ? 1_000 : 2_000;

    const handle = engine.temporal.workflow.getHandle(caseId);
    const status = await eventually(async () => {
      const live = await handle.query(statusQuery);
      return live.history.filter((event) => event.type === 'payment_applied').length === 3 && live;
    }, 'three payments applied');
    expect(status.balance).toBe(125_000 - 10_000 - 5_000 - winner);
    const payments = await eventually(async () => {
      const rows = await engine.db.payment.findMany({ where: { caseId }, orderBy: { reference: 'asc' } });
      return rows.length === 3 && rows;
    }, 'three payments in the read model');
    expect(payments.map(({ reference, amount }) => ({ reference, amount }))).toEqual([
      { reference: 'PAY-1', amount: 10_000 },
      { reference: 'PAY-RACE', amount: winner },
      { reference: 'pay-1', amount: 5_000 },
    ]);
  });
});

describe('a repeated enrollment', () => {
  it('answers 200 with the same case when identical and 409 naming the fields that differ', async () => {
    const first = await engine.call('POST', '/api/v1/accounts', { body: account('DUP-ACC-1') });
    expect(first.status).toBe(201);
    const same = await engine.call('POST', '/api/v1/accounts', { body: account('DUP-ACC-1') });
    expect(same.status).toBe(200);
    expect(same.body.caseId).toBe(first.body.caseId);

    const differing = async (changes: Record<string, unknown>) => {
      const answer = await engine.call('POST', '/api/v1/accounts', { body: { ...account('DUP-ACC-1'), ...changes } });
      expect(answer.status).toBe(409);
      expect(answer.body.error.code).toBe('enrollment_conflict');
      return fieldsOf(answer.body);
    };
    expect(await differing({ balance: 99_000 })).toEqual(['body.balance']);
    expect(await differing({ currency: 'EUR' })).toEqual(['body.currency']);
    expect(await differing({ strategy: 'dupes-other' })).toEqual(['body.strategy']);
    expect(await differing({ debtor: { name: 'Bo Li', email: 'bo@example.com', timeZone: 'America/Chicago' } })).toEqual(['body.debtor.email', 'body.debtor.name']);
    // The first one stands.
    expect(await engine.db.account.findUniqueOrThrow({ where: { externalId: 'DUP-ACC-1' }, include: { debtor: true } })).toMatchObject({ originalBalance: 125_000, currency: 'USD', debtor: { name: 'Ana Ruiz' } });

    // Another case of letters is another account.
    const lower = await engine.call('POST', '/api/v1/accounts', { body: account('dup-acc-1') });
    expect(lower.status).toBe(201);
    expect(lower.body.caseId).not.toBe(first.body.caseId);
  });

  it('compares an account enrolled before requests were fingerprinted with its stored rows', async () => {
    // Rows as an older release wrote them: no fingerprint to compare with (the audit trail is append-only).
    const { db } = engine;
    const strategyRow = await db.strategy.findFirstOrThrow({ where: { key: 'dupes' } });
    const debtor = await db.debtor.create({ data: { name: 'Ana Ruiz', timeZone: 'America/Chicago' } });
    const accountId = randomUUID();
    await db.account.create({ data: { id: accountId, externalId: 'DUP-OLD-1', debtorId: debtor.id, currency: 'USD', originalBalance: 125_000, balance: 125_000 } });
    await db.case.create({ data: { id: `case-${accountId}`, accountId, strategyId: strategyRow.id, balance: 125_000, currency: 'USD' } });

    expect((await engine.call('POST', '/api/v1/accounts', { body: account('DUP-OLD-1') })).status).toBe(200);
    const renamed = await engine.call('POST', '/api/v1/accounts', { body: { ...account('DUP-OLD-1'), balance: 1, debtor: { ...account('x').debtor, name: 'Cy' } } });
    expect(renamed.status).toBe(409);
    expect(fieldsOf(renamed.body)).toEqual(['body.balance', 'body.debtor.name']);
  });

  it('makes a conflicting import row a rejected row naming the fields; a changed balance alone still updates the account', async () => {
    await engine.call('POST', '/api/v1/accounts', { body: account('DUP-IMP-1') });
    await engine.call('POST', '/api/v1/accounts', { body: account('DUP-IMP-2') });
    const lines = [
      JSON.stringify({ ...account('DUP-IMP-1'), debtor: { ...account('x').debtor, name: 'Di' } }),
      JSON.stringify({ ...account('DUP-IMP-2'), balance: 130_000 }),
    ].join('\n');
    const job = await importFile(engine, lines);
    expect(job).toMatchObject({ status: 'completed', rejected: 1, updated: 1 });
    const rejections = await engine.db.importRejection.findMany({ where: { jobId: job.jobId } });
    expect(rejections.map(({ line, field }) => ({ line, field }))).toEqual([{ line: 1, field: 'debtor.name' }]);
    expect(await engine.db.account.findUniqueOrThrow({ where: { externalId: 'DUP-IMP-1' }, include: { debtor: true } })).toMatchObject({ debtor: { name: 'Ana Ruiz' } });
    expect(await engine.db.account.findUniqueOrThrow({ where: { externalId: 'DUP-IMP-2' } })).toMatchObject({ originalBalance: 130_000 });
  });
});
