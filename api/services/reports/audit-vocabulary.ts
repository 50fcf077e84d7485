/**
 * What the funnel and officer reports read from the audit trail (AuditEvent.action and the
 * fields of AuditEvent.data), in one place. The case workflow writes these events through its
 * projection; a new kind of outcome shows up in the reports by being named here.
 */

export const auditAction = {
  /** An officer's negotiated outcome. data: { kind, by, role }. */
  outcomeRecorded: 'outcome_recorded',
  /** A promise, plan or settlement in force. data: { kind: promise | plan | settlement }. */
  arrangementMade: 'arrangement_made',
  arrangementKept: 'arrangement_kept',
  arrangementBroken: 'arrangement_broken',
  arrangementCancelled: 'arrangement_cancelled',
  /** Collection stopped for a reason. data: { kind: dispute | hardship | legal | wrong_party }. */
  holdStarted: 'hold_started',
  /** data: { channel } ('all' for cease-communication). */
  optedOut: 'opted_out',
  /** A step the contact rules or its conditions ruled out; the reason is in data.detail. */
  stepSkipped: 'step_skipped',
  /** data: { channel, intent }. */
  replyReceived: 'reply_received',
} as const;

/** Outcome kinds (data.kind of outcome_recorded) that put an arrangement in place, with its kind. */
export const arrangementOutcomeKinds = ['promise_to_pay', 'payment_plan', 'settlement'] as const;

/**
 * Call outcomes (Task.outcome) that mean the officer spoke with the debtor: a right-party
 * contact. No answer, a message left or a wrong party are attempts only.
 */
export const rightPartyOutcomes = [
  'right_party_contact',
  'reached',
  'callback_requested',
  'refused',
  'refused_to_pay',
  'promise',
  'promise_to_pay',
  'plan',
  'payment_plan',
  'settlement',
  'dispute',
  'hardship',
] as const;

/** Communication statuses: sent counts what left us, delivered what the provider confirmed. */
export const sentStatuses = ['sent', 'delivered'] as const;
export const failedStatuses = ['failed', 'bounced', 'undelivered'] as const;
