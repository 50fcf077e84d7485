import { describe, expect, it } from 'vitest';
import { decideContact, recordContact, type PersonGrantRequest, type PersonLedger } from '../../../domain/person/contact-decision.js';
import { applyPersonChange } from '../../../domain/person/person-facts.js';
import { evaluateContact } from '../../../domain/regulation/index.js';
import { at, facts } from '../regulation/facts.js';
import { ledger, personFacts, request } from './fixtures.js';

/** Ana said STOP by text on 3 Dec; on 4 Dec she texts a question. */
const stop = at('2026-12-03T16:00:00Z');
const question = { messageId: 'in-1', medium: 'sms' as const, at: at('2026-12-04T16:00:00Z') };
const stopped = (): PersonLedger =>
  ledger({
    facts: applyPersonChange(personFacts(), { kind: 'compliance', event: { type: 'reply_received', channel: 'sms', text: 'STOP', intent: 'stop', at: stop } }).facts,
  });
const answer = (more: Partial<PersonGrantRequest> = {}): PersonGrantRequest => ({ ...request({ channel: 'sms', action: 'answer' }), inReplyTo: question, ...more });

function ask(state: PersonLedger, req: PersonGrantRequest, iso: string) {
  const now = at(iso);
  const decision = decideContact({ ledger: state, request: req, now });
  return { ...decision, ledger: decision.contact ? recordContact(state, decision.contact, now) : state };
}

describe('a message the person started is answered once in its medium, even after an opt-out (12 CFR 1006.14(h)(2)(ii))', () => {
  it('answers once, then bars a second answer to the same message', () => {
    const first = ask(stopped(), answer({ grantId: 'a1' }), '2026-12-04T16:05:00Z');
    expect(first.grant).toEqual({ kind: 'permitted', grantId: 'a1' });
    expect(first.contact).toMatchObject({ medium: 'sms', answers: 'in-1' });
    const second = ask(first.ledger, answer({ grantId: 'a2' }), '2026-12-04T16:10:00Z');
    expect(second.grant).toEqual({
      kind: 'barred',
      grantId: 'a2',
      reason: 'Ana Ruiz asked us not to use sms; their sms message of 4 Dec 10:00 was answered once already, on 4 Dec 10:05 (12 CFR 1006.14(h)(2)(ii))',
    });
    // The repeated first request is still the first answer.
    expect(ask(first.ledger, answer({ grantId: 'a1' }), '2026-12-04T16:10:00Z').grant.kind).toBe('permitted');
    // A new message may be answered once too.
    const next = { messageId: 'in-2', medium: 'sms' as const, at: at('2026-12-05T16:00:00Z') };
    expect(ask(first.ledger, answer({ grantId: 'a3', inReplyTo: next }), '2026-12-05T16:05:00Z').grant.kind).toBe('permitted');
  });

  it('opens nothing else: collection by text, an answer by email, an answer to a message from before the opt-out', () => {
    expect(ask(stopped(), request({ channel: 'sms', grantId: 'c' }), '2026-12-04T16:05:00Z').grant.kind).toBe('barred');
    expect(ask(stopped(), answer({ channel: 'email' }), '2026-12-04T16:05:00Z').grant.kind).toBe('permitted'); // email was never stopped
    const earlier = { ...question, at: stop - 60_000 };
    expect(ask(stopped(), answer({ inReplyTo: earlier }), '2026-12-04T16:05:00Z').grant.kind).toBe('barred');
    // The STOP itself is no question to answer.
    expect(ask(stopped(), answer({ inReplyTo: { ...question, at: stop } }), '2026-12-04T16:05:00Z').grant.kind).toBe('barred');
  });

  it('keeps every other rule: the hours, cease', () => {
    expect(ask(stopped(), answer(), '2026-12-05T04:00:00Z').grant).toMatchObject({ kind: 'held', until: at('2026-12-05T14:00:00Z') });
    const ceased = stopped();
    ceased.facts = { ...ceased.facts, flags: { ceaseCommunication: { at: stop, source: 'letter' } } };
    expect(ask(ceased, answer(), '2026-12-04T16:05:00Z').grant.kind).toBe('barred');
  });

  it('answers a call after "don\'t call me" once, for a case without a person too', () => {
    const refused = facts({
      contacts: { ...facts().contacts, phone: { address: '+13125550199', valid: true, optedOut: false, consent: false } },
      refusedMedia: [{ medium: 'phone', at: stop, source: 'email_reply' }],
    });
    const called = { messageId: 'voicemail-1', medium: 'phone' as const, at: question.at };
    expect(evaluateContact({ channel: 'phone', now: question.at + 60_000, facts: refused }).kind).toBe('barred');
    expect(evaluateContact({ channel: 'phone', action: 'answer', now: question.at + 60_000, facts: refused, inReplyTo: called })).toEqual({ kind: 'permitted' });
  });
});
