import type { CaseLedgerView } from '../case-messages.js';
import type { LiveCase } from './state.js';

/** The `ledger` query's answer: the entries as posted (interest through the last posting), their parts and itemization. */
export function caseLedgerView(live: LiveCase): CaseLedgerView | null {
  const ledger = live.accountLedger;
  if (!ledger) return null;
  return {
    currency: live.account.currency,
    balance: ledger.balance(),
    parts: ledger.parts(),
    itemization: ledger.itemization(),
    entries: [...ledger.entries],
    terms: ledger.terms ?? null,
    accruedNotPosted: ledger.accruedSincePosting().posted,
    interestStopped: live.state.accountLedger?.accrual.stopped ?? null,
  };
}
