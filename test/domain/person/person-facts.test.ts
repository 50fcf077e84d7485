import { describe, expect, it } from 'vitest';
import { applyPersonChange, isPersonLevelEvent, withPersonFacts } from '../../../domain/person/person-facts.js';
import type { PersonChange, PersonFacts } from '../../../workflows/person-messages.js';
import { at, facts } from '../regulation/facts.js';
import { personFacts } from './fixtures.js';

const t0 = at('2026-05-04T15:00:00Z');

function run(start: PersonFacts, changes: PersonChange[]): { facts: PersonFacts; changes: string[] } {
  let current = start;
  const said: string[] = [];
  for (const change of changes) {
    const next = applyPersonChange(current, change);
    current = next.facts;
    said.push(...next.changes);
  }
  return { facts: current, changes: said };
}

describe('applyPersonChange', () => {
  it('honours a STOP once and records its source', () => {
    const stop: PersonChange = { kind: 'compliance', event: { type: 'reply_received', channel: 'sms', text: 'STOP', intent: 'stop', at: t0 } };
    const after = run(personFacts(), [stop, stop]);
    expect(after.changes).toEqual(['opted out of sms (sms_reply)']);
    expect(after.facts.contacts.sms).toMatchObject({ optedOut: true, optOut: { at: t0, source: 'sms_reply' } });
  });

  it('keeps a reply\'s dispute with its debt, and its words asking to stop with the person', () => {
    const reply: PersonChange = {
      kind: 'compliance',
      event: { type: 'reply_received', channel: 'email', text: 'I dispute this, and stop calling me', intent: 'dispute', at: t0 },
    };
    const after = run(personFacts(), [reply]);
    expect(after.changes).toEqual(['the debtor refused phone (email_reply)']);
    expect(after.facts).not.toHaveProperty('history');
    expect(after.facts.refusedMedia).toEqual([{ medium: 'phone', at: t0, source: 'email_reply' }]);
  });

  it('records the person flags and ignores the per-debt events', () => {
    expect(isPersonLevelEvent({ type: 'flag_set', flag: 'timeBarred', at: t0, source: 'officer:bo' })).toBe(false);
    expect(isPersonLevelEvent({ type: 'message_sent', channel: 'email', at: t0 })).toBe(false);
    expect(isPersonLevelEvent({ type: 'call_attempted', at: t0, conversation: true })).toBe(false);
    expect(isPersonLevelEvent({ type: 'dispute_received', at: t0, source: 'letter' })).toBe(false);
    const start = personFacts();
    const perDebt = run(start, [
      { kind: 'compliance', event: { type: 'flag_set', flag: 'timeBarred', at: t0, source: 'officer:bo' } },
      { kind: 'compliance', event: { type: 'message_sent', channel: 'email', at: t0 } },
      { kind: 'compliance', event: { type: 'validation_notice_sent', at: t0, source: 'vendor' } },
    ]);
    expect(perDebt).toEqual({ facts: start, changes: [] });

    const ceased = run(start, [{ kind: 'compliance', event: { type: 'flag_set', flag: 'ceaseCommunication', at: t0, source: 'letter' } }]);
    expect(ceased.facts.flags).toEqual({ ceaseCommunication: { at: t0, source: 'letter' } });
    const cleared = run(ceased.facts, [{ kind: 'compliance', event: { type: 'flag_cleared', flag: 'ceaseCommunication', at: t0, source: 'officer:bo' } }]);
    expect(cleared.facts).not.toHaveProperty('flags');
    expect(cleared.changes).toEqual(['ceaseCommunication cleared (officer:bo)']);
  });

  it('replaces designations, call consent, preferences and contact points, saying so once', () => {
    const designation = { from: '00:00', to: '10:00', at: t0, source: 'debtor' };
    const after = run(personFacts(), [
      { kind: 'designations', inconvenientTimes: [designation], source: 'debtor', at: t0 },
      { kind: 'designations', inconvenientTimes: [designation], source: 'debtor', at: t0 },
      { kind: 'call_consent', granted: true, source: 'debtor', at: t0 },
      { kind: 'preferences', language: 'es', preferredChannel: 'email', source: 'officer:bo', at: t0 },
      { kind: 'preferences', preferredChannel: null, source: 'officer:bo', at: t0 },
    ]);
    expect(after.facts).toMatchObject({ inconvenientTimes: [designation], callConsent: { at: t0, source: 'debtor' }, language: 'es' });
    expect(after.facts).not.toHaveProperty('preferredChannel');
    expect(after.changes).toEqual([
      'inconvenient times set to 00:00–10:00 (debtor)',
      'consent to be called given (debtor)',
      'language set to es (officer:bo)',
      'preferred channel email (officer:bo)',
      'preferred channel cleared (officer:bo)',
    ]);
    const withdrawn = run(after.facts, [
      { kind: 'call_consent', granted: false, source: 'debtor', at: t0 + 1 },
      { kind: 'designations', inconvenientTimes: [], source: 'debtor', at: t0 + 1 },
      { kind: 'contacts', contacts: { email: { address: 'ana@work.example', valid: true, optedOut: false, consent: false, place: 'work' } }, source: 'officer:bo', at: t0 },
    ]);
    expect(withdrawn.facts.callConsent).toBeNull();
    expect(withdrawn.facts).not.toHaveProperty('inconvenientTimes');
    expect(Object.keys(withdrawn.facts.contacts)).toEqual(['email']);
    expect(withdrawn.changes).toEqual(['consent to be called withdrawn (debtor)', 'inconvenient times cleared (debtor)', 'contact points updated (officer:bo)']);
  });
});

describe('withPersonFacts', () => {
  it('gives the case the person\'s facts and keeps the debt\'s own', () => {
    const caseFacts = facts({
      flags: { timeBarred: { at: t0, source: 'officer:bo' }, ceaseCommunication: { at: t0, source: 'old' } },
      refusedMedia: [{ medium: 'email', at: t0, source: 'old' }],
      history: { lastConversationAt: t0 },
    });
    const person = personFacts({
      flags: { attorneyRepresented: { at: t0, source: 'letter' } },
      refusedPlaces: [{ place: 'work', at: t0, source: 'debtor' }],
      inconvenientTimes: [{ from: '00:00', to: '10:00', at: t0, source: 'debtor' }],
      callConsent: { at: t0, source: 'debtor' },
      timeZones: ['America/Denver'],
    });
    const merged = withPersonFacts(caseFacts, person);
    expect(merged).toEqual({
      balance: caseFacts.balance,
      timeZone: 'America/Chicago',
      timeZones: ['America/Denver'],
      contacts: person.contacts,
      flags: { attorneyRepresented: { at: t0, source: 'letter' }, timeBarred: { at: t0, source: 'officer:bo' } },
      refusedPlaces: person.refusedPlaces,
      inconvenientTimes: person.inconvenientTimes,
      callConsent: person.callConsent,
      history: { lastConversationAt: t0 },
    });
  });
});
