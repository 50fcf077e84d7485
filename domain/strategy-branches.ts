import type { TStrategyDefinition } from './strategy.js';

/**
 * What a case does when something happens to it, from the strategy's `on` block, with the
 * defaults that keep strategies written before `on` existed meaning what they meant.
 *
 * Timeline branches (broken promise, returned payment):
 * - `resume`: the timeline goes on from the step it had reached, pushed back by the time it was
 *   suspended (so the spacing between the remaining steps is kept);
 * - `restart`: the timeline starts again at its first step, offsets counted from now;
 * - `escalate_agency`: the case is placed with the agency of the timeline's first
 *   `agency_referral` step (`default` when it has none);
 * - `escalate_legal`: the case goes on a legal hold with a `legal_review` task for the legal team.
 *
 * Replies: `dispute` → `task` (an officer reviews and records the dispute), `hold` (collection
 * stops until the debt is verified) or `escalate_legal`; `callMe` → `call_task` (a call task at
 * once) or `ignore`.
 */

export type TimelineBranch = 'resume' | 'restart' | 'escalate_agency' | 'escalate_legal';
export type TimelineEvent = 'brokenPromise' | 'paymentReturned';
export type DisputeBranch = 'task' | 'hold' | 'escalate_legal';
export type CallMeBranch = 'call_task' | 'ignore';

/** The branch a timeline event takes under this strategy. */
export function timelineBranch(definition: Pick<TStrategyDefinition, 'on' | 'negotiation'>, event: TimelineEvent): TimelineBranch {
  if (event === 'brokenPromise') {
    // `negotiation.onBroken` said this first; `on.brokenPromise` wins when both are given.
    const onBroken = (definition.negotiation as { onBroken?: TimelineBranch } | undefined)?.onBroken;
    return definition.on?.brokenPromise ?? onBroken ?? 'resume';
  }
  return definition.on?.paymentReturned ?? 'resume';
}

export function disputeBranch(definition: Pick<TStrategyDefinition, 'on'>): DisputeBranch {
  return definition.on?.reply?.dispute ?? 'task';
}

export function callMeBranch(definition: Pick<TStrategyDefinition, 'on'>): CallMeBranch {
  return definition.on?.reply?.callMe ?? 'call_task';
}

/** The agency an `escalate_agency` branch places the case with. */
export function escalationAgency(definition: Pick<TStrategyDefinition, 'steps'>): string {
  return definition.steps.find((step) => step.action === 'agency_referral')?.agency ?? 'default';
}
