import { DateTime, IANAZone } from 'luxon';

/**
 * Contact rules are pure functions of the case's facts and the clock, so the workflow, the API's
 * preview and the tests all get the same answer.
 */

/**
 * A local window of convenient times, both ends inclusive: 08:00–21:00 permits 08:00:00.000 and
 * 21:00:00.000 and nothing strictly before or after. One reading of both edges, from the rule's
 * words: 12 CFR 1006.6(b)(1)(i) (and 15 U.S.C. 1692c(a)(1)) make inconvenient a time "before 8:00
 * a.m. and after 9:00 p.m." local time, so 8:00 and 9:00 themselves are neither before nor after.
 * Strategy and state windows read the same way (docs/contact-times.md).
 */
export interface ContactWindow {
  /** Local time of day, HH:MM, inclusive. */
  start: string;
  /** Local time of day, HH:MM, inclusive: 21:00 permits 21:00:00.000, not an instant later. */
  end: string;
}

export interface Hold {
  /** Earliest permitted instant, epoch ms. */
  until: number;
  /** Why the contact is held, in words a person reads in the case status. */
  reason: string;
}

export function isTimeZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

function atClock(day: DateTime, clock: string): DateTime {
  const [hour, minute] = clock.split(':').map(Number);
  return day.set({ hour: hour ?? 0, minute: minute ?? 0, second: 0, millisecond: 0 });
}

/** True when the local clock reading `local` lies within `window`, both edges included. */
export function insideWindow(local: DateTime, window: ContactWindow): boolean {
  // Compare what the local clock reads, to the millisecond: on a DST day an edge inside the
  // skipped hour resolves to an instant an hour later, which would stretch the window past its end.
  const clock = local.toFormat('HH:mm:ss.SSS');
  return clock >= `${window.start}:00.000` && clock <= `${window.end}:00.000`;
}

/** The local clock for a reason: to the minute, or to the millisecond when the minute alone would look inside. */
export function windowClock(local: DateTime, window: ContactWindow): string {
  const minute = local.toFormat('HH:mm');
  return minute === window.end ? local.toFormat('HH:mm:ss.SSS') : minute;
}

/**
 * When `now` falls outside the debtor's local contact window, the first permitted instant and
 * the reason; `null` when contact is permitted now (see {@link ContactWindow} for the edges).
 */
export function contactWindowHold(now: number, timeZone: string, window: ContactWindow): Hold | null {
  const local = DateTime.fromMillis(now, { zone: timeZone });
  if (insideWindow(local, window)) return null;
  const opens = atClock(local, window.start);
  const next = local < opens ? opens : atClock(local.plus({ days: 1 }), window.start);
  return {
    until: next.toMillis(),
    reason: `held: ${windowClock(local, window)} local is outside ${window.start}–${window.end}; next ${next.toFormat('yyyy-MM-dd HH:mm')} ${timeZone}`,
  };
}

