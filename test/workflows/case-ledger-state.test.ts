import { describe, expect, it } from 'vitest';
import { ZAccountLedger } from '../../domain/ledger/account-ledger-schema.js';
import { ledgerTermsOf } from '../../domain/ledger/account-ledger.js';
import { ledgerBalance } from '../../domain/ledger/ledger.js';
import type { PaymentReceived } from '../../workflows/case-messages.js';
import { applyOutcome } from '../../workflows/case/outcomes.js';
import { dayMs, LiveCase } from '../../workflows/case/state.js';
import { caseFixture } from '../../testing/case-fixtures.js';
import { consumerEarly, strategy } from '../support/strategies.js';

/**
 * The case's account ledger without Temporal (patch `ledger-entries`): the balance is the
 * entries' sum; interest posts when something happens and at month ends, not daily; payments
 * follow the waterfall; a reversal unwinds exactly its payment; an adjustment is an entry with its
 * reason; a case without the patch keeps its one-number balance.
 */

const start = Date.parse('2026-01-05T15:00:00Z');

const settling = strategy({ ...consumerEarly, negotiation: { maxSettlementDiscountPercent: 30, officerAuthority: { maxSettlementDiscountPercent: 30 } } });

function liveCase({ ledger, ledgerEntries = true, balance = 100_000 }: { ledger?: Record<string, unknown>; ledgerEntries?: boolean; balance?: number } = {}) {
  let now = start;
  const input = caseFixture(start, settling, { balance });
  const account = ledger ? { ...input.account, ledger: ledgerTermsOf(ZAccountLedger.parse(ledger), 'fees_interest_principal') } : input.account;
  const live = new LiveCase({ caseId: input.caseId, account, strategy: input.strategy, startedAt: start, walksTimeline: true, ledgerEntries, now: () => now });
  return { live, later: (days: number) => (now += days * dayMs) };
}

const payment = (reference: string, amount: number): PaymentReceived => ({ reference, amount, currency: 'USD', receivedAt: '2026-01-06T10:00:00Z' });
/** 18% simple on principal, actual/365: 100,000 × 0.18 / 365 = 49.315… a day. */
const bearing = { itemizationDate: '2025-12-31', itemization: { principal: 100_000 }, interest: { annualRateBps: 1800 }, authorizedFees: ['late'] };

