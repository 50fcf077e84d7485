import type { TAccountLedger } from './account-ledger-schema.js';
import { type Waterfall } from './allocation.js';
import { components, total, type Components } from './components.js';
import type { FeeType } from './fees.js';
import type { InterestTerms } from './interest.js';
import type { LedgerEntry } from './ledger.js';
import { stateLedgerRule, type StateLedgerRuleTable } from './state-ledger-rules.js';

/** The ledger's terms as the case carries them in its input (workflows/case-messages.ts `CaseAccount.ledger`). */
export interface LedgerTerms {
  itemizationDate: string;
  itemization: Components;
  interest?: InterestTerms;
  authorizedFees: FeeType[];
  waterfall: Waterfall;
}

/** The order payments pay the parts when the portfolio chooses none: fees, then interest, then principal. */
export const defaultWaterfall: Waterfall = 'fees_interest_principal';

export interface LedgerFieldProblem {
  /** Relative to the account (`ledger.interest.annualRateBps`). */
  path: string;
  message: string;
}

/**
 * Why an account's ledger cannot be opened, naming each field: negative parts, parts that do not
 * add up to the balance, an itemization date after enrollment, a negative rate or one above the
 * debtor's state cap, a fee type the state forbids.
 *
 * @param state the debtor's US state (domain/account.ts `usStateOf`), for the state's rules
 * @param today enrollment's date, `YYYY-MM-DD`
 */
export function accountLedgerProblems({
  ledger,
  balance,
  state,
  today,
  rules,
}: {
  ledger: TAccountLedger;
  balance: number;
  state: string | undefined;
  today: string;
  rules?: StateLedgerRuleTable;
}): LedgerFieldProblem[] {
  const problems: LedgerFieldProblem[] = [];
  for (const part of components) {
    if (ledger.itemization[part] < 0) problems.push({ path: `ledger.itemization.${part}`, message: 'must be 0 or more minor units; a credit is not a negative part' });
  }
  const sum = total(ledger.itemization);
  if (problems.length === 0 && sum !== balance) {
    problems.push({ path: 'ledger.itemization', message: `the parts add up to ${sum}, the balance is ${balance}: the balance is the ledger's sum` });
  }
  if (ledger.itemizationDate > today) problems.push({ path: 'ledger.itemizationDate', message: `must not be after today (${today})` });
  const rule = stateLedgerRule(state, rules);
  const rate = ledger.interest?.annualRateBps;
  if (rate !== undefined && rate < 0) problems.push({ path: 'ledger.interest.annualRateBps', message: 'must be 0 or more basis points' });
  else if (rate !== undefined && rule?.maxAnnualRatePpm !== undefined && rate * 100 > rule.maxAnnualRatePpm) {
    problems.push({ path: 'ledger.interest.annualRateBps', message: `${rate} basis points is above ${state}'s cap of ${rule.maxAnnualRatePpm / 100} (${rule.source})` });
  }
  ledger.authorizedFees.forEach((fee, index) => {
    if (rule?.forbiddenFees?.includes(fee)) problems.push({ path: `ledger.authorizedFees.${index}`, message: `${state} does not allow a ${fee.replace('_', ' ')} fee (${rule.source})` });
  });
  return problems;
}

/** Why a fee of `feeType` may not be added to this account, or null: the agreement must authorize it and the state allow it. */
export function feeRefusal({ feeType, terms, state, rules }: { feeType: FeeType; terms: LedgerTerms | undefined; state: string | undefined; rules?: StateLedgerRuleTable }): string | null {
  if (!terms?.authorizedFees.includes(feeType)) return `the agreement does not authorize a ${feeType.replace('_', ' ')} fee on this account`;
  const rule = stateLedgerRule(state, rules);
  if (rule?.forbiddenFees?.includes(feeType)) return `${state} does not allow a ${feeType.replace('_', ' ')} fee (${rule.source})`;
  return null;
}

/** The terms the case carries, from enrollment's ledger. */
export function ledgerTermsOf(ledger: TAccountLedger, waterfall: Waterfall): LedgerTerms {
  const { interest } = ledger;
  return {
    itemizationDate: ledger.itemizationDate,
    itemization: { ...ledger.itemization },
    ...(interest && interest.annualRateBps > 0 ? { interest: { annualRatePpm: interest.annualRateBps * 100, dayCount: interest.dayCount, base: interest.base } } : {}),
    authorizedFees: [...ledger.authorizedFees],
    waterfall,
  };
}

/**
 * The entry a case's ledger opens with: the itemization of the terms, or (an account enrolled
 * without a ledger) its balance, all principal, dated the case's start — the numbers as before.
 */
export function openingEntry({ terms, balance, startedOn }: { terms: LedgerTerms | undefined; balance: number; startedOn: string }): LedgerEntry {
  return {
    id: 'itemization',
    kind: 'itemization',
    on: terms?.itemizationDate ?? startedOn,
    postedBy: 'enrollment',
    parts: terms ? { ...terms.itemization } : { principal: balance, interest: 0, fees: 0 },
  };
}
