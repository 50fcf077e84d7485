import type { Client } from '@temporalio/client';
import type { TAccountEnrollment } from '../../domain/account.js';
import type { Db } from '../../lib/db.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImportBatches } from '../../api/services/import-batches.js';
import type { ImportRowItem } from '../../api/services/import-files.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { eventually } from '../../testing/eventually.js';
import { importActor } from '../../workflows/import-messages.js';
import { consumerEarly } from '../support/strategies.js';

/**
 * An import's batch of new accounts is written in one transaction before its cases start
 * (api/services/enrollment-batch.ts). An attempt that dies between the two (here Temporal stops
 * answering after a few starts) leaves accounts without workflows; the retry replays the batch's
 * lines, finishes the starts, and counts every row once, as created. An account another
 * enrollment writes between the batch's look-up and its insert hands the batch to the one-by-one
 * path, which answers it as a repeat. Real PostgreSQL and Temporal dev server; the outage is a
 * real client that refuses starts past a count, the race a real enrollment made at that moment.
 */

let engine: Engine;
const strategy = { ...consumerEarly, key: 'batchstarts', steps: [{ id: 'reminder', at: 'P30D', action: 'email', template: 'reminder' }] };

beforeAll(async () => {
  engine = await startEngine({ worker: 'none' });
  expect((await engine.call('POST', '/api/v1/strategies', { body: strategy })).status).toBe(201);
}, 120_000);

afterAll(async () => {
  await engine?.stop();
});

/** The client, except that `workflow.start` fails once `allowed` starts have gone through. */
function failingAfter(client: Client, allowed: number): Client {
  let starts = 0;
  const workflow = new Proxy(client.workflow, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (key !== 'start') return value;
      return async (...args: unknown[]) => {
        if (++starts > allowed) throw new Error('Temporal is unavailable');
        return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
      };
    },
  });
  return new Proxy(client, { get: (target, key, receiver): unknown => (key === 'workflow' ? workflow : Reflect.get(target, key, receiver)) });
}

/** The database, except that its first `account.findMany` (the batch's look-up) lets `race` run before it answers. */
function racingAfterLookup(db: Db, race: () => Promise<void>): Db {
  let raced = false;
  const bound = (target: object, key: string | symbol): unknown => {
    const value: unknown = Reflect.get(target, key);
    return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
  };
  const account = new Proxy(db.account, {
    get(target, key) {
      if (key !== 'findMany' || raced) return bound(target, key);
      return async (...args: Parameters<Db['account']['findMany']>) => {
        raced = true;
        const found = await target.findMany(...args);
        await race();
        return found;
      };
    },
  });
  return new Proxy(db, { get: (target, key): unknown => (key === 'account' ? account : bound(target, key)) });
}

const account = (externalId: string, index: number): TAccountEnrollment => ({
  externalId,
  strategy: strategy.key,
  currency: 'USD',
  balance: 1_000 + index,
  daysPastDue: 5,
  debtor: { name: `Debtor ${index}`, email: `b${index}@example.com`, timeZone: 'America/New_York', smsConsent: false },
});

