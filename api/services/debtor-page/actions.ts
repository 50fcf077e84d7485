import type { Client } from '@temporalio/client';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { contactMedia } from '../../../domain/debtor-preferences.js';
import type { TOutcome } from '../../../domain/outcomes.js';
import { planOffers } from '../../../domain/plan-offers.js';
import type { Db } from '../../../lib/db.js';
import { ApiError } from '../../errors.js';
import { CallbackSource, requestCallback } from '../callbacks.js';
import { putPreferences } from '../debtor-preferences.js';
import { recordOutcome } from '../outcomes.js';
import { pageActor, PageEvent, recordPageEvent } from './events.js';
import { defaultFirstDueDate, type PageAccount, type PagePerson } from './person.js';
import type { Visit } from './visit.js';
import { minorDigits } from '../../../domain/money.js';

/**
 * The person's own acts on the page, each within what an officer could agree: outcomes go through
 * the case's recordOutcome update (the same validator and the same effects as an officer's, at an
 * officer's authority), preferences and opt-outs through the person's write (the person workflow
 * hears them), a call through the callback booking. Bad input is answered with a plain reason in
 * the person's words and changes nothing; the checks here come first so the common mistakes are
 * named precisely, and the case's own validator has the last word.
 */

const text = (max: number) => z.string().trim().max(max);
const ZCase = text(200);

export const ZPageAction = z.discriminatedUnion('action', [
  z.object({ action: z.literal('promise'), caseId: ZCase, amount: text(20), dueDate: text(20) }),
  z.object({ action: z.literal('plan'), caseId: ZCase, installments: text(4), firstDueDate: text(20), autopay: z.literal('on').optional() }),
  z.object({ action: z.literal('dispute'), caseId: ZCase, reason: text(2000) }),
  z.object({ action: z.literal('pay'), caseId: ZCase, amount: text(20), currency: text(3), full: z.literal('on').optional() }),
  z.object({ action: z.literal('callback'), caseId: ZCase, at: text(30).optional(), note: text(1000).optional() }),
  z.object({
    action: z.literal('preferences'),
    language: z.enum(['en', 'es']),
    preferredChannel: z.enum(['none', ...contactMedia]),
    quietFrom: text(5).optional(),
    quietTo: text(5).optional(),
  }),
  z.object({ action: z.literal('opt_out'), channel: z.enum(contactMedia) }),
  // After the processor's script collected the card (api/routes/debtor-page.ts handles these two).
  z.object({ action: z.literal('pay_confirm'), caseId: ZCase, paymentId: text(100) }),
  z.object({ action: z.literal('autopay_confirm'), caseId: ZCase, setupId: text(100) }),
]);
export type TPageAction = z.infer<typeof ZPageAction>;

/** What an act came to, for the page to say in the person's language. */
export type ActionResult =
  | { ok: true; kind: 'promise'; amount: number; currency: string; dueDate: string }
  | { ok: true; kind: 'plan'; caseId: string; autopay: boolean }
  | { ok: true; kind: 'dispute' | 'preferences' }
  | { ok: true; kind: 'callback'; at: Date }
  | { ok: true; kind: 'opt_out'; channel: string }
  | { ok: true; kind: 'pay'; caseId: string; amount: number; currency: string }
  | { ok: false; problem: Problem };

/** A mistake, by kind (the page words it); `reason` carries the engine's own words when it refused. */
export type Problem =
  | { kind: 'amountFormat' | 'amountZero' | 'dateFormat' | 'datePast' | 'offer' | 'reason' | 'time' | 'account' | 'payments' }
  | { kind: 'amountAboveBalance'; balance: number; currency: string }
  | { kind: 'currency'; currency: string }
  | { kind: 'dateTooLate'; latest: string }
  | { kind: 'refused' | 'callback'; reason: string };

const fail = (problem: Problem): ActionResult => ({ ok: false, problem });

