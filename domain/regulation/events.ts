import type {
  CaseFacts,
  ComplianceFacts,
  ComplianceFlag,
  ContactAttempt,
  ContactChannel,
  ContactHistory,
  ContactMedium,
  ContactPlace,
  ContactPoint,
} from '../case-facts.js';
import { channelIds, channels } from '../channels/index.js';
import { optOutRequestedMedia } from './electronic-opt-out.js';

/** Media whose contact point is a telephone number (domain/channels/), and the telephone. */
const numberMedia: readonly ContactMedium[] = [...channelIds.filter((channel) => channels[channel].address === 'e164'), 'phone'];

/**
 * How what happens to a case changes its compliance facts: one pure reducer the workflow calls
 * from its signal handlers and after its sends, so the facts the rules read are kept in one way.
 * Each event says what it changed, in words, for the audit trail.
 */

export type ComplianceEvent =
  /** An email, SMS or letter went out; `validationNotice` when it carried the validation information. */
  | { type: 'message_sent'; channel: ContactChannel; at: number; validationNotice?: boolean }
  /** A call was placed, answered or not; `conversation` when the debtor was reached and the debt discussed. */
  | { type: 'call_attempted'; at: number; conversation: boolean }
  /** The validation information was sent outside the engine (e.g. by the creditor's print vendor). */
  | { type: 'validation_notice_sent'; at: number; source: string }
  /**
   * A validation notice came back undelivered (returned mail, a hard bounce): it was not provided,
   * so it starts no validation period; the next notice sent does. `sentAt` names the notice (the
   * current one when absent); a return of an older notice than the current one changes nothing.
   */
  | { type: 'validation_notice_returned'; at: number; source: string; sentAt?: number }
  | { type: 'dispute_received'; at: number; source: string }
  /** The debtor asked for the original creditor's name and address: within the period it stops collection as a dispute does (1692g(b)). */
  | { type: 'original_creditor_requested'; at: number; source: string }
  | { type: 'verification_sent'; at: number; source: string }
  | { type: 'opted_out'; channel: ContactChannel; at: number; source: string }
  | { type: 'opted_in'; channel: ContactChannel; at: number; source: string }
  /** SMS consent given or revoked for `number` (the SMS number on file when absent). */
  | { type: 'sms_consent'; granted: boolean; number?: string; at: number; source: string }
  | { type: 'flag_set'; flag: ComplianceFlag; at: number; source: string }
  | { type: 'flag_cleared'; flag: ComplianceFlag; at: number; source: string }
  /** "Don't call me", "not this email address" (12 CFR 1006.14(h)). */
  | { type: 'medium_refused'; medium: ContactMedium; address?: string; at: number; source: string }
  /** "Don't contact me at work" (12 CFR 1006.6(b)(1)(iii)). */
  | { type: 'place_refused'; place: ContactPlace; at: number; source: string }
  /** A new or corrected contact point. Consent is not carried to a new number (use `sms_consent`). */
  | { type: 'contact_changed'; channel: ContactMedium; address?: string; valid?: boolean; place?: ContactPlace; at: number; source: string }
  /** A debtor's reply, with the intent domain/replies.ts classified; words asking to stop are honoured too. */
  | { type: 'reply_received'; channel: ContactMedium; text: string; intent: string; at: number };

/**
 * Call outcomes (api/services/tasks.ts) in which the debtor was reached and the debt discussed: a
 * telephone conversation, after which no call for 7 days. The others are attempts only.
 */
export const conversationOutcomes: readonly string[] = ['right_party_contact', 'refused', 'promise', 'plan', 'settlement', 'dispute'];

/** The facts the reducer reads and writes: the contact points and the compliance facts. */
export type ContactFacts = Pick<CaseFacts, 'contacts'> & ComplianceFacts;

/** Attempts older than this are dropped: no cap looks further back (strategy caps are at most 31 days). */
export const attemptRetentionDays = 62;
const day = 86_400_000;

