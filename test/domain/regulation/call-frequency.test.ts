import { describe, expect, it } from 'vitest';
import type { CaseFacts, ContactAttempt } from '../../../domain/case-facts.js';
import { evaluateContact, type ContactPolicyInput, type ContactRoute, type ContactVerdict } from '../../../domain/regulation/index.js';
import { at, facts, withCalls } from './facts.js';

const permitted: ContactVerdict = { kind: 'permitted' };
const held = (untilUtc: string, reason: string): ContactVerdict => ({ kind: 'held', until: at(untilUtc), reason });
const capReason = (count: number, from: string, to: string, next: string) =>
  `held: ${count} calls in the 7 days ${from}–${to} reach the limit of 7 (12 CFR 1006.14(b)(2)(i)); next ${next} America/Chicago`;

/** One call a day at 10:00 CDT from 2026-05-01 (a Friday) for `count` days. */
const daily = (count: number, first = 1) =>
  Array.from({ length: count }, (_, i) => `2026-05-${String(first + i).padStart(2, '0')}T15:00:00Z`);
const sevenOnTheFourth = Array.from({ length: 7 }, (_, i) => `2026-05-04T${15 + i}:00:00Z`);

const attempts = (channel: ContactAttempt['channel'], isoTimes: string[]): ContactAttempt[] => isoTimes.map((iso) => ({ channel, at: at(iso) }));
const conversationOn = (iso: string, overrides: Partial<CaseFacts> = {}) => facts({ ...overrides, history: { lastConversationAt: at(iso) } });

