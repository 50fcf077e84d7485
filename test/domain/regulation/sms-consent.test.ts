import { describe, expect, it } from 'vitest';
import type { ContactPoint } from '../../../domain/case-facts.js';
import { evaluateContact } from '../../../domain/regulation/index.js';
import { smsConsentBar } from '../../../domain/regulation/consent.js';
import { at, facts, reachable } from './facts.js';

const number = '+13125550100';
const given = { at: at('2026-05-01T12:00:00Z'), source: 'enrollment' };

const withSms = (sms: Partial<ContactPoint>) => facts({ contacts: { sms: { ...reachable, address: number, ...sms } } });

describe('SMS consent', () => {
  it.each<[string, Partial<ContactPoint>, string | null]>([
    ['consent recorded for this number', { consent: true, consentRecord: { ...given, granted: true, address: number } }, null],
    ['consent as a flag (cases enrolled before records)', { consent: true }, null],
    ['no consent', { consent: false }, 'no recorded consent for SMS'],
    ['consent given for another number', { consent: true, consentRecord: { ...given, granted: true, address: '+13125550111' } },
      'no recorded consent for SMS to the current number'],
    ['consent revoked', { consent: false, consentRecord: { at: at('2026-05-02T12:00:00Z'), source: 'officer:ana', granted: false, address: number } },
      'SMS consent was revoked (officer:ana, 2026-05-02)'],
    ['a revoked record wins over a stale flag', { consent: true, consentRecord: { ...given, granted: false, address: number } },
      'SMS consent was revoked (enrollment, 2026-05-01)'],
  ])('%s', (_name, sms, expected) => {
    expect(smsConsentBar(withSms(sms))).toBe(expected);
    const verdict = evaluateContact({ channel: 'sms', now: at('2026-05-04T15:00:00Z'), facts: withSms(sms) });
    expect(verdict).toEqual(expected === null ? { kind: 'permitted' } : { kind: 'barred', reason: expected });
  });

  it('does not ask for consent to call the same number', () => {
    expect(evaluateContact({ channel: 'phone', now: at('2026-05-04T15:00:00Z'), facts: withSms({ consent: false }) })).toEqual({ kind: 'permitted' });
  });
});
