import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { contactWindowHold, isTimeZone, type ContactWindow } from '../../domain/contact-rules.js';

const usual: ContactWindow = { start: '08:00', end: '21:00' };
const at = (iso: string): number => Date.parse(iso);
const chicago = 'America/Chicago';

/** The expected hold: `until` as an ISO instant in UTC, and the reason's local clock and next opening. */
function held(localNow: string, untilUtc: string, nextLocal: string, zone: string, window = usual) {
  return {
    until: at(untilUtc),
    reason: `held: ${localNow} local is outside ${window.start}–${window.end}; next ${nextLocal} ${zone}`,
  };
}

describe('contactWindowHold', () => {
  it.each([
    // Chicago in May is CDT, UTC-5.
    ['07:59 is held until 08:00 the same day', '2026-05-04T12:59:00Z', chicago, held('07:59', '2026-05-04T13:00:00Z', '2026-05-04 08:00', chicago)],
    ['07:59:59.999 is still held', '2026-05-04T12:59:59.999Z', chicago, held('07:59', '2026-05-04T13:00:00Z', '2026-05-04 08:00', chicago)],
    ['08:00 is permitted', '2026-05-04T13:00:00Z', chicago, null],
    ['20:59 is permitted', '2026-05-05T01:59:00Z', chicago, null],
    ['20:59:59.999 is permitted', '2026-05-05T01:59:59.999Z', chicago, null],
    ['21:00:00 is permitted (not after 21:00)', '2026-05-05T02:00:00Z', chicago, null],
    ['21:00:00.001 is held until 08:00 the next day', '2026-05-05T02:00:00.001Z', chicago, held('21:00:00.001', '2026-05-05T13:00:00Z', '2026-05-05 08:00', chicago)],
    ['21:01 is held', '2026-05-05T02:01:00Z', chicago, held('21:01', '2026-05-05T13:00:00Z', '2026-05-05 08:00', chicago)],
    ['midnight is held until 08:00 the same day', '2026-05-05T05:00:00Z', chicago, held('00:00', '2026-05-05T13:00:00Z', '2026-05-05 08:00', chicago)],
    ['23:59 is held until 08:00 the next day', '2026-05-05T04:59:00Z', chicago, held('23:59', '2026-05-05T13:00:00Z', '2026-05-05 08:00', chicago)],

    // Spring forward, Sunday 2026-03-08: 02:00 CST becomes 03:00 CDT at 08:00Z.
    ['Saturday 07:00 CST is held until 08:00 CST', '2026-03-07T13:00:00Z', chicago, held('07:00', '2026-03-07T14:00:00Z', '2026-03-07 08:00', chicago)],
    ['the evening before spring forward waits 9 hours, not 10', '2026-03-08T04:00:00Z', chicago, held('22:00', '2026-03-08T13:00:00Z', '2026-03-08 08:00', chicago)],
    ['01:59 CST, just before the gap, opens at 08:00 CDT', '2026-03-08T07:59:00Z', chicago, held('01:59', '2026-03-08T13:00:00Z', '2026-03-08 08:00', chicago)],
    ['03:00 CDT, just after the gap, opens at 08:00 CDT', '2026-03-08T08:00:00Z', chicago, held('03:00', '2026-03-08T13:00:00Z', '2026-03-08 08:00', chicago)],
    ['07:59 CDT on the transition day is held', '2026-03-08T12:59:00Z', chicago, held('07:59', '2026-03-08T13:00:00Z', '2026-03-08 08:00', chicago)],
    ['08:00 CDT on the transition day is permitted', '2026-03-08T13:00:00Z', chicago, null],
    ['21:00 CDT on the transition day is permitted', '2026-03-09T02:00:00Z', chicago, null],
    ['21:00:01 CDT on the transition day is held', '2026-03-09T02:00:01Z', chicago, held('21:00:01.000', '2026-03-09T13:00:00Z', '2026-03-09 08:00', chicago)],

    // Fall back, Sunday 2026-11-01: 02:00 CDT becomes 01:00 CST at 07:00Z, so 01:xx happens twice.
    ['the evening before fall back waits 11.5 hours', '2026-11-01T02:30:00Z', chicago, held('21:30', '2026-11-01T14:00:00Z', '2026-11-01 08:00', chicago)],
    ['01:30 CDT (first time) opens at 08:00 CST', '2026-11-01T06:30:00Z', chicago, held('01:30', '2026-11-01T14:00:00Z', '2026-11-01 08:00', chicago)],
    ['01:30 CST (second time) opens at 08:00 CST', '2026-11-01T07:30:00Z', chicago, held('01:30', '2026-11-01T14:00:00Z', '2026-11-01 08:00', chicago)],
    ['07:00 CST on the transition day is held (would be 08:00 CDT)', '2026-11-01T13:00:00Z', chicago, held('07:00', '2026-11-01T14:00:00Z', '2026-11-01 08:00', chicago)],
    ['08:00 CST on the transition day is permitted', '2026-11-01T14:00:00Z', chicago, null],
    ['20:59 CST on the transition day is permitted', '2026-11-02T02:59:00Z', chicago, null],
    ['21:00 CST on the transition day is permitted', '2026-11-02T03:00:00Z', chicago, null],
    ['21:00:00.001 CST on the transition day is held', '2026-11-02T03:00:00.001Z', chicago, held('21:00:00.001', '2026-11-02T14:00:00Z', '2026-11-02 08:00', chicago)],

    // West of the date line, UTC+14: local dates run a day ahead of UTC.
    ['Kiritimati 07:59 is held until 08:00 on its own date', '2026-05-04T17:59:00Z', 'Pacific/Kiritimati', held('07:59', '2026-05-04T18:00:00Z', '2026-05-05 08:00', 'Pacific/Kiritimati')],
    ['Kiritimati 08:00 is permitted', '2026-05-04T18:00:00Z', 'Pacific/Kiritimati', null],
    ['Kiritimati 20:59 is permitted', '2026-05-05T06:59:00Z', 'Pacific/Kiritimati', null],
    ['Kiritimati 21:00 is permitted', '2026-05-05T07:00:00Z', 'Pacific/Kiritimati', null],
    ['Kiritimati 21:01 is held until the next local day', '2026-05-05T07:01:00Z', 'Pacific/Kiritimati', held('21:01', '2026-05-05T18:00:00Z', '2026-05-06 08:00', 'Pacific/Kiritimati')],

    // East of the date line, UTC-11: local dates run a day behind UTC.
    ['Pago Pago 07:59 is held until 08:00 on its own date', '2026-05-04T18:59:00Z', 'Pacific/Pago_Pago', held('07:59', '2026-05-04T19:00:00Z', '2026-05-04 08:00', 'Pacific/Pago_Pago')],
    ['Pago Pago 08:00 is permitted', '2026-05-04T19:00:00Z', 'Pacific/Pago_Pago', null],
    ['Pago Pago 20:59 is permitted', '2026-05-05T07:59:00Z', 'Pacific/Pago_Pago', null],
    ['Pago Pago 21:00 is permitted', '2026-05-05T08:00:00Z', 'Pacific/Pago_Pago', null],
    ['Pago Pago 21:01 is held until the next local day', '2026-05-05T08:01:00Z', 'Pacific/Pago_Pago', held('21:01', '2026-05-05T19:00:00Z', '2026-05-05 08:00', 'Pacific/Pago_Pago')],
    ['Pago Pago on New Year’s Eve opens on 1 January', '2026-01-01T08:30:00Z', 'Pacific/Pago_Pago', held('21:30', '2026-01-01T19:00:00Z', '2026-01-01 08:00', 'Pacific/Pago_Pago')],
  ])('%s', (_name, now, zone, expected) => {
    expect(contactWindowHold(at(now), zone, usual)).toEqual(expected);
  });

  it('gives opposite answers on the two sides of the date line at the same instant', () => {
    const now = at('2026-05-04T18:30:00Z');
    expect(contactWindowHold(now, 'Pacific/Kiritimati', usual)).toBeNull(); // 08:30 on 5 May
    expect(contactWindowHold(now, 'Pacific/Pago_Pago', usual)).toEqual(
      held('07:30', '2026-05-04T19:00:00Z', '2026-05-04 08:00', 'Pacific/Pago_Pago'),
    );
  });

  it.each([
    ['09:29 before a custom window', '2026-05-04T14:29:00Z', held('09:29', '2026-05-04T14:30:00Z', '2026-05-04 09:30', chicago, { start: '09:30', end: '17:15' })],
    ['09:30 at a custom start', '2026-05-04T14:30:00Z', null],
    ['17:14 just inside a custom end', '2026-05-04T22:14:00Z', null],
    ['17:15 at a custom end is inside: the same reading as 21:00', '2026-05-04T22:15:00Z', null],
    ['17:15:01 after a custom end', '2026-05-04T22:15:01Z', held('17:15:01.000', '2026-05-05T14:30:00Z', '2026-05-05 09:30', chicago, { start: '09:30', end: '17:15' })],
  ])('uses the window it is given: %s', (_name, now, expected) => {
    expect(contactWindowHold(at(now), chicago, { start: '09:30', end: '17:15' })).toEqual(expected);
  });

  // 2026-03-08 in Chicago has no 02:00–02:59: an edge there must not move the window an hour later.
  it.each([
    ['an end in the skipped hour does not stretch the window', '2026-03-08T08:10:00Z', { start: '01:00', end: '02:30' },
      held('03:10', '2026-03-09T06:00:00Z', '2026-03-09 01:00', chicago, { start: '01:00', end: '02:30' })],
    ['a start in the skipped hour does not delay the window', '2026-03-08T08:10:00Z', { start: '02:30', end: '08:00' }, null],
  ])('DST gap: %s', (_name, now, window, expected) => {
    expect(contactWindowHold(at(now), chicago, window)).toEqual(expected);
  });

  it('isTimeZone knows IANA zones only', () => {
    expect(isTimeZone('America/Chicago')).toBe(true);
    expect(isTimeZone('Pacific/Kiritimati')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('America/Springfield')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });
});

describe('contactWindowHold, as a property', () => {
  const zones = [
    'America/Chicago',
    'America/New_York',
    'America/St_Johns', // UTC-3:30 / -2:30
    'Europe/London',
    'Asia/Kolkata', // +5:30, no DST
    'Australia/Lord_Howe', // a 30-minute DST shift
    'Pacific/Chatham', // +12:45 / +13:45
    'Pacific/Kiritimati',
    'Pacific/Pago_Pago',
    'UTC',
  ];
  const hour = 3_600_000;
  // DST transitions of the zones above, so the generator lands near them often.
  const transitions = [
    '2026-03-08T08:00:00Z', // Chicago forward
    '2026-11-01T07:00:00Z', // Chicago back
    '2026-03-08T07:00:00Z', // New York forward
    '2026-11-01T06:00:00Z', // New York back
    '2026-03-08T05:30:00Z', // St John's forward
    '2026-11-01T04:30:00Z', // St John's back
    '2026-03-29T01:00:00Z', // London forward
    '2026-10-25T01:00:00Z', // London back
    '2026-04-04T15:00:00Z', // Lord Howe back (02:00 -> 01:30)
    '2026-10-03T15:30:00Z', // Lord Howe forward (02:00 -> 02:30)
    '2026-04-04T14:00:00Z', // Chatham back
    '2026-09-26T14:00:00Z', // Chatham forward
  ].map(at);

  const instant = fc.oneof(
    fc.integer({ min: at('2000-01-01T00:00:00Z'), max: at('2040-01-01T00:00:00Z') }),
    // Whole minutes, and a millisecond either side, so the edges themselves are tried.
    fc.tuple(fc.integer({ min: at('2026-01-01T00:00:00Z') / 60_000, max: at('2027-01-01T00:00:00Z') / 60_000 }), fc.constantFrom(-1, 0, 1))
      .map(([minute, offset]) => minute * 60_000 + offset),
    fc.constantFrom(...transitions).chain((t) => fc.integer({ min: t - 30 * hour, max: t + 30 * hour })),
  );
  const clock = (minutes: number): string =>
    `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
  const windowBetween = (from: number, to: number) =>
    fc
      .tuple(fc.integer({ min: from, max: to }), fc.integer({ min: from, max: to }))
      .filter(([a, b]) => a !== b)
      .map(([a, b]): ContactWindow => ({ start: clock(Math.min(a, b)), end: clock(Math.max(a, b)) }));
  /** Any valid window: start before end, anywhere in the day. */
  const anyWindow = windowBetween(0, 23 * 60 + 59);
  /**
   * Windows whose edges are clear of every DST gap and overlap of the zones above (the latest is
   * Chatham's 02:45–03:45), so each edge exists exactly once a day; real windows look like this.
   */
  const daytimeWindow = windowBetween(4 * 60, 23 * 60 + 59);

  /** The rule stated independently: the debtor's local clock reads inside [start, end], both edges convenient. */
  const permitted = (instant: number, zone: string, { start, end }: ContactWindow): boolean => {
    const local = DateTime.fromMillis(instant, { zone });
    const minutes = local.hour * 60 + local.minute;
    const [startMinutes, endMinutes] = [start, end].map((clock) => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3)));
    const exactMinute = local.second === 0 && local.millisecond === 0;
    return minutes >= (startMinutes ?? 0) && (minutes < (endMinutes ?? 0) || (minutes === endMinutes && exactMinute));
  };

  it('either permits now, or holds until the first permitted instant', () => {
    fc.assert(
      fc.property(instant, fc.constantFrom(...zones), daytimeWindow, (now, zone, window) => {
        const hold = contactWindowHold(now, zone, window);
        if (hold === null) {
          expect(permitted(now, zone, window)).toBe(true);
          return;
        }
        expect(permitted(now, zone, window)).toBe(false);
        expect(hold.until).toBeGreaterThan(now);
        expect(permitted(hold.until, zone, window)).toBe(true);
        const samples = [1, 2, 3, 4, 5, 6, 7].map((k) => now + Math.floor(((hold.until - now) * k) / 8));
        for (const t of [...samples, hold.until - 1]) expect(permitted(t, zone, window)).toBe(false);
      }),
      { numRuns: 5_000 },
    );
  });

  // With an edge inside a DST gap or overlap the hold can be later than the first permitted
  // instant (a wake-up that finds itself still outside simply holds again), but it must never
  // permit contact while the local clock is outside the window.
  it('never permits outside the window, whatever the window', () => {
    fc.assert(
      fc.property(instant, fc.constantFrom(...zones), anyWindow, (now, zone, window) => {
        const hold = contactWindowHold(now, zone, window);
        expect(hold === null).toBe(permitted(now, zone, window));
        if (hold) expect(hold.until).toBeGreaterThan(now);
      }),
      { numRuns: 5_000 },
    );
  });
});
