import { formatPostalAddress, type TAccountEnrollment } from './account.js';
import type { ComplianceFacts, ContactChannel, ContactPoint } from './case-facts.js';
import { candidateTimeZones } from './regulation/zones.js';

/**
 * What a case starts with from the debtor as enrolled: its contact points and the compliance facts
 * the contact rules need. The preview builds its sample case with these; enrollment
 * (api/services/enrollment.ts) builds real cases the same way.
 */

/** One contact point per channel given. */
export function contactPointsOf(debtor: TAccountEnrollment['debtor']): Partial<Record<ContactChannel, ContactPoint>> {
  const contacts: Partial<Record<ContactChannel, ContactPoint>> = {};
  if (debtor.email) contacts.email = { address: debtor.email, valid: true, optedOut: false, consent: debtor.emailConsent ?? false };
  if (debtor.phone) contacts.sms = { address: debtor.phone, valid: true, optedOut: false, consent: debtor.smsConsent };
  if (debtor.whatsapp) contacts.whatsapp = { address: debtor.whatsapp, valid: true, optedOut: false, consent: debtor.whatsappOptIn ?? false };
  if (debtor.address) {
    contacts.letter = { address: formatPostalAddress(debtor.name, debtor.address), valid: true, optedOut: false, consent: false };
  }
  return contacts;
}

/** Every zone the debtor may be in (declared, phone area code, US address state): contact must suit all. */
export function complianceAtEnrollment(debtor: TAccountEnrollment['debtor']): ComplianceFacts {
  const state = debtor.address?.country === 'US' && debtor.address.region && /^[A-Z]{2}$/.test(debtor.address.region) ? debtor.address.region : undefined;
  return { timeZones: candidateTimeZones({ timeZone: debtor.timeZone, ...(debtor.phone ? { phone: debtor.phone } : {}), ...(state ? { state } : {}) }), ...(state ? { state } : {}) };
}
