import { describe, expect, it } from 'vitest';
import type { CaseFacts } from '../../../domain/case-facts.js';
import { applyComplianceEvent, attemptRetentionDays, complianceOf, type ComplianceEvent } from '../../../domain/regulation/events.js';
import { evaluateContact } from '../../../domain/regulation/index.js';
import { at, day, facts } from './facts.js';

const t0 = at('2026-05-04T15:00:00Z');

/** Applies events in order, collecting what each changed. */
function run(start: CaseFacts, events: ComplianceEvent[]): { facts: CaseFacts; changes: string[] } {
  let current = start;
  const changes: string[] = [];
  for (const event of events) {
    const next = applyComplianceEvent(current, event);
    current = next.facts;
    changes.push(...next.changes);
  }
  return { facts: current, changes };
}

describe('applyComplianceEvent', () => {
  it('records sends and calls as attempts, the first communication once, and a notice', () => {
    const { facts: after, changes } = run(facts(), [
      { type: 'call_attempted', at: t0 - day, conversation: false },
      { type: 'message_sent', channel: 'email', at: t0 },
      { type: 'message_sent', channel: 'letter', at: t0 + day, validationNotice: true },
      { type: 'call_attempted', at: t0 + 2 * day, conversation: true },
    ]);
    expect(after.history).toEqual({
      attempts: [
        { channel: 'phone', at: t0 - day },
        { channel: 'email', at: t0 },
        { channel: 'letter', at: t0 + day },
        { channel: 'phone', at: t0 + 2 * day },
      ],
      // An unanswered call is no communication; the email is the first.
      firstCommunicationAt: t0,
      validationNoticeSentAt: t0 + day,
      lastConversationAt: t0 + 2 * day,
    });
    expect(changes).toEqual(['validation notice sent (letter)', 'telephone conversation: no call for 7 days']);
  });

  it(`keeps ${attemptRetentionDays} days of attempts`, () => {
    const old = { type: 'call_attempted', at: t0, conversation: false } as const;
    const { facts: after } = run(facts(), [old, { ...old, at: t0 + attemptRetentionDays * day }]);
    expect(after.history?.attempts).toEqual([{ channel: 'phone', at: t0 + attemptRetentionDays * day }]);
  });

  it('honours STOP once, records its source, and START undoes it', () => {
    const stop = { type: 'reply_received', channel: 'sms', text: 'STOP', intent: 'stop', at: t0 } as const;
    const stopped = run(facts(), [stop, { ...stop, at: t0 + 1 }]);
    expect(stopped.changes).toEqual(['opted out of sms (sms_reply)']);
    expect(stopped.facts.contacts.sms).toMatchObject({ optedOut: true, optOut: { at: t0, source: 'sms_reply' } });
    expect(evaluateContact({ channel: 'sms', now: t0, facts: stopped.facts })).toEqual({ kind: 'barred', reason: 'the debtor opted out of sms (sms_reply, 2026-05-04)' });
    expect(evaluateContact({ channel: 'phone', now: t0, facts: stopped.facts })).toEqual({ kind: 'permitted' });

    const started = run(stopped.facts, [{ ...stop, text: 'START', intent: 'start', at: t0 + day }]);
    expect(started.facts.contacts.sms).toMatchObject({ optedOut: false, optOut: null });
    expect(evaluateContact({ channel: 'sms', now: t0 + day, facts: started.facts })).toEqual({ kind: 'permitted' });
  });

  it('honours words: "please stop calling me" in an email refuses calls', () => {
    const { facts: after, changes } = run(facts(), [
      { type: 'reply_received', channel: 'email', text: 'Please stop calling me at all hours.', intent: 'other', at: t0 },
    ]);
    expect(changes).toEqual(['the debtor refused phone (email_reply)']);
    expect(evaluateContact({ channel: 'phone', now: t0, facts: after }).kind).toBe('barred');
    expect(evaluateContact({ channel: 'email', now: t0, facts: after }).kind).toBe('permitted');
  });

  it('holds collection on a dispute and resumes on verification', () => {
    const start = facts({ history: { firstCommunicationAt: t0, validationNoticeSentAt: t0 } });
    const disputed = run(start, [{ type: 'reply_received', channel: 'sms', text: 'this is not my debt', intent: 'dispute', at: t0 + day }]);
    expect(disputed.changes).toEqual(['dispute received (sms_reply); collection waits for verification']);
    expect(evaluateContact({ channel: 'email', now: t0 + 2 * day, facts: disputed.facts })).toMatchObject({ kind: 'held', until: null });

    const verified = run(disputed.facts, [{ type: 'verification_sent', at: t0 + 3 * day, source: 'officer:ana' }]);
    expect(verified.changes).toEqual(['verification sent (officer:ana); collection may resume']);
    expect(evaluateContact({ channel: 'email', now: t0 + 4 * day, facts: verified.facts })).toEqual({ kind: 'permitted' });

    const again = run(verified.facts, [{ type: 'dispute_received', at: t0 + 5 * day, source: 'letter' }]);
    expect(again.facts.history?.dispute).toEqual({ receivedAt: t0 + 5 * day, source: 'letter', verificationSentAt: null });
  });

  it('ties SMS consent to its number', () => {
    const revoked = run(facts(), [{ type: 'sms_consent', granted: false, at: t0, source: 'call_outcome' }]);
    expect(revoked.facts.contacts.sms).toMatchObject({ consent: false, consentRecord: { granted: false, address: '+13125550100', source: 'call_outcome' } });

    const moved = run(facts(), [{ type: 'contact_changed', channel: 'sms', address: '+13125550177', at: t0, source: 'officer:ana' }]);
    expect(moved.facts.contacts.sms).toMatchObject({ address: '+13125550177', consent: false });
    expect(evaluateContact({ channel: 'sms', now: t0, facts: moved.facts })).toEqual({ kind: 'barred', reason: 'no recorded consent for SMS' });

    const given = run(moved.facts, [{ type: 'sms_consent', granted: true, number: '+13125550177', at: t0 + 1, source: 'web_form' }]);
    expect(evaluateContact({ channel: 'sms', now: t0, facts: given.facts })).toEqual({ kind: 'permitted' });
  });

  it('marks a wrong number invalid for texts and calls to it', () => {
    const { facts: after } = run(facts(), [{ type: 'reply_received', channel: 'sms', text: 'wrong number', intent: 'wrong_number', at: t0 }]);
    expect(after.contacts.sms?.valid).toBe(false);
    expect(evaluateContact({ channel: 'phone', now: t0, facts: after })).toEqual({ kind: 'barred', reason: 'the phone contact is marked invalid' });
  });

  it('sets and clears flags, refusals and places without touching its input', () => {
    const start = facts();
    const snapshot = structuredClone(start);
    const { facts: after, changes } = run(start, [
      { type: 'flag_set', flag: 'attorneyRepresented', at: t0, source: 'officer:ana' },
      { type: 'flag_set', flag: 'attorneyRepresented', at: t0 + 1, source: 'officer:ana' },
      { type: 'place_refused', place: 'work', at: t0, source: 'call_outcome' },
      { type: 'medium_refused', medium: 'email', address: 'dana@example.com', at: t0, source: 'letter' },
      { type: 'flag_cleared', flag: 'attorneyRepresented', at: t0 + day, source: 'officer:ana' },
    ]);
    expect(changes).toEqual([
      'attorneyRepresented recorded (officer:ana)',
      'the debtor refused contact at work (call_outcome)',
      'the debtor refused email to dana@example.com (letter)',
      'attorneyRepresented cleared (officer:ana)',
    ]);
    expect(complianceOf(after)).toEqual({
      flags: {},
      refusedMedia: [{ medium: 'email', address: 'dana@example.com', at: t0, source: 'letter' }],
      refusedPlaces: [{ place: 'work', at: t0, source: 'call_outcome' }],
      history: {},
    });
    expect(start).toEqual(snapshot);
  });
});
