import { describe, expect, it } from 'vitest';
import type { CaseFacts } from '../../../domain/case-facts.js';
import { intersectWindows, isNoContactDay } from '../../../domain/regulation/inconvenient-time.js';
import { evaluateContact, type ContactPolicyInput, type ContactRoute, type ContactVerdict } from '../../../domain/regulation/index.js';
import type { StateOverrideTable } from '../../../domain/regulation/state-overrides.js';
import { DateTime } from 'luxon';
import { at, facts } from './facts.js';

const chicago = 'America/Chicago';
const permitted: ContactVerdict = { kind: 'permitted' };
const held = (untilUtc: string, reason: string): ContactVerdict => ({ kind: 'held', until: at(untilUtc), reason });
const window = (local: string, next: string, zone = chicago, hours = '08:00–21:00') =>
  `held: ${local} local is outside ${hours}; next ${next} ${zone}`;
const everywhere = (zones: string[]) => `(contact must be convenient in every zone the debtor may be in: ${zones.join(', ')})`;

/** A test-only state whose rules are a table entry: a narrower window and no Saturdays. */
const overrides: StateOverrideTable = {
  ZZ: { source: 'Test State Code 1.1', allowedHours: { start: '09:00', end: '20:00' }, noContactDays: ['sat'] },
};