describe('case ledger', () => {
  it('opens with the balance as principal when the account has no ledger, and the status shows the parts', () => {
    const { live } = liveCase({ balance: 125_000 });
    expect(live.accountLedger?.entries).toEqual([{ id: 'itemization', kind: 'itemization', on: '2026-01-05', postedBy: 'enrollment', parts: { principal: 125_000, interest: 0, fees: 0 } }]);
    live.receivePayment(payment('PAY-1', 25_000));
    expect(live.status()).toMatchObject({ balance: 100_000, balanceParts: { principal: 100_000, interest: 0, fees: 0 } });
  });

  it('posts interest when a payment comes, pays interest before principal, and a reversal unwinds exactly that payment', () => {
    const { live, later } = liveCase({ ledger: bearing });
    later(60);
    // Seen but not posted until something happens.
    expect(live.accountLedger!.accruedSincePosting()).toMatchObject({ days: 60, posted: 2_958 });
    expect(live.accountLedger!.entries).toHaveLength(1);
    live.receivePayment(payment('PAY-1', 30_000));
    expect(live.accountLedger!.accruedSincePosting()).toMatchObject({ days: 0, posted: 0 });
    // 60 days: 100,000 × 180,000 × 60 / (1,000,000 × 365) = 2958.9 → 2958 posted, the fraction carried.
    const ledger = live.accountLedger!;
    expect(ledger.entries.map((entry) => entry.kind)).toEqual(['itemization', 'interest', 'payment']);
    expect(ledger.entries[1]).toMatchObject({ amount: 2_958, from: '2026-01-05', on: '2026-03-06' });
    expect(ledger.entries[2]).toMatchObject({ id: 'payment:PAY-1', applied: { fees: 0, interest: 2_958, principal: 27_042 } });
    expect(live.state.balance).toBe(72_958);
    later(10);
    live.reversePayment({ reference: 'PAY-1', reason: 'NSF' });
    // Ten more days on 72,958 principal (carrying the fraction): 72,958 × 0.18 × 10 / 365 + 0.9 = 360.6 → 360.
    expect(ledger.entries.slice(3).map((entry) => [entry.kind, entry.kind === 'interest' ? entry.amount : entry.kind === 'reversal' ? entry.of : null])).toEqual([
      ['interest', 360],
      ['reversal', 'payment:PAY-1'],
    ]);
    expect(ledger.parts()).toEqual({ principal: 100_000, interest: 2_958 + 360, fees: 0 });
    expect(live.state.balance).toBe(ledgerBalance(ledger.entries));
    expect(live.status().balanceParts).toEqual(ledger.parts());
    expect(ledger.itemization()).toEqual({ itemizationDate: '2025-12-31', onItemizationDate: 100_000, interestSince: 3_318, feesSince: 0, paidOrCreditedSince: 0, now: 103_318 });
  });

  it('posts a month of interest at each month end, not a day at a time', () => {
    const { live, later } = liveCase({ ledger: bearing });
    const ledger = live.accountLedger!;
    expect(ledger.nextAccrualAt()).toBe(Date.parse('2026-02-01T00:00:00Z'));
    later(10);
    ledger.accrueAtMonthEnd();
    expect(ledger.entries).toHaveLength(1);
    later(17); // 2026-02-01
    ledger.accrueAtMonthEnd();
    expect(ledger.entries.map((entry) => entry.kind)).toEqual(['itemization', 'interest']);
    expect(ledger.nextAccrualAt()).toBe(Date.parse('2026-03-01T00:00:00Z'));
    expect(live.state.balance).toBe(ledgerBalance(ledger.entries));
  });

  it('a returned part of a payment unwinds the payment and applies the part kept', () => {
    const { live } = liveCase();
    live.receivePayment(payment('PAY-1', 40_000));
    live.reversePayment({ reference: 'PAY-1', reason: 'partial chargeback', amount: 10_000 });
    expect(live.state.balance).toBe(70_000);
    expect(live.accountLedger!.entries.map((entry) => [entry.kind, entry.id])).toEqual([
      ['itemization', 'itemization'],
      ['payment', 'payment:PAY-1'],
      ['reversal', 'reversal-3'],
      ['payment', 'payment:PAY-1~kept'],
    ]);
  });

  it('a paid case reopened by a return owes what the payment paid, on the ledger', () => {
    const { live } = liveCase();
    live.receivePayment(payment('PAY-1', 100_000));
    expect(live.state).toMatchObject({ status: 'closed', closeReason: 'paid', balance: 0 });
    live.reversePayment({ reference: 'PAY-1', reason: 'NSF' });
    expect(live.state).toMatchObject({ status: 'open', balance: 100_000 });
    expect(live.status().balanceParts).toEqual({ principal: 100_000, interest: 0, fees: 0 });
  });

  it('a balance adjustment is an entry with its reason; below the principal it waives interest', () => {
    const { live, later } = liveCase({ ledger: bearing });
    later(31);
    live.adjustBalance({ balance: 90_000, reason: 'creditor credited a returned item', source: 'import' });
    const ledger = live.accountLedger!;
    expect(ledger.entries.at(-1)).toMatchObject({ kind: 'adjustment', reason: 'creditor credited a returned item', postedBy: 'import' });
    expect(live.state.balance).toBe(90_000);
    live.adjustBalance({ balance: 0, reason: 'recalled', source: 'creditor' });
    expect(ledger.parts()).toEqual({ principal: 0, interest: 0, fees: 0 });
    expect(ledger.entries.slice(-2).map((entry) => entry.kind)).toEqual(['adjustment', 'waiver']);
    expect(live.state).toMatchObject({ status: 'closed', balance: 0 });
  });

  it('a settlement forgives the rest as a credit, and a returned settlement payment undoes both', () => {
    const { live } = liveCase();
    applyOutcome(live, { outcome: { kind: 'settlement', amount: 70_000, installments: 1, frequency: 'monthly', firstDueDate: '2026-01-20' }, by: 'manager:test', role: 'manager' });
    live.receivePayment(payment('PAY-1', 70_000));
    expect(live.state).toMatchObject({ status: 'closed', closeReason: 'settled', balance: 0, waived: 30_000 });
    expect(live.accountLedger!.entries.at(-1)).toMatchObject({ kind: 'credit', amount: 30_000 });
    live.reversePayment({ reference: 'PAY-1', reason: 'NSF' });
    expect(live.state).toMatchObject({ status: 'open', balance: 100_000 });
  });

  it('a case without the patch keeps its one-number balance', () => {
    const { live } = liveCase({ ledgerEntries: false });
    live.receivePayment(payment('PAY-1', 25_000));
    expect(live.accountLedger).toBeNull();
    expect(live.state.accountLedger).toBeUndefined();
    expect(live.status()).toMatchObject({ balance: 75_000, balanceParts: { principal: 75_000, interest: 0, fees: 0 } });
  });
});
