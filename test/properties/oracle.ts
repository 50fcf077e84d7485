import { DateTime } from 'luxon';
import type { DesignatedTime } from '../../domain/case-facts.js';

/**
 * The contact rules restated plainly, for the property tests: what a permitted contact must never
 * break. Written from the rule texts (docs/contact-times.md), not from domain/regulation/, so a
 * mistake in the rules is not repeated here. Not a test file.
 */

export type Medium = 'phone' | 'sms' | 'email';
export const media: readonly Medium[] = ['phone', 'sms', 'email'];
export const weekdayNames = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

const dayMs = 86_400_000;

export interface Window {
  start: string;
  end: string;
}
export interface Cap {
  max: number;
  days: number;
}
export interface TestPolicy {
  allowedHours?: Window;
  noContactDays?: string[];
  frequencyCaps?: Partial<Record<Medium, Cap>>;
}

/** The state table the tests hand the rules, and what the oracle knows of it. */
export interface StateRule {
  window?: Window;
  noContactDays?: string[];
  caps: { media: Medium[]; max: number; days: number; perDebt: boolean }[];
}
export const stateRules: Record<string, StateRule> = {
  MA: { caps: [{ media: ['phone', 'sms'], max: 2, days: 7, perDebt: false }] },
  ZZ: { window: { start: '09:00', end: '20:00' }, noContactDays: ['sat'], caps: [{ media: ['phone', 'sms'], max: 3, days: 7, perDebt: false }] },
  YY: { caps: [{ media: ['email'], max: 1, days: 2, perDebt: true }] },
};

/** One contact made, as the oracle remembers it. */
export interface MadeContact {
  caseIndex: number;
  group: string;
  medium: Medium;
  at: number;
  /** Made within seven days after the person's consent to be called: outside the federal cap. */
  exempt: boolean;
  conversation: boolean;
}

/** What the person told us, as the oracle keeps it from the changes the test makes. */
export interface PersonModel {
  zones: string[];
  state: string | undefined;
  hasPhone: boolean;
  emailAtWork: boolean;
  /** When the person opted out of the channel (the first time, while it lasts), or null. */
  optedOut: Record<'sms' | 'email', number | null>;
  /** When the person refused the medium, or null. */
  refused: Record<Medium, number | null>;
  /** When the person refused the email address (while the medium itself was not refused), or null. */
  emailAddressRefused: number | null;
  /** Messages the person started, and those answered once after an opt-out or refusal. */
  inbound: Answering[];
  answered: Set<string>;
  workRefused: boolean;
  flags: Set<string>;
  designations: DesignatedTime[];
  consentAt: number | null;
  disputed: boolean[];
  contacts: MadeContact[];
}

const minutes = (clock: string): number => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));

/** Milliseconds since local midnight as the clock reads. */
function clockMs(local: DateTime): number {
  return ((local.hour * 60 + local.minute) * 60 + local.second) * 1000 + local.millisecond;
}

export function callConsented(model: PersonModel, t: number): boolean {
  return model.consentAt !== null && t >= model.consentAt && t < model.consentAt + 7 * dayMs;
}

function localDate(t: number, zone: string): string {
  return DateTime.fromMillis(t, { zone }).toISODate() ?? '';
}

/** How many of `times` fall on the `days` local dates ending with `t`'s, in `zone`. */
function inLastDays(times: readonly number[], t: number, zone: string, days: number): number {
  const last = DateTime.fromMillis(t, { zone }).startOf('day');
  const first = last.minus({ days: days - 1 }).toISODate() ?? '';
  const to = last.toISODate() ?? '';
  return times.filter((time) => {
    const date = localDate(time, zone);
    return date >= first && date <= to;
  }).length;
}

/** Inside a designation: from inclusive, to exclusive, through midnight when to < from, 24 h when equal; days are the start days. */
function insideDesignation(designation: DesignatedTime, local: DateTime): boolean {
  const from = minutes(designation.from) * 60_000;
  const to = minutes(designation.to) * 60_000;
  const now = clockMs(local);
  const startsOn = (weekday: number) => !designation.days || designation.days.includes(weekday);
  const yesterday = local.weekday === 1 ? 7 : local.weekday - 1;
  if (from < to) return startsOn(local.weekday) && now >= from && now < to;
  if (startsOn(local.weekday) && now >= from) return true;
  return from !== to && startsOn(yesterday) && now < to;
}

/** A message the person started, which an answer replies to. */
export interface Answering {
  messageId: string;
  medium: Medium;
  at: number;
}

/** The opt-out and refusals of `medium`, with when they were made. */
function mediumBars(model: PersonModel, medium: Medium): { why: string; at: number }[] {
  const bars: { why: string; at: number | null }[] = [
    { why: `${medium} refused`, at: model.refused[medium] },
    { why: `opted out of ${medium}`, at: medium === 'phone' ? null : model.optedOut[medium] },
    { why: 'email address refused', at: medium === 'email' ? model.emailAddressRefused : null },
  ];
  return bars.flatMap((bar) => (bar.at === null ? [] : [{ why: bar.why, at: bar.at }]));
}

