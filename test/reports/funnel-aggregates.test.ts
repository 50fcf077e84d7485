import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asOfDay } from '../../api/services/reports/as-of.js';
import { funnelReport } from '../../api/services/reports/funnel.js';
import { period, type Period } from '../../api/services/reports/period.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { seedPortfolio } from './portfolio-fixture.js';

/**
 * The funnel report's communication aggregates (kept by triggers in the writing transaction) give
 * the figures the rows give, for any period: after the fixture portfolio, after random sequences
 * of writes (a communication created at any instant of a day, its status, channel, day or case
 * changed, deleted; a case's strategy version or arm changed), after the migration's backfill and
 * after a TRUNCATE. A period is whole UTC days, so the aggregates answer every one of them.
 */

let engine: Engine;

beforeAll(async () => {
  engine = await startEngine({ temporal: 'none' });
  await seedPortfolio(engine.db);
});
afterAll(() => engine?.stop());

const day = (offset: number) => new Date(Date.UTC(2026, 0, 1) + offset * 86_400_000).toISOString().slice(0, 10);

/** Periods around the fixture's dates and the random writes' days: from the beginning, a month, one day, an empty one. */
const periods = (): Period[] => [
  period(asOfDay(new Date().toISOString().slice(0, 10)), undefined),
  period(asOfDay('2026-03-31'), undefined),
  period(asOfDay('2026-03-31'), '2026-03-01'),
  period(asOfDay('2026-01-13'), '2026-01-13'),
  period(asOfDay('2026-02-14'), '2026-02-15'),
  period(asOfDay(day(200)), day(20)),
];

async function expectSameFunnel(ranges: Period[] = periods()) {
  for (const range of ranges) {
    const rows = await funnelReport({ db: engine.db, range, source: 'rows' });
    expect(await funnelReport({ db: engine.db, range, source: 'aggregates' }), `${range.from ?? 'beginning'} to ${range.date}`).toEqual(rows);
  }
}

