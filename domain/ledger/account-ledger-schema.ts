import { z } from 'zod';
import { feeTypes } from './fees.js';
import { dayCounts, interestBases } from './interest.js';

/**
 * What an account's ledger starts from, as enrollment takes it (`ledger` of domain/account.ts):
 * the itemization date and the parts of the debt then, the contractual interest terms and the fee
 * types the agreement authorizes. The schema checks shapes only; what the law and the account's
 * own numbers allow (a rate above the state's cap, a fee the state forbids, a negative part, parts
 * that do not add up to the balance) is `accountLedgerProblems` (account-ledger.ts), answered 422 with the field.
 * Apart from that module, so that the case workflow's bundle (which uses the terms) stays without zod.
 */

const ZMinorUnits = z.number().int('must be a whole number of minor units (cents)');

export const ZAccountLedger = z
  .object({
    /** Regulation F's itemization date (12 CFR 1006.34(b)(3)): the last statement, charge-off, last payment, transaction or judgment date. */
    itemizationDate: z.iso.date('must be a date YYYY-MM-DD'),
    /** What the debt was made of on the itemization date, minor units; they add up to the account's `balance`. */
    itemization: z
      .object({ principal: ZMinorUnits, interest: ZMinorUnits.default(0), fees: ZMinorUnits.default(0) })
      .strict(),
    /** Contractual interest: simple, accrued daily from enrollment. Absent: the account bears no interest. */
    interest: z
      .object({
        /** Annual rate in basis points (18% is 1800). */
        annualRateBps: z.number().int('must be a whole number of basis points'),
        dayCount: z.enum(Object.keys(dayCounts) as [keyof typeof dayCounts, ...(keyof typeof dayCounts)[]]).default('actual/365'),
        /** `principal`: interest on the principal only; `balance`: on the whole balance. */
        base: z.enum(interestBases).default('principal'),
      })
      .strict()
      .optional(),
    /** Fee types the agreement authorizes; a fee of another type is refused. */
    authorizedFees: z.array(z.enum(feeTypes)).max(feeTypes.length).default([]),
  })
  .strict();
export type TAccountLedger = z.infer<typeof ZAccountLedger>;
