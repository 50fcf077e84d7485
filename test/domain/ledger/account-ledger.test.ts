import { describe, expect, it } from 'vitest';
import { ZAccountEnrollment } from '../../../domain/account.js';
import { ZAccountLedger } from '../../../domain/ledger/account-ledger-schema.js';
import { accountLedgerProblems, feeRefusal, ledgerTermsOf, openingEntry } from '../../../domain/ledger/account-ledger.js';

/** Enrollment's ledger: what the schema takes, and what the agreement and the state rules refuse, each naming its field. */

const ledger = (extra: Record<string, unknown> = {}) => ZAccountLedger.parse({ itemizationDate: '2026-10-31', itemization: { principal: 100_000, interest: 4_000, fees: 1_000 }, ...extra });
const problems = (input: ReturnType<typeof ledger>, state: string | undefined = 'IL', balance = 105_000) => accountLedgerProblems({ ledger: input, balance, state, today: '2026-12-05' });

describe('account ledger at enrollment', () => {
  it('is optional on the enrollment shape and fills its defaults', () => {
    const base = { externalId: 'A-1', currency: 'USD', balance: 105_000, debtor: { name: 'Ana Ruiz', timeZone: 'America/Chicago' } };
    expect(ZAccountEnrollment.parse(base).ledger).toBeUndefined();
    const parsed = ZAccountEnrollment.parse({ ...base, ledger: { itemizationDate: '2026-10-31', itemization: { principal: 105_000 }, interest: { annualRateBps: 1800 } } });
    expect(parsed.ledger).toEqual({ itemizationDate: '2026-10-31', itemization: { principal: 105_000, interest: 0, fees: 0 }, interest: { annualRateBps: 1800, dayCount: 'actual/365', base: 'principal' }, authorizedFees: [] });
    expect(ZAccountEnrollment.safeParse({ ...base, ledger: { itemizationDate: '2026-10-31', itemization: { principal: 1.5 } } }).success).toBe(false);
  });

  it('accepts parts that add up to the balance under the state cap', () => {
    expect(problems(ledger({ interest: { annualRateBps: 1600 }, authorizedFees: ['late', 'collection'] }), 'NY')).toEqual([]);
  });

  it('refuses a rate above the state cap, naming the source', () => {
    expect(problems(ledger({ interest: { annualRateBps: 1601 } }), 'NY')).toEqual([
      { path: 'ledger.interest.annualRateBps', message: expect.stringMatching(/1601 basis points is above NY's cap of 1600 \(New York General Obligations Law 5-501/) },
    ]);
    // No row for the state: the agreement's rate stands.
    expect(problems(ledger({ interest: { annualRateBps: 3600 } }), 'IL')).toEqual([]);
  });

  it('refuses a fee the state does not allow and a negative part or rate', () => {
    expect(problems(ledger({ authorizedFees: ['late', 'collection'] }), 'CA')).toEqual([{ path: 'ledger.authorizedFees.1', message: expect.stringMatching(/CA does not allow a collection fee/) }]);
    const negative = ledger({ itemization: { principal: 106_000, interest: -1_000 }, interest: { annualRateBps: -5 } });
    expect(problems(negative).map((problem) => problem.path)).toEqual(['ledger.itemization.interest', 'ledger.interest.annualRateBps']);
  });

  it('refuses parts that do not add up to the balance, and an itemization date after today', () => {
    expect(problems(ledger({ itemizationDate: '2026-12-06' }), 'IL', 105_001)).toEqual([
      { path: 'ledger.itemization', message: expect.stringMatching(/add up to 105000, the balance is 105001/) },
      { path: 'ledger.itemizationDate', message: expect.stringMatching(/after today/) },
    ]);
  });

  it('a fee is refused unless the agreement authorizes it and the state allows it', () => {
    const terms = ledgerTermsOf(ledger({ authorizedFees: ['late', 'convenience'] }), 'fees_interest_principal');
    expect(feeRefusal({ feeType: 'late', terms, state: 'MA' })).toBeNull();
    expect(feeRefusal({ feeType: 'returned_payment', terms, state: 'IL' })).toMatch(/agreement does not authorize a returned payment fee/);
    expect(feeRefusal({ feeType: 'convenience', terms, state: 'MA' })).toMatch(/MA does not allow a convenience fee \(Massachusetts/);
    expect(feeRefusal({ feeType: 'late', terms: undefined, state: 'IL' })).toMatch(/does not authorize/);
  });

  it('opens with the itemization, or the balance all principal when the account has no ledger', () => {
    const terms = ledgerTermsOf(ledger({ interest: { annualRateBps: 1800 } }), 'fees_interest_principal');
    expect(terms.interest).toEqual({ annualRatePpm: 180_000, dayCount: 'actual/365', base: 'principal' });
    expect(openingEntry({ terms, balance: 105_000, startedOn: '2026-12-05' })).toMatchObject({ kind: 'itemization', on: '2026-10-31', parts: { principal: 100_000, interest: 4_000, fees: 1_000 } });
    expect(openingEntry({ terms: undefined, balance: 125_000, startedOn: '2026-12-05' })).toMatchObject({ kind: 'itemization', on: '2026-12-05', parts: { principal: 125_000, interest: 0, fees: 0 } });
  });
});
