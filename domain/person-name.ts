/**
 * A debtor's name as a reader who may not see personal data gets it (auditors): the initials,
 * "Grace Hopper" → "G. H.". Enough to tell two debtors of a case file apart, and to match a
 * record an auditor already holds, while the name itself — personal data, and the key to
 * finding the person elsewhere — stays out of the answer.
 */
export function nameInitials(name: string): string {
  const initials = name
    .split(/[\s,.-]+/u)
    .map((word) => [...word][0])
    .filter((letter): letter is string => letter !== undefined && /\p{L}/u.test(letter))
    .map((letter) => `${letter.toLocaleUpperCase('en')}.`);
  return initials.length > 0 ? initials.join(' ') : '***';
}
