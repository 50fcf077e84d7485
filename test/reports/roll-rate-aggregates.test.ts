import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asOfDay } from '../../api/services/reports/as-of.js';
import { rollRateReport } from '../../api/services/reports/roll-rates.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { seedPortfolio } from './portfolio-fixture.js';

/**
 * The roll-rate report's aggregates (cases per day they became delinquent, month started and month
 * closed, kept by triggers in the writing transaction) give the figures the rows give at any as-of
 * date: after the fixture portfolio, after random sequences of writes (cases enrolled, started,
 * closed or opened again at any instant of a day, moved to another account, deleted; an account's
 * days past due changed), after the migration's backfill and after a TRUNCATE.
 */

let engine: Engine;

beforeAll(async () => {
  engine = await startEngine({ temporal: 'none' });
  await seedPortfolio(engine.db);
});
afterAll(() => engine?.stop());

const day = (offset: number) => new Date(Date.UTC(2026, 0, 1) + offset * 86_400_000).toISOString().slice(0, 10);

/** Month-ends and days between them, around the fixture's and the random writes' dates, and today. */
const dates = ['2026-01-31', '2026-02-27', '2026-02-28', '2026-03-31', '2026-05-15', '2026-08-31', new Date().toISOString().slice(0, 10)];

async function expectSameRollRates(asOfDates: string[] = dates) {
  for (const date of asOfDates) {
    const at = asOfDay(date);
    expect(await rollRateReport({ db: engine.db, at, source: 'aggregates' }), date).toEqual(await rollRateReport({ db: engine.db, at, source: 'rows' }));
  }
}

