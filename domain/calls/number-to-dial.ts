/**
 * Which of a person's numbers a call uses (click-to-call and the dialer's campaign alike). A
 * number we trust comes first: one the debtor or creditor gave us, or a skip-traced one an
 * officer confirmed or a send proved; a phone line before the mobile (SMS) number. A number a
 * skip trace found and nobody has confirmed is dialed only when no trusted one is left (the
 * known number was marked wrong), so an unconfirmed lead never replaces the debtor's own line.
 */

export interface DialableContact {
  channel: string;
  value: string;
  source: string;
  verifiedAt: Date | null;
}

const rank = (contact: DialableContact): number => (contact.source === 'skip_trace' && contact.verifiedAt === null ? 2 : 0) + (contact.channel === 'phone' ? 0 : 1);

/** The number to dial among valid phone and SMS contacts (in the order they were added), or null. */
export function numberToDial(contacts: readonly DialableContact[]): string | null {
  let best: DialableContact | null = null;
  for (const contact of contacts) if (best === null || rank(contact) < rank(best)) best = contact;
  return best?.value ?? null;
}
