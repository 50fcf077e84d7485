import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { callbackTimeProblem, firstCallbackTime } from '../../domain/callbacks.js';
import type { CaseFacts } from '../../domain/case-facts.js';
import { officerForTurn } from '../../domain/assignment-rules.js';

/** The callback rules and the round-robin deal as pure functions: zones, designations, bars, DST. */

const chicago = 'America/Chicago';
const phone = { address: '+13125550100', valid: true, optedOut: false, consent: false };
const facts = (extra: Partial<CaseFacts> = {}): CaseFacts => ({ balance: 10_000, timeZone: chicago, contacts: { phone }, ...extra });
const at = (iso: string, zone = chicago) => DateTime.fromISO(iso, { zone }).toMillis();

describe('callbackTimeProblem', () => {
  it('permits 08:00 and 21:00 on the debtor clock (FDCPA: before 8 a.m. and after 9 p.m. are inconvenient), refuses 07:59 and 21:01 with the first permitted time', () => {
    expect(callbackTimeProblem({ at: at('2026-12-07T08:00'), facts: facts() })).toBeNull();
    expect(callbackTimeProblem({ at: at('2026-12-07T21:00'), facts: facts() })).toBeNull();
    const early = callbackTimeProblem({ at: at('2026-12-07T07:59'), facts: facts() });
    expect(early?.next).toBe(at('2026-12-07T08:00'));
    const late = callbackTimeProblem({ at: at('2026-12-07T21:01'), facts: facts() });
    expect(late?.reason).toContain('21:01 local is outside 08:00–21:00');
    expect(late?.next).toBe(at('2026-12-08T08:00'));
  });

  it('must suit every zone the debtor may be in: 20:30 in Chicago is 21:30 in New York', () => {
    const twoZones = facts({ timeZones: [chicago, 'America/New_York'] });
    expect(callbackTimeProblem({ at: at('2026-12-07T19:30'), facts: twoZones })).toBeNull();
    expect(callbackTimeProblem({ at: at('2026-12-07T20:30'), facts: twoZones })?.reason).toMatch(/21:30 local in America\/New_York is outside 08:00–21:00/);
  });

  it('refuses a designated inconvenient time for calls, not one designated for email only', () => {
    const provenance = { source: 'debtor', at: 0 };
    const lunch = facts({ inconvenientTimes: [{ from: '12:00', to: '14:00', ...provenance }] });
    const problem = callbackTimeProblem({ at: at('2026-12-07T13:00'), facts: lunch });
    expect(problem?.reason).toMatch(/inside 12:00–14:00, a time the debtor said is inconvenient/);
    expect(problem?.next).toBe(at('2026-12-07T14:00'));
    const emailOnly = facts({ inconvenientTimes: [{ from: '12:00', to: '14:00', media: ['email'], ...provenance }] });
    expect(callbackTimeProblem({ at: at('2026-12-07T13:00'), facts: emailOnly })).toBeNull();
  });

  it('refuses any time when calls are barred (cease communication, no number), without a next time', () => {
    expect(callbackTimeProblem({ at: at('2026-12-07T10:00'), facts: facts({ contacts: {} }) })?.reason).toMatch(/^calls are barred: no phone number/);
    const ceased = facts({ flags: { ceaseCommunication: { source: 'letter', at: 0 } } });
    const problem = callbackTimeProblem({ at: at('2026-12-07T10:00'), facts: ceased });
    expect(problem?.reason).toMatch(/^calls are barred: the debtor asked us to cease communication/);
    expect(problem?.next).toBeNull();
    expect(firstCallbackTime({ from: at('2026-12-07T10:00'), facts: ceased })).toBe(at('2026-12-07T10:00'));
  });

  it('reads the clock across a DST change: 08:00 on the Sunday clocks go back is permitted, 07:30 is not', () => {
    expect(callbackTimeProblem({ at: at('2026-11-01T08:00'), facts: facts() })).toBeNull();
    expect(callbackTimeProblem({ at: at('2026-11-01T07:30'), facts: facts() })?.next).toBe(at('2026-11-01T08:00'));
  });

  it('finds the first permitted time after a refused one for an "ask for a call" without a time', () => {
    const lunch = facts({ inconvenientTimes: [{ from: '07:00', to: '10:00', source: 'debtor', at: 0 }] });
    expect(firstCallbackTime({ from: at('2026-12-07T06:00'), facts: lunch })).toBe(at('2026-12-07T10:00'));
    expect(firstCallbackTime({ from: at('2026-12-07T22:00'), facts: lunch })).toBe(at('2026-12-08T10:00'));
  });
});

describe('officerForTurn', () => {
  it('deals in order and evenly: any run of n·k turns gives each of n officers k cases', () => {
    const pool = ['a', 'b', 'c'];
    const dealt = Array.from({ length: 12 }, (_, index) => officerForTurn(pool, index + 1));
    expect(dealt.slice(0, 4)).toEqual(['a', 'b', 'c', 'a']);
    for (const officer of pool) expect(dealt.filter((each) => each === officer)).toHaveLength(4);
    expect(officerForTurn([], 1)).toBeNull();
  });
});
