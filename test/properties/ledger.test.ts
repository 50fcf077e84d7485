import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocate, waterfalls, type Waterfall } from '../../domain/ledger/allocation.js';
import { components, total, type Components } from '../../domain/ledger/components.js';
import { accrue, dayCounts, type InterestTerms } from '../../domain/ledger/interest.js';
import { checkEntry, itemize, ledgerBalance, ledgerParts, paymentEntry, type LedgerEntry } from '../../domain/ledger/ledger.js';

/**
 * Properties of the account ledger over generated histories (an itemization, then interest, fees,
 * payments, credits, waivers, adjustments and reversals in any order): the balance is the sum of
 * what was posted, no part goes below zero, a payment never takes more than a part holds, reversing
 * every payment gives back the parts as they would be without them, and interest over a period is
 * the same however the period is split.
 *
 * Runs: PROPERTY_RUNS (default 10,000 per property).
 */

const runs = Number(process.env.PROPERTY_RUNS ?? 10_000);
const seed = process.env.PROPERTY_SEED === undefined ? {} : { seed: Number(process.env.PROPERTY_SEED) };
const settings = { numRuns: runs, ...seed };

const arbParts = fc.record({ principal: fc.integer({ min: 0, max: 5_000_000 }), interest: fc.integer({ min: 0, max: 500_000 }), fees: fc.integer({ min: 0, max: 50_000 }) });
const arbWaterfall = fc.constantFrom(...(Object.keys(waterfalls) as Waterfall[]));
const arbStep = fc.oneof(
  fc.record({ kind: fc.constant('interest' as const), amount: fc.integer({ min: 1, max: 100_000 }) }),
  fc.record({ kind: fc.constant('fee' as const), amount: fc.integer({ min: 1, max: 5_000 }) }),
  fc.record({ kind: fc.constantFrom('payment' as const, 'credit' as const), amount: fc.integer({ min: 1, max: 2_000_000 }) }),
  fc.record({ kind: fc.constant('waiver' as const), part: fc.constantFrom('interest' as const, 'fees' as const), share: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('adjustment' as const), amount: fc.integer({ min: -1_000_000, max: 1_000_000 }) }),
  fc.record({ kind: fc.constant('reversal' as const), pick: fc.nat() }),
);

/** Posts the generated steps through the domain's own rules, skipping what checkEntry refuses (and counting the refusals). */
function build(opening: Components, steps: readonly Record<string, unknown>[], waterfall: Waterfall) {
  const entries: LedgerEntry[] = [{ kind: 'itemization', id: 'open', on: '2026-01-01', postedBy: 'import', parts: opening }];
  steps.forEach((step, n) => {
    const base = { id: `e${n}`, on: '2026-02-01', postedBy: 'test' };
    let entry: LedgerEntry;
    if (step.kind === 'payment' || step.kind === 'credit') entry = paymentEntry(entries, { ...base, kind: step.kind, amount: step.amount as number }, waterfall);
    else if (step.kind === 'waiver') {
      const part = step.part as 'interest' | 'fees';
      entry = { ...base, kind: 'waiver', part, amount: Math.floor(ledgerParts(entries)[part] * (step.share as number)) };
    } else if (step.kind === 'reversal') {
      const payments = entries.filter((candidate) => candidate.kind === 'payment' || candidate.kind === 'credit');
      entry = { ...base, kind: 'reversal', of: payments.length > 0 ? (payments[(step.pick as number) % payments.length]?.id ?? 'none') : 'none' };
    } else entry = { ...base, kind: step.kind as 'interest' | 'fee' | 'adjustment', amount: step.amount as number, ...(step.kind === 'interest' ? { from: '2026-01-01' } : { feeType: 'late' }) } as LedgerEntry;
    if (checkEntry(entries, entry).length === 0) entries.push(entry);
  });
  return entries;
}

/** The balance restated plainly: what each entry posted, signed, without the fold. */
function postedSum(entries: readonly LedgerEntry[]): number {
  return entries.reduce((sum, entry) => {
    switch (entry.kind) {
      case 'itemization': return sum + total(entry.parts);
      case 'interest': case 'fee': case 'adjustment': return sum + entry.amount;
      case 'payment': case 'credit': return sum - (entry.amount - entry.unapplied);
      case 'waiver': return sum - entry.amount;
      case 'reversal': {
        const reversed = entries.find((candidate) => candidate.id === entry.of);
        return reversed && 'unapplied' in reversed ? sum + (reversed.amount - reversed.unapplied) : sum;
      }
    }
  }, 0);
}