/**
 * 12 CFR 1006.14(h)(2)(ii): a message the person started in a medium they had opted out of or
 * refused may be answered once in it. True when answering `message` sets such a bar aside.
 */
export function answerLifts(model: PersonModel, medium: Medium, message: Answering | undefined): boolean {
  return !!message && message.medium === medium && mediumBars(model, medium).some((bar) => bar.at < message.at);
}

/**
 * Every rule a collection contact by `medium` about case `caseIndex` at `t` would break, in words;
 * empty when it breaks none. `prior` contacts are those made before it.
 */
export function violations({
  model,
  caseIndex,
  group,
  medium,
  t,
  policy,
  answering,
}: {
  model: PersonModel;
  caseIndex: number;
  group: string;
  medium: Medium;
  t: number;
  policy: TestPolicy;
  /** For an answer: the message it answers. */
  answering?: Answering;
}): string[] {
  const broken: string[] = [];
  // Bars: the person's flags, the debt's dispute, the medium's opt-out, refusals and places.
  for (const flag of ['bankruptcy', 'deceased', 'attorneyRepresented', 'ceaseCommunication']) if (model.flags.has(flag)) broken.push(`flag ${flag}`);
  if (model.disputed[caseIndex]) broken.push('the debt is disputed and not verified');
  // An answer sets aside the medium's bars made before the message it answers, once per message.
  const answers = answering && answering.medium === medium ? answering : undefined;
  for (const bar of mediumBars(model, medium)) if (!answers || bar.at >= answers.at) broken.push(bar.why);
  if (answers && answerLifts(model, medium, answers) && model.answered.has(answers.messageId)) broken.push(`message ${answers.messageId} answered twice`);
  if (medium === 'email' && model.emailAtWork && model.workRefused) broken.push('contact at work refused');

  // Hours: 08:00–21:00 (both edges convenient) narrowed by strategy and state, and no-contact days, in every zone.
  const state = model.state ? stateRules[model.state] : undefined;
  const windows = [{ start: '08:00', end: '21:00' }, ...(policy.allowedHours ? [policy.allowedHours] : []), ...(state?.window ? [state.window] : [])];
  const start = Math.max(...windows.map((window) => minutes(window.start))) * 60_000;
  const end = Math.min(...windows.map((window) => minutes(window.end))) * 60_000;
  const offDays = [...(policy.noContactDays ?? []), ...(state?.noContactDays ?? [])];
  for (const zone of model.zones) {
    const local = DateTime.fromMillis(t, { zone });
    const clock = clockMs(local);
    if (clock < start || clock > end) broken.push(`${local.toFormat('HH:mm:ss.SSS')} in ${zone} is outside the hours`);
    if (offDays.includes(weekdayNames[local.weekday - 1] ?? '')) broken.push(`${local.toISODate() ?? ''} is a no-contact day in ${zone}`);
    for (const designation of model.designations) {
      if (designation.media && !designation.media.includes(medium)) continue;
      if (insideDesignation(designation, local)) broken.push(`${local.toFormat('HH:mm')} in ${zone} is inside ${designation.from}–${designation.to}`);
    }
  }

  // Caps.
  const prior = model.contacts.filter((contact) => contact.at <= t);
  const count = (filter: (contact: MadeContact) => boolean, days: number): number =>
    Math.max(...model.zones.map((zone) => inLastDays(prior.filter(filter).map((contact) => contact.at), t, zone, days)));
  const exempt = medium === 'phone' && callConsented(model, t);
  if (medium === 'phone' && !exempt) {
    // 12 CFR 1006.14(b)(2)(i): 7 calls in 7 days per debt; calls under consent do not count.
    if (count((contact) => contact.medium === 'phone' && contact.group === group && !contact.exempt, 7) >= 7) broken.push('7 calls in 7 days on the debt');
    // 1006.14(b)(2)(ii): no call on the day of a conversation about the debt or the six after.
    for (const talk of prior.filter((contact) => contact.conversation && contact.group === group)) {
      for (const zone of model.zones) {
        const gap = DateTime.fromMillis(t, { zone }).startOf('day').diff(DateTime.fromMillis(talk.at, { zone }).startOf('day'), 'days').days;
        if (Math.round(gap) < 7) broken.push(`a conversation ${Math.round(gap)} days before, in ${zone}`);
      }
    }
  }
  const strategyCap = policy.frequencyCaps?.[medium];
  if (strategyCap) {
    if (strategyCap.max === 0) broken.push(`no ${medium} allowed by the strategy`);
    else if (count((contact) => contact.medium === medium, strategyCap.days) >= strategyCap.max) broken.push(`strategy cap on ${medium} (every debt)`);
  }
  for (const cap of state?.caps ?? []) {
    if (!cap.media.includes(medium)) continue;
    const counted = count((contact) => cap.media.includes(contact.medium) && (!cap.perDebt || contact.group === group), cap.days);
    if (counted >= cap.max) broken.push(`state cap on ${cap.media.join('+')}`);
  }
  return broken;
}
