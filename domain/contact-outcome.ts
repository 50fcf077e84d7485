import type { ContactOutcome } from './step-conditions.js';

/**
 * The strategy language's `lastContactOutcome` from what the case hears: an officer's call
 * outcome (api/services/tasks.ts `CallOutcome`), a negotiated outcome (domain/outcomes.ts) or a
 * reply asking for a call. `null` when it says nothing about the conversation (the last known
 * outcome stays).
 */

const byCallOutcome: Record<string, ContactOutcome> = {
  right_party_contact: 'reached',
  no_answer: 'no_answer',
  left_message: 'left_message',
  wrong_number: 'wrong_party',
  refused: 'refused_to_pay',
  promise: 'promise_to_pay',
  plan: 'payment_plan',
  settlement: 'settlement',
  dispute: 'dispute',
};

const byNegotiatedOutcome: Record<string, ContactOutcome> = {
  promise_to_pay: 'promise_to_pay',
  payment_plan: 'payment_plan',
  settlement: 'settlement',
  dispute: 'dispute',
  hardship_pause: 'hardship',
  wrong_party: 'wrong_party',
};

export function contactOutcomeOfCall(outcome: string): ContactOutcome | null {
  return byCallOutcome[outcome] ?? null;
}

export function contactOutcomeOfNegotiation(kind: string): ContactOutcome | null {
  return byNegotiatedOutcome[kind] ?? null;
}
