import { describe, expect, it } from 'vitest';
import { ZAccountLedger } from '../../domain/ledger/account-ledger-schema.js';
import { ledgerTermsOf } from '../../domain/ledger/account-ledger.js';
import { interestStop } from '../../domain/ledger/interest-stops.js';
import type { StateLedgerRuleTable } from '../../domain/ledger/state-ledger-rules.js';
import { applyOutcome } from '../../workflows/case/outcomes.js';
import { dayMs, LiveCase } from '../../workflows/case/state.js';
import { caseFixture } from '../../testing/case-fixtures.js';
import { consumerEarly, strategy } from '../support/strategies.js';

/**
 * Interest stops where a rule says it must (domain/ledger/interest-stops.ts): the federal rows
 * (bankruptcy, a dispute awaiting its answer) everywhere, a state's own row for its debtors; on
 * the case's ledger no interest is posted for the days a stop lasts, and it accrues again after.
 */

const start = Date.parse('2026-01-05T15:00:00Z');

describe('interest-stop rules', () => {
  const noFlags = { hold: null, flags: {}, state: 'IL' };
  it('stops for a dispute and for a bankruptcy everywhere, with the source; not for a hardship pause or a legal review', () => {
    expect(interestStop(noFlags)).toBeNull();
    expect(interestStop({ ...noFlags, hold: { kind: 'dispute', since: 5 } })).toEqual({ since: 5, why: expect.stringMatching(/^dispute \(15 U\.S\.C\. 1692g\(b\)/) });
    expect(interestStop({ ...noFlags, flags: { bankruptcy: { at: 7 } } })).toEqual({ since: 7, why: expect.stringMatching(/^bankruptcy \(11 U\.S\.C\. 362\(a\)/) });
    expect(interestStop({ ...noFlags, hold: { kind: 'hardship', since: 5 } })).toBeNull();
    expect(interestStop({ ...noFlags, hold: { kind: 'legal', since: 5 } })).toBeNull();
    expect(interestStop({ ...noFlags, flags: { deceased: { at: 5 } } })).toBeNull();
  });

  it("adds a state's row for its debtors only, and takes the stop that began first", () => {
    const rules: StateLedgerRuleTable = { ZZ: { source: 'Example Act §1', interestStops: ['hardship'] } };
    expect(interestStop({ hold: { kind: 'hardship', since: 5 }, flags: {}, state: 'zz' }, rules)).toEqual({ since: 5, why: 'hardship (ZZ: Example Act §1)' });
    expect(interestStop({ hold: { kind: 'hardship', since: 5 }, flags: {}, state: 'IL' }, rules)).toBeNull();
    expect(interestStop({ hold: { kind: 'hardship', since: 9 }, flags: { bankruptcy: { at: 3 } }, state: 'ZZ' }, rules)?.since).toBe(3);
  });
});

describe('on the case ledger', () => {
  function liveCase() {
    let now = start;
    const input = caseFixture(start, strategy(consumerEarly), { balance: 100_000 });
    const terms = ledgerTermsOf(ZAccountLedger.parse({ itemizationDate: '2025-12-31', itemization: { principal: 100_000 }, interest: { annualRateBps: 1800 } }), 'fees_interest_principal');
    const live = new LiveCase({ caseId: input.caseId, account: { ...input.account, ledger: terms }, strategy: input.strategy, startedAt: start, walksTimeline: true, ledgerEntries: true, now: () => now });
    return { live, later: (days: number) => (now += days * dayMs) };
  }
  const interestPosted = (live: LiveCase) => live.accountLedger!.entries.reduce((sum, entry) => sum + (entry.kind === 'interest' ? entry.amount : 0), 0);
  const act = { by: 'officer:ana', role: 'officer' as const };

  it('posts no interest while a dispute awaits its answer, and accrues again from the day it is answered', () => {
    const { live, later } = liveCase();
    later(10);
    applyOutcome(live, { ...act, outcome: { kind: 'dispute', reason: 'not mine' } });
    // The case's loop wakes after every change (case/run.ts) and follows the stop.
    live.accountLedger!.accrueAtMonthEnd();
    // 10 days: 100,000 × 0.18 × 10 / 365 = 493.15 → 493, posted when the stop began.
    expect(interestPosted(live)).toBe(493);
    later(30);
    expect(live.accountLedger!.accruedSincePosting()).toMatchObject({ days: 0, posted: 0 });
    expect(live.accountLedger!.nextAccrualAt()).toBeNull();
    applyOutcome(live, { by: 'manager:max', role: 'manager', outcome: { kind: 'dispute_resolution', upheld: false, note: 'verified' } });
    live.accountLedger!.accrueAtMonthEnd();
    later(20);
    live.receivePayment({ reference: 'PAY-1', amount: 1_000, currency: 'USD', receivedAt: new Date(start + 60 * dayMs).toISOString() });
    // 30 days in all (10 before, 20 after), the fraction carried across the stop: 1479.45 → 1479, not 60 days' 2958.
    expect(interestPosted(live)).toBe(1_479);
    expect(live.status().balanceParts).toEqual({ principal: 100_000, interest: 479, fees: 0 });
  });

  it('stops from the day a bankruptcy was filed, when the case learns of it later', () => {
    const { live, later } = liveCase();
    later(20);
    live.comply({ type: 'flag_set', flag: 'bankruptcy', at: start + 5 * dayMs, source: 'officer:ana' });
    live.receivePayment({ reference: 'PAY-2', amount: 1_000, currency: 'USD', receivedAt: new Date(start + 20 * dayMs).toISOString() });
    // 5 days: 246.57 → 246.
    expect(interestPosted(live)).toBe(246);
    expect(live.accountLedger!.entries.find((entry) => entry.kind === 'interest')).toMatchObject({ on: '2026-01-10', from: '2026-01-05' });
  });
});
