import type { ContactMedium } from '../case-facts.js';
import type { ContactWindow } from '../contact-rules.js';

/**
 * State rules stricter than the federal ones, as data: a new state rule is a table entry and a
 * test, not a code change. Each entry narrows what the federal rules and the strategy allow; none
 * can widen it.
 *
 * THE ENTRIES BELOW ARE EXAMPLES to be verified by counsel before production use: citations and
 * wording are as we understand them, abridged, and not legal advice.
 */

export interface StateFrequencyCap {
  /** Channels whose attempts count together. */
  media: readonly ContactMedium[];
  max: number;
  /** Consecutive local days. */
  days: number;
  /** `person` (the default) when the rule speaks of the debtor's contacts; `debt` when it counts per debt. */
  scope?: 'debt' | 'person';
}

export interface StateOverride {
  /** Where the rule comes from, shown in reasons. */
  source: string;
  /** Narrower local window than 08:00–21:00. */
  allowedHours?: ContactWindow;
  /** Local days without email, SMS or calls: weekday names (`sun`) or ISO dates. */
  noContactDays?: readonly string[];
  frequencyCaps?: readonly StateFrequencyCap[];
  /** Text every communication about a time-barred debt must carry in this state. */
  timeBarredDisclosure?: string;
}

export type StateOverrideTable = Readonly<Record<string, StateOverride>>;

export const stateOverrides: StateOverrideTable = {
  // EXAMPLE — verify with counsel. Calls, texts and recorded messages to personal numbers count
  // together: two per seven days (the 2-per-30-days rule for other numbers is not modelled).
  // Counted per person, the stricter reading of "communication with any debtor", until counsel
  // says the rule counts per debt (then `scope: 'debt'`).
  MA: {
    source: 'Massachusetts 940 CMR 7.04(1)(f)',
    frequencyCaps: [{ media: ['phone', 'sms'], max: 2, days: 7 }],
  },
  // EXAMPLE — verify with counsel (wording for a debt buyer; a debt past the credit-reporting
  // period needs a second sentence).
  CA: {
    source: 'California Civil Code 1788.14(d)',
    timeBarredDisclosure: 'The law limits how long you can be sued on a debt. Because of the age of your debt, we will not sue you for it.',
  },
  // EXAMPLE — verify with counsel (abridged; the regulation prescribes the full text and its placement).
  NY: {
    source: 'New York 23 NYCRR 1.3',
    timeBarredDisclosure:
      'WE ARE REQUIRED BY REGULATION OF THE NEW YORK STATE DEPARTMENT OF FINANCIAL SERVICES TO NOTIFY YOU OF THE FOLLOWING ' +
      'INFORMATION. THIS INFORMATION IS NOT LEGAL ADVICE: YOUR CREDITOR OR DEBT COLLECTOR BELIEVES THAT THE LEGAL TIME LIMIT ' +
      '(STATUTE OF LIMITATIONS) FOR SUING YOU TO COLLECT THIS DEBT MAY HAVE EXPIRED.',
  },
};

/** The override for a state code (any case), or `undefined`. */
export function stateOverride(state: string | undefined, table: StateOverrideTable = stateOverrides): StateOverride | undefined {
  return state ? table[state.toUpperCase()] : undefined;
}
