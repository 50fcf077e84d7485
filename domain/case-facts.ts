import type { ContactChannel } from './channels/index.js';
import { consentBar } from './regulation/consent.js';
import { contactPointBar } from './regulation/contact-point.js';

/**
 * What a case knows about reaching its debtor: one contact point per channel with its standing,
 * and the compliance facts the contact rules (domain/regulation/) read. Plain serialisable data
 * (numbers are epoch milliseconds): it lives in the workflow's state and travels through
 * continue-as-new.
 */

/** The message channels are listed once, in domain/channels/. */
export type { ContactChannel } from './channels/index.js';

/** Every way the engine reaches a debtor: the message channels and the telephone. */
export type ContactMedium = ContactChannel | 'phone';

/** Where a contact point reaches the debtor, for "do not contact me at work" (12 CFR 1006.6(b)(1)(iii)). */
export type ContactPlace = 'home' | 'work' | 'mobile' | 'other';

/** Who said so and when: every consent, opt-out, refusal and flag keeps its source. */
export interface Provenance {
  /** Epoch ms. */
  at: number;
  /** Where it came from, e.g. `enrollment`, `sms_reply`, `email_unsubscribe`, `call_outcome`, `officer:ana`. */
  source: string;
}

export interface ContactPoint {
  /** Email address, E.164 number, or one-line postal address. */
  address: string;
  /** False once a provider said it cannot be delivered to (bounce, invalid number). */
  valid: boolean;
  /** True once the debtor opted out of this channel (SMS STOP, unsubscribe). */
  optedOut: boolean;
  /** Recorded consent (opt-in); channels with a consent rule (SMS) need it, the others do not ask. */
  consent: boolean;
  /** Where it reaches the debtor; unknown when absent. */
  place?: ContactPlace;
  /** How and when the opt-out was made, when `optedOut`. */
  optOut?: Provenance | null;
  /**
   * The latest consent decision (channels with a consent rule) with the number it was given for:
   * consent follows the number, so a changed number has none until it is given again.
   */
  consentRecord?: (Provenance & { granted: boolean; address: string }) | null;
}

/** Standing facts that stop some contacts outright (see domain/regulation/communication-bars.ts). */
export const ComplianceFlag = {
  /** Written request to cease communication (15 U.S.C. 1692c(c), 12 CFR 1006.6(c)). */
  ceaseCommunication: 'ceaseCommunication',
  /** The debtor is represented by an attorney about this debt (12 CFR 1006.6(b)(2)). */
  attorneyRepresented: 'attorneyRepresented',
  /** Bankruptcy filed: the automatic stay stops all collection. */
  bankruptcy: 'bankruptcy',
  deceased: 'deceased',
  /** The statute of limitations has run: no suit, no threat of suit (12 CFR 1006.26(b)). */
  timeBarred: 'timeBarred',
} as const;
export type ComplianceFlag = (typeof ComplianceFlag)[keyof typeof ComplianceFlag];

/** A medium the debtor asked us not to use (12 CFR 1006.14(h)); with `address`, only that address. */
export interface RefusedMedium extends Provenance {
  medium: ContactMedium;
  address?: string;
}

export interface RefusedPlace extends Provenance {
  place: ContactPlace;
}

/**
 * A time the person said is inconvenient (12 CFR 1006.6(b)(1)(i): a time "known to be
 * inconvenient"), e.g. "not before 10:00" is `{ from: '00:00', to: '10:00' }`. Local times of the
 * person's zones, `from` inclusive and `to` exclusive; `days` are ISO weekdays (1 Monday ... 7
 * Sunday), every day when absent; `media` limits it (e.g. calls only), every timed medium when absent.
 */
export interface DesignatedTime extends Provenance {
  from: string;
  to: string;
  days?: number[];
  media?: ContactMedium[];
}

/** One contact the engine made: a message sent or a telephone call placed (answered or not). */
export interface ContactAttempt {
  channel: ContactMedium;
  /** Epoch ms. */
  at: number;
}

export interface DisputeRecord {
  receivedAt: number;
  source: string;
  /** When verification was sent; collection resumes from then. */
  verificationSentAt: number | null;
  /** What the debtor asked: to dispute the debt (when absent) or the original creditor's name and address (12 CFR 1006.38(c)). */
  about?: 'debt' | 'original_creditor';
}

/** What the frequency and validation rules need from the case's past. */
export interface ContactHistory {
  /** Recent attempts, oldest first (kept for the longest cap window, see regulation/events.ts). */
  attempts?: ContactAttempt[];
  /** Last telephone conversation with the debtor about this debt (12 CFR 1006.14(b)(2)(ii)). */
  lastConversationAt?: number | null;
  /** The initial communication about this debt. */
  firstCommunicationAt?: number | null;
  /** When the validation information (12 CFR 1006.34) was sent. */
  validationNoticeSentAt?: number | null;
  /** The latest dispute, if any. */
  dispute?: DisputeRecord | null;
}

/** The compliance part of the facts, all optional so older states and callers keep working. */
export interface ComplianceFacts {
  /**
   * Every zone the debtor may be in (declared zone, phone area code, address state; see
   * regulation/zones.ts). Contact must be convenient in all of them. `timeZone` is always one.
   */
  timeZones?: string[];
  /** US state or territory code of the debtor (address), for state overrides. */
  state?: string;
  flags?: Partial<Record<ComplianceFlag, Provenance>>;
  refusedMedia?: RefusedMedium[];
  refusedPlaces?: RefusedPlace[];
  /** Times the person designated as inconvenient; they hold timed contact on every debt of the person. */
  inconvenientTimes?: DesignatedTime[];
  /**
   * The person's prior consent, given directly, to be called (12 CFR 1006.14(b)(3)(i)): calls
   * within seven days after it count neither toward the call cap nor against a conversation.
   */
  callConsent?: Provenance | null;
  history?: ContactHistory;
}

export interface CaseFacts extends ComplianceFacts {
  /** Minor units. */
  balance: number;
  /** IANA zone of the debtor, for contact windows. */
  timeZone: string;
  /** `phone` is the number for calls; without it, calls use the SMS number. */
  contacts: Partial<Record<ContactMedium, ContactPoint>>;
}

/**
 * Why a channel cannot be used now, or `null` when it can: no contact point, invalid, opted out,
 * the medium, address or place refused, or no consent for the number where the channel asks for
 * it (domain/channels/). Only the channel's
 * own standing: case-wide bars (cease, bankruptcy...) are in regulation/communication-bars.ts.
 */
export function channelUnavailable(facts: CaseFacts, channel: ContactChannel): string | null {
  return contactPointBar(facts, channel) ?? consentBar(facts, channel);
}

export { phoneContact } from './regulation/contact-point.js';

/** The candidate zones the rules must all satisfy: the declared zone plus any others known. */
export function candidateZones(facts: Pick<CaseFacts, 'timeZone' | 'timeZones'>): string[] {
  return [...new Set([facts.timeZone, ...(facts.timeZones ?? [])])];
}
