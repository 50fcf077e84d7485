import { describe, expect, it } from 'vitest';
import type { CaseFacts, DesignatedTime } from '../../../domain/case-facts.js';
import { evaluateContact, type ContactRoute, type ContactVerdict } from '../../../domain/regulation/index.js';
import { at, facts } from './facts.js';

const debtor = { at: at('2026-05-01T15:00:00Z'), source: 'debtor' };
const notBeforeTen: DesignatedTime = { from: '00:00', to: '10:00', ...debtor };
const lunchCalls: DesignatedTime = { from: '12:00', to: '13:00', media: ['phone'], ...debtor };
const weekendNights: DesignatedTime = { from: '20:00', to: '11:00', days: [6, 7], ...debtor };
const permitted: ContactVerdict = { kind: 'permitted' };
const inside = (local: string, designation: string) =>
  `held: ${local} local is inside ${designation}, a time the debtor said is inconvenient (debtor, 2026-05-01, 12 CFR 1006.6(b)(1)(i))`;

const designated = (times: DesignatedTime[], overrides: Partial<CaseFacts> = {}) => facts({ inconvenientTimes: times, ...overrides });

describe('times the debtor designated as inconvenient', () => {
  // Chicago in May is CDT (UTC-5); 2026-05-09 is a Saturday.
  it.each<[string, ContactRoute, string, CaseFacts, ContactVerdict]>([
    ['"not before 10:00" holds a call at 09:30 until 10:00', 'phone', '2026-05-04T14:30:00Z', designated([notBeforeTen]),
      { kind: 'held', until: at('2026-05-04T15:00:00Z'), reason: `${inside('09:30', '00:00–10:00')}; next 2026-05-04 10:00 America/Chicago` }],
    ['... and an SMS', 'sms', '2026-05-04T14:30:00Z', designated([notBeforeTen]), { kind: 'held', until: at('2026-05-04T15:00:00Z'), reason: expect.any(String) as string }],
    ['... 10:00:00 itself is convenient', 'phone', '2026-05-04T15:00:00Z', designated([notBeforeTen]), permitted],
    ['... 09:59:59.999 is not', 'phone', '2026-05-04T14:59:59.999Z', designated([notBeforeTen]), { kind: 'held', until: at('2026-05-04T15:00:00Z'), reason: expect.any(String) as string }],
    ['... a letter is not timed', 'letter', '2026-05-04T14:30:00Z', designated([notBeforeTen]), permitted],
    ['... nor is a referral a contact', 'none', '2026-05-04T14:30:00Z', designated([notBeforeTen]), permitted],
    ['at 07:00 the federal window and the designation together wait for 10:00', 'email', '2026-05-04T12:00:00Z', designated([notBeforeTen]),
      { kind: 'held', until: at('2026-05-04T15:00:00Z'), reason: expect.stringContaining('next 2026-05-04 10:00 America/Chicago') as string }],
    ['a designation for calls does not hold an email', 'email', '2026-05-04T17:30:00Z', designated([lunchCalls]), permitted],
    ['... it holds a call until 13:00', 'phone', '2026-05-04T17:30:00Z', designated([lunchCalls]),
      { kind: 'held', until: at('2026-05-04T18:00:00Z'), reason: `${inside('12:30', 'calls 12:00–13:00')}; next 2026-05-04 13:00 America/Chicago` }],
    ['through midnight: Saturday 20:30 waits for Sunday 11:00', 'phone', '2026-05-10T01:30:00Z', designated([weekendNights]),
      { kind: 'held', until: at('2026-05-10T16:00:00Z'), reason: expect.stringContaining('20:00–11:00 on Sat, Sun') as string }],
    ['... Sunday night runs into Monday 11:00', 'phone', '2026-05-11T14:00:00Z', designated([weekendNights]),
      { kind: 'held', until: at('2026-05-11T16:00:00Z'), reason: expect.any(String) as string }],
    ['... but Friday night is convenient', 'phone', '2026-05-09T01:30:00Z', designated([weekendNights]), permitted],
    ['... and Saturday morning is not (after Friday), at 10:00', 'phone', '2026-05-09T15:00:00Z', designated([weekendNights]), permitted],
    ['in every zone: 10:30 in Chicago is 08:30 in Los Angeles', 'phone', '2026-05-04T15:30:00Z', designated([notBeforeTen], { timeZones: ['America/Los_Angeles'] }),
      { kind: 'held', until: at('2026-05-04T17:00:00Z'), reason: expect.stringContaining('08:30 local in America/Los_Angeles is inside 00:00–10:00') as string }],
  ])('%s', (_name, channel, now, theFacts, expected) => {
    expect(evaluateContact({ channel, now: at(now), facts: theFacts })).toEqual(expected);
  });

  it('a designation covering every hour leaves no time to call', () => {
    const always = designated([{ from: '00:00', to: '00:00', media: ['phone'], ...debtor }]);
    expect(evaluateContact({ channel: 'phone', now: at('2026-05-04T15:00:00Z'), facts: always })).toEqual({
      kind: 'barred',
      reason: 'the times the debtor said are inconvenient (calls 00:00–00:00) leave no minute of 08:00–21:00 in the next 14 days',
    });
    // Two designations that meet leave none either; with a gap between them, the gap is found.
    const morning = { from: '00:00', to: '14:00', ...debtor };
    expect(evaluateContact({ channel: 'sms', now: at('2026-05-04T15:00:00Z'), facts: designated([morning, { from: '14:00', to: '24:00', ...debtor }]) }).kind).toBe('barred');
    expect(evaluateContact({ channel: 'sms', now: at('2026-05-04T15:00:00Z'), facts: designated([morning, { from: '14:30', to: '24:00', ...debtor }]) })).toEqual({
      kind: 'held',
      until: at('2026-05-04T19:00:00Z'),
      reason: expect.stringContaining('next 2026-05-04 14:00 America/Chicago') as string,
    });
    expect(evaluateContact({ channel: 'email', now: at('2026-05-04T15:00:00Z'), facts: always })).toEqual(permitted);
  });

  it('ends in the repeated hour of the fall-back day as the clock reads it', () => {
    // 2026-11-01 in Chicago: 01:00–01:59 happens twice; "not before 01:30" ends at each 01:30.
    const early = designated([{ from: '00:00', to: '01:30', ...debtor }], { timeZone: 'America/Chicago' });
    const second = evaluateContact({ channel: 'phone', now: at('2026-11-01T07:10:00Z'), facts: early, policy: {} });
    // 01:10 CST (the second time) is inside the designation until 01:30 CST, and then the federal window waits for 08:00.
    expect(second).toMatchObject({ kind: 'held', until: at('2026-11-01T14:00:00Z') });
  });

  it('a held contact is permitted at the instant it is held until', () => {
    const theFacts = designated([notBeforeTen, lunchCalls, weekendNights], { timeZones: ['America/New_York', 'America/Denver'] });
    for (let now = at('2026-05-04T00:00:00Z'); now < at('2026-05-12T00:00:00Z'); now += 37 * 60_000) {
      const verdict = evaluateContact({ channel: 'phone', now, facts: theFacts });
      if (verdict.kind === 'held' && verdict.until !== null) expect(evaluateContact({ channel: 'phone', now: verdict.until, facts: theFacts })).toEqual(permitted);
    }
  });
});
