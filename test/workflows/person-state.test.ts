import { describe, expect, it } from 'vitest';
import type { ContactGrantRequest, PersonInput } from '../../workflows/person-messages.js';
import { keptGrants, LivePerson } from '../../workflows/person/state.js';

/** The person workflow's state without Temporal: grants, changes, cases, merges (workflows/person/state.ts). */

const now = Date.parse('2026-03-02T18:00:00Z'); // 12:00 in Chicago, a Monday
const sms = { address: '+15555550100', valid: true, optedOut: false, consent: true };

function person(id = 'p1', cases = ['c1', 'c2']): LivePerson {
  const input: PersonInput = {
    personId: id,
    name: 'Ana Ruiz',
    timeZone: 'America/Chicago',
    facts: { contacts: { sms: { ...sms } } },
    cases: cases.map((caseId) => ({ caseId, accountExternalId: `ACC-${caseId}`, debtGroup: `ACC-${caseId}` })),
  };
  return new LivePerson(input);
}

const ask = (caseId: string, grantId: string, extra: Partial<ContactGrantRequest> = {}): ContactGrantRequest => ({
  grantId,
  caseId,
  channel: 'sms',
  action: 'collection',
  debt: { balance: 10_000 },
  policy: { frequencyCaps: { sms: { max: 1, days: 1 } }, validationNotice: { required: false } },
  ...extra,
});

const stop = (changeId: string) => ({ changeId, change: { kind: 'compliance' as const, event: { type: 'opted_out' as const, channel: 'sms' as const, at: now, source: 'sms_reply' } } });

describe('the person state', () => {
  it('grants one contact against the whole ledger and answers a repeated grant id with its first answer', () => {
    const p = person();
    expect(p.grant(ask('c1', 'g1'), now).kind).toBe('permitted');
    const second = p.grant(ask('c2', 'g2'), now);
    expect(second.kind).toBe('held');
    expect(second.kind === 'held' && second.reason).toMatch(/^Ana Ruiz got 1 text about ACC-c1\b/);
    p.change(stop('stop-1'));
    // The same grant id (an activity's retry) gets the first answer, a new one the new facts.
    expect(p.grant(ask('c1', 'g1'), now + 1).kind).toBe('permitted');
    expect(p.grant(ask('c1', 'g3'), now + 1).kind).toBe('barred');
    expect(p.state.contacts).toHaveLength(1);
  });

  it('counts nothing for an ask-only request (a call task) and keeps its memory of grants bounded', () => {
    const p = person();
    expect(p.grant(ask('c1', 'call-1', { channel: 'phone', reserve: false }), now).kind).toBe('permitted');
    expect(p.state.contacts).toHaveLength(0);
    for (let n = 0; n < keptGrants + 100; n++) p.grant(ask('c1', `many-${n}`, { reserve: false }), now + n);
    expect(p.state.grants.length).toBeLessThanOrEqual(keptGrants);
  });

  it('applies a change once per change id and tells every open case, a new case only the facts', () => {
    const p = person();
    expect(p.change(stop('stop-1'))).toEqual(['opted out of sms (sms_reply)']);
    expect(p.change(stop('stop-1'))).toEqual([]);
    expect(p.state.version).toBe(2);
    expect(p.effects).toEqual([{ kind: 'broadcast' }]);
    p.effects = [];
    p.join({ caseId: 'c3', accountExternalId: 'ACC-c3', debtGroup: 'ACC-c3' });
    expect(p.effects).toEqual([{ kind: 'broadcast', caseIds: ['c3'] }]);
    p.change({ changeId: 'consent', change: { kind: 'call_consent', granted: true, source: 'officer', at: now } });
    // Queued broadcasts are sent once, each with the facts as they are then.
    expect(p.takeEffects()).toEqual([{ kind: 'broadcast' }]);
    expect(p.effects).toEqual([]);
    p.leave('c1');
    expect(p.openCases().map((each) => each.caseId)).toEqual(['c2', 'c3']);
    expect(p.announcement()).toMatchObject({ personId: 'p1', version: 3, facts: { contacts: { sms: { optedOut: true } } } });
    // A case's own change is told back with its count, so the case knows the facts include it.
    p.change({ ...stop('from-c2'), changeId: 'c2:4', from: { caseId: 'c2', seq: 4 } });
    expect(p.announcement().acks).toEqual({ c2: 4 });
  });

  it('takes back only the refusals the person withdrew (the debtors API change)', () => {
    const p = person();
    p.change({ changeId: 'r1', change: { kind: 'compliance', event: { type: 'place_refused', place: 'work', at: now, source: 'officer' } } });
    p.change({ changeId: 'r2', change: { kind: 'compliance', event: { type: 'medium_refused', medium: 'phone', at: now, source: 'officer' } } });
    expect(p.change({ changeId: 'w1', change: { kind: 'refusal_withdrawn', places: ['work'], media: [], source: 'officer', at: now } })).toEqual(['refusal withdrawn: work (officer)']);
    expect(p.state.facts.refusedPlaces).toBeUndefined();
    expect(p.state.facts.refusedMedia?.map((each) => each.medium)).toEqual(['phone']);
    expect(p.change({ changeId: 'w2', change: { kind: 'refusal_withdrawn', places: ['work'], media: [], source: 'officer', at: now } })).toEqual([]);
  });

  it('merged into another: hands over its facts, contacts and cases, forwards later changes, and takes its cases back on undo', () => {
    const from = person('p1', ['c1']);
    from.grant(ask('c1', 'g1'), now);
    from.change(stop('stop-1'));
    from.effects = [];
    from.merged({ into: 'p2', mergeId: 'm1' });
    const [absorbed] = from.effects;
    expect(absorbed).toMatchObject({ kind: 'absorbed', into: 'p2', absorbed: { from: 'p1', mergeId: 'm1', cases: [{ caseId: 'c1' }] } });
    expect(from.grant(ask('c1', 'g9'), now)).toMatchObject({ kind: 'held', until: now, mergedInto: 'p2' });
    from.effects = [];
    from.change({ changeId: 'later', change: { kind: 'call_consent', granted: true, source: 'officer', at: now } });
    expect(from.effects.map((effect) => effect.kind)).toEqual(['forward']);

    const into = person('p2', ['c7']);
    if (absorbed?.kind !== 'absorbed') throw new Error('no hand-over');
    into.absorb(absorbed.absorbed, now);
    into.absorb(absorbed.absorbed, now);
    expect(into.openCases().map((each) => each.caseId)).toEqual(['c7', 'c1']);
    // What the merged person knew stands: the opt-out of the same number, its contact counted.
    expect(into.state.facts.contacts.sms?.optedOut).toBe(true);
    expect(into.state.contacts).toHaveLength(1);
    expect(into.effects).toEqual([{ kind: 'broadcast' }]);

    from.effects = [];
    from.merged({ into: null, mergeId: 'm1' });
    expect(from.effects).toEqual([{ kind: 'released', into: 'p2', mergeId: 'm1' }, { kind: 'broadcast' }]);
    into.release({ from: 'p1', mergeId: 'm1' });
    expect(into.openCases().map((each) => each.caseId)).toEqual(['c7']);
    expect(from.grant(ask('c1', 'g10'), now).mergedInto).toBeUndefined();
  });
});
