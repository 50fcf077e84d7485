import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { ContactHistory } from '../../../domain/case-facts.js';
import { addBusinessDays, federalHolidays } from '../../../domain/regulation/business-days.js';
import { applyComplianceEvent, type ComplianceEvent } from '../../../domain/regulation/events.js';
import { evaluateContact, type ContactAction, type ContactRoute, type ContactVerdict } from '../../../domain/regulation/index.js';
import { validationPeriodEnd } from '../../../domain/regulation/validation-notice.js';
import { at, facts } from './facts.js';

const permitted: ContactVerdict = { kind: 'permitted' };
const first = at('2026-05-04T15:00:00Z'); // Monday 10:00 in Chicago
const overdue: ContactVerdict = {
  kind: 'held',
  until: null,
  reason:
    'held: the validation notice was not sent within 5 days of the first communication on 2026-05-04; ' +
    'collection waits until it is sent (12 CFR 1006.34(a))',
};
const disputed = (date: string, source = 'email_reply'): ContactVerdict => ({
  kind: 'held',
  until: null,
  reason: `held: the debt was disputed on ${date} (${source}) within the validation period; collection waits until verification is sent (15 U.S.C. 1692g(b))`,
});
const noticeSent: ContactHistory = { firstCommunicationAt: first, validationNoticeSentAt: first };
const dispute = (iso: string, verified: string | null = null): ContactHistory => ({
  ...noticeSent,
  dispute: { receivedAt: at(iso), source: 'email_reply', verificationSentAt: verified ? at(verified) : null },
});

