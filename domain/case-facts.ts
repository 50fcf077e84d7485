/**
 * What a case knows about reaching its debtor: one contact point per channel with its standing.
 * Kept in the workflow's state and read by the contact rules.
 */

export type ContactChannel = 'email' | 'sms' | 'letter';

export interface ContactPoint {
  /** Email address, E.164 number, or one-line postal address. */
  address: string;
  /** False once a provider said it cannot be delivered to (bounce, invalid number). */
  valid: boolean;
  /** True once the debtor opted out of this channel (SMS STOP, unsubscribe). */
  optedOut: boolean;
  /** Recorded consent; SMS needs it, the other channels do not ask. */
  consent: boolean;
}

export interface CaseFacts {
  /** Minor units. */
  balance: number;
  /** IANA zone of the debtor, for contact windows. */
  timeZone: string;
  contacts: Partial<Record<ContactChannel, ContactPoint>>;
}

/** Why a channel cannot be used now, or `null` when it can. */
export function channelUnavailable(facts: CaseFacts, channel: ContactChannel): string | null {
  const contact = facts.contacts[channel];
  if (!contact) return `no ${channel === 'letter' ? 'postal address' : channel === 'sms' ? 'mobile number' : 'email address'} on file`;
  if (!contact.valid) return `the ${channel} contact is marked invalid`;
  if (contact.optedOut) return `the debtor opted out of ${channel}`;
  if (channel === 'sms' && !contact.consent) return 'no recorded consent for SMS';
  return null;
}
