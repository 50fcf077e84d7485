import { channelUnavailable, type CaseFacts, type ContactChannel } from './case-facts.js';
import type { TStep } from './strategy.js';

/**
 * A step's `when` conditions, evaluated when the step is due. Pure and free of the schema library
 * so the workflow (through planStep) and the preview get the same answer.
 */

/** What the last conversation with the debtor (or the attempt at one) ended with. */
export const contactOutcomes = [
  'no_answer',
  'left_message',
  'reached',
  'callback_requested',
  'refused_to_pay',
  'promise_to_pay',
  'payment_plan',
  'settlement',
  'dispute',
  'hardship',
  'wrong_party',
] as const;
export type ContactOutcome = (typeof contactOutcomes)[number];

/** The arrangement in force: a promise to pay, a payment plan, or none. */
export const arrangementStates = ['promise', 'plan', 'none'] as const;
export type ArrangementState = (typeof arrangementStates)[number];

/**
 * How a step ended: `sent` (it ran: message sent, task created, note written), `skipped` (its
 * conditions or the contact rules ruled it out), `bounced` (the provider refused the address or
 * number for good) or `failed` (any other permanent failure).
 */
export const stepResults = ['sent', 'skipped', 'failed', 'bounced'] as const;
export type StepResult = (typeof stepResults)[number];

/** What a case has been through, beyond its contact facts, for the `when` conditions. */
export interface CaseProgress {
  /** Days past due now: at enrollment plus the days since the case started. */
  daysPastDue: number;
  lastContactOutcome: ContactOutcome | null;
  arrangement: ArrangementState;
  /** How the step just before this one in the timeline ended; null for the first step. */
  previousStepResult: StepResult | null;
}

const dayMs = 86_400_000;

/** Days past due at `now` for an account that was `atStart` days past due when its case started. */
export function daysPastDueAt({ atStart, startedAt, now }: { atStart: number; startedAt: number; now: number }): number {
  return atStart + Math.floor((now - startedAt) / dayMs);
}

const list = (values: readonly string[]) => values.map((value) => value.replace(/_/g, ' ')).join(' or ');

/**
 * Why the step's conditions do not hold now, or `null` when they all do. Without `progress` (a
 * caller that tracks none) only the facts-based conditions can hold: the others count as unmet.
 */
export function unmetCondition({ step, facts, progress }: { step: TStep; facts: CaseFacts; progress?: CaseProgress | undefined }): string | null {
  const arrangement = progress?.arrangement ?? 'none';
  if (step.action === 'plan_monitoring' && arrangement !== 'plan') return 'no payment plan is active';

  const when = step.when;
  if (!when) return null;
  const { minBalance, maxBalance, minDaysPastDue, maxDaysPastDue } = when;
  if (minBalance !== undefined && facts.balance < minBalance) {
    return `balance ${facts.balance} is below the step's minimum ${minBalance}`;
  }
  if (maxBalance !== undefined && facts.balance > maxBalance) {
    return `balance ${facts.balance} is above the step's maximum ${maxBalance}`;
  }
  if (minDaysPastDue !== undefined || maxDaysPastDue !== undefined) {
    if (!progress) return 'days past due are not known here';
    if (minDaysPastDue !== undefined && progress.daysPastDue < minDaysPastDue) {
      return `${progress.daysPastDue} days past due is below the step's minimum ${minDaysPastDue}`;
    }
    if (maxDaysPastDue !== undefined && progress.daysPastDue > maxDaysPastDue) {
      return `${progress.daysPastDue} days past due is above the step's maximum ${maxDaysPastDue}`;
    }
  }
  if (when.arrangementActive !== undefined) {
    const wanted: readonly ArrangementState[] = typeof when.arrangementActive === 'string' ? [when.arrangementActive] : when.arrangementActive;
    if (!wanted.includes(arrangement)) return `the arrangement in force is ${arrangement}, not ${list(wanted)}`;
  }
  if (when.lastContactOutcome) {
    const last = progress?.lastContactOutcome ?? null;
    if (!last) return `no contact outcome recorded yet (wanted ${list(when.lastContactOutcome)})`;
    if (!when.lastContactOutcome.includes(last)) return `the last contact outcome is ${last.replace(/_/g, ' ')}, not ${list(when.lastContactOutcome)}`;
  }
  for (const [channel, wanted] of Object.entries(when.channelAvailable ?? {}) as [ContactChannel, boolean | undefined][]) {
    if (wanted === undefined) continue;
    const unavailable = channelUnavailable(facts, channel);
    if (wanted && unavailable) return `${channel} is needed but unavailable: ${unavailable}`;
    if (!wanted && !unavailable) return `${channel} is available, and the step is for when it is not`;
  }
  if (when.previousStepResult) {
    const previous = progress?.previousStepResult ?? null;
    if (!previous) return 'no previous step result';
    if (!when.previousStepResult.includes(previous)) return `the previous step was ${previous}, not ${list(when.previousStepResult)}`;
  }
  return null;
}
