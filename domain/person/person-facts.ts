import type { PersonChange, PersonFacts } from '../../workflows/person-messages.js';
import type { CaseFacts, ComplianceFlag } from '../case-facts.js';
import { applyComplianceEvent, type ComplianceEvent, type ContactFacts } from '../regulation/events.js';

/**
 * What the person told us, kept once for all their debts: one pure reducer the person workflow
 * calls for every `personChange`, and the merge that gives a case the person's facts. Per-debt
 * facts (messages sent, calls, the validation notice, a dispute and its verification,
 * time-barred) stay with the case.
 */

/** The flags that belong to the person; time-barred belongs to the debt. */
export const personFlags = ['ceaseCommunication', 'attorneyRepresented', 'bankruptcy', 'deceased'] as const satisfies readonly ComplianceFlag[];
type PersonFlag = (typeof personFlags)[number];

const isPersonFlag = (flag: ComplianceFlag): flag is PersonFlag => (personFlags as readonly string[]).includes(flag);

/**
 * True when `event` changes what the person told us (opt-outs, consents, refusals, contact
 * points, person flags, a reply's effects); false for the per-debt events: a message sent, a call,
 * a validation notice, a dispute, a verification, time-barred.
 */
export function isPersonLevelEvent(event: ComplianceEvent): boolean {
  switch (event.type) {
    case 'opted_out':
    case 'opted_in':
    case 'sms_consent':
    case 'medium_refused':
    case 'place_refused':
    case 'contact_changed':
    case 'reply_received':
      return true;
    case 'flag_set':
    case 'flag_cleared':
      return isPersonFlag(event.flag);
    default:
      return false;
  }
}

/** The person's facts in the shape the compliance reducer reads. */
function asContactFacts(facts: PersonFacts): ContactFacts {
  const { contacts, flags, refusedMedia, refusedPlaces } = facts;
  return { contacts, ...(flags ? { flags } : {}), ...(refusedMedia ? { refusedMedia } : {}), ...(refusedPlaces ? { refusedPlaces } : {}) };
}

/** The person-level parts of the reducer's result, over the person's other facts. */
function personPart(facts: PersonFacts, next: ContactFacts): PersonFacts {
  const flags = Object.fromEntries(Object.entries(next.flags ?? {}).filter(([flag]) => isPersonFlag(flag as ComplianceFlag)));
  const { flags: _before, refusedMedia: _media, refusedPlaces: _places, ...rest } = facts;
  return {
    ...rest,
    contacts: next.contacts,
    ...(Object.keys(flags).length > 0 ? { flags } : {}),
    ...(next.refusedMedia ? { refusedMedia: next.refusedMedia } : {}),
    ...(next.refusedPlaces ? { refusedPlaces: next.refusedPlaces } : {}),
  };
}

/** Only the person-level effect of an event: a reply's dispute belongs to the debt it was about. */
function personEffect(event: ComplianceEvent): ComplianceEvent {
  return event.type === 'reply_received' && event.intent === 'dispute' ? { ...event, intent: 'other' } : event;
}

/**
 * The person's facts after `change`, and what changed in words (empty when nothing did: a
 * repeated STOP, a per-debt event). `facts` is not modified.
 */
