import { describe, expect, it } from 'vitest';
import { callAllowance, callPermission, callVerdict, type CallContext } from '../../../domain/calls/call-window.js';
import { recordingDisclosure } from '../../../domain/calls/recording-consent.js';
import type { CaseFacts } from '../../../domain/case-facts.js';
import { contact, ledger, personFacts, request } from '../person/fixtures.js';
import { reachable } from '../regulation/facts.js';

/**
 * "May I call now, until when, how many calls?" from the pure rules: the case's facts and the
 * person's ledger both decide; the window ends where the rules first hold a call; the allowance
 * is the number of calls in a row the caps permit.
 */

const zone = 'America/Chicago';
const at = (local: string) => Date.parse(`${local}-06:00`); // Chicago in December
const phone = { ...reachable, address: '+13125550100' };
const facts = (more: Partial<CaseFacts> = {}): CaseFacts => ({ balance: 50_000, timeZone: zone, contacts: { phone }, timeZones: [zone], ...more });
const alone = (more: Partial<CaseFacts> = {}, policy: CallContext['policy'] = {}): CallContext => ({ facts: facts(more), policy });

describe('a call on a case without a person', () => {
  it('is held at 21:30 local until 08:00 the next morning, and permitted at 09:00 until 21:00 with the federal seven calls', () => {
    const late = callPermission(alone(), at('2026-12-07T21:30:00'));
    expect(late).toMatchObject({ permitted: false, barred: false, windowStartLocal: '08:00', windowEndLocal: '21:00', callsAllowed: 7 });
    expect(late.windowStart).toBe(new Date(at('2026-12-08T08:00:00')).toISOString());
    const morning = callPermission(alone(), at('2026-12-08T09:00:00'));
    expect(morning).toMatchObject({ permitted: true, reason: null, windowStartLocal: '09:00', windowEndLocal: '21:00', callsAllowed: 7, timeZone: zone });
  });

  it('counts the calls already placed on the debt against the caps', () => {
    const attempts = Array.from({ length: 5 }, (_, n) => ({ channel: 'phone' as const, at: at(`2026-12-0${n + 2}T10:00:00`) }));
    expect(callAllowance(alone({ history: { attempts } }), at('2026-12-08T09:00:00'))).toBe(2);
    expect(callAllowance(alone({}, { frequencyCaps: { phone: { max: 2, days: 1 } } }), at('2026-12-08T09:00:00'))).toBe(2);
  });

  it('is barred when the person refused calls, with no window', () => {
    const refused = callPermission(alone({ refusedMedia: [{ medium: 'phone', at: 0, source: 'letter' }] }), at('2026-12-08T09:00:00'));
    expect(refused).toMatchObject({ permitted: false, barred: true, windowStart: null, callsAllowed: 0 });
  });
});

describe('a call on a case of a person', () => {
  const context = (contacts: ReturnType<typeof contact>[], caps?: number): CallContext => {
    const policy = caps ? { frequencyCaps: { phone: { max: caps, days: 1 } } } : {};
    const { grantId: _grantId, ...asked } = request({ caseId: 'case-1', policy });
    return { facts: facts(), policy, person: { request: asked, ledger: ledger({ contacts, facts: personFacts({ contacts: { ...personFacts().contacts, phone } }) }) } };
  };

  it('counts the calls on the person’s other accounts: a strategy cap of two a day is reached by calls about ACC-2', () => {
    const calls = [contact('case-2', 'LOANS', 'phone', '2026-12-08T15:05:00Z'), contact('case-2', 'LOANS', 'phone', '2026-12-08T15:06:00Z')];
    const verdict = callVerdict(context(calls, 2), at('2026-12-08T10:00:00'));
    expect(verdict.kind).toBe('held');
    expect(verdict.kind === 'held' && verdict.until).toBe(at('2026-12-09T08:00:00'));
    expect(callAllowance(context(calls.slice(0, 1), 2), at('2026-12-08T10:00:00'))).toBe(1);
  });

  it('holds the week after a conversation on the same debt', () => {
    const verdict = callVerdict(context([contact('case-1', 'ACC-1', 'phone', '2026-12-07T16:00:00Z', { conversation: true })]), at('2026-12-08T10:00:00'));
    expect(verdict.kind).toBe('held');
    expect(verdict.kind === 'held' && verdict.until).toBe(at('2026-12-14T08:00:00'));
  });
});

describe('the recording disclosure', () => {
  it('is played in two-party consent states and where the state is unknown, not in one-party states', () => {
    expect(recordingDisclosure({ state: 'CA' })).toMatchObject({ state: 'CA', text: expect.stringContaining('recorded'), source: 'Cal. Penal Code § 632' });
    expect(recordingDisclosure({ state: 'wa', language: 'es' })).toMatchObject({ state: 'WA', text: expect.stringContaining('grabada') });
    expect(recordingDisclosure({ state: 'TX' })).toEqual({ text: null, state: 'TX', source: null });
    expect(recordingDisclosure({ state: null }).text).toContain('recorded');
  });
});
