import { describe, expect, it } from 'vitest';
import type { ConsolidatedAccount, ContactGrantRequest, DueMessage, PersonInput } from '../../workflows/person-messages.js';
import { LivePerson } from '../../workflows/person/state.js';

/**
 * Consolidated messages in the person state (workflows/person/state.ts, person/consolidation.ts):
 * one contact for the accounts due the same local day, the others answered `coveredBy`.
 */

const now = Date.parse('2026-03-02T18:00:00Z'); // 12:00 in Chicago, a Monday
const hour = 3_600_000;
const email = { address: 'ana@example.com', valid: true, optedOut: false, consent: true };

function person(cases = ['c1', 'c2', 'c3']): LivePerson {
  const input: PersonInput = {
    personId: 'p1',
    name: 'Ana Ruiz',
    timeZone: 'America/Chicago',
    facts: { contacts: { email: { ...email } } },
    cases: cases.map((caseId) => ({ caseId, accountExternalId: `ACC-${caseId}`, debtGroup: `ACC-${caseId}` })),
  };
  return new LivePerson(input);
}

const line = (caseId: string, stepKey = `${caseId}/run/remind`): ConsolidatedAccount => ({ caseId, stepId: 'remind', stepKey, externalId: `ACC-${caseId}`, balance: 10_000, currency: 'USD' });

const ask = (caseId: string, grantId: string, extra: Partial<ContactGrantRequest> = {}): ContactGrantRequest => ({
  grantId,
  caseId,
  channel: 'email',
  action: 'collection',
  debt: { balance: 10_000 },
  policy: { frequencyCaps: { email: { max: 1, days: 1 } }, validationNotice: { required: false } },
  consolidate: line(caseId),
  ...extra,
});

const due = (caseId: string, at: number, extra: Partial<ContactGrantRequest> = {}): DueMessage => {
  const { grantId: _grantId, ...request } = ask(caseId, 'unused', extra);
  return { channel: 'email', at, account: line(caseId), request };
};

describe('consolidated messages in the person state', () => {
  it('lists the accounts due the same local day in one permitted grant, counts one contact, and answers the listed ones coveredBy', () => {
    const p = person();
    p.noteDue('c1', due('c1', now));
    p.noteDue('c2', due('c2', now));
    p.noteDue('c3', due('c3', now + 3 * hour)); // later the same day in Chicago
    const first = p.grant(ask('c1', 'g1'), now);
    expect(first.kind).toBe('permitted');
    expect(first.consolidated?.map((each) => each.caseId).sort()).toEqual(['c2', 'c3']);
    expect(p.state.contacts).toHaveLength(1);
    // Asking later that day for the listed step: done, no new contact (the cap of one a day is not in the way).
    const covered = p.grant(ask('c2', 'g2'), now + hour);
    expect(covered).toMatchObject({ kind: 'permitted', coveredBy: { grantId: 'g1', caseId: 'c1', accountExternalId: 'ACC-c1' } });
    expect(covered.consolidated).toBeUndefined();
    expect(p.grant(ask('c3', 'g3'), now + 3 * hour).coveredBy?.caseId).toBe('c1');
    expect(p.state.contacts).toHaveLength(1);
    // Covered once: the next step of the same case is a contact of its own again (held by the cap).
    expect(p.grant(ask('c2', 'g4', { consolidate: line('c2', 'c2/run/next') }), now + 4 * hour).kind).toBe('held');
  });

  it('leaves out accounts due another local day, on another channel, closed, or that the rules would not let contact the person now', () => {
    const p = person(['c1', 'c2', 'c3', 'c4', 'c5']);
    p.noteDue('c2', due('c2', now + 12 * hour)); // 06:00 the next day in Chicago
    p.noteDue('c3', { ...due('c3', now), channel: 'sms', request: { ...due('c3', now).request, channel: 'sms' } });
    p.noteDue('c4', due('c4', now));
    p.leave('c4');
    // A disputed debt must not be collected on until the dispute is answered.
    p.noteDue('c5', due('c5', now, { debt: { balance: 10_000, history: { firstCommunicationAt: now - 30 * 24 * hour, validationNoticeSentAt: null, dispute: { receivedAt: now - hour, source: 'debtor', verificationSentAt: null } } } }));
    const grant = p.grant(ask('c1', 'g1'), now);
    expect(grant.kind).toBe('permitted');
    expect(grant.consolidated).toBeUndefined();
    expect(p.state.covered ?? {}).toEqual({});
  });

  it('covers nothing more once the consolidated message failed: a listed case asking then is decided as a contact of its own', () => {
    const p = person();
    p.noteDue('c2', due('c2', now));
    expect(p.grant(ask('c1', 'g1', { policy: { validationNotice: { required: false } } }), now).consolidated?.map((each) => each.caseId)).toEqual(['c2']);
    p.uncover('g1');
    const own = p.grant(ask('c2', 'g2', { policy: { validationNotice: { required: false } } }), now + hour);
    expect(own.kind).toBe('permitted');
    expect(own.coveredBy).toBeUndefined();
    expect(p.state.contacts).toHaveLength(2);
  });

  it('consolidates nothing for a case whose strategy does not, and forgets what a case that left had due', () => {
    const p = person();
    p.noteDue('c2', due('c2', now));
    const { consolidate: _off, ...plain } = ask('c1', 'g1');
    const grant = p.grant(plain, now);
    expect(grant.kind).toBe('permitted');
    expect(grant.consolidated).toBeUndefined();
    p.noteDue('c3', due('c3', now));
    p.leave('c3');
    p.noteDue('c2', null);
    expect(p.state.due).toEqual({});
  });
});
