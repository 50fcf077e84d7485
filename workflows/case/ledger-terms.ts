import { waterfalls } from '../../domain/ledger/allocation.js';
import type { LedgerTermsChanged } from '../case-messages.js';
import type { LiveCase } from './state.js';

/**
 * The portfolio changed its waterfall or stopped interest (the `ledgerTermsChanged` signal): the
 * case's ledger follows from now on. Payments already posted keep the split they had; interest
 * accrued until today is posted before it stops. Interest turned on again cannot come back: the
 * case never had the rate (enrollment leaves it out under a portfolio without interest).
 * The terms live in the case's input, so a continue-as-new carries them.
 */
export function changeLedgerTerms(live: LiveCase, change: LedgerTermsChanged): void {
  const ledger = live.accountLedger;
  const terms = live.account.ledger;
  if (!ledger || !terms || live.state.status === 'closed') return;
  const changed: string[] = [];
  if (change.waterfall !== terms.waterfall && change.waterfall in waterfalls) {
    terms.waterfall = change.waterfall;
    changed.push(`payments now pay ${waterfalls[change.waterfall].join(', then ')}`);
  }
  if (!change.accruesInterest && terms.interest) {
    ledger.accrueInterest();
    delete terms.interest;
    changed.push('interest no longer accrues');
  }
  if (changed.length > 0) live.record('balance_adjusted', `the portfolio's terms changed (${change.by}): ${changed.join('; ')}`, { data: { balanceBefore: live.state.balance, balanceAfter: live.state.balance, source: change.by, reason: changed.join('; ') } });
}
