import { DateTime } from 'luxon';
import type { CaseFacts, ContactPoint, Provenance } from '../case-facts.js';
import { channels } from '../channels/index.js';
import type { ContactRoute } from './actions.js';

/**
 * Whether the contact point a contact would use can be used: it exists, it is valid, the debtor
 * has not opted out of it, and has not refused that medium, that address or that place
 * (12 CFR 1006.14(h), 1006.6(b)(1)(iii), 1006.6(e)). Each stops its own channel and no other.
 * (Type-only imports from case-facts.ts, which builds `channelUnavailable` on this.)
 */

export type ContactMediumRoute = Exclude<ContactRoute, 'none'>;

/** `at` as a date and `source`, for reasons. */
export function provenance(record: Provenance): string {
  return `${record.source}, ${DateTime.fromMillis(record.at, { zone: 'utc' }).toISODate() ?? ''}`;
}

/** The number calls go to: the phone contact, else the SMS number (one number serves both). */
export function phoneContact(facts: Pick<CaseFacts, 'contacts'>): ContactPoint | undefined {
  return facts.contacts.phone ?? facts.contacts.sms;
}

const mediumName = (route: ContactMediumRoute): string => (route === 'phone' ? 'telephone calls' : channels[route].medium);

const missing = (route: ContactMediumRoute): string => (route === 'phone' ? 'no phone number on file' : channels[route].missing);

/** Why the contact point of `route` cannot be used, or `null`. */
export function contactPointBar(facts: CaseFacts, route: ContactMediumRoute): string | null {
  const contact = route === 'phone' ? phoneContact(facts) : facts.contacts[route];
  if (!contact) return missing(route);
  if (!contact.valid) return `the ${route} contact is marked invalid`;
  // Calls may use the SMS number: an SMS opt-out says nothing about calls.
  const ownPoint = route !== 'phone' || facts.contacts.phone !== undefined;
  if (ownPoint && contact.optedOut) {
    const how = contact.optOut ? ` (${provenance(contact.optOut)})` : '';
    return route === 'phone' ? `the debtor asked not to be called${how}` : `the debtor opted out of ${route}${how}`;
  }
  const refusedMedium = (facts.refusedMedia ?? []).find(
    (refusal) => refusal.medium === route && (refusal.address === undefined || refusal.address === contact.address),
  );
  if (refusedMedium) {
    const which = refusedMedium.address === undefined ? mediumName(route) : `${mediumName(route)} to ${refusedMedium.address}`;
    return `the debtor asked not to be contacted by ${which} (${provenance(refusedMedium)})`;
  }
  const refusedPlace = contact.place ? (facts.refusedPlaces ?? []).find((refusal) => refusal.place === contact.place) : undefined;
  if (refusedPlace) return `the debtor asked not to be contacted at ${refusedPlace.place} (${provenance(refusedPlace)})`;
  return null;
}
