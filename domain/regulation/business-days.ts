import { DateTime } from 'luxon';

/**
 * Business days for Reg F's assumed receipt: not a Saturday, a Sunday or a legal public holiday
 * (5 U.S.C. 6103(a)). Both a holiday's date and its observed weekday count as non-business days,
 * which only ever makes an assumed receipt later and the validation period longer.
 */

function nthWeekday(year: number, month: number, weekday: number, nth: number): DateTime {
  const first = DateTime.utc(year, month, 1);
  return first.plus({ days: ((weekday - first.weekday + 7) % 7) + (nth - 1) * 7 });
}

function lastWeekday(year: number, month: number, weekday: number): DateTime {
  const last = DateTime.utc(year, month, 1).endOf('month').startOf('day');
  return last.minus({ days: (last.weekday - weekday + 7) % 7 });
}

/** Saturday holidays are observed the Friday before, Sunday ones the Monday after. */
function observed(date: DateTime): DateTime {
  if (date.weekday === 6) return date.minus({ days: 1 });
  if (date.weekday === 7) return date.plus({ days: 1 });
  return date;
}

const cache = new Map<number, Set<string>>();

/** ISO dates of the US legal public holidays of `year`, with their observed days. */
export function federalHolidays(year: number): Set<string> {
  const known = cache.get(year);
  if (known) return known;
  const fixed = [
    DateTime.utc(year, 1, 1),
    ...(year >= 2021 ? [DateTime.utc(year, 6, 19)] : []),
    DateTime.utc(year, 7, 4),
    DateTime.utc(year, 11, 11),
    DateTime.utc(year, 12, 25),
  ];
  const floating = [
    nthWeekday(year, 1, 1, 3), // Martin Luther King Jr.
    nthWeekday(year, 2, 1, 3), // Washington's Birthday
    lastWeekday(year, 5, 1), // Memorial Day
    nthWeekday(year, 9, 1, 1), // Labor Day
    nthWeekday(year, 10, 1, 2), // Columbus Day
    nthWeekday(year, 11, 4, 4), // Thanksgiving
  ];
  const days = [...fixed, ...fixed.map(observed), ...floating, observed(DateTime.utc(year + 1, 1, 1))];
  const holidays = new Set(days.filter((day) => day.year === year).map((day) => day.toISODate() ?? ''));
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

/** `date` when it is a business day, else the next business day. */
export function nextBusinessDay(date: DateTime): DateTime {
  let day = date.startOf('day');
  while (!isBusinessDay(day)) day = day.plus({ days: 1 });
  return day;
}