/** "50", "50.5", "1,250.00" in major units → minor units, or null. */
export function parseAmount(value: string, currency: string): number | null {
  const digits = minorDigits(currency);
  const compact = value.replace(/[,\s]/g, '');
  const pattern = digits === 0 ? /^\d{1,9}$/ : new RegExp(`^\\d{1,9}(\\.\\d{1,${digits}})?$`);
  if (!pattern.test(compact)) return null;
  const [whole = '0', fraction = ''] = compact.split('.');
  return Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
}

const today = (now: number) => DateTime.fromMillis(now, { zone: 'utc' }).startOf('day');

function dateProblem(value: string, now: number, latestDays: number): Problem | null {
  const date = DateTime.fromISO(value, { zone: 'utc' });
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || !date.isValid) return { kind: 'dateFormat' };
  if (date < today(now)) return { kind: 'datePast' };
  const latest = today(now).plus({ days: latestDays });
  if (date > latest) return { kind: 'dateTooLate', latest: latest.toISODate()! };
  return null;
}

/** The case's answer in the person's words: a refusal by the policy is a problem, anything else is the engine's to report. */
async function outcome(temporal: Client, caseId: string, value: TOutcome): Promise<Problem | null> {
  try {
    await recordOutcome({ temporal, caseId, outcome: value, by: pageActor, role: 'officer' });
    return null;
  } catch (error) {
    if (error instanceof ApiError && error.statusCode < 500) return { kind: 'refused', reason: error.message };
    throw error;
  }
}

/** How far ahead a plan's first payment may be set online. */
export const planStartDays = 30;