describe('call frequency (12 CFR 1006.14(b)(2))', () => {
  it.each<[string, ContactRoute, string, CaseFacts, ContactPolicyInput, ContactVerdict]>([
    ['the 7th call in 7 days is permitted', 'phone', '2026-05-07T16:00:00Z', withCalls(daily(6, 2)), {}, permitted],
    ['the 8th call in 7 days is held until the oldest call leaves the window', 'phone', '2026-05-07T16:00:00Z', withCalls(daily(7)), {},
      held('2026-05-08T13:00:00Z', capReason(7, '2026-05-01', '2026-05-07', '2026-05-08 08:00'))],
    ['the 8th call is permitted once the oldest day has passed', 'phone', '2026-05-08T13:00:00Z', withCalls(daily(7)), {}, permitted],
    ['seven calls on one day hold calls for seven days', 'phone', '2026-05-04T22:00:00Z', withCalls(sevenOnTheFourth), {},
      held('2026-05-11T13:00:00Z', capReason(7, '2026-04-28', '2026-05-04', '2026-05-11 08:00'))],
    ['... still held on the 7th day (local date 2026-05-10)', 'phone', '2026-05-11T01:59:00Z', withCalls(sevenOnTheFourth), {},
      held('2026-05-11T13:00:00Z', capReason(7, '2026-05-04', '2026-05-10', '2026-05-11 08:00'))],
    ['... and permitted on the 8th', 'phone', '2026-05-11T13:00:00Z', withCalls(sevenOnTheFourth), {}, permitted],
    ['texts do not count as calls', 'phone', '2026-05-07T16:00:00Z', facts({ history: { attempts: attempts('sms', daily(7)) } }), {}, permitted],
    ['the call cap does not hold an email', 'email', '2026-05-07T16:00:00Z', withCalls(daily(7)), {}, permitted],

    // The week after a conversation: its day is the first of the seven.
    ['a call the same day as a conversation is held', 'phone', '2026-05-04T20:00:00Z', conversationOn('2026-05-04T15:00:00Z'), {},
      held('2026-05-11T13:00:00Z',
        'held: a telephone conversation on 2026-05-04 allows no call for 7 days (12 CFR 1006.14(b)(2)(ii)); next 2026-05-11 08:00 America/Chicago')],
    ['a call on the 7th day (2026-05-10, 20:59) is held', 'phone', '2026-05-11T01:59:00Z', conversationOn('2026-05-04T15:00:00Z'), {},
      held('2026-05-11T13:00:00Z',
        'held: a telephone conversation on 2026-05-04 allows no call for 7 days (12 CFR 1006.14(b)(2)(ii)); next 2026-05-11 08:00 America/Chicago')],
    ['a call on the 8th day at 08:00 is permitted', 'phone', '2026-05-11T13:00:00Z', conversationOn('2026-05-04T15:00:00Z'), {}, permitted],
    ['an email the day after a conversation is permitted', 'email', '2026-05-05T15:00:00Z', conversationOn('2026-05-04T15:00:00Z'), {}, permitted],

    // Stricter caps: the strategy's and a state's (Massachusetts counts calls and texts together).
    ['a strategy cap of 2 emails a week holds the 3rd', 'email', '2026-05-06T15:00:00Z',
      facts({ history: { attempts: attempts('email', ['2026-05-04T15:00:00Z', '2026-05-05T15:00:00Z']) } }), { frequencyCaps: { email: { max: 2, days: 7 } } },
      held('2026-05-11T13:00:00Z',
        'held: 2 emails in the 7 days 2026-04-30–2026-05-06 reach the limit of 2 (strategy contact policy); next 2026-05-11 08:00 America/Chicago')],
    ['a cap of 0 turns the channel off', 'sms', '2026-05-06T15:00:00Z', facts(), { frequencyCaps: { sms: { max: 0, days: 7 } } },
      { kind: 'barred', reason: 'no texts are allowed (strategy contact policy)' }],
    ['Massachusetts: a call and a text hold the next call', 'phone', '2026-05-06T15:00:00Z',
      facts({ state: 'MA', history: { attempts: [...attempts('phone', ['2026-05-04T15:00:00Z']), ...attempts('sms', ['2026-05-05T15:00:00Z'])] } }), {},
      held('2026-05-11T13:00:00Z',
        'held: 2 calls and texts in the 7 days 2026-04-30–2026-05-06 reach the limit of 2 (Massachusetts 940 CMR 7.04(1)(f)); next 2026-05-11 08:00 America/Chicago')],
    ['Massachusetts: ... and the next text', 'sms', '2026-05-06T15:00:00Z',
      facts({ state: 'MA', history: { attempts: [...attempts('phone', ['2026-05-04T15:00:00Z']), ...attempts('sms', ['2026-05-05T15:00:00Z'])] } }), {},
      held('2026-05-11T13:00:00Z',
        'held: 2 calls and texts in the 7 days 2026-04-30–2026-05-06 reach the limit of 2 (Massachusetts 940 CMR 7.04(1)(f)); next 2026-05-11 08:00 America/Chicago')],
    ['Massachusetts: ... but not an email', 'email', '2026-05-06T15:00:00Z',
      facts({ state: 'MA', history: { attempts: [...attempts('phone', ['2026-05-04T15:00:00Z']), ...attempts('sms', ['2026-05-05T15:00:00Z'])] } }), {}, permitted],
    ['the same history elsewhere holds nothing', 'phone', '2026-05-06T15:00:00Z',
      facts({ state: 'IL', history: { attempts: [...attempts('phone', ['2026-05-04T15:00:00Z']), ...attempts('sms', ['2026-05-05T15:00:00Z'])] } }), {}, permitted],
  ])('%s', (_name, channel, now, theFacts, policy, expected) => {
    expect(evaluateContact({ channel, now: at(now), facts: theFacts, policy })).toEqual(expected);
  });

  it('counts days in every candidate zone, on both sides of the date line', () => {
    // 20:00Z is 10:00 on 5 May in Kiritimati and 09:00 on 4 May in Pago Pago.
    const theFacts = conversationOn('2026-05-04T20:00:00Z', { timeZone: 'Pacific/Kiritimati', timeZones: ['Pacific/Pago_Pago'] });
    const verdict = evaluateContact({ channel: 'phone', now: at('2026-05-05T20:00:00Z'), facts: theFacts });
    // Pago Pago's 8th day (11 May) opens at 08:00 there, 19:00Z, when Kiritimati is on 12 May, its own 8th day.
    expect(verdict).toMatchObject({ kind: 'held', until: at('2026-05-11T19:00:00Z') });
    expect(verdict.kind === 'held' && verdict.reason).toMatch(/^held: a telephone conversation on 2026-05-04 \(Pacific\/Pago_Pago\)/);
    expect(evaluateContact({ channel: 'phone', now: at('2026-05-11T19:00:00Z'), facts: theFacts })).toEqual(permitted);
  });

  it('permits calls in the seven days after the debtor\'s consent, despite a conversation or the cap (12 CFR 1006.14(b)(3)(i))', () => {
    const callConsent = { at: at('2026-05-05T14:00:00Z'), source: 'debtor' };
    const afterConversation = conversationOn('2026-05-04T15:00:00Z', { callConsent });
    expect(evaluateContact({ channel: 'phone', now: at('2026-05-05T15:00:00Z'), facts: afterConversation })).toEqual(permitted);
    expect(evaluateContact({ channel: 'phone', now: at('2026-05-05T13:59:00Z'), facts: afterConversation }).kind).toBe('held');
    const capped = withCalls(sevenOnTheFourth, { callConsent });
    expect(evaluateContact({ channel: 'phone', now: at('2026-05-06T15:00:00Z'), facts: capped })).toEqual(permitted);
    // The consent does not open texts or emails a cap holds, nor calls outside the window.
    expect(evaluateContact({ channel: 'phone', now: at('2026-05-06T03:00:00Z'), facts: capped }).kind).toBe('held');
  });

  it('walks the 7th and 8th call of a week through time', () => {
    // Calls at 10:00 local on 7 consecutive days, then the 8th is attempted at once.
    let theFacts = facts();
    for (const iso of daily(7)) {
      expect(evaluateContact({ channel: 'phone', now: at(iso), facts: theFacts })).toEqual(permitted);
      theFacts = { ...theFacts, history: { attempts: [...(theFacts.history?.attempts ?? []), { channel: 'phone', at: at(iso) }] } };
    }
    const eighth = evaluateContact({ channel: 'phone', now: at('2026-05-07T15:01:00Z'), facts: theFacts });
    expect(eighth).toMatchObject({ kind: 'held', until: at('2026-05-08T13:00:00Z') });
  });
});
