import { DateTime } from 'luxon';
import type { CaseFacts } from '../case-facts.js';
import { decideContact, type PersonLedger } from '../person/contact-decision.js';
import { evaluateContact, type ContactPolicyInput, type ContactVerdict } from '../regulation/index.js';
import type { ContactGrantRequest } from '../../workflows/person-messages.js';

/**
 * "May I call now, until when, and how many more calls?" for one case, from the same pure rules
 * the case and its person decide with: the case's own facts (its debt's calls, holds, bars) and,
 * for a case of a person, the person's ledger (every contact on any of their debts). A call must
 * pass both, as a dial does (api/services/calls.ts).
 */

export interface CallContext {
  facts: CaseFacts;
  policy: ContactPolicyInput;
  /** The request the case's person is asked with, and the person's ledger; absent for a case without a person. */
  person?: { request: Omit<ContactGrantRequest, 'grantId'>; ledger: PersonLedger } | undefined;
}

const minute = 60_000;
const day = 86_400_000;
/** Allowances are counted up to this many calls (the federal cap is seven in seven days). */
export const allowanceCeiling = 10;

/** The context with `extra` more calls placed at `at` (not conversations). */
function withCalls(context: CallContext, at: number, extra: number): CallContext {
  if (extra === 0) return context;
  const attempts = Array.from({ length: extra }, () => ({ channel: 'phone' as const, at }));
  const history = context.facts.history ?? {};
  const facts: CaseFacts = { ...context.facts, history: { ...history, attempts: [...(history.attempts ?? []), ...attempts] } };
  const person = context.person;
  if (!person) return { ...context, facts };
  const debtGroup = person.ledger.cases[person.request.caseId]?.debtGroup ?? person.request.account?.debtGroup ?? person.request.caseId;
  const contacts = [...person.ledger.contacts, ...attempts.map((_, n) => ({ grantId: `preview:${n}`, caseId: person.request.caseId, debtGroup, medium: 'phone' as const, at }))];
  return { ...context, facts, person: { ...person, ledger: { ...person.ledger, contacts } } };
}

/** The person's answer alone, without counting anything. */
function personVerdict(person: NonNullable<CallContext['person']>, at: number): ContactVerdict {
  const { grant } = decideContact({ ledger: person.ledger, request: { ...person.request, grantId: `preview@${at}`, reserve: false }, now: at });
  if (grant.kind === 'permitted') return { kind: 'permitted' };
  return grant.kind === 'held' ? { kind: 'held', until: grant.until, reason: grant.reason } : { kind: 'barred', reason: grant.reason };
}

/**
 * The verdict on a call at `at` (with `extra` calls already placed then): barred when either the
 * case or the person bars it, held until both permit it, else permitted.
 */
export function callVerdict(context: CallContext, at: number, extra = 0): ContactVerdict {
  const given = withCalls(context, at, extra);
  let t = at;
  let reason: string | null = null;
  for (let round = 0; round < 20; round++) {
    const own = evaluateContact({ channel: 'phone', action: 'collection', now: t, facts: given.facts, policy: given.policy });
    const verdicts = [own, ...(given.person ? [personVerdict(given.person, t)] : [])];
    const barred = verdicts.find((each) => each.kind === 'barred');
    if (barred) return barred;
    const held = verdicts.filter((each): each is Extract<ContactVerdict, { kind: 'held' }> => each.kind === 'held');
    if (held.length === 0) return t === at ? { kind: 'permitted' } : { kind: 'held', until: t, reason: reason ?? 'held' };
    reason ??= held[0]?.reason ?? 'held';
    if (held.some((each) => each.until === null)) return { kind: 'held', until: null, reason };
    t = Math.max(...held.map((each) => each.until ?? t));
  }
  return { kind: 'held', until: null, reason: reason ?? 'held' };
}

/**
 * The last permitted minute of the stretch that contains `from` (a permitted instant), at most
 * `horizon` later: scanned in half hours on the minute grid, then narrowed to the minute.
 */
export function permittedUntil(context: CallContext, from: number, horizon = day): number {
  const step = 30 * minute;
  let last = from;
  let next = Math.ceil((from + 1) / step) * step;
  while (next <= from + horizon && callVerdict(context, next).kind === 'permitted') {
    last = next;
    next += step;
  }
  if (next > from + horizon) return last;
  // The first held instant is in (last, next]: narrow it to the minute.
  let low = last;
  let high = next;
  while (high - low > minute) {
    const mid = Math.max(low + minute, Math.floor((low + (high - low) / 2) / minute) * minute);
    if (mid >= high) break;
    if (callVerdict(context, mid).kind === 'permitted') low = mid;
    else high = mid;
  }
  return low;
}

/** How many calls in a row the rules permit at `at` (0 when none is), up to {@link allowanceCeiling}. */
export function callAllowance(context: CallContext, at: number): number {
  let placed = 0;
  while (placed < allowanceCeiling && callVerdict(context, at, placed).kind === 'permitted') placed++;
  return placed;
}

/** Whether a call may be placed now, the permitted window it falls in (or the next one), and the calls left in it. */
export interface CallPermission {
  permitted: boolean;
  /** Why not, when not. */
  reason: string | null;
  /** Barred: no later time is permitted as the facts stand. */
  barred: boolean;
  /** The permitted window: now (or the next permitted instant) until its end, ISO; null when none is known. */
  windowStart: string | null;
  windowEnd: string | null;
  /** The debtor's local times of the window (HH:mm) and the zone they are read in. */
  windowStartLocal: string | null;
  windowEndLocal: string | null;
  timeZone: string;
  /** Calls the rules permit in that window (federal and strategy caps, the person's other accounts). */
  callsAllowed: number;
}

/** The permission to call at `now`, with the window it falls in (or the next one within `horizon`). */
export function callPermission(context: CallContext, now: number, horizon = 8 * day): CallPermission {
  const timeZone = context.facts.timeZone;
  const local = (at: number) => DateTime.fromMillis(at, { zone: timeZone }).toFormat('HH:mm');
  const verdict = callVerdict(context, now);
  const start = verdict.kind === 'permitted' ? now : verdict.kind === 'held' && verdict.until !== null && verdict.until <= now + horizon ? verdict.until : null;
  const end = start === null ? null : permittedUntil(context, start);
  return {
    permitted: verdict.kind === 'permitted',
    reason: verdict.kind === 'permitted' ? null : verdict.reason,
    barred: verdict.kind === 'barred',
    windowStart: start === null ? null : new Date(start).toISOString(),
    windowEnd: end === null ? null : new Date(end).toISOString(),
    windowStartLocal: start === null ? null : local(start),
    windowEndLocal: end === null ? null : local(end),
    timeZone,
    callsAllowed: start === null ? 0 : callAllowance(context, start),
  };
}