export async function performAction({
  db,
  temporal,
  visit,
  person,
  action,
  now = Date.now(),
}: {
  db: Db;
  temporal: Client;
  visit: Visit;
  person: PagePerson;
  action: TPageAction;
  now?: number;
}): Promise<ActionResult> {
  const account = 'caseId' in action ? person.accounts.find((candidate) => candidate.caseId === action.caseId) : undefined;
  if ('caseId' in action && !account) return fail({ kind: 'account' });
  const event = (name: PageEvent, data?: Record<string, unknown>) => recordPageEvent(db, { action: name, visit, caseId: account?.caseId ?? visit.caseId, ...(data ? { data } : {}) });

  switch (action.action) {
    case 'promise': {
      const target = account as PageAccount;
      const amount = parseAmount(action.amount, target.currency);
      if (amount === null) return fail({ kind: 'amountFormat' });
      if (amount <= 0) return fail({ kind: 'amountZero' });
      if (amount > target.balance) return fail({ kind: 'amountAboveBalance', balance: target.balance, currency: target.currency });
      const problem = dateProblem(action.dueDate, now, target.policy.maxPromiseDays) ?? (await outcome(temporal, target.caseId, { kind: 'promise_to_pay', amount, dueDate: action.dueDate }));
      if (problem) return fail(problem);
      await event(PageEvent.promise, { amount, dueDate: action.dueDate });
      return { ok: true, kind: 'promise', amount, currency: target.currency, dueDate: action.dueDate };
    }
    case 'plan': {
      const target = account as PageAccount;
      const dateIssue = dateProblem(action.firstDueDate, now, planStartDays);
      if (dateIssue) return fail(dateIssue);
      const offers = planOffers({ balance: target.balance, policy: target.policy, firstDueDate: action.firstDueDate, now });
      const offer = offers.find((candidate) => String(candidate.installments) === action.installments);
      if (!offer || target.arrangement || target.disputed) return fail({ kind: 'offer' });
      const problem = await outcome(temporal, target.caseId, {
        kind: 'payment_plan',
        downPayment: offer.downPayment,
        installments: offer.installments,
        frequency: offer.frequency,
        firstDueDate: offer.firstDueDate,
      });
      if (problem) return fail(problem);
      await event(PageEvent.plan, { installments: offer.installments, autopay: action.autopay === 'on' });
      return { ok: true, kind: 'plan', caseId: target.caseId, autopay: action.autopay === 'on' };
    }
    case 'dispute': {
      if (action.reason.length === 0) return fail({ kind: 'reason' });
      const problem = await outcome(temporal, (account as PageAccount).caseId, { kind: 'dispute', reason: `The debtor disputed online: ${action.reason}` });
      if (problem) return fail(problem);
      await event(PageEvent.dispute);
      return { ok: true, kind: 'dispute' };
    }
    case 'pay': {
      const target = account as PageAccount;
      if (action.currency.toUpperCase() !== target.currency) return fail({ kind: 'currency', currency: target.currency });
      const amount = action.full === 'on' ? target.balance : parseAmount(action.amount, target.currency);
      if (amount === null) return fail({ kind: 'amountFormat' });
      if (amount <= 0) return fail({ kind: 'amountZero' });
      if (amount > target.balance) return fail({ kind: 'amountAboveBalance', balance: target.balance, currency: target.currency });
      return { ok: true, kind: 'pay', caseId: target.caseId, amount, currency: target.currency };
    }
    case 'callback': {
      const target = account as PageAccount;
      let at: Date | undefined;
      if (action.at) {
        const local = DateTime.fromISO(action.at, { zone: person.timeZone });
        if (!local.isValid) return fail({ kind: 'dateFormat' });
        at = local.toJSDate();
      }
      try {
        const booked = await requestCallback({ db, temporal, caseId: target.caseId, ...(at ? { at } : {}), ...(action.note ? { note: action.note } : {}), source: CallbackSource.debtorPage, by: pageActor, now: new Date(now) });
        await event(PageEvent.callback);
        return { ok: true, kind: 'callback', at: new Date(booked.at) };
      } catch (error) {
        // A refusal by the rules (422), a case no longer running (409) or not answering now (503): said on the page.
        if (error instanceof ApiError) return fail({ kind: 'callback', reason: error.fields?.[0]?.message ?? error.message });
        throw error;
      }
    }
    case 'preferences': {
      const quiet = action.quietFrom || action.quietTo ? { from: action.quietFrom ?? '', to: action.quietTo ?? '' } : null;
      if (quiet && !(/^([01]\d|2[0-3]):[0-5]\d$/.test(quiet.from) && /^([01]\d|2[0-3]):[0-5]\d$/.test(quiet.to) && quiet.from < quiet.to)) return fail({ kind: 'time' });
      // A time said here joins the ones the person already designated (an officer may have noted some).
      const stored = (person.preferences as { inconvenientTimes?: { from: string; to: string; days?: number[]; media?: (typeof contactMedia)[number][] }[] } | null)?.inconvenientTimes ?? [];
      const times = stored.map(({ from, to, days, media }) => ({ from, to, ...(days ? { days } : {}), ...(media ? { media } : {}) }));
      if (quiet && !times.some((time) => time.from === quiet.from && time.to === quiet.to && !time.days && !time.media)) times.push(quiet);
      await putPreferences({
        db,
        temporal,
        debtorId: person.debtorId,
        scope: {},
        actor: pageActor,
        body: {
          language: action.language,
          preferredChannel: action.preferredChannel === 'none' ? null : action.preferredChannel,
          ...(quiet ? { inconvenientTimes: times } : {}),
          source: 'debtor_page',
        },
      });
      await event(PageEvent.preferences);
      return { ok: true, kind: 'preferences' };
    }
    case 'opt_out': {
      const current = (person.preferences as { refusedMedia?: { medium: string; address?: string }[] } | null)?.refusedMedia ?? [];
      const refusedMedia = [...current.map(({ medium, address }) => ({ medium: medium as (typeof contactMedia)[number], ...(address ? { address } : {}) }))];
      if (!refusedMedia.some((entry) => entry.medium === action.channel && !entry.address)) refusedMedia.push({ medium: action.channel });
      await putPreferences({ db, temporal, debtorId: person.debtorId, scope: {}, actor: pageActor, body: { refusedMedia, source: 'debtor_page' } });
      await event(PageEvent.preferences, { optOut: action.channel });
      return { ok: true, kind: 'opt_out', channel: action.channel };
    }
    case 'pay_confirm':
    case 'autopay_confirm':
      return fail({ kind: 'payments' });
  }
}

export { defaultFirstDueDate };
