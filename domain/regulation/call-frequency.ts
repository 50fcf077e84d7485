import { DateTime } from 'luxon';
import type { ContactAttempt, ContactMedium } from '../case-facts.js';
import type { Hold, RuleOutcome } from './outcome.js';
import { channels } from '../channels/index.js';

/**
 * Call frequency (12 CFR 1006.14(b)(2)): no more than seven calls within seven consecutive days
 * about a debt, and no call within the seven days after a telephone conversation about it (the
 * day of the conversation is the first of the seven). The same counting serves any cap a
 * strategy or a state sets per channel.
 *
 * Scopes: the federal cap and the week after a conversation count per debt (debts the rule
 * treats as one share a debt group); a state cap that speaks of "the debtor" and a strategy's cap
 * count every contact with the person, whatever the debt. Calls placed count whether or not they
 * connected. Calls made within seven days after the person's prior consent, given directly
 * (12 CFR 1006.14(b)(3)(i)), count neither toward the federal cap nor are held by a conversation.
 *
 * Days are calendar days in the debtor's local time, in every zone the debtor may be in: a
 * contact is held while any of them would see the cap exceeded.
 */

export interface FrequencyCap {
  /** Channels whose attempts count together (Massachusetts counts calls and texts as one). */
  media: readonly ContactMedium[];
  /** Attempts allowed within `days` consecutive days; 0 means never. */
  max: number;
  days: number;
  /** Where the cap comes from, for the reason a person reads. */
  source: string;
  /** `debt`: only contacts about the same debt (group) count; `person`: every contact with the person. */
  scope: CapScope;
  /** Calls made with the person's recent prior consent neither count nor are held (12 CFR 1006.14(b)(3)(i)). */
  consentExempt?: boolean;
}

export type CapScope = 'debt' | 'person';

/**
 * A contact with the person on any of their debts, as a person's ledger records it (the shape of
 * `PersonContact` in workflows/person-messages.ts, which satisfies it).
 */
export interface CountedContact {
  debtGroup: string;
  medium: ContactMedium;
  /** Epoch ms. */
  at: number;
  /** A telephone conversation about the debt took place on this call. */
  conversation?: boolean;
  /** The call was made within seven days after the person's prior consent: not counted toward the federal cap. */
  consented?: boolean;
}

/** Days after the person's prior consent in which calls are not counted (12 CFR 1006.14(b)(3)(i)). */
export const callConsentDays = 7;

/** True when a call at `t` falls within the seven days after the person's prior consent to be called. */
export function withinCallConsent(t: number, callConsent: { at: number } | null | undefined): boolean {
  return !!callConsent && t >= callConsent.at && t < callConsent.at + callConsentDays * day;
}

const day = 86_400_000;

/** 12 CFR 1006.14(b)(2)(i). */
export const federalCallCap: FrequencyCap = { media: ['phone'], max: 7, days: 7, source: '12 CFR 1006.14(b)(2)(i)', scope: 'debt', consentExempt: true };

/** 12 CFR 1006.14(b)(2)(ii): the conversation day and the six days after it. */
export const conversationQuietDays = 7;

/** A contact of `medium`, singular and plural: "text", "texts". */
export function nouns(medium: ContactMedium): readonly [string, string] {
  return medium === 'phone' ? ['call', 'calls'] : channels[medium].nouns;
}

/** The media of a cap in words, for `count` contacts: "calls", "calls and texts". */
export function describeMedia(media: readonly ContactMedium[], count: number): string {
  return media.map((medium) => nouns(medium)[count === 1 ? 0 : 1]).join(' and ');
}

/** The local dates (yyyy-MM-dd, descending) of the attempts a cap counts. */
function localDates(attempts: readonly ContactAttempt[], media: readonly ContactMedium[], zone: string): string[] {
  return attempts
    .filter((attempt) => media.includes(attempt.channel))
    .map((attempt) => DateTime.fromMillis(attempt.at, { zone }).toISODate() ?? '')
    .sort()
    .reverse();
}

/**
 * Holds a new attempt at `t` when `cap.max` attempts already fall within the `cap.days` local
 * days ending on `t`'s date, until the first day whose window holds fewer.
 */
export function frequencyCapHold({
  t,
  zones,
  attempts,
  cap,
}: {
  t: number;
  zones: readonly string[];
  attempts: readonly ContactAttempt[];
  cap: FrequencyCap;
}): RuleOutcome | null {
  if (cap.max <= 0) return { kind: 'bar', why: `no ${describeMedia(cap.media, 2)} are allowed (${cap.source})` };
  // Only attempts near the window can fall in it (a local date is within a day of UTC's).
  const near = attempts.filter((attempt) => attempt.at > t - (cap.days + 2) * day && attempt.at < t + 2 * day);
  if (near.length < cap.max) return null;
  let latest: Hold | null = null;
  for (const zone of zones) {
    const today = DateTime.fromMillis(t, { zone }).startOf('day');
    const from = today.minus({ days: cap.days - 1 }).toISODate() ?? '';
    const to = today.toISODate() ?? '';
    const inWindow = localDates(near, cap.media, zone).filter((date) => date >= from && date <= to);
    if (inWindow.length < cap.max) continue;
    // Once the day of the max-th latest attempt leaves the window, at most max - 1 remain in it.
    const oldestThatMustLeave = inWindow[cap.max - 1] ?? to;
    const reopens = DateTime.fromISO(oldestThatMustLeave, { zone }).plus({ days: cap.days }).startOf('day');
    if (latest && reopens.toMillis() <= latest.until) continue;
    latest = {
      kind: 'hold',
      until: reopens.toMillis(),
      why:
        `${inWindow.length} ${describeMedia(cap.media, inWindow.length)} in the ${cap.days} days ${from}–${to}` +
        `${zones.length > 1 ? ` (${zone})` : ''} reach the limit of ${cap.max} (${cap.source})`,
      zone,
      cause: { rule: 'cap', cap, count: inWindow.length, from, to, zone },
    };
  }
  return latest;
}

/** Holds a call on the day of a telephone conversation and the six days after it, in every zone. */
export function conversationHold({
  t,
  zones,
  lastConversationAt,
}: {
  t: number;
  zones: readonly string[];
  lastConversationAt: number | null | undefined;
}): RuleOutcome | null {
  if (lastConversationAt === null || lastConversationAt === undefined) return null;
  let latest: Hold | null = null;
  for (const zone of zones) {
    const conversationDay = DateTime.fromMillis(lastConversationAt, { zone }).startOf('day');
    const reopens = conversationDay.plus({ days: conversationQuietDays }).startOf('day');
    if (t >= reopens.toMillis()) continue;
    if (latest && reopens.toMillis() <= latest.until) continue;
    latest = {
      kind: 'hold',
      until: reopens.toMillis(),
      why:
        `a telephone conversation on ${conversationDay.toISODate() ?? ''}${zones.length > 1 ? ` (${zone})` : ''} ` +
        `allows no call for ${conversationQuietDays} days (12 CFR 1006.14(b)(2)(ii))`,
      zone,
      cause: { rule: 'conversation', at: lastConversationAt },
    };
  }
  return latest;
}