describe('the funnel aggregates', () => {
  it('equal the rows after the fixture portfolio, and an unscoped report reads them', async () => {
    await expectSameFunnel();
    const range = period(asOfDay('2026-03-31'), undefined);
    const report = await funnelReport({ db: engine.db, range });
    // c1's email and SMS, c3's failed email and letter, c4's pending email (c1's April email is after the period).
    expect(report.channels).toEqual([
      { channel: 'email', attempts: 3, sent: 1, delivered: 0, failed: 1 },
      { channel: 'letter', attempts: 1, sent: 1, delivered: 0, failed: 0 },
      { channel: 'sms', attempts: 1, sent: 1, delivered: 1, failed: 0 },
    ]);
    expect(report).toEqual(await funnelReport({ db: engine.db, range, source: 'rows' }));
  });

  it('equal the rows after any sequence of writes: communications created at any instant, their status, channel, day or case changed, deleted; a case\'s strategy or arm changed', async () => {
    const db = engine.db;
    const caseIds = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'];
    const strategyIds = (await db.strategy.findMany({ orderBy: { id: 'asc' }, select: { id: true } })).map((row) => row.id);
    // Any instant of a day, midnight and the last millisecond included: the day boundaries are the periods'.
    const instant = fc
      .tuple(fc.integer({ min: 0, max: 240 }), fc.constantFrom(0, 1, 43_200_000, 86_399_999))
      .map(([offset, ms]) => new Date(Date.UTC(2026, 0, 1) + offset * 86_400_000 + ms));
    const status = fc.constantFrom('pending', 'sending', 'sent', 'delivered', 'failed', 'bounced', 'undelivered', 'returned');
    const channel = fc.constantFrom('email', 'sms', 'letter');
    const operation = fc.oneof(
      fc.record({ kind: fc.constant('send' as const), caseIndex: fc.nat(caseIds.length - 1), channel, status, at: instant }),
      fc.record({ kind: fc.constant('status' as const), pick: fc.nat(), status }),
      fc.record({ kind: fc.constant('channel' as const), pick: fc.nat(), channel }),
      fc.record({ kind: fc.constant('redate' as const), pick: fc.nat(), at: instant }),
      fc.record({ kind: fc.constant('recase' as const), pick: fc.nat(), caseIndex: fc.nat(caseIds.length - 1) }),
      fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
      // A write that names the counted columns without changing them, and one that changes what is not counted.
      fc.record({ kind: fc.constant('touch' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('arm' as const), caseIndex: fc.nat(caseIds.length - 1), arm: fc.constantFrom('champion', 'challenger', null) }),
      fc.record({ kind: fc.constant('strategy' as const), caseIndex: fc.nat(caseIds.length - 1), strategyIndex: fc.nat(strategyIds.length - 1) }),
    );
    const randomPeriod = fc.tuple(fc.integer({ min: 0, max: 260 }), fc.option(fc.integer({ min: 0, max: 260 }), { nil: undefined }));
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 10 }), fc.array(randomPeriod, { minLength: 1, maxLength: 3 }), async (operations, randomPeriods) => {
        for (const op of operations) {
          const communications = await db.communication.findMany({ orderBy: { id: 'asc' }, select: { id: true, status: true, channel: true, createdAt: true, caseId: true } });
          const picked = (pick: number) => communications[pick % Math.max(1, communications.length)];
          if (op.kind === 'send') {
            const index = ++sent;
            await db.communication.create({
              data: { caseId: caseIds[op.caseIndex]!, stepId: `p${index}`, channel: op.channel, template: 't', recipient: 'r', body: 'b', idempotencyKey: `prop-${index}`, status: op.status, createdAt: op.at },
            });
          } else if (op.kind === 'arm') {
            await db.case.update({ where: { id: caseIds[op.caseIndex]! }, data: { arm: op.arm } });
          } else if (op.kind === 'strategy') {
            await db.case.update({ where: { id: caseIds[op.caseIndex]! }, data: { strategyId: strategyIds[op.strategyIndex]! } });
          } else {
            const message = picked(op.pick);
            if (!message) continue;
            const where = { id: message.id };
            if (op.kind === 'delete') await db.communication.delete({ where });
            else if (op.kind === 'status') await db.communication.update({ where, data: { status: op.status } });
            else if (op.kind === 'channel') await db.communication.update({ where, data: { channel: op.channel } });
            else if (op.kind === 'redate') await db.communication.update({ where, data: { createdAt: op.at } });
            else if (op.kind === 'recase') await db.communication.update({ where, data: { caseId: caseIds[op.caseIndex]! } });
            else await db.communication.update({ where, data: { status: message.status, channel: message.channel, createdAt: message.createdAt, attempts: { increment: 1 }, providerId: `x-${op.pick}` } });
          }
        }
        const ranges = randomPeriods.map(([to, from]) => period(asOfDay(day(to)), from === undefined ? undefined : day(from)));
        await expectSameFunnel([...ranges, periods()[0]!]);
      }),
      { numRuns: 30 },
    );
    await expectSameFunnel();
  });

  it('differ from the rows when a trigger is off (what the comparison above would catch)', async () => {
    const db = engine.db;
    const range = periods()[0]!;
    // A message the report counts (the random writes above may have dated the first one past it).
    const message = await db.communication.findFirstOrThrow({ where: { createdAt: { gte: range.start, lt: range.cutoff } }, orderBy: { id: 'asc' } });
    await db.$executeRawUnsafe(`ALTER TABLE "Communication" DISABLE TRIGGER "Communication_funnel_update"`);
    try {
      await db.communication.update({ where: { id: message.id }, data: { status: message.status === 'delivered' ? 'failed' : 'delivered' } }); // counted apart either way
      expect(await funnelReport({ db, range, source: 'aggregates' })).not.toEqual(await funnelReport({ db, range, source: 'rows' }));
    } finally {
      await db.$executeRawUnsafe(`ALTER TABLE "Communication" ENABLE TRIGGER "Communication_funnel_update"`);
    }
    await db.$executeRaw`SELECT "funnel_rebuild"()`;
    await expectSameFunnel();
  });

  it('fill in the migration for the rows already there (the backfill gives what the triggers kept)', async () => {
    const range = periods()[0]!;
    const kept = await funnelReport({ db: engine.db, range, source: 'aggregates' });
    await engine.db.$executeRaw`DELETE FROM "FunnelCommunication"`;
    expect((await funnelReport({ db: engine.db, range, source: 'aggregates' })).channels).toEqual([]);
    // The migration's own backfill, run again on an emptied table.
    await engine.db.$executeRaw`SELECT "funnel_rebuild"()`;
    expect(await funnelReport({ db: engine.db, range, source: 'aggregates' })).toEqual(kept);
    await expectSameFunnel();
  });

  it('are emptied with the rows by a TRUNCATE, which fires no row trigger', async () => {
    await engine.db.$executeRaw`TRUNCATE "Communication" CASCADE`;
    const range = periods()[0]!;
    const report = await funnelReport({ db: engine.db, range, source: 'aggregates' });
    expect(report.channels).toEqual([]);
    expect(report.page.every((row) => row.messagesSent === 0)).toBe(true);
    await expectSameFunnel();
  });
});
