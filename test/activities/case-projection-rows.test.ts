import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeFailure } from '../../activities/projection.js';
import { readProjectedCase, writeCaseState } from '../../records/case-projection-rows.js';
import { startEngine, type Engine } from '../../testing/engine.js';

/**
 * The projection's case and account rows in one read and one write (records/case-projection-rows.ts)
 * on real PostgreSQL, as the Prisma reads and updates they replace: a missing case is the same
 * permanent failure, a state field an older case leaves out keeps its column, a closed case keeps
 * its first closing time.
 */

let engine: Engine;

beforeAll(async () => {
  engine = await startEngine({ temporal: 'none' });
});

afterAll(async () => {
  await engine?.stop();
});

async function caseRow() {
  const { db } = engine;
  const strategy = await db.strategy.create({ data: { key: `s-${randomUUID()}`, version: 1, name: 'S', definition: {} } });
  const debtor = await db.debtor.create({ data: { name: 'Ana Ruiz', timeZone: 'UTC' } });
  const accountId = randomUUID();
  await db.account.create({ data: { id: accountId, externalId: `P-${accountId}`, debtorId: debtor.id, currency: 'USD', originalBalance: 1000, balance: 1000, portfolio: 'north' } });
  const caseId = `case-${accountId}`;
  await db.case.create({ data: { id: caseId, accountId, strategyId: strategy.id, balance: 1000, currency: 'USD', team: 'east', nextActionWhy: 'waiting' } });
  return { caseId, accountId, debtorId: debtor.id };
}

const open = { status: 'open' as const, closeReason: null, balance: 700, currentStep: 'monday', nextActionAt: '2026-12-07T08:00:00.000Z', nextActionWhy: 'step "later" is due' };

describe("the projection's case rows", () => {
  it('reads the case with its account, and whether a send could verify a skip-traced contact', async () => {
    const { caseId, accountId, debtorId } = await caseRow();
    const read = () => engine.db.$transaction((tx) => readProjectedCase(tx, caseId));
    expect(await read()).toEqual({
      id: caseId, accountId, projectedSeq: 0, closedAt: null, team: 'east', currency: 'USD',
      account: { id: accountId, externalId: `P-${accountId}`, portfolio: 'north', debtorId }, unverifiedSkipTrace: false,
    });
    const traced = await engine.db.contact.create({ data: { debtorId, channel: 'email', value: 'found@example.com', source: 'skip_trace', confidence: 70 } });
    expect((await read()).unverifiedSkipTrace).toBe(true);
    await engine.db.contact.update({ where: { id: traced.id }, data: { verifiedAt: new Date() } });
    expect((await read()).unverifiedSkipTrace).toBe(false);
  });

  it('fails for a case without a row as Prisma did: P2025, permanent', async () => {
    const error = await engine.db.$transaction((tx) => readProjectedCase(tx, 'case-missing')).catch((caught: unknown) => caught);
    expect(describeFailure(error)).toMatchObject({ code: 'P2025', permanent: true });
  });

  it("writes the state and the account's balance; a closed case keeps its first closing time", async () => {
    const { caseId, accountId } = await caseRow();
    const write = (seq: number, state: Parameters<typeof writeCaseState>[3]) =>
      engine.db.$transaction(async (tx) => writeCaseState(tx, await readProjectedCase(tx, caseId), seq, state));
    await write(3, open);
    expect(await engine.db.case.findUniqueOrThrow({ where: { id: caseId } })).toMatchObject({ ...open, nextActionAt: new Date(open.nextActionAt), projectedSeq: 3, closedAt: null });
    expect((await engine.db.account.findUniqueOrThrow({ where: { id: accountId } })).balance).toBe(700);

    const closed = { ...open, status: 'closed' as const, closeReason: 'paid' as const, balance: 0, nextActionAt: null, nextActionWhy: null };
    await write(4, closed);
    const first = await engine.db.case.findUniqueOrThrow({ where: { id: caseId } });
    expect(first).toMatchObject({ status: 'closed', closeReason: 'paid', balance: 0, nextActionAt: null, nextActionWhy: null, projectedSeq: 4 });
    expect(Math.abs(first.closedAt!.getTime() - Date.now())).toBeLessThan(5_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await write(5, closed);
    expect((await engine.db.case.findUniqueOrThrow({ where: { id: caseId } })).closedAt).toEqual(first.closedAt);
    expect((await engine.db.account.findUniqueOrThrow({ where: { id: accountId } })).balance).toBe(0);
  });

  it('keeps a column whose field the state leaves out (an older case), as Prisma left it', async () => {
    const { caseId } = await caseRow();
    const { nextActionWhy: _left, ...older } = open;
    await engine.db.$transaction(async (tx) => writeCaseState(tx, await readProjectedCase(tx, caseId), 1, older as typeof open));
    expect(await engine.db.case.findUniqueOrThrow({ where: { id: caseId } })).toMatchObject({ balance: 700, currentStep: 'monday', nextActionWhy: 'waiting' });
  });
});
