import { DateTime } from 'luxon';
import type { ContactMedium, DesignatedTime } from '../case-facts.js';
import type { ContactWindow } from '../contact-rules.js';
import { provenance } from './contact-point.js';
import { inconvenientTimeHold, shareWindowSearchDays, weekdayNames } from './inconvenient-time.js';
import type { Hold, RuleOutcome } from './outcome.js';

/**
 * Times the person told us are inconvenient (12 CFR 1006.6(b)(1)(i): a time the collector
 * "knows or should know is inconvenient"), e.g. "not before 10:00", "not on Sunday mornings":
 * timed contact (calls, and the channels that reach the person the moment they are sent) is held
 * while the local clock, in any zone the person may be in, reads inside a designated time, until
 * it ends. `from` is inclusive and `to` exclusive (`{ from: '00:00', to: '10:00' }` makes 10:00:00
 * convenient again, the same reading as the federal 08:00); a time whose `to` is earlier than its
 * `from` runs past midnight into the next day; `from === to` is 24 hours from `from`. `days` are
 * the days on which it starts.
 */

const minute = 60_000;
const dayMs = 86_400_000;

/** Milliseconds since local midnight of an HH:MM clock; `24:00` is the end of the day. */
function clockMs(clock: string): number {
  const [hours, minutes] = clock.split(':').map(Number);
  return ((hours ?? 0) * 60 + (minutes ?? 0)) * minute;
}

/** What the local clock reads, in milliseconds since local midnight. */
function timeOfDay(local: DateTime): number {
  return ((local.hour * 60 + local.minute) * 60 + local.second) * 1000 + local.millisecond;
}

/** True when the designation speaks of `medium`: its media, or every timed medium when it names none. */
export function designationCovers(designation: DesignatedTime, medium: ContactMedium): boolean {
  return !designation.media || designation.media.includes(medium);
}

function onDay(designation: DesignatedTime, local: DateTime): boolean {
  return !designation.days || designation.days.includes(local.weekday);
}

/**
 * When `local` lies inside `designation`, the instant it ends (after `t`); otherwise `null`. An
 * end whose local time falls in a DST gap moves past the gap; one in a repeated hour is the
 * repetition we are in.
 */
export function designationEnd(designation: DesignatedTime, local: DateTime): number | null {
  const from = clockMs(designation.from);
  const to = clockMs(designation.to);
  const now = timeOfDay(local);
  const t = local.toMillis();
  const endOn = (date: DateTime): number => {
    const midnight = date.startOf('day');
    const clocked = to >= dayMs ? midnight.plus({ days: 1 }) : midnight.set({ hour: Math.floor(to / 3_600_000), minute: (to / minute) % 60 });
    const at = clocked.toMillis();
    if (at > t) return at;
    // In a repeated hour (DST ending) the clock's first reading of `to` has passed: we are in the second.
    return t + (to - now);
  };
  if (from < to) return onDay(designation, local) && now >= from && now < to ? endOn(local) : null;
  // Through midnight (or the whole day when from === to): the evening of a designated day, or the
  // morning after one.
  if (onDay(designation, local) && now >= from) return endOn(local.plus({ days: 1 }));
  const yesterday = local.minus({ days: 1 });
  if (from !== to && onDay(designation, yesterday) && now < to) return endOn(local);
  return null;
}

const weekdays = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** A designation in words: "00:00–10:00", "22:00–07:00 on Sat, Sun", "calls 12:00–13:00". */
export function describeDesignation(designation: DesignatedTime): string {
  const media = designation.media ? `${designation.media.map((medium) => (medium === 'phone' ? 'calls' : medium)).join(', ')} ` : '';
  const days = designation.days ? ` on ${designation.days.map((day) => weekdays[day - 1] ?? String(day)).join(', ')}` : '';
  return `${media}${designation.from}–${designation.to}${days}`;
}

/**
 * Holds a contact by `medium` at `t` while the local clock in any of `zones` is inside a
 * designated time, until the latest of their ends (the caller asks again there).
 */
export function designatedTimeHold({
  t,
  zones,
  medium,
  designations,
}: {
  t: number;
  zones: readonly string[];
  medium: ContactMedium;
  designations: readonly DesignatedTime[];
}): RuleOutcome | null {
  let latest: Hold | null = null;
  for (const designation of designations) {
    if (!designationCovers(designation, medium)) continue;
    for (const zone of zones) {
      const local = DateTime.fromMillis(t, { zone });
      const end = designationEnd(designation, local);
      if (end === null || (latest && end <= latest.until)) continue;
      latest = {
        kind: 'hold',
        until: end,
        why:
          `${local.toFormat('HH:mm')} local${zones.length > 1 ? ` in ${zone}` : ''} is inside ${describeDesignation(designation)}, ` +
          `a time the debtor said is inconvenient (${provenance(designation)}, 12 CFR 1006.6(b)(1)(i))`,
        zone,
        cause: { rule: 'designation', designation, clock: local.toFormat('HH:mm'), zone },
      };
    }
  }
  return latest;
}

/**
 * True when some instant within {@link shareWindowSearchDays} days of `from` is inside `window`, on
 * no weekly no-contact day and outside every designation of `medium`, in every zone at once. All
 * three repeat weekly, so two weeks (and a DST change) show whether any time is left at all: a
 * person may designate every hour, and then no timed contact is ever convenient.
 */
export function designationsLeaveTime({
  from,
  zones,
  window,
  noContactDays,
  medium,
  designations,
}: {
  from: number;
  zones: readonly string[];
  window: ContactWindow;
  noContactDays: readonly string[];
  medium: ContactMedium;
  designations: readonly DesignatedTime[];
}): boolean {
  // Dated no-contact days (holidays) do not repeat; only the weekdays count here.
  const weekly = noContactDays.filter((day) => (weekdayNames as readonly string[]).includes(day));
  const limit = from + shareWindowSearchDays * dayMs;
  for (let t = from; t <= limit; ) {
    const holds = [inconvenientTimeHold({ t, zones, window, noContactDays: weekly }), designatedTimeHold({ t, zones, medium, designations })];
    // A week of no-contact days is the window rule's own bar, reported by it.
    if (holds.some((hold) => hold?.kind === 'bar')) return true;
    const until = Math.max(...holds.map((hold) => (hold?.kind === 'hold' ? hold.until : -Infinity)));
    if (until === -Infinity) return true;
    t = Math.max(until, t + 1);
  }
  return false;
}
