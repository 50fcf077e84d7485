import { describe, expect, it } from 'vitest';
import { decideContact, recordContact, type PersonLedger } from '../../../domain/person/contact-decision.js';
import { applyPersonChange } from '../../../domain/person/person-facts.js';
import { attemptRetentionDays } from '../../../domain/regulation/events.js';
import type { ContactGrantRequest } from '../../../workflows/person-messages.js';
import { at, day } from '../regulation/facts.js';
import { contact, ledger, personFacts, request } from './fixtures.js';

/** Ten in the morning in Chicago, 4–10 May 2026. */
const tenAm = (date: number) => `2026-05-${String(date).padStart(2, '0')}T15:00:00Z`;
const calls = (caseId: string, debtGroup: string, dates: number[]) => dates.map((date) => contact(caseId, debtGroup, 'phone', tenAm(date)));

/** Decides, and records the contact when one is granted: what the person workflow does. */
function ask(state: PersonLedger, req: Partial<ContactGrantRequest>, iso: string) {
  const now = at(iso);
  const decision = decideContact({ ledger: state, request: request(req), now });
  return { ...decision, ledger: decision.contact ? recordContact(state, decision.contact, now) : state };
}

describe('decideContact', () => {
  it('counts the federal call cap per debt group', () => {
    const state = ledger({ contacts: calls('case-2', 'LOANS', [1, 2, 3, 4, 5, 6, 7]) });
    // ACC-3 is serviced with ACC-2: its calls are the same debt's.
    expect(ask(state, { caseId: 'case-3', grantId: 'g3' }, '2026-05-07T20:00:00Z').grant).toMatchObject({ kind: 'held', until: at('2026-05-08T13:00:00Z') });
    const other = ask(state, { caseId: 'case-1', grantId: 'g1' }, '2026-05-07T20:00:00Z');
    expect(other.grant).toEqual({ kind: 'permitted', grantId: 'g1' });
    expect(other.contact).toEqual({ grantId: 'g1', caseId: 'case-1', debtGroup: 'ACC-1', medium: 'phone', at: at('2026-05-07T20:00:00Z') });
  });

  it('holds calls on every debt of the group for the week after a conversation, and none of the others', () => {
    const state = ledger({ contacts: [contact('case-2', 'LOANS', 'phone', tenAm(4), { conversation: true })] });
    expect(ask(state, { caseId: 'case-3' }, tenAm(6)).grant).toMatchObject({ kind: 'held', until: at('2026-05-11T13:00:00Z') });
    expect(ask(state, { caseId: 'case-1' }, tenAm(6)).grant.kind).toBe('permitted');
  });

  it('counts a strategy cap per person: one email a day however many debts', () => {
    const policy = { frequencyCaps: { email: { max: 1, days: 1 } } };
    let state = ledger();
    const first = ask(state, { caseId: 'case-1', grantId: 'e1', channel: 'email', policy }, tenAm(4));
    expect(first.grant.kind).toBe('permitted');
    state = first.ledger;
    const second = ask(state, { caseId: 'case-2', grantId: 'e2', channel: 'email', policy }, '2026-05-04T15:00:01Z');
    expect(second.grant).toMatchObject({ kind: 'held', until: at('2026-05-05T13:00:00Z') });
    expect(second.contact).toBeNull();
  });

  it('counts a state cap that speaks of the debtor per person (Massachusetts)', () => {
    const state = ledger({ facts: personFacts({ state: 'MA' }), contacts: [contact('case-1', 'ACC-1', 'phone', tenAm(4)), contact('case-2', 'LOANS', 'sms', tenAm(5))] });
    expect(ask(state, { caseId: 'case-3' }, tenAm(6)).grant).toMatchObject({ kind: 'held', until: at('2026-05-11T13:00:00Z') });
  });

  it('calls within seven days after the person\'s consent count neither toward the cap nor against a conversation (12 CFR 1006.14(b)(3)(i))', () => {
    const conversation = contact('case-2', 'LOANS', 'phone', tenAm(4), { conversation: true });
    const consent = personFacts({ callConsent: { at: at('2026-05-05T14:00:00Z'), source: 'debtor' } });
    const state = ledger({ facts: consent, contacts: [conversation] });
    // Before the consent the conversation holds the call; after it, the call goes and is marked consented.
    expect(ask(state, { caseId: 'case-3' }, '2026-05-05T13:30:00Z').grant.kind).toBe('held');
    const consented = ask(state, { caseId: 'case-3', grantId: 'c1' }, '2026-05-05T15:00:00Z');
    expect(consented.grant.kind).toBe('permitted');
    expect(consented.contact).toMatchObject({ consented: true, debtGroup: 'LOANS' });
    // Seven days after the consent it no longer covers calls: the conversation's week is over by then, the cap is not reached.
    expect(ask(state, { caseId: 'case-3' }, '2026-05-12T14:00:00Z').grant.kind).toBe('permitted');

    // Consented calls are left out of the federal cap, even after the consent's week.
    const sevenConsented = calls('case-2', 'LOANS', [5, 6, 7, 8, 9, 10, 11]).map((each) => ({ ...each, consented: true }));
    const later = ledger({ contacts: sevenConsented });
    expect(ask(later, { caseId: 'case-2' }, tenAm(11)).grant.kind).toBe('permitted');
    const sevenPlain = ledger({ contacts: calls('case-2', 'LOANS', [5, 6, 7, 8, 9, 10, 11]) });
    expect(ask(sevenPlain, { caseId: 'case-2' }, tenAm(11)).grant.kind).toBe('held');
  });

  it('marks a call recorded after the fact within the consent\'s seven days as consented', () => {
    const consent = ledger({ facts: personFacts({ callConsent: { at: at(tenAm(4)), source: 'debtor' } }) });
    const officer = contact('case-1', 'ACC-1', 'phone', tenAm(5));
    expect(recordContact(consent, officer, at(tenAm(5))).contacts).toEqual([{ ...officer, consented: true }]);
    const late = contact('case-1', 'ACC-1', 'phone', tenAm(11));
    expect(recordContact(consent, late, at(tenAm(11))).contacts).toEqual([late]);
    const before = contact('case-1', 'ACC-1', 'phone', '2026-05-04T14:00:00Z');
    expect(recordContact(consent, before, at(tenAm(4))).contacts).toEqual([before]);
  });

  it('counts consented calls toward a state cap, which the federal exception does not reach', () => {
    const consent = personFacts({ state: 'MA', callConsent: { at: at(tenAm(4)), source: 'debtor' } });
    const state = ledger({ facts: consent, contacts: calls('case-1', 'ACC-1', [4, 5]).map((each) => ({ ...each, consented: true })) });
    expect(ask(state, { caseId: 'case-1' }, tenAm(6)).grant.kind).toBe('held');
  });

  it('answers a repeated grant the same, once', () => {
    const first = ask(ledger(), { grantId: 'same' }, tenAm(4));
    expect(first.contact).not.toBeNull();
    const again = ask(first.ledger, { grantId: 'same' }, '2026-05-04T15:05:00Z');
    expect(again.grant).toEqual({ kind: 'permitted', grantId: 'same' });
    expect(again.contact).toBeNull();
    expect(again.ledger.contacts).toHaveLength(1);
  });

  it('asks without counting when reserve is false', () => {
    const asked = ask(ledger(), { reserve: false }, tenAm(4));
    expect(asked.grant.kind).toBe('permitted');
    expect(asked.contact).toBeNull();
  });

  it('applies what the person said on one debt to all of them', () => {
    const { facts } = applyPersonChange(personFacts(), {
      kind: 'compliance',
      event: { type: 'reply_received', channel: 'sms', text: 'STOP', intent: 'stop', at: at(tenAm(4)) },
    });
    const state = ledger({ facts });
    for (const caseId of ['case-1', 'case-2', 'case-3']) {
      expect(ask(state, { caseId, channel: 'sms' }, tenAm(5)).grant.kind).toBe('barred');
      expect(ask(state, { caseId, channel: 'email' }, tenAm(5)).grant.kind).toBe('permitted');
    }
  });

  it('takes the debt\'s own facts from the request: a dispute holds that debt only', () => {
    const disputed = { balance: 1, history: { validationNoticeSentAt: at(tenAm(1)), dispute: { receivedAt: at(tenAm(2)), source: 'letter', verificationSentAt: null } } };
    expect(ask(ledger(), { caseId: 'case-2', debt: disputed }, tenAm(4)).grant).toMatchObject({ kind: 'held', until: null });
    expect(ask(ledger(), { caseId: 'case-3' }, tenAm(4)).grant.kind).toBe('permitted');
  });
});

describe('recordContact', () => {
  it('keeps one entry per grant, adding a later conversation, and drops what no cap reads', () => {
    const old = contact('case-1', 'ACC-1', 'email', '2026-04-01T15:00:00Z');
    const call = contact('case-1', 'ACC-1', 'phone', tenAm(4));
    const now = at(tenAm(4));
    let state = recordContact(ledger({ contacts: [old] }), call, now);
    expect(state.contacts).toEqual([old, call]);
    state = recordContact(state, { ...call, at: now + 60_000, conversation: true }, now + 60_000);
    expect(state.contacts).toEqual([old, { ...call, conversation: true }]);
    state = recordContact(state, contact('case-2', 'LOANS', 'sms', tenAm(5)), old.at + attemptRetentionDays * day);
    expect(state.contacts.map((each) => each.medium)).toEqual(['phone', 'sms']);
  });
});
