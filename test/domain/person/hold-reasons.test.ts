import { describe, expect, it } from 'vitest';
import { decideContact, type PersonLedger } from '../../../domain/person/contact-decision.js';
import type { ContactGrantRequest } from '../../../workflows/person-messages.js';
import { at } from '../regulation/facts.js';
import { contact, ledger, personFacts, request } from './fixtures.js';

/** 2026-12-03 is a Thursday; Chicago is on CST (UTC-6). */
const reason = (state: PersonLedger, req: Partial<ContactGrantRequest>, iso: string): string => {
  const { grant } = decideContact({ ledger: state, request: request(req), now: at(iso) });
  if (grant.kind !== 'held') throw new Error(`expected a hold, got ${JSON.stringify(grant)}`);
  return grant.reason;
};
const notBeforeTen = { from: '00:00', to: '10:00', media: ['phone' as const], at: at('2026-11-20T16:00:00Z'), source: 'debtor' };

describe('the reason a person reads for a held contact', () => {
  it('names the person, the account they were reached about, and their stated earliest time (the issue\'s example)', () => {
    const state = ledger({
      facts: personFacts({ inconvenientTimes: [notBeforeTen] }),
      contacts: [contact('case-2', 'LOANS', 'phone', '2026-12-03T16:00:00Z', { conversation: true })],
    });
    expect(reason(state, { caseId: 'case-3' }, '2026-12-04T15:00:00Z')).toBe(
      'Ana Ruiz was reached about ACC-2 on 3 Dec; next call about ACC-3 from 10 Dec 10:00, their stated earliest time',
    );
    // On the account itself the account is not named twice.
    expect(reason(state, { caseId: 'case-2' }, '2026-12-04T15:00:00Z')).toBe('Ana Ruiz was reached about ACC-2 on 3 Dec; next call from 10 Dec 10:00, their stated earliest time');
  });

  it('names the accounts a cap counted', () => {
    const calls = [1, 2, 3].map((date) => contact('case-2', 'LOANS', 'phone', `2026-12-0${date}T16:00:00Z`));
    const more = [4, 5, 6, 7].map((date) => contact('case-3', 'LOANS', 'phone', `2026-12-0${date}T16:00:00Z`));
    const state = ledger({ contacts: [...calls, ...more] });
    expect(reason(state, { caseId: 'case-3' }, '2026-12-07T17:00:00Z')).toBe(
      'Ana Ruiz got 7 calls about ACC-2 and ACC-3 in the 7 days to 7 Dec (limit 7, 12 CFR 1006.14(b)(2)(i)); ' +
        'next call about ACC-3 from 8 Dec 08:00, the start of the permitted hours (08:00–21:00)',
    );
    // ACC-3's email of 4 Dec is outside the two days and is not named.
    const emails = ledger({ contacts: [contact('case-3', 'LOANS', 'email', '2026-12-04T15:00:00Z'), contact('case-1', 'ACC-1', 'email', '2026-12-07T15:00:00Z')] });
    expect(reason(emails, { caseId: 'case-2', channel: 'email', policy: { frequencyCaps: { email: { max: 1, days: 2 } } } }, '2026-12-07T17:00:00Z')).toBe(
      'Ana Ruiz got 1 email about ACC-1 in the 2 days to 7 Dec (limit 1, strategy contact policy); next email about ACC-2 from 9 Dec 08:00, ' +
        'the start of the permitted hours (08:00–21:00)',
    );
  });

  it('says when the local time is the reason, in the zone that holds it', () => {
    expect(reason(ledger(), { channel: 'email' }, '2026-12-04T12:30:00Z')).toBe(
      'it is 06:30 for Ana Ruiz, outside 08:00–21:00; next email about ACC-1 from 4 Dec 08:00, the start of the permitted hours (08:00–21:00)',
    );
    const twoZones = ledger({ facts: personFacts({ timeZones: ['America/Los_Angeles'] }) });
    expect(reason(twoZones, { channel: 'sms' }, '2026-12-04T15:30:00Z')).toBe(
      'it is 07:30 for Ana Ruiz in America/Los_Angeles, outside 08:00–21:00; next text about ACC-1 from 4 Dec 10:00 (America/Chicago), ' +
        'the start of the permitted hours (08:00–21:00)',
    );
  });

  it('says what the person asked for', () => {
    const lunch = { from: '12:00', to: '13:00', days: [1, 2, 3, 4, 5], at: at('2026-11-20T16:00:00Z'), source: 'officer:bo' };
    const state = ledger({ facts: personFacts({ inconvenientTimes: [lunch] }) });
    expect(reason(state, { channel: 'phone' }, '2026-12-04T18:15:00Z')).toBe(
      'Ana Ruiz asked for no contact between 12:00 and 13:00 on Mon, Tue, Wed, Thu, Fri (officer:bo, 2026-11-20); ' +
        'next call about ACC-1 from 4 Dec 13:00, when the time they asked us to avoid ends',
    );
  });

  it('names the disputed account when collection waits for verification', () => {
    const disputed = { balance: 1, history: { validationNoticeSentAt: at('2026-11-20T16:00:00Z'), dispute: { receivedAt: at('2026-12-03T16:00:00Z'), source: 'letter', verificationSentAt: null } } };
    expect(reason(ledger(), { caseId: 'case-2', debt: disputed }, '2026-12-04T16:00:00Z')).toBe(
      'Ana Ruiz disputed ACC-2 on 3 Dec (letter); collection on ACC-2 waits until verification is sent (15 U.S.C. 1692g(b))',
    );
  });
});
