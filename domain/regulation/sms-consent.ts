import type { CaseFacts } from '../case-facts.js';
import { provenance } from './contact-point.js';

/**
 * SMS needs recorded consent for the number it goes to. Consent follows the number: a record
 * made for another number is no consent for this one, and a revocation ends it.
 */
export function smsConsentBar(facts: CaseFacts): string | null {
  const contact = facts.contacts.sms;
  if (!contact) return null; // a missing number is contact-point.ts's reason
  const record = contact.consentRecord;
  if (record && !record.granted) {
    return `SMS consent was revoked (${provenance(record)})`;
  }
  if (record && record.address !== contact.address) return 'no recorded consent for SMS to the current number';
  if (!contact.consent) return 'no recorded consent for SMS';
  return null;
}
