/**
 * The fees an account may carry. A collector may collect a fee only when the agreement that
 * created the debt authorizes it and the law permits it (15 U.S.C. 1692f(1)): the account lists the
 * types its agreement authorizes (domain/ledger/account-ledger.ts), the state rules list the types
 * a state forbids (domain/ledger/state-ledger-rules.ts).
 */
export const FeeType = {
  /** A payment made after its due date under the original agreement. */
  late: 'late',
  /** A payment the bank returned (NSF, chargeback). */
  returned_payment: 'returned_payment',
  /** The creditor's cost of collecting, where the agreement passes it on. */
  collection: 'collection',
  /** Paying by a particular method (card, phone). */
  convenience: 'convenience',
} as const;
export type FeeType = (typeof FeeType)[keyof typeof FeeType];
export const feeTypes = Object.values(FeeType) as [FeeType, ...FeeType[]];
