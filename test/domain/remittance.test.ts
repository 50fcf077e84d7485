import { describe, expect, it } from 'vitest';
import { remitBy, ZPortfolioInput } from '../../domain/portfolio.js';
import {
  carriedOutOf,
  commissionOn,
  commissionRateBp,
  nextPeriod,
  placementPeriod,
  recoveryTypeOf,
  statementLines,
  statementTotals,
  ZCommission,
  type RemittanceItem,
  type TCommission,
} from '../../domain/remittance.js';

/** Commission, placement and netting as pure functions; every expected figure is worked by hand. */

const byAge: TCommission = {
  basis: 'age_band',
  bands: [
    { fromDays: 0, ratePercent: 15 },
    { fromDays: 91, ratePercent: 25.5 },
    { fromDays: 181, ratePercent: 33.33 },
  ],
};
const byType: TCommission = { basis: 'recovery_type', rates: { voluntary: 20, promise: 20, plan: 22.5, settlement: 30, agency: 40 } };

describe('commission rates', () => {
  it.each([
    [0, 1500],
    [90, 1500],
    [91, 2550],
    [180, 2550],
    [181, 3333],
    [2000, 3333],
  ])('an account %i days past due at placement pays %i basis points', (daysPastDue, rate) => {
    expect(commissionRateBp(byAge, { daysPastDue, recoveryType: 'voluntary' })).toBe(rate);
  });

  it.each([
    ['voluntary', 2000],
    ['plan', 2250],
    ['settlement', 3000],
    ['agency', 4000],
  ] as const)('a %s recovery pays %i basis points', (recoveryType, rate) => {
    expect(commissionRateBp(byType, { daysPastDue: 500, recoveryType })).toBe(rate);
  });

  it.each([
    // amount, rate bp, commission: half a minor unit rounds up, and a return is the exact negative
    [10_000, 2550, 2_550],
    [333, 3333, 111], // 110.9889
    [1, 5000, 1], // 0.5 rounds up
    [1, 4999, 0], // 0.4999
    [12_345, 1500, 1_852], // 1851.75
    [-12_345, 1500, -1_852],
    [-1, 5000, -1],
    [0, 10_000, 0],
  ])('commission on %i at %i bp is %i', (amount, rate, expected) => {
    expect(commissionOn(amount, rate)).toBe(expected);
  });
});

describe('commission input', () => {
  it('refuses a rate above 100% or with three decimals, naming the band', () => {
    const above = ZCommission.safeParse({ basis: 'age_band', bands: [{ fromDays: 0, ratePercent: 100.01 }] });
    expect(above.success).toBe(false);
    expect(above.error?.issues[0]).toMatchObject({ path: ['bands', 0, 'ratePercent'], message: 'a commission rate is a percentage of at most 100' });
    const decimals = ZCommission.safeParse({ basis: 'recovery_type', rates: { voluntary: 20, promise: 20, plan: 22.125, settlement: 30, agency: 40 } });
    expect(decimals.error?.issues[0]?.path).toEqual(['rates', 'plan']);
    expect(ZCommission.safeParse({ basis: 'age_band', bands: [{ fromDays: 0, ratePercent: 100 }] }).success).toBe(true);
  });

  it('wants bands from 0 days and rising', () => {
    const late = ZCommission.safeParse({ basis: 'age_band', bands: [{ fromDays: 30, ratePercent: 10 }] });
    expect(late.error?.issues[0]).toMatchObject({ path: ['bands', 0, 'fromDays'] });
    const unordered = ZCommission.safeParse({ basis: 'age_band', bands: [{ fromDays: 0, ratePercent: 10 }, { fromDays: 0, ratePercent: 12 }] });
    expect(unordered.error?.issues[0]).toMatchObject({ path: ['bands', 1, 'fromDays'] });
  });

  it('wants every recovery type priced', () => {
    const missing = ZCommission.safeParse({ basis: 'recovery_type', rates: { voluntary: 20 } });
    expect(missing.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['rates.promise', 'rates.plan', 'rates.settlement', 'rates.agency']);
  });

  it('names a portfolio with an unknown regime', () => {
    const parsed = ZPortfolioInput.safeParse({ key: 'p', name: 'P', regime: 'fourth_party', commission: byAge, remittance: { dayOfMonth: 15 } });
    expect(parsed.error?.issues[0]?.path).toEqual(['regime']);
  });
});

