import { channelUnavailable, type CaseFacts } from './case-facts.js';
import { channels } from './channels/index.js';
import { contactWindowHold, type ContactWindow } from './contact-rules.js';
import { addIsoDuration } from './duration.js';
import { evaluateContact, stepContact, type ContactPolicyInput } from './regulation/index.js';
import type { StateOverrideTable } from './regulation/state-overrides.js';
import { isMessageAction } from './step-actions.js';
import { unmetCondition, type CaseProgress } from './step-conditions.js';
import type { TStep } from './strategy.js';

/**
 * Decides what a case does with its next step at a given moment. The workflow runs this on
 * every wake-up and a preview runs it over a simulated clock: one function, one answer.
 */

export type StepDecision =
  /**
   * Not yet. `untilEvent`: only a new fact can let the step run (a dispute verified, a notice
   * sent); `until` is then a re-check a day away, and any signal wakes the case sooner.
   */
  | { kind: 'wait'; until: number; reason: string; untilEvent?: true }
  | { kind: 'skip'; reason: string }
  | { kind: 'run' };

/** How soon a step held until an event is planned again, signals aside. */
export const untilEventRecheckMs = 86_400_000;

export function stepDueAt(step: TStep, startedAt: number): number {
  return addIsoDuration(startedAt, step.at);
}

export function planStep({
  step,
  startedAt,
  now,
  facts,
  window,
  progress,
  policy,
  overrides,
}: {
  step: TStep;
  startedAt: number;
  now: number;
  facts: CaseFacts;
  window: ContactWindow;
  /** What the case has been through, for the step's `when` conditions (domain/step-conditions.ts). */
  progress?: CaseProgress;
  /**
   * The strategy's contact policy (`definition.contact`). Given, every contact rule applies
   * (domain/regulation/: the federal floor, state overrides, bars, caps, consent, validation);
   * absent, only the contact point and `window` are checked, as before the rules existed.
   */
  policy?: ContactPolicyInput;
  /** The state rules table; the built-in one unless a test supplies its own. */
  overrides?: StateOverrideTable;
}): StepDecision {
  const dueAt = stepDueAt(step, startedAt);
  if (now < dueAt) return { kind: 'wait', until: dueAt, reason: `step "${step.id}" (${step.action}) is due` };

  const unmet = unmetCondition({ step, facts, progress });
  if (unmet) return { kind: 'skip', reason: unmet };

  if (policy) {
    const contact = stepContact(step, policy);
    if (!contact) return { kind: 'run' };
    const verdict = evaluateContact({ ...contact, now, facts, policy: { allowedHours: window, ...policy }, ...(overrides ? { overrides } : {}) });
    if (verdict.kind === 'barred') return { kind: 'skip', reason: verdict.reason };
    if (verdict.kind === 'held') {
      return verdict.until === null
        ? { kind: 'wait', until: now + untilEventRecheckMs, reason: verdict.reason, untilEvent: true }
        : { kind: 'wait', until: verdict.until, reason: verdict.reason };
    }
    return { kind: 'run' };
  }

  if (isMessageAction(step.action)) {
    const unavailable = channelUnavailable(facts, step.action);
    if (unavailable) return { kind: 'skip', reason: unavailable };
    // Contact that happens the moment we send keeps to the debtor's local hours.
    const hold = channels[step.action].timed ? contactWindowHold(now, facts.timeZone, window) : null;
    if (hold) return { kind: 'wait', until: hold.until, reason: hold.reason };
  }
  return { kind: 'run' };
}