/** The compliance facts of `facts`, without the contacts, for a workflow state field. */
export function complianceOf(facts: ComplianceFacts): ComplianceFacts {
  const { timeZones, state, flags, refusedMedia, refusedPlaces, history } = facts;
  return {
    ...(timeZones ? { timeZones } : {}),
    ...(state ? { state } : {}),
    ...(flags ? { flags } : {}),
    ...(refusedMedia ? { refusedMedia } : {}),
    ...(refusedPlaces ? { refusedPlaces } : {}),
    ...(history ? { history } : {}),
  };
}

/**
 * The facts after `event`, and what changed in words (empty when nothing did, e.g. a repeated
 * STOP). `facts` is not modified.
 */
export function applyComplianceEvent<T extends ContactFacts>(facts: T, event: ComplianceEvent): { facts: T; changes: string[] } {
  const next: T = {
    ...facts,
    contacts: Object.fromEntries(Object.entries(facts.contacts).map(([medium, point]) => [medium, { ...point }])),
    history: { ...facts.history },
  };
  const history = next.history as ContactHistory;
  const changes: string[] = [];

  const attempt = (channel: ContactMedium, at: number): void => {
    const kept = (history.attempts ?? []).filter((each) => each.at > at - attemptRetentionDays * day);
    history.attempts = [...kept, { channel, at } satisfies ContactAttempt].sort((a, b) => a.at - b.at);
  };
  const communicated = (at: number): void => {
    if (history.firstCommunicationAt === null || history.firstCommunicationAt === undefined) history.firstCommunicationAt = at;
  };
  const noticeSent = (at: number, how: string): void => {
    if (history.validationNoticeSentAt !== null && history.validationNoticeSentAt !== undefined) return;
    history.validationNoticeSentAt = at;
    changes.push(`validation notice sent (${how})`);
  };
  const optOut = (channel: ContactChannel, at: number, source: string): void => {
    const point = next.contacts[channel];
    if (!point || point.optedOut) return;
    point.optedOut = true;
    point.optOut = { at, source };
    changes.push(`opted out of ${channel} (${source})`);
  };
  const refuseMedium = (medium: ContactMedium, address: string | undefined, at: number, source: string): void => {
    const refused = next.refusedMedia ?? [];
    if (refused.some((each) => each.medium === medium && (each.address === undefined || each.address === address))) return;
    next.refusedMedia = [...refused, { medium, ...(address !== undefined ? { address } : {}), at, source }];
    changes.push(`the debtor refused ${medium}${address !== undefined ? ` to ${address}` : ''} (${source})`);
  };
  const dispute = (at: number, source: string, about: 'debt' | 'original_creditor' = 'debt'): void => {
    if (history.dispute && history.dispute.verificationSentAt === null) return;
    history.dispute = { receivedAt: at, source, verificationSentAt: null, ...(about === 'original_creditor' ? { about } : {}) };
    changes.push(about === 'original_creditor' ? `original creditor requested (${source}); collection waits for the answer` : `dispute received (${source}); collection waits for verification`);
  };

  switch (event.type) {
    case 'message_sent':
      attempt(event.channel, event.at);
      communicated(event.at);
      if (event.validationNotice) noticeSent(event.at, event.channel);
      break;
    case 'call_attempted':
      attempt('phone', event.at);
      if (event.conversation) {
        history.lastConversationAt = Math.max(history.lastConversationAt ?? event.at, event.at);
        communicated(event.at);
        changes.push('telephone conversation: no call for 7 days');
      }
      break;
    case 'validation_notice_sent':
      communicated(event.at);
      noticeSent(event.at, event.source);
      break;
    case 'validation_notice_returned': {
      const current = history.validationNoticeSentAt;
      if (current === null || current === undefined || (event.sentAt !== undefined && event.sentAt !== current)) break;
      history.validationNoticeSentAt = null;
      changes.push(`validation notice returned undelivered (${event.source}); the validation period runs from a notice that is delivered`);
      break;
    }
    case 'dispute_received':
      dispute(event.at, event.source);
      break;
    case 'original_creditor_requested':
      dispute(event.at, event.source, 'original_creditor');
      break;
    case 'verification_sent':
      if (history.dispute && history.dispute.verificationSentAt === null) {
        history.dispute = { ...history.dispute, verificationSentAt: event.at };
        changes.push(`verification sent (${event.source}); collection may resume`);
      }
      break;
    case 'opted_out':
      optOut(event.channel, event.at, event.source);
      break;
    case 'opted_in': {
      const point = next.contacts[event.channel];
      if (point?.optedOut) {
        point.optedOut = false;
        point.optOut = null;
        changes.push(`opted back in to ${event.channel} (${event.source})`);
      }
      break;
    }
    case 'sms_consent': {
      const current = next.contacts.sms;
      const number = event.number ?? current?.address;
      if (!number) break;
      const record = { granted: event.granted, at: event.at, source: event.source, address: number };
      if (!current || current.address !== number) {
        // A number given with its consent becomes the SMS number; otherwise the record waits for it.
        if (!event.granted && current) break;
        next.contacts.sms = { address: number, valid: true, optedOut: current?.optedOut ?? false, consent: event.granted, consentRecord: record };
      } else {
        current.consent = event.granted;
        current.consentRecord = record;
      }
      changes.push(`SMS consent ${event.granted ? 'given' : 'revoked'} for ${number} (${event.source})`);
      break;
    }
    case 'flag_set':
      if (!next.flags?.[event.flag]) {
        next.flags = { ...next.flags, [event.flag]: { at: event.at, source: event.source } };
        changes.push(`${event.flag} recorded (${event.source})`);
      }
      break;
    case 'flag_cleared':
      if (next.flags?.[event.flag]) {
        const { [event.flag]: _cleared, ...rest } = next.flags;
        next.flags = rest;
        changes.push(`${event.flag} cleared (${event.source})`);
      }
      break;
    case 'medium_refused':
      refuseMedium(event.medium, event.address, event.at, event.source);
      break;
    case 'place_refused': {
      const refused = next.refusedPlaces ?? [];
      if (!refused.some((each) => each.place === event.place)) {
        next.refusedPlaces = [...refused, { place: event.place, at: event.at, source: event.source }];
        changes.push(`the debtor refused contact at ${event.place} (${event.source})`);
      }
      break;
    }
    case 'contact_changed': {
      const current = next.contacts[event.channel];
      if (!current && !event.address) break;
      const moved = event.address !== undefined && event.address !== current?.address;
      const point: ContactPoint = {
        address: event.address ?? current?.address ?? '',
        valid: event.valid ?? (moved ? true : (current?.valid ?? true)),
        optedOut: current?.optedOut ?? false,
        // Consent follows the number: a new number has none until it is given for it.
        consent: moved ? current?.consentRecord?.granted === true && current.consentRecord.address === event.address : (current?.consent ?? false),
        ...(current?.optOut ? { optOut: current.optOut } : {}),
        ...(current?.consentRecord ? { consentRecord: current.consentRecord } : {}),
        ...((event.place ?? current?.place) ? { place: event.place ?? current?.place } : {}),
      };
      next.contacts[event.channel] = point;
      changes.push(`${event.channel} contact ${moved ? 'changed' : 'updated'} (${event.source})`);
      break;
    }
    case 'reply_received': {
      const source = `${event.channel}_reply`;
      const media = new Set(optOutRequestedMedia(event.text, event.channel));
      if (event.intent === 'stop') media.add(event.channel);
      for (const medium of media) {
        if (medium === 'phone') refuseMedium('phone', undefined, event.at, source);
        else optOut(medium, event.at, source);
      }
      if (event.intent === 'start' && event.channel !== 'phone') {
        const point = next.contacts[event.channel];
        if (point?.optedOut) {
          point.optedOut = false;
          point.optOut = null;
          changes.push(`opted back in to ${event.channel} (${source})`);
        }
      }
      if (event.intent === 'dispute') dispute(event.at, source);
      if (event.intent === 'wrong_number' && numberMedia.includes(event.channel)) {
        // The number replied from (calls fall back to the SMS number), and any point sharing it.
        const number = (event.channel === 'phone' ? (next.contacts.phone ?? next.contacts.sms) : next.contacts[event.channel])?.address;
        for (const medium of numberMedia) {
          const point = next.contacts[medium];
          if (point?.valid && point.address === number) {
            point.valid = false;
            changes.push(`${medium} number marked invalid: wrong number (${source})`);
          }
        }
      }
      break;
    }
  }
  return { facts: next, changes };
}
