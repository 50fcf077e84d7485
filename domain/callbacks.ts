import { DateTime } from 'luxon';
import { candidateZones, type CaseFacts } from './case-facts.js';
import { explainContact, type ContactPolicyInput } from './regulation/index.js';
import { designatedTimeHold, designationCovers } from './regulation/designated-times.js';
import { inconvenientTimeHold } from './regulation/inconvenient-time.js';
import { latestHold, type Hold } from './regulation/outcome.js';
import { effectiveContactRules } from './regulation/policy.js';
import { stateOverrides, type StateOverrideTable } from './regulation/state-overrides.js';

/**
 * Whether a callback may be booked for the instant the person chose. A booking is refused when
 * the contact rules would never let the call happen then: a bar on calls (cease, refusal,
 * bankruptcy, an attorney...), a hold that only a new fact lifts (a dispute), or a clock the rules
 * forbid at that instant in any zone the person may be in (outside the permitted hours, a
 * no-contact day, a time the person designated as inconvenient). Caps and the week after a
 * conversation depend on what happens until then: the dial-time check (the calls' own) holds
 * those, as for any call.
 */

export interface CallbackTimeProblem {
  reason: string;
  /** The first instant at or after the chosen one whose clock the rules permit, when there is one. */
  next: number | null;
}

const maxSteps = 200;

/** The time-of-day holds at `t`: permitted hours and no-contact days, and the person's designations for calls. */
function clockHold(t: number, facts: CaseFacts, policy: ContactPolicyInput, overrides: StateOverrideTable): { kind: 'bar'; why: string } | Hold | null {
  const rules = effectiveContactRules({ policy, facts, overrides });
  const zones = candidateZones(facts);
  if (!rules.window) return { kind: 'bar', why: `no minute of the day is permitted: ${rules.windowParts.join(', ')} share none` };
  const window = inconvenientTimeHold({ t, zones, window: rules.window, noContactDays: rules.noContactDays });
  if (window?.kind === 'bar') return { kind: 'bar', why: window.why };
  const designations = (facts.inconvenientTimes ?? []).filter((designation) => designationCovers(designation, 'phone'));
  const designated = designations.length > 0 ? designatedTimeHold({ t, zones, medium: 'phone', designations }) : null;
  const holds = [window, designated].filter((hold): hold is Hold => hold?.kind === 'hold');
  return holds.length > 0 ? { ...holds[0]!, until: latestHold(holds)!.until } : null;
}

/** The first instant at or after `from` whose clock every time-of-day rule permits, within `maxSteps` moves. */
function nextClockPermitted(from: number, facts: CaseFacts, policy: ContactPolicyInput, overrides: StateOverrideTable): number | null {
  let t = from;
  for (let step = 0; step < maxSteps; step++) {
    const hold = clockHold(t, facts, policy, overrides);
    if (!hold) return t;
    if (hold.kind === 'bar') return null;
    t = Math.max(hold.until, t + 1);
  }
  return null;
}

/** `2026-12-07 09:00 America/Chicago`. */
export function localClock(at: number, zone: string): string {
  return `${DateTime.fromMillis(at, { zone }).toFormat('yyyy-MM-dd HH:mm')} ${zone}`;
}

/** Why a call at `at` can never happen as the facts stand, or null when a callback may be booked for it. */
export function callbackTimeProblem({
  at,
  facts,
  policy = {},
  overrides = stateOverrides,
}: {
  at: number;
  facts: CaseFacts;
  policy?: ContactPolicyInput;
  overrides?: StateOverrideTable;
}): CallbackTimeProblem | null {
  const { verdict } = explainContact({ channel: 'phone', now: at, facts, policy, overrides });
  if (verdict.kind === 'barred') return { reason: `calls are barred: ${verdict.reason}`, next: null };
  if (verdict.kind === 'held' && verdict.until === null) return { reason: `calls are on hold: ${verdict.reason}`, next: null };
  const hold = clockHold(at, facts, policy, overrides);
  if (!hold) return null;
  if (hold.kind === 'bar') return { reason: hold.why, next: null };
  const next = nextClockPermitted(hold.until, facts, policy, overrides);
  const zone = candidateZones(facts)[0] ?? 'UTC';
  return { reason: `${hold.why}${next === null ? '' : `; the first permitted time is ${localClock(next, zone)}`}`, next };
}

/** The first instant at or after `from` a callback may be booked for (an "ask for a call" without a time), or null when none. */
export function firstCallbackTime({
  from,
  facts,
  policy = {},
  overrides = stateOverrides,
}: {
  from: number;
  facts: CaseFacts;
  policy?: ContactPolicyInput;
  overrides?: StateOverrideTable;
}): number | null {
  return nextClockPermitted(from, facts, policy, overrides);
}
