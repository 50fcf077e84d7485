import { channelUnavailable, type CaseFacts, type ContactChannel } from './case-facts.js';
import { contactWindowHold, type ContactWindow } from './contact-rules.js';
import { addIsoDuration } from './duration.js';
import type { TStep } from './strategy.js';

/**
 * Decides what a case does with its next step at a given moment. The workflow runs this on
 * every wake-up and a preview runs it over a simulated clock: one function, one answer.
 */

export type StepDecision =
  | { kind: 'wait'; until: number; reason: string }
  | { kind: 'skip'; reason: string }
  | { kind: 'run' };

/** Channels whose contact happens the moment we act, so the debtor's local hours apply. */
const timedChannels: readonly string[] = ['email', 'sms'];

export function stepDueAt(step: TStep, startedAt: number): number {
  return addIsoDuration(startedAt, step.at);
}

export function planStep({
  step,
  startedAt,
  now,
  facts,
  window,
}: {
  step: TStep;
  startedAt: number;
  now: number;
  facts: CaseFacts;
  window: ContactWindow;
}): StepDecision {
  const dueAt = stepDueAt(step, startedAt);
  if (now < dueAt) return { kind: 'wait', until: dueAt, reason: `step "${step.id}" (${step.action}) is due` };

  const { minBalance, maxBalance } = step.when ?? {};
  if (minBalance !== undefined && facts.balance < minBalance) {
    return { kind: 'skip', reason: `balance ${facts.balance} is below the step's minimum ${minBalance}` };
  }
  if (maxBalance !== undefined && facts.balance > maxBalance) {
    return { kind: 'skip', reason: `balance ${facts.balance} is above the step's maximum ${maxBalance}` };
  }

  if (step.action === 'email' || step.action === 'sms' || step.action === 'letter') {
    const unavailable = channelUnavailable(facts, step.action satisfies ContactChannel);
    if (unavailable) return { kind: 'skip', reason: unavailable };
  }
  if (timedChannels.includes(step.action)) {
    const hold = contactWindowHold(now, facts.timeZone, window);
    if (hold) return { kind: 'wait', until: hold.until, reason: hold.reason };
  }
  return { kind: 'run' };
}
