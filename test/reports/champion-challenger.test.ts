import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '../../testing/engine.js';

/**
 * The champion/challenger report with its statistics, and promoting the challenger, over the API
 * on a real database. Segment "retail" splits its accounts between strategy "steady" (champion)
 * and "bold" (challenger): 60 cases each of 1,000.00 placed; 12 champion cases paid in full
 * (20%) against 30 challenger cases (50%): by hand, SEs sqrt(.2 x .8 / 59) = 0.0521 and
 * sqrt(.5 x .5 / 59) = 0.0651, difference 0.3, z = 0.3 / 0.0834 = 3.6: significant.
 * Segment "small" has 10 cases an arm: no verdict.
 */

let engine: Engine;
const call = (method: string, path: string, body?: unknown) => engine.call(method, path, body === undefined ? {} : { body });

async function seedArm({ segment, arm, strategyId, count, paid, prefix }: { segment: string; arm: string; strategyId: string; count: number; paid: number; prefix: string }) {
  const debtor = await engine.db.debtor.create({ data: { name: `Debtor ${prefix}`, timeZone: 'UTC' } });
  for (let index = 0; index < count; index++) {
    const id = `${prefix}-${index}`;
    await engine.db.account.create({ data: { id: `a-${id}`, externalId: `EXT-${id}`, debtorId: debtor.id, currency: 'USD', originalBalance: 100_000, balance: 100_000, daysPastDue: 30 } });
    await engine.db.case.create({
      data: { id, accountId: `a-${id}`, strategyId, arm, segment, status: 'open', balance: 100_000, currency: 'USD', startedAt: new Date('2026-10-01T12:00:00Z') },
    });
    if (index < paid) await engine.db.payment.create({ data: { caseId: id, reference: `pay-${id}`, amount: 100_000, currency: 'USD', receivedAt: new Date('2026-10-20T12:00:00Z') } });
  }
}

beforeAll(async () => {
  engine = await startEngine({ temporal: 'none' });
  const strategy = async (key: string) => (await engine.db.strategy.create({ data: { key, version: 1, name: key, status: 'active', definition: { key, steps: [] } } })).id;
  const steady = await strategy('steady');
  const bold = await strategy('bold');
  const saved = await call('PUT', '/api/v1/segments', {
    segments: [
      { id: 'retail', match: { maxBalance: 500_000 }, strategy: 'steady', challenger: { strategy: 'bold', percent: 50 } },
      { id: 'small', strategy: 'steady', challenger: { strategy: 'bold', percent: 50 } },
    ],
  });
  expect(saved.status).toBe(200);
  await seedArm({ segment: 'retail', arm: 'champion', strategyId: steady, count: 60, paid: 12, prefix: 'rc' });
  await seedArm({ segment: 'retail', arm: 'challenger', strategyId: bold, count: 60, paid: 30, prefix: 'rx' });
  await seedArm({ segment: 'small', arm: 'champion', strategyId: steady, count: 10, paid: 1, prefix: 'sc' });
  await seedArm({ segment: 'small', arm: 'challenger', strategyId: bold, count: 10, paid: 9, prefix: 'sx' });
});

afterAll(async () => {
  await engine?.stop();
});

describe('champion/challenger statistics', () => {
  it('gives each arm its recovery rate with an interval and says whether the difference is significant', async () => {
    const { status, body } = await call('GET', '/api/v1/reports/champion-challenger?asOf=2026-11-30');
    expect(status).toBe(200);
    expect(body.method).toContain('Welch');
    const retail = body.comparisons.find((comparison: { segment: string }) => comparison.segment === 'retail');
    expect(retail.arms.map((arm: { arm: string; strategies: string[]; recoveryRate: number }) => [arm.arm, arm.strategies, arm.recoveryRate])).toEqual([
      ['challenger', ['bold'], 0.5],
      ['champion', ['steady'], 0.2],
    ]);
    const champion = retail.arms.find((arm: { arm: string }) => arm.arm === 'champion');
    expect(champion.low).toBeCloseTo(0.2 - 1.96 * Math.sqrt((0.2 * 0.8) / 59), 3);
    expect(champion.high).toBeCloseTo(0.2 + 1.96 * Math.sqrt((0.2 * 0.8) / 59), 3);
    expect(retail.recovery).toMatchObject({ test: 'welch_z_ratio', difference: 0.3, verdict: 'significant' });
    expect(retail.recovery.z).toBeCloseTo(0.3 / Math.sqrt((0.2 * 0.8 + 0.5 * 0.5) / 59), 2);
    expect(retail.payingShare).toMatchObject({ test: 'two_proportion_z', verdict: 'significant' });

    const small = body.comparisons.find((comparison: { segment: string }) => comparison.segment === 'small');
    expect(small.recovery.verdict).toBe('too_few_cases');

    // Before the payments, nothing is collected in either arm: no difference to see.
    const before = await call('GET', '/api/v1/reports/champion-challenger?asOf=2026-10-10&segment=retail');
    expect(before.body.comparisons).toHaveLength(1);
    expect(before.body.comparisons[0].recovery.difference).toBe(0);

    const csv = await call('GET', '/api/v1/reports/champion-challenger?asOf=2026-11-30&format=csv');
    expect(csv.status).toBe(200);
    expect(csv.text.split(/\r?\n/)[0]).toBe('currency,segment,arm,strategies,cases,casesWithPayments,placed,collected,recoveryRate,low,high,difference,pValue,verdict');
  });

  it('promotes the challenger in one audited action, and refuses a segment without one', async () => {
    const promoted = await call('POST', '/api/v1/segments/retail/promote', { reason: 'significant at 60 cases an arm' });
    expect(promoted.status).toBe(200);
    const retail = promoted.body.segments.find((segment: { id: string }) => segment.id === 'retail');
    expect(retail).toEqual({ id: 'retail', match: { maxBalance: 500_000 }, strategy: 'bold' });
    // The other segment's split is untouched.
    expect(promoted.body.segments.find((segment: { id: string }) => segment.id === 'small').challenger).toEqual({ strategy: 'bold', percent: 50 });

    const active = await call('GET', '/api/v1/segments');
    expect(active.body.version).toBe(promoted.body.version);
    const audit = await engine.db.auditEvent.findFirstOrThrow({ where: { action: 'challenger_promoted' } });
    expect(audit.after).toEqual({ version: promoted.body.version });
    expect(audit.data).toMatchObject({ segment: 'retail', from: 'steady', to: 'bold', percent: 50, reason: 'significant at 60 cases an arm' });
    expect((audit.data as { statistics: Array<{ recovery: { verdict: string } }> }).statistics[0]!.recovery.verdict).toBe('significant');

    const again = await call('POST', '/api/v1/segments/retail/promote');
    expect(again.status, again.text).toBe(409);
    expect(again.body.error.code).toBe('no_challenger');
    expect((await call('POST', '/api/v1/segments/nowhere/promote')).status).toBe(404);
    expect((await engine.call('POST', '/api/v1/segments/small/promote', { key: null })).status).toBe(401);
  });
});
