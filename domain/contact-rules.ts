import { DateTime, IANAZone } from 'luxon';

/**
 * Contact rules are pure functions of the case's facts and the clock, so the workflow, the API's
 * preview and the tests all get the same answer.
 */

export interface ContactWindow {
  /** Local time of day, HH:MM, inclusive. */
  start: string;
  /** Local time of day, HH:MM, exclusive: 21:00 means the last permitted minute is 20:59. */
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

/**
 * When `now` falls outside the debtor's local contact window, the first permitted instant and
 * the reason; `null` when contact is permitted now.
 */
export function contactWindowHold(now: number, timeZone: string, window: ContactWindow): Hold | null {
  const local = DateTime.fromMillis(now, { zone: timeZone });
  // Compare what the local clock reads: on a DST day an edge inside the skipped hour resolves to
  // an instant an hour later, which would stretch the window past its end.
  const clock = local.toFormat('HH:mm');
  if (clock >= window.start && clock < window.end) return null;
  const opens = atClock(local, window.start);
  const next = local < opens ? opens : atClock(local.plus({ days: 1 }), window.start);
  return {
    until: next.toMillis(),
    reason:
      `held: ${local.toFormat('HH:mm')} local is outside ${window.start}–${window.end}; ` +
      `next ${next.toFormat('yyyy-MM-dd HH:mm')} ${timeZone}`,
  };
}