describe('validation notice (12 CFR 1006.34)', () => {
  it.each<[string, ContactRoute, ContactAction, string, ContactHistory, boolean | undefined, ContactVerdict]>([
    ['the first communication needs no notice yet', 'email', 'collection', '2026-05-04T15:00:00Z', {}, undefined, permitted],
    ['4 days 23:59 after the first communication, collection goes on', 'sms', 'collection', '2026-05-09T14:59:00Z', { firstCommunicationAt: first }, undefined, permitted],
    ['5 days after it without a notice, collection waits', 'sms', 'collection', '2026-05-09T15:00:00Z', { firstCommunicationAt: first }, undefined, overdue],
    ['... calls too', 'phone', 'collection', '2026-05-12T15:00:00Z', { firstCommunicationAt: first }, undefined, overdue],
    ['... and an agency referral', 'none', 'referral', '2026-05-12T15:00:00Z', { firstCommunicationAt: first }, undefined, overdue],
    ['... but the notice itself may still go', 'letter', 'validation_notice', '2026-05-12T15:00:00Z', { firstCommunicationAt: first }, undefined, permitted],
    ['once sent, collection goes on', 'sms', 'collection', '2026-05-12T15:00:00Z', noticeSent, undefined, permitted],
    ['a strategy that is not under Reg F may turn it off', 'sms', 'collection', '2026-05-12T15:00:00Z', { firstCommunicationAt: first }, false, permitted],

    // Disputes.
    ['a dispute within the period stops collection', 'email', 'collection', '2026-05-21T15:00:00Z', dispute('2026-05-20T15:00:00Z'), undefined, disputed('2026-05-20')],
    ['... letters, calls and referral alike', 'none', 'referral', '2026-05-21T15:00:00Z', dispute('2026-05-20T15:00:00Z'), undefined, disputed('2026-05-20')],
    ['... even when turned off for the strategy', 'phone', 'collection', '2026-05-21T15:00:00Z', dispute('2026-05-20T15:00:00Z'), false, disputed('2026-05-20')],
    ['... but verification may be sent', 'letter', 'verification', '2026-05-21T15:00:00Z', dispute('2026-05-20T15:00:00Z'), undefined, permitted],
    ['once verification is sent, collection resumes', 'email', 'collection', '2026-05-28T15:00:00Z',
      dispute('2026-05-20T15:00:00Z', '2026-05-27T15:00:00Z'), undefined, permitted],
    ['a dispute on the last day of the period counts (2026-06-10, 23:59 CDT)', 'email', 'collection', '2026-06-12T15:00:00Z',
      dispute('2026-06-11T04:59:00Z'), undefined, disputed('2026-06-10')],
    ['a dispute the day after the period does not stop collection', 'email', 'collection', '2026-06-12T15:00:00Z',
      dispute('2026-06-11T05:00:00Z'), undefined, permitted],
    ['a dispute before any notice stops collection', 'email', 'collection', '2026-05-06T15:00:00Z',
      { firstCommunicationAt: first, dispute: { receivedAt: at('2026-05-05T15:00:00Z'), source: 'sms_reply', verificationSentAt: null } },
      undefined, disputed('2026-05-05', 'sms_reply')],
  ])('%s', (_name, channel, action, now, history, required, expected) => {
    const policy = required === undefined ? {} : { validationNotice: { required } };
    expect(evaluateContact({ channel, action, now: at(now), facts: facts({ history }), policy })).toEqual(expected);
  });

  it('waits for the notice when the deadline passes before the window opens', () => {
    const now = at('2026-05-09T02:30:00Z'); // Friday 21:30 in Chicago; the window opens 13:00Z
    // First communication at 15:00 CDT: the deadline (Saturday 15:00) comes after the opening.
    const later = facts({ history: { firstCommunicationAt: at('2026-05-04T20:00:00Z') } });
    expect(evaluateContact({ channel: 'sms', now, facts: later })).toMatchObject({ kind: 'held', until: at('2026-05-09T13:00:00Z') });
    // First communication at 07:00 CDT: the deadline (Saturday 07:00) passes before the opening.
    const earlier = facts({ history: { firstCommunicationAt: at('2026-05-04T12:00:00Z') } });
    expect(evaluateContact({ channel: 'sms', now, facts: earlier })).toEqual({
      kind: 'held',
      until: null,
      reason:
        'held: 21:30 local is outside 08:00–21:00; then the validation notice was not sent within 5 days of the first communication ' +
        'on 2026-05-04; collection waits until it is sent (12 CFR 1006.34(a))',
    });
  });

  it.each([
    // Monday → Monday 2026-05-11 (5 business days), + 30 days = Wednesday 2026-06-10.
    ['an ordinary week', '2026-05-04T15:00:00Z', '2026-06-11T04:59:59.999Z'],
    // Thanksgiving (26 Nov) is skipped: receipt Friday 27 Nov; + 30 = Sunday 27 Dec, and the period ends
    // that Sunday: the rule does not move it to a business day.
    ['Thanksgiving, and a 30th day on a Sunday', '2026-11-19T15:00:00Z', '2026-12-28T05:59:59.999Z'],
    // 4 July 2026 is a Saturday; Friday 3 July is its observed day under 6103(b), not a holiday 6103(a)
    // identifies: receipt Tuesday 7 July (1 Wed, 2 Thu, 3 Fri, 6 Mon, 7 Tue); + 30 = Thursday 6 August.
    ['Independence Day on a Saturday', '2026-06-30T15:00:00Z', '2026-08-07T04:59:59.999Z'],
    // Christmas (Friday 25 Dec) is skipped: receipt Monday 28 Dec (21, 22, 23, 24, 28); + 30 = Wednesday 27 January.
    ['Christmas', '2026-12-18T15:00:00Z', '2027-01-28T05:59:59.999Z'],
  ])('validation period: %s', (_name, sent, end) => {
    expect(validationPeriodEnd({ validationNoticeSentAt: at(sent) }, ['America/Chicago'])).toBe(at(end));
  });

  it('adds the named safety margin, and only when it is set', () => {
    const history = { validationNoticeSentAt: at('2026-11-19T15:00:00Z') };
    expect(validationPeriodEnd(history, ['America/Chicago'], 0)).toBe(at('2026-12-28T05:59:59.999Z'));
    expect(validationPeriodEnd(history, ['America/Chicago'], 1)).toBe(at('2026-12-29T05:59:59.999Z'));
    // A dispute on the day after the period is not within it, unless the margin reaches it.
    const disputedAfter = facts({
      history: { ...history, firstCommunicationAt: at('2026-11-19T15:00:00Z'), dispute: { receivedAt: at('2026-12-28T15:00:00Z'), source: 'letter', verificationSentAt: null } },
    });
    const now = at('2026-12-29T15:00:00Z');
    expect(evaluateContact({ channel: 'email', now, facts: disputedAfter })).toEqual(permitted);
    expect(evaluateContact({ channel: 'email', now, facts: disputedAfter, policy: { validationNotice: { safetyMarginDays: 2 } } })).toEqual(disputed('2026-12-28', 'letter'));
    expect(evaluateContact({ channel: 'email', now, facts: disputedAfter, policy: { validationNotice: { safetyMarginDays: -3 } } })).toEqual(permitted);
  });

  it('starts the period from the notice that was delivered, not one that came back', () => {
    const returned = at('2026-05-04T15:00:00Z');
    const delivered = at('2026-05-20T15:00:00Z');
    let theFacts = facts({ history: { firstCommunicationAt: returned } });
    const apply = (event: ComplianceEvent) => (theFacts = applyComplianceEvent(theFacts, event).facts);
    apply({ type: 'validation_notice_sent', at: returned, source: 'vendor' });
    const back = applyComplianceEvent(theFacts, { type: 'validation_notice_returned', at: at('2026-05-12T15:00:00Z'), source: 'usps', sentAt: returned });
    expect(back.changes).toEqual(['validation notice returned undelivered (usps); the validation period runs from a notice that is delivered']);
    theFacts = back.facts;
    expect(validationPeriodEnd(theFacts.history, ['America/Chicago'])).toBeNull();
    // Until a notice is delivered collection waits (the first communication is more than five days old).
    expect(evaluateContact({ channel: 'email', now: at('2026-05-13T15:00:00Z'), facts: theFacts })).toEqual(overdue);
    apply({ type: 'validation_notice_sent', at: delivered, source: 'vendor' });
    // A late return of the first notice does not undo the second.
    apply({ type: 'validation_notice_returned', at: at('2026-05-21T15:00:00Z'), source: 'usps', sentAt: returned });
    // 20 May (Wed) + 5 days excluding Memorial Day (25 May) = 28 May; + 30 = 27 June.
    expect(validationPeriodEnd(theFacts.history, ['America/Chicago'])).toBe(at('2026-06-28T04:59:59.999Z'));
  });

  it('takes the latest end over candidate zones', () => {
    const history = { validationNoticeSentAt: at('2026-05-04T15:00:00Z') };
    expect(validationPeriodEnd(history, ['America/Chicago', 'America/Los_Angeles'])).toBe(at('2026-06-11T06:59:59.999Z'));
  });

  it('knows the legal public holidays', () => {
    expect([...federalHolidays(2026)].sort()).toEqual([
      '2026-01-01', '2026-01-19', '2026-02-16', '2026-05-25', '2026-06-19', '2026-07-04',
      '2026-09-07', '2026-10-12', '2026-11-11', '2026-11-26', '2026-12-25',
    ]);
    // New Year's Day 2022 fell on a Saturday; Friday 31 December 2021 (observed, 6103(b)) is a business day.
    expect(federalHolidays(2021).has('2021-12-31')).toBe(false);
    expect(addBusinessDays(DateTime.fromISO('2021-12-29', { zone: 'utc' }), 2).toISODate()).toBe('2021-12-31');
    expect(addBusinessDays(DateTime.fromISO('2021-12-29', { zone: 'utc' }), 3).toISODate()).toBe('2022-01-03');
  });
});
