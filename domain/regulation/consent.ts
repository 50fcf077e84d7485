import type { CaseFacts } from '../case-facts.js';
import { channels, type ChannelSpec, type ContactChannel } from '../channels/index.js';
import { provenance } from './contact-point.js';

/**
 * Channels with a consent rule (SMS; see domain/channels/) need recorded consent for the number
 * they go to. Consent follows the number: a record made for another number is no consent for
 * this one, and a revocation ends it. `null` for channels without the rule.
 */
export function consentBar(facts: CaseFacts, channel: ContactChannel): string | null {
  const spec: ChannelSpec = channels[channel];
  if (!spec.consent) return null;
  const contact = facts.contacts[channel];
  if (!contact) return null; // a missing number is contact-point.ts's reason
  const label = spec.name;
  const record = contact.consentRecord;
  if (record && !record.granted) {
    return `${label} consent was revoked (${provenance(record)})`;
  }
  if (record && record.address !== contact.address) return `no recorded consent for ${label} to the current number`;
  if (!contact.consent) return `no recorded consent for ${label}`;
  return null;
}

/** SMS consent, as the rules above read it. */
export const smsConsentBar = (facts: CaseFacts): string | null => consentBar(facts, 'sms');
