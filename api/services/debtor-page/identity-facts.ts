import { createHmac, timingSafeEqual } from 'node:crypto';
import { normalizedName } from '../debtor-matches.js';

/**
 * What the debtor's page checks a person's answers against, kept with privacy: the postal code,
 * date of birth and the account number's last four digits are stored only as keyed HMACs (the
 * key derives from LINK_SECRET, so a copy of the database alone cannot test guesses), never in
 * clear and never in logs or the audit trail. Uses node:crypto, so never import it from workflows.
 */

export const IdentityFact = { postalCode: 'postal_code', birthDate: 'birth_date', last4: 'last4' } as const;
export type IdentityFact = (typeof IdentityFact)[keyof typeof IdentityFact];

/** US ZIP+4 and spaced codes compare by their meaningful part: `60601-1234` is `60601`, `sw1a 1aa` is `SW1A1AA`. */
export function normalizePostalCode(value: string): string {
  const compact = value.trim().toUpperCase().replace(/[\s-]/g, '');
  return /^\d{9}$/.test(compact) ? compact.slice(0, 5) : compact;
}

/** `YYYY-MM-DD`, or null when the answer is not a date (an answer that cannot match). */
export function normalizeBirthDate(value: string): string | null {
  const match = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(value.trim());
  if (!match) return null;
  const [, year, month, day] = match;
  return `${year}-${month!.padStart(2, '0')}-${day!.padStart(2, '0')}`;
}

const normalizers: Record<IdentityFact, (value: string) => string | null> = {
  postal_code: (value) => normalizePostalCode(value) || null,
  birth_date: normalizeBirthDate,
  last4: (value) => (/^\d{4}$/.test(value.trim()) ? value.trim() : null),
};

/** The key of the identity hashes, derived from the link secret for this one use. */
export function identityKey(linkSecret: string): string {
  return createHmac('sha256', linkSecret).update('debtor-identity-v1').digest('hex');
}

/** The stored form of a fact, or null when the value is not one. */
export function identityHash(key: string, fact: IdentityFact, value: string): string | null {
  const normalized = normalizers[fact](value);
  return normalized === null ? null : createHmac('sha256', key).update(`${fact}:${normalized}`).digest('hex');
}

/** Whether an answer matches the stored hash (constant time); false when nothing is stored. */
export function identityMatches(key: string, fact: IdentityFact, answer: string, stored: string | null | undefined): boolean {
  if (!stored) return false;
  const given = identityHash(key, fact, answer);
  if (!given || given.length !== stored.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(stored));
}

/** The person's last name as compared: the last word of the name, with case, accents and spacing aside. */
export function lastNameOf(name: string): string {
  const words = normalizedName(name).split(' ').filter(Boolean);
  return words[words.length - 1] ?? '';
}

/** Whether `answer` is the person's last name (a compound last name may be given whole: "Ruiz Diaz"). */
export function lastNameMatches(name: string, answer: string): boolean {
  const given = normalizedName(answer);
  if (!given) return false;
  const full = normalizedName(name);
  return given === lastNameOf(name) || (full.endsWith(` ${given}`) && given.includes(' '));
}

/** The hashes enrollment stores for a debtor and an account. */
export function identityHashesOf(
  key: string,
  facts: { postalCode?: string | undefined; birthDate?: string | undefined; accountLast4?: string | undefined },
): { postalCodeHash: string | null; birthDateHash: string | null; last4Hash: string | null } {
  const hash = (fact: IdentityFact, value: string | undefined) => (value === undefined ? null : identityHash(key, fact, value));
  return {
    postalCodeHash: hash(IdentityFact.postalCode, facts.postalCode),
    birthDateHash: hash(IdentityFact.birthDate, facts.birthDate),
    last4Hash: hash(IdentityFact.last4, facts.accountLast4),
  };
}
