import { describe, expect, it } from 'vitest';
import type { CaseFacts, ContactPoint } from '../../domain/case-facts.js';
import type { ContactWindow } from '../../domain/contact-rules.js';
import { planStep, stepDueAt, type StepDecision } from '../../domain/step-plan.js';
import type { TStep } from '../../domain/strategy.js';
import { step } from '../support/strategies.js';

const window: ContactWindow = { start: '08:00', end: '21:00' };
const day = 86_400_000;
/** Monday 2026-05-04 10:00 in Chicago (CDT, UTC-5). */
const startedAt = Date.parse('2026-05-04T15:00:00Z');
/** Three days later at 10:00 and at 22:00 local. */
const dueDaytime = startedAt + 3 * day;
const dueNight = Date.parse('2026-05-08T03:00:00Z');
const nightHold = {
  kind: 'wait',
  until: Date.parse('2026-05-08T13:00:00Z'),
  reason: 'held: 22:00 local is outside 08:00–21:00; next 2026-05-08 08:00 America/Chicago',
} as const;

const reachable: ContactPoint = { address: 'x', valid: true, optedOut: false, consent: true };

function facts(overrides: Partial<CaseFacts> = {}): CaseFacts {
  return {
    balance: 50_000,
    timeZone: 'America/Chicago',
    contacts: {
      email: { ...reachable, address: 'dana@example.com' },
      sms: { ...reachable, address: '+15555550100' },
      letter: { ...reachable, address: 'Dana | 1 Main St | Springfield 62701 | US' },
    },
    ...overrides,
  };
}

/** Facts with one channel's contact point replaced (or removed with `undefined`). */
function withContact(channel: 'email' | 'sms' | 'letter', contact: Partial<ContactPoint> | undefined): CaseFacts {
  const base = facts();
  const contacts = { ...base.contacts };
  if (contact === undefined) delete contacts[channel];
  else contacts[channel] = { ...reachable, ...contact };
  return { ...base, contacts };
}

describe('planStep', () => {
  it.each<[string, TStep, number, CaseFacts, StepDecision]>([
    // Not yet due: wait for the due instant, whatever else is true.
    ['waits until an email step is due', step('email'), startedAt, facts(),
      { kind: 'wait', until: dueDaytime, reason: 'step "email" (email) is due' }],
    ['waits one millisecond before due', step('sms'), dueDaytime - 1, facts(),
      { kind: 'wait', until: dueDaytime, reason: 'step "sms" (sms) is due' }],
    ['waits before due even when it would later be skipped', step('sms'), startedAt, withContact('sms', undefined),
      { kind: 'wait', until: dueDaytime, reason: 'step "sms" (sms) is due' }],
    ['runs exactly at the due instant', step('email'), dueDaytime, facts(), { kind: 'run' }],

    // Balance conditions.
    ['skips below minBalance', step('letter', { when: { minBalance: 50_001 } }), dueDaytime, facts(),
      { kind: 'skip', reason: "balance 50000 is below the step's minimum 50001" }],
    ['runs at exactly minBalance', step('letter', { when: { minBalance: 50_000 } }), dueDaytime, facts(), { kind: 'run' }],
    ['skips above maxBalance', step('call', { when: { maxBalance: 49_999 } }), dueDaytime, facts(),
      { kind: 'skip', reason: "balance 50000 is above the step's maximum 49999" }],
    ['runs at exactly maxBalance', step('call', { when: { maxBalance: 50_000 } }), dueDaytime, facts(), { kind: 'run' }],
    ['checks balance before the contact point', step('sms', { when: { minBalance: 100_000 } }), dueDaytime, withContact('sms', undefined),
      { kind: 'skip', reason: "balance 50000 is below the step's minimum 100000" }],

    // Contact points.
    ['skips email with no address', step('email'), dueDaytime, withContact('email', undefined),
      { kind: 'skip', reason: 'no email address on file' }],
    ['skips SMS with no number', step('sms'), dueDaytime, withContact('sms', undefined),
      { kind: 'skip', reason: 'no mobile number on file' }],
    ['skips a letter with no postal address', step('letter'), dueDaytime, withContact('letter', undefined),
      { kind: 'skip', reason: 'no postal address on file' }],
    ['skips an invalid email', step('email'), dueDaytime, withContact('email', { valid: false }),
      { kind: 'skip', reason: 'the email contact is marked invalid' }],
    ['skips an invalid letter address', step('letter'), dueDaytime, withContact('letter', { valid: false }),
      { kind: 'skip', reason: 'the letter contact is marked invalid' }],
    ['skips SMS after an opt-out', step('sms'), dueDaytime, withContact('sms', { optedOut: true }),
      { kind: 'skip', reason: 'the debtor opted out of sms' }],
    ['skips email after an opt-out', step('email'), dueDaytime, withContact('email', { optedOut: true }),
      { kind: 'skip', reason: 'the debtor opted out of email' }],
    ['skips SMS without recorded consent', step('sms'), dueDaytime, withContact('sms', { consent: false }),
      { kind: 'skip', reason: 'no recorded consent for SMS' }],
    ['sends email without recorded consent', step('email'), dueDaytime, withContact('email', { consent: false }), { kind: 'run' }],
    ['skips rather than holds when both apply', step('sms'), dueNight, withContact('sms', { consent: false }),
      { kind: 'skip', reason: 'no recorded consent for SMS' }],
    ['runs a call with no contact points at all', step('call'), dueDaytime, facts({ contacts: {} }), { kind: 'run' }],
    ['runs an agency referral with no contact points at all', step('agency_referral'), dueDaytime, facts({ contacts: {} }), { kind: 'run' }],

    // Local contact hours.
    ['holds email at 22:00 local', step('email'), dueNight, facts(), nightHold],
    ['holds SMS at 22:00 local', step('sms'), dueNight, facts(), nightHold],
    ['sends a letter at 22:00 local', step('letter'), dueNight, facts(), { kind: 'run' }],
    ['runs a call task at 22:00 local', step('call'), dueNight, facts(), { kind: 'run' }],
    ['refers to the agency at 22:00 local', step('agency_referral'), dueNight, facts(), { kind: 'run' }],
    ['uses the debtor zone (noon in Tokyo)', step('sms'), dueNight, facts({ timeZone: 'Asia/Tokyo' }), { kind: 'run' }],
    ['runs email inside the window', step('email'), dueDaytime, facts(), { kind: 'run' }],
  ])('%s', (_name, theStep, now, theFacts, expected) => {
    expect(planStep({ step: theStep, startedAt, now, facts: theFacts, window })).toEqual(expected);
  });

  it('holds against the window it is given', () => {
    const narrow = { start: '12:00', end: '13:00' };
    expect(planStep({ step: step('email'), startedAt, now: dueDaytime, facts: facts(), window: narrow })).toEqual({
      kind: 'wait',
      until: Date.parse('2026-05-07T17:00:00Z'),
      reason: 'held: 10:00 local is outside 12:00–13:00; next 2026-05-07 12:00 America/Chicago',
    });
  });
});

describe('stepDueAt', () => {
  it.each([
    ['P0D', startedAt],
    ['PT15M', startedAt + 15 * 60_000],
    ['P3D', startedAt + 3 * day],
    ['P1M', Date.parse('2026-06-04T15:00:00Z')],
  ])('%s after the start', (at, expected) => {
    expect(stepDueAt(step('call', { at }), startedAt)).toBe(expected);
  });
});