describe('recovery type', () => {
  const events = [
    { action: 'payment_applied', reference: 'P1' },
    { action: 'arrangement_made', kind: 'plan' },
    { action: 'payment_applied', reference: 'P2' },
    { action: 'arrangement_kept', kind: 'plan' },
    { action: 'arrangement_made', kind: 'settlement', needsApproval: true },
    { action: 'payment_applied', reference: 'P3' },
    { action: 'arrangement_made', kind: 'settlement', needsApproval: false },
    { action: 'payment_applied', reference: 'P4' },
    { action: 'arrangement_cancelled' },
    { action: 'placed' },
    { action: 'payment_applied', reference: 'P5' },
    { action: 'recalled' },
    { action: 'payment_applied', reference: 'P6' },
  ];
  it.each([
    ['P1', 'voluntary'],
    ['P2', 'plan'],
    ['P3', 'voluntary'], // the settlement waited for a manager
    ['P4', 'settlement'],
    ['P5', 'agency'],
    ['P6', 'voluntary'],
  ])('%s was a %s recovery', (reference, type) => {
    expect(recoveryTypeOf(events, reference)).toBe(type);
  });
});

describe('periods', () => {
  it('rolls December into January and gives the remittance date', () => {
    expect(nextPeriod('2026-12')).toBe('2027-01');
    expect(remitBy('2026-12', { frequency: 'monthly', dayOfMonth: 15 })).toBe('2027-01-15');
  });

  it('places an item on its own month, or the first month after it not yet issued', () => {
    expect(placementPeriod('2026-01', new Set())).toBe('2026-01');
    expect(placementPeriod('2026-01', new Set(['2026-01', '2026-02']))).toBe('2026-03');
    expect(placementPeriod('2026-01', new Set(['2026-02']))).toBe('2026-01');
  });
});

describe('statements', () => {
  const item = (extra: Partial<RemittanceItem> & Pick<RemittanceItem, 'paymentId' | 'kind' | 'at' | 'amount'>): RemittanceItem => ({
    currency: 'USD',
    portfolio: 'p',
    accountExternalId: 'A',
    reference: extra.paymentId,
    paymentAt: extra.at,
    rateBp: 2550,
    recoveryType: 'voluntary',
    daysPastDue: 100,
    ...extra,
  });
  const jan = new Date('2026-01-20T12:00:00Z');
  const feb = new Date('2026-02-10T12:00:00Z');
  const items = [
    item({ paymentId: 'p1', kind: 'collected', at: jan, amount: 10_000 }),
    item({ paymentId: 'p1', kind: 'reversal', at: feb, paymentAt: jan, amount: 10_000 }),
    item({ paymentId: 'p2', kind: 'collected', at: feb, amount: 4_000 }),
  ];

  it('carries a return of a January payment into February and nets it there', () => {
    const january = statementLines(items, '2026-01', new Set());
    expect(january.map((line) => [line.paymentId, line.amount, line.commission, line.net])).toEqual([['p1', 10_000, 2_550, 7_450]]);
    // January issued: its items are on it, so February's come from the rest.
    const february = statementLines(items.slice(1), '2026-02', new Set(['2026-01']));
    expect(february.map((line) => [line.paymentId, line.kind, line.amount, line.commission, line.net, line.carried])).toEqual([
      ['p2', 'collected', 4_000, 1_020, 2_980, false],
      ['p1', 'reversal', -10_000, -2_550, -7_450, true],
    ]);
    // 4,000 - 10,000 - (1,020 - 2,550) = -4,470: nothing remitted, carried into March.
    const totals = statementTotals(february, {});
    expect(totals).toEqual([{ currency: 'USD', collected: 4_000, reversed: -10_000, commission: -1_530, net: -4_470, carriedIn: 0, netToRemit: 0, carriedOut: -4_470 }]);
    expect(carriedOutOf(totals)).toEqual({ USD: -4_470 });
  });

  it('nets a carried balance in the next statement', () => {
    const march = [item({ paymentId: 'p3', kind: 'collected', at: new Date('2026-03-05T00:00:00Z'), amount: 20_000 })];
    const lines = statementLines(march, '2026-03', new Set(['2026-01', '2026-02']));
    // 20,000 - 5,100 = 14,900, less the 4,470 carried: 10,430.
    expect(statementTotals(lines, { USD: -4_470 })).toEqual([{ currency: 'USD', collected: 20_000, reversed: 0, commission: 5_100, net: 14_900, carriedIn: -4_470, netToRemit: 10_430, carriedOut: 0 }]);
    // A month with nothing but the carry keeps carrying it.
    expect(statementTotals([], { USD: -4_470 })).toEqual([{ currency: 'USD', collected: 0, reversed: 0, commission: 0, net: 0, carriedIn: -4_470, netToRemit: 0, carriedOut: -4_470 }]);
  });

  it('puts a payment learned after its month was issued on the next statement, marked carried', () => {
    const lines = statementLines([item({ paymentId: 'late', kind: 'collected', at: jan, amount: 1_000 })], '2026-02', new Set(['2026-01']));
    expect(lines).toMatchObject([{ paymentId: 'late', carried: true, paymentPeriod: '2026-01', amount: 1_000, commission: 255 }]);
    expect(statementLines([item({ paymentId: 'late', kind: 'collected', at: jan, amount: 1_000 })], '2026-01', new Set(['2026-01']))).toEqual([]);
  });
});
