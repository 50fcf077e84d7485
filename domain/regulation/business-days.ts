import { DateTime } from 'luxon';

/**
 * Business days for Reg F's assumed receipt (12 CFR 1006.34(b)(5)): days that are not a Saturday,
 * a Sunday or a legal public holiday identified in 5 U.S.C. 6103(a), exactly as the rule says.
 * The days on which a weekend holiday is observed (Friday 3 July 2026) come from 6103(b), not
 * 6103(a), so they are business days here; a collector who wants more room sets the named safety
 * margin (`validationNotice.safetyMarginDays`, docs/contact-times.md) instead.
 */

function nthWeekday(year: number, month: number, weekday: number, nth: number): DateTime {
  const first = DateTime.utc(year, month, 1);
  return first.plus({ days: ((weekday - first.weekday + 7) % 7) + (nth - 1) * 7 });
}

function lastWeekday(year: number, month: number, weekday: number): DateTime {
  const last = DateTime.utc(year, month, 1).endOf('month').startOf('day');
  return last.minus({ days: (last.weekday - weekday + 7) % 7 });
}

const cache = new Map<number, Set<string>>();

/** ISO dates of the legal public holidays 5 U.S.C. 6103(a) identifies in `year`. */
export function federalHolidays(year: number): Set<string> {
  const known = cache.get(year);
  if (known) return known;
  const days = [
    DateTime.utc(year, 1, 1), // New Year's Day
    nthWeekday(year, 1, 1, 3), // Birthday of Martin Luther King, Jr.
    nthWeekday(year, 2, 1, 3), // Washington's Birthday
    lastWeekday(year, 5, 1), // Memorial Day
    ...(year >= 2021 ? [DateTime.utc(year, 6, 19)] : []), // Juneteenth National Independence Day
    DateTime.utc(year, 7, 4), // Independence Day
    nthWeekday(year, 9, 1, 1), // Labor Day
    nthWeekday(year, 10, 1, 2), // Columbus Day
    DateTime.utc(year, 11, 11), // Veterans Day
    nthWeekday(year, 11, 4, 4), // Thanksgiving Day
    DateTime.utc(year, 12, 25), // Christmas Day
  ];
  const holidays = new Set(days.map((day) => day.toISODate() ?? ''));
  cache.set(year, holidays);
  return holidays;
}

/** True for a weekday that is not a legal public holiday. */
export function isBusinessDay(date: DateTime): boolean {
  return date.weekday <= 5 && !federalHolidays(date.year).has(date.toISODate() ?? '');
}

/** The date `count` business days after `date` (a calendar date; its zone is kept). */
export function addBusinessDays(date: DateTime, count: number): DateTime {
  let day = date.startOf('day');
  for (let added = 0; added < count; ) {
    day = day.plus({ days: 1 });
    if (isBusinessDay(day)) added++;
  }
  return day;
}