export function applyPersonChange(facts: PersonFacts, change: PersonChange): { facts: PersonFacts; changes: string[] } {
  switch (change.kind) {
    case 'compliance': {
      if (!isPersonLevelEvent(change.event)) return { facts, changes: [] };
      const result = applyComplianceEvent(asContactFacts(facts), personEffect(change.event));
      return result.changes.length === 0 ? { facts, changes: [] } : { facts: personPart(facts, result.facts), changes: result.changes };
    }
    case 'designations': {
      if (JSON.stringify(facts.inconvenientTimes ?? []) === JSON.stringify(change.inconvenientTimes)) return { facts, changes: [] };
      const { inconvenientTimes: _before, ...rest } = facts;
      const next = change.inconvenientTimes.length > 0 ? { ...rest, inconvenientTimes: change.inconvenientTimes } : rest;
      const said = change.inconvenientTimes.map((time) => `${time.from}–${time.to}${time.days ? ` (days ${time.days.join(',')})` : ''}`);
      return { facts: next, changes: [`inconvenient times ${said.length > 0 ? `set to ${said.join(', ')}` : 'cleared'} (${change.source})`] };
    }
    case 'call_consent': {
      if (change.granted) {
        if (facts.callConsent?.at === change.at) return { facts, changes: [] };
        return { facts: { ...facts, callConsent: { at: change.at, source: change.source } }, changes: [`consent to be called given (${change.source})`] };
      }
      if (!facts.callConsent) return { facts, changes: [] };
      return { facts: { ...facts, callConsent: null }, changes: [`consent to be called withdrawn (${change.source})`] };
    }
    case 'preferences': {
      const next: PersonFacts = { ...facts };
      const changes: string[] = [];
      if (change.language !== undefined && change.language !== facts.language) {
        next.language = change.language;
        changes.push(`language set to ${change.language} (${change.source})`);
      }
      if (change.preferredChannel !== undefined && change.preferredChannel !== (facts.preferredChannel ?? null)) {
        if (change.preferredChannel === null) delete next.preferredChannel;
        else next.preferredChannel = change.preferredChannel;
        changes.push(`preferred channel ${change.preferredChannel ?? 'cleared'} (${change.source})`);
      }
      return changes.length === 0 ? { facts, changes } : { facts: next, changes };
    }
    case 'refusal_withdrawn': {
      // Only what was withdrawn goes: a medium with an address frees that address alone.
      const places = (facts.refusedPlaces ?? []).filter((each) => !change.places.includes(each.place));
      const media = (facts.refusedMedia ?? []).filter((each) => !change.media.some((gone) => gone.medium === each.medium && gone.address === each.address));
      const withdrawn = [...(facts.refusedPlaces ?? []).filter((each) => !places.includes(each)).map((each) => each.place), ...(facts.refusedMedia ?? []).filter((each) => !media.includes(each)).map((each) => (each.address ? `${each.medium} to ${each.address}` : each.medium))];
      if (withdrawn.length === 0) return { facts, changes: [] };
      const { refusedPlaces: _places, refusedMedia: _media, ...rest } = facts;
      return {
        facts: { ...rest, ...(places.length > 0 ? { refusedPlaces: places } : {}), ...(media.length > 0 ? { refusedMedia: media } : {}) },
        changes: [`refusal withdrawn: ${withdrawn.join(', ')} (${change.source})`],
      };
    }
    case 'contacts': {
      if (JSON.stringify(facts.contacts) === JSON.stringify(change.contacts)) return { facts, changes: [] };
      return { facts: { ...facts, contacts: change.contacts }, changes: [`contact points updated (${change.source})`] };
    }
  }
}

/**
 * The case's facts with the person's: contacts, person flags (the debt's time-barred stays),
 * refusals, designations, call consent and, when the person knows them, zones and state replace
 * the case's own. Per-debt facts (balance, history) are the case's.
 */
export function withPersonFacts(caseFacts: CaseFacts, person: PersonFacts): CaseFacts {
  const timeBarred = caseFacts.flags?.timeBarred;
  const flags = { ...person.flags, ...(timeBarred ? { timeBarred } : {}) };
  const {
    flags: _flags,
    refusedMedia: _media,
    refusedPlaces: _places,
    inconvenientTimes: _times,
    callConsent: _consent,
    ...rest
  } = caseFacts;
  return {
    ...rest,
    contacts: person.contacts,
    ...(person.timeZones ? { timeZones: person.timeZones } : {}),
    ...(person.state ? { state: person.state } : {}),
    ...(Object.keys(flags).length > 0 ? { flags } : {}),
    ...(person.refusedMedia ? { refusedMedia: person.refusedMedia } : {}),
    ...(person.refusedPlaces ? { refusedPlaces: person.refusedPlaces } : {}),
    ...(person.inconvenientTimes ? { inconvenientTimes: person.inconvenientTimes } : {}),
    ...(person.callConsent ? { callConsent: person.callConsent } : {}),
  };
}
