import { DateTime } from 'luxon';
import { contactWindowHold, windowClock, type ContactWindow } from '../contact-rules.js';
import type { Hold, RuleOutcome } from './outcome.js';

/**
 * Inconvenient times (15 U.S.C. 1692c(a)(1), 12 CFR 1006.6(b)(1)(i)): no contact before 08:00 or
 * after 21:00 in the debtor's local time, in every zone the debtor may be in. A strategy and a
 * state may narrow the window and add days without contact; nothing widens it.
 */

/** The federal window; both edges are convenient (see ContactWindow in contact-rules.ts). */
export const federalContactWindow: ContactWindow = { start: '08:00', end: '21:00' };

export const weekdayNames = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type WeekdayName = (typeof weekdayNames)[number];

/**
 * The window inside all of `windows` (HH:MM compares as text), or `null` when they share no
 * stretch of time (windows that only touch, 06:00–08:00 and 08:00–21:00, share none).
 */
export function intersectWindows(windows: readonly ContactWindow[]): ContactWindow | null {
  let start = '00:00';
  let end = '24:00';
  for (const window of windows) {
    if (window.start > start) start = window.start;
    if (window.end < end) end = window.end;
  }
  return start < end ? { start, end } : null;
}

/**
 * True when the local date is a no-contact day: its weekday name (`sun`) or its ISO date
 * (`2026-12-25`) is listed.
 */
export function isNoContactDay(local: DateTime, noContactDays: readonly string[]): boolean {
  if (noContactDays.length === 0) return false;
  const weekday = weekdayNames[local.weekday - 1];
  return noContactDays.includes(weekday ?? '') || noContactDays.includes(local.toISODate() ?? '');
}

/** True when the listed days leave no day of the week open. */
export function everyDayBlocked(noContactDays: readonly string[]): boolean {
  return weekdayNames.every((day) => noContactDays.includes(day));
}

/**
 * Holds a contact at `t` that falls outside `window`, or on a no-contact day, in any of `zones`,
 * until the latest of the zones' next openings. The caller repeats until every zone is open at
 * once (the windows of zones far apart open at different instants).
 */
export function inconvenientTimeHold({
  t,
  zones,
  window,
  noContactDays,
}: {
  t: number;
  zones: readonly string[];
  window: ContactWindow;
  noContactDays: readonly string[];
}): RuleOutcome | null {
  if (everyDayBlocked(noContactDays)) return { kind: 'bar', why: 'every day of the week is a no-contact day' };
  const single = zones.length === 1;
  let first: Hold | null = null;
  let latest: Hold | null = null;
  for (const zone of zones) {
    const local = DateTime.fromMillis(t, { zone });
    let hold: Hold | null = null;
    if (isNoContactDay(local, noContactDays)) {
      // The loop in evaluateContact finds the window's opening on the next day.
      hold = {
        kind: 'hold',
        until: local.startOf('day').plus({ days: 1 }).toMillis(),
        why: `${local.toFormat('cccc yyyy-MM-dd')} is a no-contact day${single ? '' : ` in ${zone}`}`,
        zone,
        cause: { rule: 'no_contact_day', date: local.toISODate() ?? '', weekday: local.toFormat('cccc'), zone },
      };
    } else {
      const outside = contactWindowHold(t, zone, window);
      if (outside) {
        hold = {
          kind: 'hold',
          until: outside.until,
          why: `${windowClock(local, window)} local${single ? '' : ` in ${zone}`} is outside ${window.start}–${window.end}`,
          zone,
          cause: { rule: 'window', window, clock: windowClock(local, window), zone },
        };
      }
    }
    if (!hold) continue;
    first ??= hold;
    if (!latest || hold.until > latest.until) latest = hold;
  }
  if (!first || !latest) return null;
  const why = single ? first.why : `${first.why} (contact must be convenient in every zone the debtor may be in: ${zones.join(', ')})`;
  return { kind: 'hold', until: latest.until, why, zone: latest.zone, ...(first.cause ? { cause: first.cause } : {}) };
}

/** How far ahead {@link zonesShareWindow} looks: two weeks cover every weekday and a DST change. */
export const shareWindowSearchDays = 14;

/**
 * True when some instant within {@link shareWindowSearchDays} days of `from` lies inside `window`
 * in every zone at once. Zones far apart (Guam and New York with a 09:00–17:00 window) may share
 * none, and then no contact is ever convenient for a debtor who may be in either.
 */
export function zonesShareWindow({ from, zones, window }: { from: number; zones: readonly string[]; window: ContactWindow }): boolean {
  const limit = from + shareWindowSearchDays * 86_400_000;
  for (let t = from; t <= limit; ) {
    const hold = inconvenientTimeHold({ t, zones, window, noContactDays: [] });
    if (!hold) return true;
    if (hold.kind !== 'hold') return false;
    t = Math.max(hold.until, t + 1);
  }
  return false;
}