describe('inconvenient times (12 CFR 1006.6(b)(1)(i))', () => {
  it.each<[string, ContactRoute, string, CaseFacts, ContactPolicyInput, ContactVerdict]>([
    // The edges of 08:00–21:00, Chicago in May (CDT, UTC-5).
    ['07:59 is held until 08:00', 'email', '2026-05-04T12:59:00Z', facts(), {}, held('2026-05-04T13:00:00Z', window('07:59', '2026-05-04 08:00'))],
    ['08:00 is permitted', 'email', '2026-05-04T13:00:00Z', facts(), {}, permitted],
    ['20:59 is permitted', 'sms', '2026-05-05T01:59:00Z', facts(), {}, permitted],
    ['20:59:59.999 is permitted', 'sms', '2026-05-05T01:59:59.999Z', facts(), {}, permitted],
    ['21:00:00 is permitted: not after 21:00', 'sms', '2026-05-05T02:00:00Z', facts(), {}, permitted],
    ['21:00:00.001 is held until 08:00 the next day', 'sms', '2026-05-05T02:00:00.001Z', facts(), {}, held('2026-05-05T13:00:00Z', window('21:00:00.001', '2026-05-05 08:00'))],
    ['07:59:59.999 is held: before 08:00', 'sms', '2026-05-04T12:59:59.999Z', facts(), {}, held('2026-05-04T13:00:00Z', window('07:59', '2026-05-04 08:00'))],
    ['21:40 is held (the issue\'s example)', 'email', '2026-05-05T02:40:00Z', facts(), {}, held('2026-05-05T13:00:00Z', window('21:40', '2026-05-05 08:00'))],
    ['a call at 21:00 is permitted too', 'phone', '2026-05-05T02:00:00Z', facts(), {}, permitted],
    ['a call at 21:00:30 is held', 'phone', '2026-05-05T02:00:30Z', facts(), {}, held('2026-05-05T13:00:00Z', window('21:00:30.000', '2026-05-05 08:00'))],
    ['a letter at 23:00 is not subject to the window', 'letter', '2026-05-05T04:00:00Z', facts(), {}, permitted],
    ['an agency referral at 23:00 is not a contact', 'none', '2026-05-05T04:00:00Z', facts(), {}, permitted],

    // DST: spring forward 2026-03-08 (02:00 CST → 03:00 CDT at 08:00Z), fall back 2026-11-01 (07:00Z).
    ['01:59 CST before the gap opens at 08:00 CDT', 'email', '2026-03-08T07:59:00Z', facts(), {}, held('2026-03-08T13:00:00Z', window('01:59', '2026-03-08 08:00'))],
    ['07:59 CDT on spring-forward day is held', 'email', '2026-03-08T12:59:00Z', facts(), {}, held('2026-03-08T13:00:00Z', window('07:59', '2026-03-08 08:00'))],
    ['08:00 CDT on spring-forward day is permitted', 'email', '2026-03-08T13:00:00Z', facts(), {}, permitted],
    ['07:00 CST on fall-back day is held (it would be 08:00 CDT)', 'email', '2026-11-01T13:00:00Z', facts(), {}, held('2026-11-01T14:00:00Z', window('07:00', '2026-11-01 08:00'))],
    ['20:59 CST on fall-back day is permitted', 'email', '2026-11-02T02:59:00Z', facts(), {}, permitted],
    ['21:00 CST on fall-back day is permitted', 'email', '2026-11-02T03:00:00Z', facts(), {}, permitted],
    ['21:05 CST on fall-back day is held', 'email', '2026-11-02T03:05:00Z', facts(), {}, held('2026-11-02T14:00:00Z', window('21:05', '2026-11-02 08:00'))],

    // Both sides of the date line at one instant: 08:30 on 5 May in Kiritimati, 07:30 on 4 May in Pago Pago.
    ['Kiritimati alone is open', 'email', '2026-05-04T18:30:00Z', facts({ timeZone: 'Pacific/Kiritimati' }), {}, permitted],
    ['Pago Pago alone is closed', 'email', '2026-05-04T18:30:00Z', facts({ timeZone: 'Pacific/Pago_Pago' }), {},
      held('2026-05-04T19:00:00Z', window('07:30', '2026-05-04 08:00', 'Pacific/Pago_Pago'))],
    ['both candidates: held until both are open', 'email', '2026-05-04T18:30:00Z',
      facts({ timeZone: 'Pacific/Kiritimati', timeZones: ['Pacific/Pago_Pago'] }), {},
      held('2026-05-04T19:00:00Z',
        `held: 07:30 local in Pacific/Pago_Pago is outside 08:00–21:00 ${everywhere(['Pacific/Kiritimati', 'Pacific/Pago_Pago'])}; next 2026-05-04 08:00 Pacific/Pago_Pago`)],

    // Ambiguous zone: address in Chicago, phone in Los Angeles.
    ['ambiguous: 08:30 Chicago is 06:30 Los Angeles', 'sms', '2026-05-04T13:30:00Z', facts({ timeZones: ['America/Los_Angeles'] }), {},
      held('2026-05-04T15:00:00Z',
        `held: 06:30 local in America/Los_Angeles is outside 08:00–21:00 ${everywhere([chicago, 'America/Los_Angeles'])}; next 2026-05-04 08:00 America/Los_Angeles`)],
    ['ambiguous: 20:59 Chicago is 18:59 Los Angeles', 'sms', '2026-05-05T01:59:00Z', facts({ timeZones: ['America/Los_Angeles'] }), {}, permitted],
    ['ambiguous: 21:01 Chicago waits for 08:00 in Los Angeles', 'sms', '2026-05-05T02:01:00Z', facts({ timeZones: ['America/Los_Angeles'] }), {},
      held('2026-05-05T15:00:00Z',
        `held: 21:01 local in America/Chicago is outside 08:00–21:00 ${everywhere([chicago, 'America/Los_Angeles'])}; next 2026-05-05 08:00 America/Los_Angeles`)],

    // The strategy narrows, never widens.
    ['a tighter window holds 08:30', 'email', '2026-05-04T13:30:00Z', facts(), { allowedHours: { start: '09:00', end: '17:00' } },
      held('2026-05-04T14:00:00Z', window('08:30', '2026-05-04 09:00', chicago, '09:00–17:00'))],
    ['a wider window still holds 07:00', 'email', '2026-05-04T12:00:00Z', facts(), { allowedHours: { start: '06:00', end: '23:00' } },
      held('2026-05-04T13:00:00Z', window('07:00', '2026-05-04 08:00'))],
    ['a wider window still holds 21:30', 'email', '2026-05-05T02:30:00Z', facts(), { allowedHours: { start: '06:00', end: '23:00' } },
      held('2026-05-05T13:00:00Z', window('21:30', '2026-05-05 08:00'))],
    ['a window outside the federal one is never open', 'email', '2026-05-04T16:00:00Z', facts(), { allowedHours: { start: '06:00', end: '07:30' } },
      { kind: 'barred', reason: 'no minute of the day is permitted: 08:00–21:00 (federal), 06:00–07:30 (strategy) share none' }],

    // No-contact days (2026-05-09 is a Saturday, 2026-05-10 a Sunday).
    ['Saturday 21:30 with Sundays off waits for Monday 08:00', 'email', '2026-05-10T02:30:00Z', facts(), { noContactDays: ['sun'] },
      held('2026-05-11T13:00:00Z', window('21:30', '2026-05-11 08:00'))],
    ['Sunday 10:00 with Sundays off waits for Monday 08:00', 'sms', '2026-05-10T15:00:00Z', facts(), { noContactDays: ['sun'] },
      held('2026-05-11T13:00:00Z', `held: Sunday 2026-05-10 is a no-contact day; next 2026-05-11 08:00 ${chicago}`)],
    ['a letter goes on a no-contact day', 'letter', '2026-05-10T15:00:00Z', facts(), { noContactDays: ['sun'] }, permitted],
    ['a holiday by ISO date', 'email', '2026-12-25T16:00:00Z', facts(), { noContactDays: ['2026-12-25'] },
      held('2026-12-26T14:00:00Z', `held: Friday 2026-12-25 is a no-contact day; next 2026-12-26 08:00 ${chicago}`)],
    ['the day after the holiday is open', 'email', '2026-12-26T16:00:00Z', facts(), { noContactDays: ['2026-12-25'] }, permitted],
    ['every weekday off is never', 'email', '2026-05-04T16:00:00Z', facts(), { noContactDays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] },
      { kind: 'barred', reason: 'every day of the week is a no-contact day' }],

    // A state's rules are a table entry.
    ['a state window holds 20:30', 'email', '2026-05-05T01:30:00Z', facts({ state: 'ZZ' }), {},
      held('2026-05-05T14:00:00Z', window('20:30', '2026-05-05 09:00', chicago, '09:00–20:00'))],
    ['a state window does not reach debtors elsewhere', 'email', '2026-05-05T01:30:00Z', facts({ state: 'IL' }), {}, permitted],
    ['a state no-contact day', 'email', '2026-05-09T15:00:00Z', facts({ state: 'zz' }), {},
      held('2026-05-10T14:00:00Z', `held: Saturday 2026-05-09 is a no-contact day; next 2026-05-10 09:00 ${chicago}`)],
  ])('%s', (_name, channel, now, theFacts, policy, expected) => {
    expect(evaluateContact({ channel, now: at(now), facts: theFacts, policy, overrides })).toEqual(expected);
  });

  it('a held contact is permitted at the instant it is held until', () => {
    const theFacts = facts({ timeZone: 'Pacific/Kiritimati', timeZones: ['Pacific/Pago_Pago', 'America/New_York'] });
    const verdict = evaluateContact({ channel: 'sms', now: at('2026-05-04T18:30:00Z'), facts: theFacts });
    if (verdict.kind !== 'held' || verdict.until === null) throw new Error(`expected a timed hold, got ${JSON.stringify(verdict)}`);
    expect(evaluateContact({ channel: 'sms', now: verdict.until, facts: theFacts })).toEqual(permitted);
    expect(evaluateContact({ channel: 'sms', now: verdict.until - 1, facts: theFacts }).kind).toBe('held');
  });

  it.each([
    [[{ start: '08:00', end: '21:00' }, { start: '09:30', end: '22:00' }], { start: '09:30', end: '21:00' }],
    [[{ start: '08:00', end: '21:00' }, { start: '06:00', end: '08:00' }], null],
    [[{ start: '08:00', end: '21:00' }, { start: '20:59', end: '23:00' }], { start: '20:59', end: '21:00' }],
  ])('intersectWindows(%j) is %j', (windows, expected) => {
    expect(intersectWindows(windows)).toEqual(expected);
  });

  it('reads no-contact days on the local calendar', () => {
    const sundayInKiritimati = DateTime.fromISO('2026-05-09T12:00:00Z').setZone('Pacific/Kiritimati'); // Sun 02:00
    const saturdayInPagoPago = DateTime.fromISO('2026-05-09T12:00:00Z').setZone('Pacific/Pago_Pago'); // Sat 01:00
    expect(isNoContactDay(sundayInKiritimati, ['sun'])).toBe(true);
    expect(isNoContactDay(saturdayInPagoPago, ['sun'])).toBe(false);
  });
});
