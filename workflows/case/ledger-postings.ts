import { ApplicationFailure } from '@temporalio/workflow';
import { feeRefusal } from '../../domain/ledger/account-ledger.js';
import { checkEntry } from '../../domain/ledger/ledger.js';
import { officerWaiverPrefix, waiverRefusal } from '../../domain/ledger/waivers.js';
import type { LedgerPostingRequest } from '../case-messages.js';
import type { LiveCase } from './state.js';

/**
 * An officer's fee or waiver on the case's account ledger (the `postLedgerEntry` update): the
 * validator refuses, with a reason a person can read, a case without a ledger or closed, a fee the
 * agreement does not authorize or the state forbids, a waiver of more than is owed or above the
 * person's authority; the handler posts it with its reason and who posted it.
 */

/** Throws `LedgerEntryRefused` with the reason, or returns. */
export function validateLedgerPosting(live: LiveCase, request: LedgerPostingRequest): void {
  const refuse = (reason: string, field = 'amount') => {
    throw ApplicationFailure.create({ type: 'LedgerEntryRefused', message: reason, details: [{ field }], nonRetryable: true });
  };
  const ledger = live.accountLedger;
  if (!ledger) refuse('this case keeps a one-number balance (it started before the account ledger): no fee or waiver can be posted', 'kind');
  if (live.state.status === 'closed') refuse('the case is closed', 'kind');
  if (!Number.isSafeInteger(request.amount) || request.amount <= 0) refuse('must be a whole number of minor units above 0');
  if (request.kind === 'fee') {
    const refusal = feeRefusal({ feeType: request.feeType, terms: live.account.ledger, state: live.state.compliance?.state });
    if (refusal) refuse(refusal, 'feeType');
    return;
  }
  const entries = ledger!.entries;
  const problem = checkEntry(entries, { id: 'check', kind: 'waiver', part: request.part, amount: request.amount, on: '', postedBy: request.by })[0];
  if (problem) refuse(problem.reason, problem.field);
  const authority = waiverRefusal({ amount: request.amount, role: request.role, policy: live.policy, entries });
  if (authority) refuse(authority, 'amount');
}

/** Posts the validated fee or waiver. */
export function applyLedgerPosting(live: LiveCase, request: LedgerPostingRequest): void {
  const ledger = live.accountLedger;
  if (!ledger) return;
  const id = request.kind === 'fee' ? `fee-${ledger.entries.length + 1}` : `${officerWaiverPrefix}${ledger.entries.length + 1}`;
  const before = live.state.balance;
  const after = ledger.postByPerson(request.kind === 'fee' ? { kind: 'fee', feeType: request.feeType } : { kind: 'waiver', part: request.part }, request.amount, request.by, request.reason, id);
  const what = request.kind === 'fee' ? `${request.feeType.replace('_', ' ')} fee of ${request.amount} added` : `${request.amount} of ${request.part} waived`;
  live.record('balance_adjusted', `${what} by ${request.by}: ${request.reason}`, { data: { balanceBefore: before, balanceAfter: after, source: request.by, reason: request.reason } });
}
