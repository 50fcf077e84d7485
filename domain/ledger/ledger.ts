import { allocate, type Waterfall } from './allocation.js';
import { addComponents, noComponents, total, type Component, type Components } from './components.js';

/**
 * An account's ledger: append-only entries in integer minor units, each with its date, what or who
 * posted it and why. The parts of the balance (and so the balance) are the fold of the entries;
 * nothing else holds a balance. Pure: the case workflow, the API and the notice read the same fold.
 */

interface Posted {
  /** Unique within the account's ledger; a payment's id is what its reversal names. */
  id: string;
  /** Calendar date the entry takes effect, `YYYY-MM-DD`. */
  on: string;
  /** Who or what posted it: `case`, `import`, an officer's key id, `processor:stripe`. */
  postedBy: string;
  reason?: string;
}

export type LedgerEntry = Posted &
  (
    | { kind: 'itemization'; parts: Components }
    | { kind: 'interest'; amount: number; from: string }
    | { kind: 'fee'; amount: number; feeType: string }
    | { kind: 'payment'; amount: number; applied: Components; unapplied: number }
    | { kind: 'credit'; amount: number; applied: Components; unapplied: number }
    | { kind: 'waiver'; part: Exclude<Component, 'principal'>; amount: number }
    | { kind: 'reversal'; of: string }
    | { kind: 'adjustment'; amount: number }
  );
export type LedgerEntryKind = LedgerEntry['kind'];

/** Why an entry cannot be posted, naming its field. */
export interface LedgerProblem {
  field: string;
  reason: string;
}

/** The parts of the balance after every entry. */
export function ledgerParts(entries: readonly LedgerEntry[]): Components {
  return entries.reduce((parts, entry) => addComponents(parts, effect(entry, entries)), noComponents);
}

/** The balance: the ledger's sum. */
export function ledgerBalance(entries: readonly LedgerEntry[]): number {
  return total(ledgerParts(entries));
}

/** What one entry does to the parts. A reversal gives back exactly what its payment took. */
export function effect(entry: LedgerEntry, entries: readonly LedgerEntry[]): Components {
  switch (entry.kind) {
    case 'itemization':
      return entry.parts;
    case 'interest':
      return { ...noComponents, interest: entry.amount };
    case 'fee':
      return { ...noComponents, fees: entry.amount };
    case 'payment':
    case 'credit':
      return addComponents(noComponents, entry.applied, -1);
    case 'waiver':
      return { ...noComponents, [entry.part]: -entry.amount };
    case 'reversal': {
      const reversed = entries.find((candidate) => candidate.id === entry.of);
      return reversed?.kind === 'payment' || reversed?.kind === 'credit' ? reversed.applied : noComponents;
    }
    case 'adjustment':
      return { ...noComponents, principal: entry.amount };
  }
}

/** A payment (or a credit) as it is posted: split over what is owed now, in the portfolio's order. */
export function paymentEntry(
  entries: readonly LedgerEntry[],
  payment: Posted & { kind: 'payment' | 'credit'; amount: number },
  waterfall: Waterfall,
): LedgerEntry {
  const { applied, unapplied } = allocate(payment.amount, ledgerParts(entries), waterfall);
  return { ...payment, applied, unapplied };
}

/**
 * Why `entry` may not follow `entries`, or nothing: amounts are positive integers (an adjustment
 * may be negative, never below zero principal), a waiver takes no more than its part holds, a
 * reversal names a payment or credit of this ledger that is not reversed yet, ids are unique.
 */
export function checkEntry(entries: readonly LedgerEntry[], entry: LedgerEntry): LedgerProblem[] {
  const problems: LedgerProblem[] = [];
  if (entries.some((existing) => existing.id === entry.id)) problems.push({ field: 'id', reason: `entry ${entry.id} is already on the ledger` });
  if (entries.length > 0 && entry.kind === 'itemization') problems.push({ field: 'kind', reason: 'the itemization opens the ledger; it cannot follow other entries' });
  const parts = ledgerParts(entries);
  switch (entry.kind) {
    case 'itemization':
      for (const [part, amount] of Object.entries(entry.parts)) if (!Number.isSafeInteger(amount) || amount < 0) problems.push({ field: `parts.${part}`, reason: 'must be a whole number of minor units, 0 or more' });
      break;
    case 'adjustment':
      if (!Number.isSafeInteger(entry.amount) || entry.amount === 0) problems.push({ field: 'amount', reason: 'must be a whole number of minor units other than 0' });
      else if (parts.principal + entry.amount < 0) problems.push({ field: 'amount', reason: `would take the principal below zero (it is ${parts.principal})` });
      break;
    case 'reversal': {
      const reversed = entries.find((candidate) => candidate.id === entry.of);
      if (reversed?.kind !== 'payment' && reversed?.kind !== 'credit') problems.push({ field: 'of', reason: `no payment or credit ${entry.of} on this ledger` });
      else if (entries.some((candidate) => candidate.kind === 'reversal' && candidate.of === entry.of)) problems.push({ field: 'of', reason: `${entry.of} is already reversed` });
      break;
    }
    default:
      if (!Number.isSafeInteger(entry.amount) || entry.amount <= 0) problems.push({ field: 'amount', reason: 'must be a whole number of minor units above 0' });
      else if (entry.kind === 'waiver' && entry.amount > parts[entry.part]) problems.push({ field: 'amount', reason: `the ${entry.part} owed is ${parts[entry.part]}; a waiver cannot take more` });
  }
  return problems;
}

/**
 * Regulation F's itemization (12 CFR 1006.34(c)(2)(vi)–(viii)): the amount on the itemization
 * date, the interest and fees charged since, what was paid or credited since (reversals and
 * increases net it), and the amount now, which always equals the first three taken together.
 */
export interface Itemization {
  itemizationDate: string;
  onItemizationDate: number;
  interestSince: number;
  feesSince: number;
  paidOrCreditedSince: number;
  now: number;
}

export function itemize(entries: readonly LedgerEntry[]): Itemization {
  const opening = entries.find((entry) => entry.kind === 'itemization');
  const since = entries.filter((entry) => entry !== opening);
  let interestSince = 0;
  let feesSince = 0;
  for (const entry of since) {
    if (entry.kind === 'interest') interestSince += entry.amount;
    if (entry.kind === 'fee') feesSince += entry.amount;
  }
  const onItemizationDate = opening ? total(opening.parts) : 0;
  const now = ledgerBalance(entries);
  return { itemizationDate: opening?.on ?? '', onItemizationDate, interestSince, feesSince, paidOrCreditedSince: onItemizationDate + interestSince + feesSince - now, now };
}
