import type { CaseFacts, ContactPoint } from '../../../domain/case-facts.js';

/** Shared fixtures for the regulation tests (not a test file: vitest runs `*.test.ts` only). */

export const at = (iso: string): number => Date.parse(iso);
export const day = 86_400_000;
export const hour = 3_600_000;

export const reachable: ContactPoint = { address: '', valid: true, optedOut: false, consent: false };

/** A debtor in Chicago reachable on every channel, with SMS consent for the number on file. */
export function facts(overrides: Partial<CaseFacts> = {}): CaseFacts {
  return {
    balance: 50_000,
    timeZone: 'America/Chicago',
    contacts: {
      email: { ...reachable, address: 'dana@example.com' },
      sms: { ...reachable, address: '+13125550100', consent: true },
      letter: { ...reachable, address: 'Dana | 1 Main St | Springfield 62701 | US' },
    },
    ...overrides,
  };
}

/** Facts with the given calls already placed (ISO instants). */
export function withCalls(isoTimes: string[], overrides: Partial<CaseFacts> = {}): CaseFacts {
  return facts({ ...overrides, history: { ...overrides.history, attempts: isoTimes.map((iso) => ({ channel: 'phone', at: at(iso) })) } });
}