describe('the roll-rate aggregates', () => {
  it('equal the rows after the fixture portfolio, and an unscoped report reads them', async () => {
    await expectSameRollRates();
    const report = await rollRateReport({ db: engine.db, at: asOfDay('2026-03-31') });
    // As reports.test.ts reads it from the rows: c1 and c2 in 31-60 at the end of February (c2 closed since), c3 in 61-90, c4 not yet started.
    expect(report.buckets.find((row) => row.bucket === '31-60')).toEqual({ bucket: '31-60', cases: 2, rolledForward: 1, stayed: 0, improved: 0, closed: 1, rollRate: 0.5 });
    expect(report).toEqual(await rollRateReport({ db: engine.db, at: asOfDay('2026-03-31'), source: 'rows' }));
  });

  it('equal the rows after any sequence of writes: cases enrolled, started, closed or opened again at any instant, moved, deleted; days past due changed', async () => {
    const db = engine.db;
    const strategyId = (await db.strategy.findFirstOrThrow()).id;
    const debtorId = (await db.debtor.create({ data: { name: 'Roll Rate', timeZone: 'UTC' } })).id;
    // Midnight, a millisecond after, noon and the day's last millisecond: month boundaries are the cut-offs.
    const instant = fc
      .tuple(fc.integer({ min: 0, max: 300 }), fc.constantFrom(0, 1, 43_200_000, 86_399_999))
      .map(([offset, ms]) => new Date(Date.UTC(2026, 0, 1) + offset * 86_400_000 + ms));
    const operation = fc.oneof(
      fc.record({ kind: fc.constant('enroll' as const), at: instant, days: fc.integer({ min: 0, max: 250 }) }),
      fc.record({ kind: fc.constant('start' as const), pick: fc.nat(), at: instant }),
      fc.record({ kind: fc.constant('close' as const), pick: fc.nat(), at: fc.option(instant, { nil: null }) }),
      fc.record({ kind: fc.constant('dpd' as const), pick: fc.nat(), days: fc.integer({ min: 0, max: 250 }) }),
      fc.record({ kind: fc.constant('move' as const), pick: fc.nat(), days: fc.integer({ min: 0, max: 250 }) }),
      fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
      // A projection's write naming closedAt without changing it.
      fc.record({ kind: fc.constant('touch' as const), pick: fc.nat() }),
    );
    let enrolled = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 8 }), fc.array(fc.integer({ min: 0, max: 320 }), { minLength: 1, maxLength: 3 }), async (operations, offsets) => {
        for (const op of operations) {
          const cases = await db.case.findMany({ orderBy: { id: 'asc' }, select: { id: true, accountId: true, closedAt: true } });
          const picked = cases[('pick' in op ? op.pick : 0) % Math.max(1, cases.length)];
          if (op.kind === 'enroll' || op.kind === 'move') {
            const n = ++enrolled;
            const accountId = `a-roll-${n}`;
            await db.account.create({ data: { id: accountId, externalId: `ROLL-${n}`, debtorId, currency: 'USD', originalBalance: 10_000, balance: 10_000, daysPastDue: op.days } });
            if (op.kind === 'enroll') await db.case.create({ data: { id: `roll-${n}`, accountId, strategyId, status: 'open', balance: 10_000, currency: 'USD', startedAt: op.at } });
            else if (picked) await db.case.update({ where: { id: picked.id }, data: { accountId } });
            continue;
          }
          if (!picked) continue;
          const where = { id: picked.id };
          if (op.kind === 'start') await db.case.update({ where, data: { startedAt: op.at } });
          else if (op.kind === 'close') await db.case.update({ where, data: { closedAt: op.at, status: op.at ? 'closed' : 'open' } });
          else if (op.kind === 'dpd') await db.account.update({ where: { id: picked.accountId }, data: { daysPastDue: op.days } });
          else if (op.kind === 'touch') await db.case.update({ where, data: { closedAt: picked.closedAt, balance: { increment: 1 } } });
          else if (picked.id.startsWith('roll-')) await db.case.delete({ where });
        }
        await expectSameRollRates([...offsets.map(day), dates[3]!]);
      }),
      { numRuns: 30 },
    );
    await expectSameRollRates();
  });

  it('differ from the rows when a trigger is off (what the comparison above would catch)', async () => {
    const db = engine.db;
    const at = asOfDay('2026-03-31');
    // A case open at both month-ends, 54 days past due at the first (31-60); with 200 more days it would be 180+.
    const fixture = await db.case.findUniqueOrThrow({ where: { id: 'c1' }, select: { strategyId: true, account: { select: { debtorId: true } } } });
    const { strategyId } = fixture;
    await db.account.create({ data: { id: 'a-roll-off', externalId: 'ROLL-off', debtorId: fixture.account.debtorId, currency: 'USD', originalBalance: 10_000, balance: 10_000, daysPastDue: 10 } });
    await db.case.create({ data: { id: 'roll-off', accountId: 'a-roll-off', strategyId, status: 'open', balance: 10_000, currency: 'USD', startedAt: new Date('2026-01-15T12:00:00Z') } });
    await expectSameRollRates([at.date]);
    await db.$executeRawUnsafe(`ALTER TABLE "Account" DISABLE TRIGGER "Account_roll_rate"`);
    try {
      await db.account.update({ where: { id: 'a-roll-off' }, data: { daysPastDue: 210 } });
      expect(await rollRateReport({ db, at, source: 'aggregates' })).not.toEqual(await rollRateReport({ db, at, source: 'rows' }));
    } finally {
      await db.$executeRawUnsafe(`ALTER TABLE "Account" ENABLE TRIGGER "Account_roll_rate"`);
    }
    await db.$executeRaw`SELECT "roll_rate_rebuild"()`;
    await expectSameRollRates();
  });

  it('fill in the migration for the rows already there (the backfill gives what the triggers kept)', async () => {
    const at = asOfDay('2026-03-31');
    const kept = await rollRateReport({ db: engine.db, at, source: 'aggregates' });
    await engine.db.$executeRaw`DELETE FROM "RollRateCases"`;
    expect((await rollRateReport({ db: engine.db, at, source: 'aggregates' })).transitions).toEqual([]);
    await engine.db.$executeRaw`SELECT "roll_rate_rebuild"()`;
    expect(await rollRateReport({ db: engine.db, at, source: 'aggregates' })).toEqual(kept);
    await expectSameRollRates();
  });

  it('are emptied with the rows by a TRUNCATE, which fires no row trigger', async () => {
    await engine.db.$executeRaw`TRUNCATE "Case" CASCADE`;
    const report = await rollRateReport({ db: engine.db, at: asOfDay('2026-03-31'), source: 'aggregates' });
    expect(report.transitions).toEqual([]);
    await expectSameRollRates();
  });
});
