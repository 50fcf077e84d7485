import { describe, expect, it } from 'vitest';
import type { CaseFacts } from '../../../domain/case-facts.js';
import type { ContactPolicyInput } from '../../../domain/regulation/index.js';
import { planStep, untilEventRecheckMs, type StepDecision } from '../../../domain/step-plan.js';
import type { TStep } from '../../../domain/strategy.js';
import { at, day, facts, withCalls } from './facts.js';
import { step } from '../../support/strategies.js';

/**
 * planStep with the strategy's contact policy: every contact rule applies. (Without a policy it
 * behaves as before the rules existed; test/domain/step-plan.test.ts covers that.)
 */

const window = { start: '08:00', end: '21:00' };
const startedAt = at('2026-05-04T15:00:00Z'); // Monday 10:00 in Chicago
const daytime = at('2026-05-07T15:00:00Z'); // Thursday 10:00
const night = at('2026-05-08T03:00:00Z'); // Thursday 22:00
const noted = { at: at('2026-05-01T12:00:00Z'), source: 'officer:ana' };
const nightHold: StepDecision = {
  kind: 'wait',
  until: at('2026-05-08T13:00:00Z'),
  reason: 'held: 22:00 local is outside 08:00–21:00; next 2026-05-08 08:00 America/Chicago',
};

describe('planStep with a contact policy', () => {
  it.each<[string, TStep, number, CaseFacts, ContactPolicyInput, StepDecision]>([
    ['still waits for the due time first', step('email'), startedAt, facts({ flags: { bankruptcy: noted } }), {},
      { kind: 'wait', until: startedAt + 3 * day, reason: 'step "email" (email) is due' }],
    ['holds email at 22:00 as before', step('email'), night, facts(), {}, nightHold],
    ['now holds a call task at 22:00 too', step('call'), night, facts(), {}, nightHold],
    ['sends a letter at 22:00', step('letter'), night, facts(), {}, { kind: 'run' }],
    ['holds the 8th call of the week', step('call'), daytime, withCalls(['2026-05-01', '02', '03', '04', '05', '06', '07'].map((d) => `2026-05-${d.slice(-2)}T14:00:00Z`)), {},
      { kind: 'wait', until: at('2026-05-08T13:00:00Z'),
        reason: 'held: 7 calls in the 7 days 2026-05-01–2026-05-07 reach the limit of 7 (12 CFR 1006.14(b)(2)(i)); next 2026-05-08 08:00 America/Chicago' }],
    ['skips a call without a number', step('call'), daytime, facts({ contacts: { email: facts().contacts.email } }), {},
      { kind: 'skip', reason: 'no phone number on file' }],
    ['skips rather than holds when barred at night', step('sms'), night, facts({ flags: { ceaseCommunication: noted } }), {},
      { kind: 'skip', reason: 'the debtor asked us to cease communication (officer:ana, 2026-05-01, 12 CFR 1006.6(c))' }],
    ['skips an agency referral in bankruptcy', step('agency_referral'), daytime, facts({ flags: { bankruptcy: noted } }), {},
      { kind: 'skip', reason: 'the debtor is in bankruptcy; the automatic stay stops all collection (officer:ana, 2026-05-01)' }],
    ['refers a deceased debtor\'s case (no contact)', step('agency_referral'), daytime, facts({ flags: { deceased: noted } }), {}, { kind: 'run' }],
    ['writes a note whatever the flags', step('note', { note: 'check' }), night, facts({ flags: { bankruptcy: noted } }), {}, { kind: 'run' }],
    ['waits for an event while a dispute is unverified', step('email'), daytime,
      facts({ history: { dispute: { receivedAt: startedAt, source: 'sms_reply', verificationSentAt: null } } }), {},
      { kind: 'wait', until: daytime + untilEventRecheckMs, untilEvent: true,
        reason: 'held: the debt was disputed on 2026-05-04 (sms_reply) within the validation period; collection waits until verification is sent (15 U.S.C. 1692g(b))' }],
    ['sends a validation-notice template after the 5 days', step('letter', { template: 'validation' }), at('2026-05-12T15:00:00Z'),
      facts({ history: { firstCommunicationAt: startedAt } }), { validationNotice: { templates: ['validation'] } }, { kind: 'run' }],
    ['holds any other template after the 5 days', step('letter'), at('2026-05-12T15:00:00Z'),
      facts({ history: { firstCommunicationAt: startedAt } }), { validationNotice: { templates: ['validation'] } },
      { kind: 'wait', until: at('2026-05-13T15:00:00Z'), untilEvent: true,
        reason: 'held: the validation notice was not sent within 5 days of the first communication on 2026-05-04; collection waits until it is sent (12 CFR 1006.34(a))' }],
    ['cuts a strategy window to the federal one', step('email'), at('2026-05-08T12:30:00Z'), facts(), { allowedHours: { start: '07:00', end: '22:00' } },
      { kind: 'wait', until: at('2026-05-08T13:00:00Z'), reason: 'held: 07:30 local is outside 08:00–21:00; next 2026-05-08 08:00 America/Chicago' }],
  ])('%s', (_name, theStep, now, theFacts, policy, expected) => {
    expect(planStep({ step: theStep, startedAt, now, facts: theFacts, window, policy })).toEqual(expected);
  });

  it('takes the window from `window` when the policy has none', () => {
    expect(planStep({ step: step('email'), startedAt, now: daytime, facts: facts(), window: { start: '12:00', end: '13:00' }, policy: {} })).toEqual({
      kind: 'wait',
      until: at('2026-05-07T17:00:00Z'),
      reason: 'held: 10:00 local is outside 12:00–13:00; next 2026-05-07 12:00 America/Chicago',
    });
  });
});