describe('the ledger', () => {
  it('balance equals what was posted, and no part goes below zero', () => {
    fc.assert(fc.property(arbParts, fc.array(arbStep, { maxLength: 30 }), arbWaterfall, (opening, steps, waterfall) => {
      const entries = build(opening, steps, waterfall);
      expect(ledgerBalance(entries)).toBe(postedSum(entries));
      for (let n = 1; n <= entries.length; n++) for (const part of components) expect(ledgerParts(entries.slice(0, n))[part]).toBeGreaterThanOrEqual(0);
    }), settings);
  });

  it('allocation never takes more than a part holds, and takes the parts in the waterfall order', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10_000_000 }), arbParts, arbWaterfall, (amount, owed, waterfall) => {
      const { applied, unapplied } = allocate(amount, owed, waterfall);
      for (const part of components) expect(applied[part]).toBeLessThanOrEqual(owed[part]);
      expect(total(applied) + unapplied).toBe(amount);
      expect(unapplied === 0 || total(applied) === total(owed)).toBe(true);
      // A later part is touched only once every earlier part is paid in full.
      const order = waterfalls[waterfall];
      order.forEach((part, n) => { if (applied[part] > 0) for (const earlier of order.slice(0, n)) expect(applied[earlier]).toBe(owed[earlier]); });
    }), settings);
  });

  it('reversing every payment and credit restores the parts as they would be without them', () => {
    fc.assert(fc.property(arbParts, fc.array(arbStep.filter((step) => step.kind !== 'reversal'), { maxLength: 20 }), arbWaterfall, fc.nat(), (opening, steps, waterfall, shuffle) => {
      const entries = build(opening, steps, waterfall);
      const paid: LedgerEntry[] = entries.filter((entry) => entry.kind === 'payment' || entry.kind === 'credit');
      const order = paid.map((_, n) => paid[(n + shuffle) % paid.length]!);
      const reversed = [...entries, ...order.map((entry, n): LedgerEntry => ({ kind: 'reversal', id: `r${n}`, on: '2026-03-01', postedBy: 'test', of: entry.id }))];
      expect(ledgerParts(reversed)).toEqual(ledgerParts(entries.filter((entry) => !paid.includes(entry))));
      // A second reversal of the same payment is refused.
      if (paid[0]) expect(checkEntry(reversed, { kind: 'reversal', id: 'again', on: '2026-03-02', postedBy: 'test', of: paid[0].id })).toEqual([{ field: 'of', reason: `${paid[0].id} is already reversed` }]);
    }), settings);
  });

  it('interest over any split of a period equals interest over the whole period (truncated, the fraction carried)', () => {
    const arbTerms = fc.record({ annualRatePpm: fc.integer({ min: 1, max: 1_000_000 }), dayCount: fc.constantFrom(...(Object.keys(dayCounts) as (keyof typeof dayCounts)[])), base: fc.constant('principal' as const) });
    fc.assert(fc.property(fc.integer({ min: 1, max: 10_000_000_000 }), arbTerms, fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 12 }), (amount, terms: InterestTerms, pieces) => {
      const whole = accrue(amount, terms, pieces.reduce((sum, days) => sum + days, 0));
      let carried = 0;
      let posted = 0;
      for (const days of pieces) {
        const step = accrue(amount, terms, days, carried);
        posted += step.posted;
        carried = step.carried;
      }
      expect({ posted, carried }).toEqual(whole);
    }), settings);
  });
});

describe('interest, worked by hand', () => {
  it.each([
    // $10,000.00 at 18% for 30 days, actual/365: 1,000,000 × 0.18 × 30 / 365 = 14,794.52… cents.
    [1_000_000, { annualRatePpm: 180_000, dayCount: 'actual/365', base: 'principal' }, 30, 14_794],
    // The same on actual/360: 1,000,000 × 0.18 × 30 / 360 = 15,000 cents exactly.
    [1_000_000, { annualRatePpm: 180_000, dayCount: 'actual/360', base: 'principal' }, 30, 15_000],
    // $450.00 at 5.375% for one day, actual/365: 45,000 × 0.05375 / 365 = 6.626… cents.
    [45_000, { annualRatePpm: 53_750, dayCount: 'actual/365', base: 'principal' }, 1, 6],
  ] as const)('%i minor units, %o, %i days: %i', (amount, terms, days, expected) => {
    expect(accrue(amount, terms, days).posted).toBe(expected);
  });
});

describe('the itemization', () => {
  it('states the amount then, interest and fees since, paid or credited since, and now, which add up', () => {
    const entries: LedgerEntry[] = [{ kind: 'itemization', id: 'open', on: '2026-01-15', postedBy: 'import', parts: { principal: 100_000, interest: 2_500, fees: 0 } }];
    entries.push({ kind: 'interest', id: 'i1', on: '2026-02-14', postedBy: 'case', amount: 1_479, from: '2026-01-15' });
    entries.push({ kind: 'fee', id: 'f1', on: '2026-02-20', postedBy: 'case', amount: 2_500, feeType: 'late' });
    entries.push(paymentEntry(entries, { kind: 'payment', id: 'p1', on: '2026-03-01', postedBy: 'processor:stripe', amount: 5_000 }, 'fees_interest_principal'));
    expect(entries.at(-1)).toMatchObject({ applied: { fees: 2_500, interest: 2_500, principal: 0 }, unapplied: 0 });
    const waiver: LedgerEntry = { kind: 'waiver', id: 'w1', on: '2026-03-02', postedBy: 'officer-1', part: 'interest', amount: 479 };
    expect(checkEntry(entries, waiver)).toEqual([]);
    entries.push(waiver);
    expect(checkEntry(entries, { kind: 'waiver', id: 'w2', on: '2026-03-02', postedBy: 'officer-1', part: 'fees', amount: 1 })).toEqual([{ field: 'amount', reason: 'the fees owed is 0; a waiver cannot take more' }]);
    // The waiver is a credit: paid or credited since = 5,000 paid + 4.79 waived.
    expect(itemize(entries)).toEqual({ itemizationDate: '2026-01-15', onItemizationDate: 102_500, interestSince: 1_479, feesSince: 2_500, paidOrCreditedSince: 5_479, now: 101_000 });
    expect(ledgerParts(entries)).toEqual({ principal: 100_000, interest: 1_000, fees: 0 });
  });
});
