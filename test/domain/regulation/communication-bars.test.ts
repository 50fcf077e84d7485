import { describe, expect, it } from 'vitest';
import type { CaseFacts } from '../../../domain/case-facts.js';
import { channelUnavailable } from '../../../domain/case-facts.js';
import { evaluateContact, type ContactAction, type ContactRoute } from '../../../domain/regulation/index.js';
import { at, facts, reachable } from './facts.js';

const now = at('2026-05-04T15:00:00Z'); // Monday 10:00 in Chicago: no timed rule holds
const noted = { at: at('2026-05-01T12:00:00Z'), source: 'officer:ana' };

/** Every kind of contact a case makes, named `channel/action`. */
const contacts: [ContactRoute, ContactAction][] = [
  ['email', 'collection'],
  ['sms', 'collection'],
  ['letter', 'collection'],
  ['phone', 'collection'],
  ['letter', 'validation_notice'],
  ['letter', 'verification'],
  ['letter', 'cease_notice'],
  ['none', 'referral'],
  ['none', 'litigation'],
];
const all = contacts.map(([channel, action]) => `${channel}/${action}`);
const communications = all.filter((name) => !name.startsWith('none/'));

describe('communication bars: each stops the right contacts and only those', () => {
  it.each<[string, CaseFacts, string[]]>([
    ['nothing on file', facts(), []],
    ['bankruptcy: everything, referral and litigation included', facts({ flags: { bankruptcy: noted } }), all],
    ['deceased: every communication', facts({ flags: { deceased: noted } }), communications],
    ['attorney: every communication with the debtor', facts({ flags: { attorneyRepresented: noted } }), communications],
    ['cease: everything but the cease notices and verification', facts({ flags: { ceaseCommunication: noted } }),
      communications.filter((name) => name !== 'letter/verification' && name !== 'letter/cease_notice')],
    ['time-barred: litigation only', facts({ flags: { timeBarred: noted } }), ['none/litigation']],
    ['SMS STOP: texts only, not calls to the same number',
      facts({ contacts: { ...facts().contacts, sms: { ...reachable, address: '+13125550100', consent: true, optedOut: true } } }), ['sms/collection']],
    ['email unsubscribe: email only',
      facts({ contacts: { ...facts().contacts, email: { ...reachable, address: 'dana@example.com', optedOut: true } } }), ['email/collection']],
    ['"don\'t call me": calls only', facts({ refusedMedia: [{ medium: 'phone', ...noted }] }), ['phone/collection']],
    ['a refused email address: that address only', facts({ refusedMedia: [{ medium: 'email', address: 'dana@example.com', ...noted }] }), ['email/collection']],
    ['a refused old address does not stop the new one', facts({ refusedMedia: [{ medium: 'email', address: 'old@example.com', ...noted }] }), []],
    ['"not at work": contact points at work only',
      facts({
        contacts: { ...facts().contacts, phone: { ...reachable, address: '+13125550199', place: 'work' } },
        refusedPlaces: [{ place: 'work', ...noted }],
      }),
      ['phone/collection']],
    ['no SMS consent: texts only', facts({ contacts: { ...facts().contacts, sms: { ...reachable, address: '+13125550100', consent: false } } }), ['sms/collection']],
    ['an invalid mobile number: texts, and calls to it', facts({ contacts: { ...facts().contacts, sms: { ...reachable, address: '+13125550100', consent: true, valid: false } } }),
      ['sms/collection', 'phone/collection']],
    ['no number at all: texts and calls', facts({ contacts: { email: facts().contacts.email, letter: facts().contacts.letter } }), ['sms/collection', 'phone/collection']],
    ['no postal address: letters only', facts({ contacts: { email: facts().contacts.email, sms: facts().contacts.sms } }),
      ['letter/collection', 'letter/validation_notice', 'letter/verification', 'letter/cease_notice']],
  ])('%s', (_name, theFacts, expectedBarred) => {
    const barred = contacts
      .filter(([channel, action]) => evaluateContact({ channel, action, now, facts: theFacts }).kind === 'barred')
      .map(([channel, action]) => `${channel}/${action}`);
    expect(barred).toEqual(expectedBarred);
  });

  it.each<[string, CaseFacts, ContactRoute, string]>([
    ['bankruptcy', facts({ flags: { bankruptcy: noted } }), 'none', 'the debtor is in bankruptcy; the automatic stay stops all collection (officer:ana, 2026-05-01)'],
    ['deceased', facts({ flags: { deceased: noted } }), 'letter', 'the debtor is deceased (officer:ana, 2026-05-01)'],
    ['attorney', facts({ flags: { attorneyRepresented: noted } }), 'email',
      'the debtor is represented by an attorney; communicate with the attorney (officer:ana, 2026-05-01, 12 CFR 1006.6(b)(2))'],
    ['cease', facts({ flags: { ceaseCommunication: noted } }), 'sms', 'the debtor asked us to cease communication (officer:ana, 2026-05-01, 12 CFR 1006.6(c))'],
    ['opt-out with its source',
      facts({ contacts: { ...facts().contacts, sms: { ...reachable, address: '+13125550100', consent: true, optedOut: true, optOut: { at: noted.at, source: 'sms_reply' } } } }),
      'sms', 'the debtor opted out of sms (sms_reply, 2026-05-01)'],
    ['a refused medium', facts({ refusedMedia: [{ medium: 'phone', ...noted }] }), 'phone',
      'the debtor asked not to be contacted by telephone calls (officer:ana, 2026-05-01)'],
    ['a refused place', facts({ contacts: { ...facts().contacts, phone: { ...reachable, address: '+1', place: 'work' } }, refusedPlaces: [{ place: 'work', ...noted }] }), 'phone',
      'the debtor asked not to be contacted at work (officer:ana, 2026-05-01)'],
  ])('says why: %s', (_name, theFacts, channel, reason) => {
    expect(evaluateContact({ channel, action: channel === 'none' ? 'referral' : 'collection', now, facts: theFacts })).toEqual({ kind: 'barred', reason });
  });

  it('channelUnavailable (used by step conditions and fallbacks) sees refusals of the channel too', () => {
    expect(channelUnavailable(facts({ refusedMedia: [{ medium: 'email', ...noted }] }), 'email')).toBe(
      'the debtor asked not to be contacted by email (officer:ana, 2026-05-01)',
    );
    // ... but not case-wide bars, which no fallback can get around.
    expect(channelUnavailable(facts({ flags: { ceaseCommunication: noted } }), 'email')).toBeNull();
  });
});
