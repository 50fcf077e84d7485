import type { TNegotiationPolicy } from '../negotiation-defaults.js';
import type { ActorRole } from '../outcomes.js';
import type { LedgerEntry } from './ledger.js';

/**
 * Who may waive interest or fees, as settlement discounts are decided (domain/negotiation-policy.ts
 * `officerAuthority`): an officer alone up to the strategy's `maxWaiver` on a case, all waivers
 * counted together; above it a manager (or an admin) must waive it.
 */

/** Ids of waivers a person posted (not a creditor's correction), which count toward the authority. */
export const officerWaiverPrefix = 'waived-by-';

/** An officer's waiver authority when the strategy names none, minor units. */
export const defaultOfficerMaxWaiver = 5_000;

/** Why `role` may not waive `amount` on this ledger, or null. */
export function waiverRefusal({ amount, role, policy, entries }: { amount: number; role: ActorRole; policy: TNegotiationPolicy; entries: readonly LedgerEntry[] }): string | null {
  if (role === 'manager' || role === 'admin') return null;
  if (role !== 'officer') return `a ${role} key may not waive what a debtor owes`;
  const limit = policy.officerAuthority.maxWaiver ?? defaultOfficerMaxWaiver;
  const waived = entries.reduce((sum, entry) => sum + (entry.kind === 'waiver' && entry.id.startsWith(officerWaiverPrefix) ? entry.amount : 0), 0);
  if (waived + amount > limit) return `waivers on this case would total ${waived + amount}, above an officer's authority of ${limit}; a manager must waive it`;
  return null;
}
