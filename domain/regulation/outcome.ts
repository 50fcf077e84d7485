import type { DesignatedTime } from '../case-facts.js';
import type { ContactWindow } from '../contact-rules.js';
import type { FrequencyCap } from './call-frequency.js';

/**
 * What held a contact, as data, for a reason written for the person's case (domain/person/):
 * the rule and the fact it read.
 */
export type HoldCause =
  /** `clock` is what the local clock of `zone` read. */
  | { rule: 'window'; window: ContactWindow; clock: string; zone: string }
  | { rule: 'no_contact_day'; date: string; weekday: string; zone: string }
  | { rule: 'designation'; designation: DesignatedTime; clock: string; zone: string }
  /** `from`/`to` are the local dates (in `zone`) of the cap's window, `count` the contacts in it. */
  | { rule: 'cap'; cap: FrequencyCap; count: number; from: string; to: string; zone: string }
  | { rule: 'conversation'; at: number }
  | { rule: 'dispute'; at: number; source: string }
  | { rule: 'validation_overdue'; firstCommunicationAt: number };

/**
 * What one rule says about a contact at one instant. `evaluateContact` (index.ts) combines the
 * answers of every rule that applies.
 */
export type RuleOutcome =
  /** Never permitted as the facts stand: the step is skipped. */
  | { kind: 'bar'; why: string }
  /** Not permitted until some fact changes (a notice sent, a dispute verified): no time is known. */
  | { kind: 'suspend'; why: string; cause?: HoldCause }
  /** Not permitted before `until` (epoch ms); `zone` is where that instant is best read. */
  | { kind: 'hold'; until: number; why: string; zone: string; cause?: HoldCause };

export type Hold = Extract<RuleOutcome, { kind: 'hold' }>;

/** The hold that ends last, so one step of the fixed point moves as far as any rule demands. */
export function latestHold(holds: readonly (Hold | null)[]): Hold | null {
  let latest: Hold | null = null;
  for (const hold of holds) if (hold && (!latest || hold.until > latest.until)) latest = hold;
  return latest;
}
