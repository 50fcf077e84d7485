import { channelIds } from './channels/index.js';

/**
 * The actions a strategy step can take. Kept apart from the zod schema (domain/strategy.ts) so the
 * workflow bundle can read them without pulling in the schema library.
 *
 * - a message channel (`email`, `sms`, `letter`; the list is domain/channels/): send the step's
 *   template through that channel.
 * - `call`: a call task in the officers' work queue (`note` is the instruction for the officer).
 * - `agency_referral`: place the case with `agency`; the timeline ends there.
 * - `legal_review`: a task for the legal team to review the case (`note` says what to look at);
 *   the timeline goes on unless someone records an outcome.
 * - `note`: writes `note` to the case's audit trail; nobody is contacted.
 * - `wait`: a named checkpoint that does nothing; it marks a point on the timeline (a cooling-off
 *   period, a landmark that a version migration can map by id) and is recorded as done.
 * - `plan_monitoring`: a checkpoint that is skipped unless a payment plan is active; when one is,
 *   the case checks the plan's installments at that moment (an installment unpaid past the grace
 *   days is a broken promise and follows the strategy's `on.brokenPromise`) and records the standing.
 */
export const StepAction = {
  email: 'email',
  sms: 'sms',
  letter: 'letter',
  call: 'call',
  agencyReferral: 'agency_referral',
  legalReview: 'legal_review',
  note: 'note',
  wait: 'wait',
  planMonitoring: 'plan_monitoring',
} as const satisfies Record<string, StepAction>;

export const stepActions = [...channelIds, 'call', 'agency_referral', 'legal_review', 'note', 'wait', 'plan_monitoring'] as const;
export type StepAction = (typeof stepActions)[number];

/** Actions that deliver a message through a channel and so need a template of that channel. */
export const messageActions = channelIds;
export type MessageChannel = (typeof messageActions)[number];

/** Actions after which the timeline cannot go on. */
export const terminalActions: readonly StepAction[] = ['agency_referral'];

/** Actions an inline fallback may take: another channel, or a person. */
export const fallbackActions = [...channelIds, 'call'] as const;

export function isMessageAction(action: string): action is MessageChannel {
  return (messageActions as readonly string[]).includes(action);
}