describe("an import batch's new accounts, written together", () => {
  it('whose starts fail after the write is finished by the retry, every row enrolled and counted once', async () => {
    const count = 40;
    const job = await engine.db.importJob.create({ data: { format: 'csv', createdBy: 'test', status: 'running' } });
    const rows: ImportRowItem[] = Array.from({ length: count }, (_, index) => ({
      line: index + 2,
      result: { ok: true, account: account(`BATCH-${index}`, index) },
    }));
    const last = count + 1;
    const batch = { jobId: job.id, team: null, rows, committedLine: 0, concurrency: 4, abandoned: () => false };

    const dying = createImportBatches({ db: engine.db, temporal: failingAfter(engine.temporal, 10) });
    await expect(dying.runBatch({ ...batch, replayThrough: 0 })).rejects.toThrow('Temporal is unavailable');
    // Written together, not committed to the job: the cursor stays, the lines are marked in flight.
    expect(await engine.db.account.count({ where: { externalId: { startsWith: 'BATCH-' } } })).toBe(count);
    const stored = await engine.db.importJob.findUniqueOrThrow({ where: { id: job.id } });
    expect(stored).toMatchObject({ committedLine: 0, inFlightLine: last, createdCount: 0 });
    expect((await engine.temporal.workflow.count('WorkflowType = "caseWorkflow"')).count).toBeLessThan(count);

    const retry = createImportBatches({ db: engine.db, temporal: engine.temporal });
    expect(await retry.runBatch({ ...batch, replayThrough: stored.inFlightLine })).toBe(last);
    expect(await engine.db.importJob.findUniqueOrThrow({ where: { id: job.id } })).toMatchObject({ committedLine: last, createdCount: count, updatedCount: 0, unchangedCount: 0, rejectedCount: 0 });
    const accounts = await engine.db.account.findMany({ where: { externalId: { startsWith: 'BATCH-' } }, select: { debtorId: true, _count: { select: { cases: true } } } });
    expect(accounts).toHaveLength(count);
    expect(accounts.every((account) => account._count.cases === 1)).toBe(true);
    expect(new Set(accounts.map((account) => account.debtorId)).size).toBe(count);
    expect(await engine.db.contact.count({ where: { debtorId: { in: accounts.map((account) => account.debtorId) }, channel: 'email', source: 'import' } })).toBe(count);
    expect(await engine.db.auditEvent.count({ where: { action: 'account_enrolled', actor: importActor(job.id) } })).toBe(count);
    // A case workflow per account, started once; no person workflow: each new person's case starts its own when it first talks to it.
    await eventually(async () => (await engine.temporal.workflow.count('WorkflowType = "caseWorkflow"')).count === count, 'a case workflow per account', 30_000, 250);
    expect((await engine.temporal.workflow.count('WorkflowType = "personWorkflow"')).count).toBe(0);
  }, 90_000);

  it('hands every row to the one-by-one path when another enrollment takes an external id meanwhile', async () => {
    const count = 12;
    const job = await engine.db.importJob.create({ data: { format: 'csv', createdBy: 'test', status: 'running' } });
    const rows: ImportRowItem[] = Array.from({ length: count }, (_, index) => ({ line: index + 2, result: { ok: true, account: account(`RACE-${index}`, index) } }));
    // The same account, enrolled through the API after the batch looked and before it writes.
    const race = async () => expect((await engine.call('POST', '/api/v1/accounts', { body: account('RACE-3', 3) })).status).toBe(201);
    const batches = createImportBatches({ db: racingAfterLookup(engine.db, race), temporal: engine.temporal });
    expect(await batches.runBatch({ jobId: job.id, team: null, rows, committedLine: 0, replayThrough: 0, concurrency: 4, abandoned: () => false })).toBe(count + 1);
    expect(await engine.db.importJob.findUniqueOrThrow({ where: { id: job.id } })).toMatchObject({ createdCount: count - 1, unchangedCount: 1, rejectedCount: 0 });
    const accounts = await engine.db.account.findMany({ where: { externalId: { startsWith: 'RACE-' } }, select: { externalId: true, _count: { select: { cases: true } } } });
    expect(accounts).toHaveLength(count);
    expect(accounts.every((row) => row._count.cases === 1)).toBe(true);
    expect(await engine.db.auditEvent.count({ where: { action: 'account_enrolled', actor: importActor(job.id) } })).toBe(count - 1);
  }, 60_000);

  it("refuses in the batch, with enrollment's reasons, a row of another team, an unknown strategy and one its portfolio does not use", async () => {
    await engine.db.client.create({ data: { key: 'batch-client', name: 'Batch client', createdBy: 'test', portfolios: { create: { key: 'batch-cards', name: 'Cards', regime: 'first_party', strategies: ['cards-only'], commission: {}, remittance: {}, createdBy: 'test' } } } });
    const job = await engine.db.importJob.create({ data: { format: 'csv', createdBy: 'test', status: 'running', team: 'north' } });
    const rows: ImportRowItem[] = [
      { line: 2, result: { ok: true, account: account('TEAM-OK', 1) } },
      { line: 3, result: { ok: true, account: { ...account('TEAM-SOUTH', 2), team: 'south' } } },
      { line: 4, result: { ok: true, account: { ...account('TEAM-UNKNOWN', 3), strategy: 'no-such-strategy' } } },
      { line: 5, result: { ok: true, account: { ...account('TEAM-PORTFOLIO-1', 4), portfolio: 'batch-cards' } } },
      { line: 6, result: { ok: true, account: { ...account('TEAM-PORTFOLIO-2', 5), portfolio: 'batch-cards' } } },
    ];
    const batches = createImportBatches({ db: engine.db, temporal: engine.temporal });
    expect(await batches.runBatch({ jobId: job.id, team: 'north', rows, committedLine: 0, replayThrough: 0, concurrency: 4, abandoned: () => false })).toBe(6);
    expect(await engine.db.importJob.findUniqueOrThrow({ where: { id: job.id } })).toMatchObject({ createdCount: 1, rejectedCount: 4 });
    const rejections = await engine.db.importRejection.findMany({ where: { jobId: job.id }, orderBy: { line: 'asc' }, select: { line: true, field: true, reason: true } });
    expect(rejections.map(({ line, field }) => ({ line, field }))).toEqual([
      { line: 3, field: 'team' },
      { line: 4, field: 'strategy' },
      { line: 5, field: 'strategy' },
      { line: 6, field: 'strategy' },
    ]);
    expect(rejections[1]?.reason).toMatch(/no active strategy named "no-such-strategy"/);
    expect(rejections[2]?.reason).toMatch(/not one of portfolio "batch-cards"'s strategies/);
    expect(await engine.db.case.findFirstOrThrow({ where: { account: { externalId: 'TEAM-OK' } } })).toMatchObject({ team: 'north' });
    expect(await engine.db.account.count({ where: { externalId: { startsWith: 'TEAM-' } } })).toBe(1);
  }, 60_000);
});
