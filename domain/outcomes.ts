import { DateTime } from 'luxon';
import { z } from 'zod';
import { amendedSchedule, rescheduledSchedule, type CurrentArrangement } from './arrangement-changes.js';
import { planSchedule, type Installment } from './arrangements.js';
import { calendarDateSchema } from './dates.js';
import type { TNegotiationPolicy } from './negotiation-defaults.js';

/**
 * What an officer (or a manager) records after talking to a debtor, and whether the strategy's
 * negotiation policy and the person's authority allow it. The workflow's update validator and
 * the API's form preview both call {@link validateOutcome}.
 */

/**
 * Builds the schema of an outcome. The workflow bundle evaluates this module in every new case,
 * and building zod schemas is a fifth of a new case's CPU on the worker (bench/README.md), while
 * only an officer's update needs it: so it is built on first use, once per module scope.
 */
function buildOutcomeSchema() {
  const ZDate = calendarDateSchema();
  const ZAmount = z.number().int('must be a whole number of minor units (cents)').positive();
  return z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('promise_to_pay'), amount: ZAmount, dueDate: ZDate }).strict(),
    z
      .object({
        kind: z.literal('payment_plan'),
        downPayment: z.number().int().nonnegative().default(0),
        installments: z.number().int().min(1).max(120),
        frequency: z.enum(['weekly', 'fortnightly', 'monthly']),
        firstDueDate: ZDate,
      })
      .strict(),
    z
      .object({
        kind: z.literal('settlement'),
        /** The total the debtor pays to settle, minor units. */
        amount: ZAmount,
        /** 1 for a lump sum; a short plan otherwise. */
        installments: z.number().int().min(1).max(6).default(1),
        frequency: z.enum(['weekly', 'fortnightly', 'monthly']).default('monthly'),
        firstDueDate: ZDate,
      })
      .strict(),
    z.object({ kind: z.literal('settlement_decision'), approve: z.boolean(), note: z.string().max(2000).optional() }).strict(),
    z
      .object({
        kind: z.literal('dispute'),
        reason: z.string().min(1).max(2000),
        /** What the debtor asked: to dispute the debt (the default), or for the original creditor's name and address (12 CFR 1006.38(c)); both hold collection until answered. */
        about: z.enum(['debt', 'original_creditor']).optional(),
      })
      .strict(),
    z
      .object({
        kind: z.literal('dispute_resolution'),
        upheld: z.boolean(),
        note: z.string().min(1).max(2000),
        /** The original creditor's name and address, answering a request for it (sent to the debtor with the itemization). */
        originalCreditor: z.string().trim().min(1).max(400).optional(),
      })
      .strict(),
    z.object({ kind: z.literal('hardship_pause'), until: ZDate, reason: z.string().min(1).max(2000) }).strict(),
    z.object({ kind: z.literal('cease_contact'), reason: z.string().max(2000).optional() }).strict(),
    z.object({ kind: z.literal('wrong_party'), note: z.string().max(2000).optional() }).strict(),
    z.object({ kind: z.literal('deceased'), note: z.string().max(2000).optional() }).strict(),
    z.object({ kind: z.literal('bankruptcy'), note: z.string().max(2000).optional() }).strict(),
    z.object({ kind: z.literal('escalate'), to: z.enum(['legal', 'agency']), reason: z.string().min(1).max(2000) }).strict(),
    z.object({ kind: z.literal('recall'), reason: z.string().min(1).max(2000) }).strict(),
    z.object({ kind: z.literal('close'), reason: z.enum(['written_off', 'uncollectible']), note: z.string().min(1).max(2000) }).strict(),
    // Account servicing: changes to the arrangement in force, each with the reason for the record.
    z
      .object({
        kind: z.literal('arrangement_amend'),
        /** What is left to pay, re-planned in this many installments. */
        installments: z.number().int().min(1).max(120),
        frequency: z.enum(['weekly', 'fortnightly', 'monthly']),
        firstDueDate: ZDate,
        reason: z.string().trim().min(1).max(2000),
      })
      .strict(),
    z.object({ kind: z.literal('arrangement_reschedule'), dueDate: ZDate, reason: z.string().trim().min(1).max(2000) }).strict(),
    z.object({ kind: z.literal('arrangement_cancel'), reason: z.string().trim().min(1).max(2000) }).strict(),
    /** A manager's decision on what waits for approval: a new plan or settlement, or a change to one. */
    z.object({ kind: z.literal('arrangement_decision'), approve: z.boolean(), note: z.string().max(2000).optional() }).strict(),
  ]);
}

let outcomeSchemaBuilt: ReturnType<typeof buildOutcomeSchema> | undefined;

/** The outcome schema, for request bodies and the workflow's check of callers other than the API. */
export function outcomeSchema(): ReturnType<typeof buildOutcomeSchema> {
  return (outcomeSchemaBuilt ??= buildOutcomeSchema());
}

export type TOutcome = z.infer<ReturnType<typeof outcomeSchema>>;
export type OutcomeKind = TOutcome['kind'];

export type ActorRole = 'officer' | 'manager' | 'admin' | 'integration' | 'auditor';

/** Outcomes only a manager (or admin) may record. */
const managerOnly: readonly OutcomeKind[] = ['settlement_decision', 'arrangement_decision', 'dispute_resolution', 'close', 'recall'];

/** Outcomes that change the arrangement in force. */
export const arrangementChangeKinds = ['arrangement_amend', 'arrangement_reschedule', 'arrangement_cancel'] as const;

export interface OutcomeContext {
  balance: number;
  policy: TNegotiationPolicy;
  role: ActorRole;
  /** Epoch ms. */
  now: number;
  /** What the case is doing, for outcomes that only make sense in some states. */
  arrangement: 'none' | 'promise' | 'plan' | 'settlement' | 'settlement_pending' | 'plan_pending';
  /** The arrangement in force, for changes to it; `pendingChange` when a change waits for a manager. */
  current?: (CurrentArrangement & { pendingChange: boolean }) | null;
  hold: 'none' | 'dispute' | 'hardship' | 'legal' | 'wrong_party';
  placed: boolean;
  closed: boolean;
}

export type OutcomeDecision =
  | { ok: true; needsApproval: boolean; schedule?: Installment[] }
  | { ok: false; field: string; reason: string };

const refuse = (field: string, reason: string): OutcomeDecision => ({ ok: false, field, reason });
const isManager = (role: ActorRole) => role === 'manager' || role === 'admin';

function money(minor: number): string {
  return (minor / 100).toFixed(2);
}

/** Checks an outcome against the policy, the person's authority and the case's state. */
export function validateOutcome(outcome: TOutcome, context: OutcomeContext): OutcomeDecision {
  const { balance, policy, role, now } = context;
  // Callers other than the API (scripts, the Temporal CLI) reach the workflow unchecked.
  const shape = outcomeSchema().safeParse(outcome);
  if (!shape.success) {
    const issue = shape.error.issues[0];
    return refuse(issue?.path.join('.') || 'kind', issue?.message ?? 'not an outcome');
  }
  if (context.closed) return refuse('kind', 'the case is closed');
  if (managerOnly.includes(outcome.kind) && !isManager(role)) {
    return refuse('kind', `${outcome.kind.replace(/_/g, ' ')} needs a manager`);
  }
  const today = DateTime.fromMillis(now, { zone: 'utc' }).startOf('day');
  const notPast = (date: string, field: string): OutcomeDecision | null =>
    DateTime.fromISO(date, { zone: 'utc' }) < today ? refuse(field, `${date} is in the past`) : null;
  const makesArrangement = outcome.kind === 'promise_to_pay' || outcome.kind === 'payment_plan' || outcome.kind === 'settlement';
  if (makesArrangement && context.hold === 'dispute') return refuse('kind', 'the debt is disputed: collection waits for verification');
  if (makesArrangement && context.arrangement !== 'none') {
    return refuse('kind', `a ${context.arrangement.replace('_', ' ')} is already in place`);
  }

  switch (outcome.kind) {
    case 'promise_to_pay': {
      if (outcome.amount > balance) return refuse('amount', `amount ${money(outcome.amount)} exceeds the balance ${money(balance)}`);
      const past = notPast(outcome.dueDate, 'dueDate');
      if (past) return past;
      const latest = today.plus({ days: policy.maxPromiseDays });
      if (DateTime.fromISO(outcome.dueDate, { zone: 'utc' }) > latest) {
        return refuse('dueDate', `a promise may fall at most ${policy.maxPromiseDays} days ahead (by ${latest.toISODate()})`);
      }
      return { ok: true, needsApproval: false, schedule: [{ seq: 1, dueDate: outcome.dueDate, amount: outcome.amount }] };
    }
    case 'payment_plan': {
      const past = notPast(outcome.firstDueDate, 'firstDueDate');
      if (past) return past;
      if (outcome.downPayment < policy.minDownPayment) {
        return refuse('downPayment', `down payment ${money(outcome.downPayment)} is below the minimum ${money(policy.minDownPayment)}`);
      }
      if (outcome.downPayment >= balance) return refuse('downPayment', 'the down payment covers the whole balance: record a promise to pay instead');
      if (outcome.installments > policy.maxInstallments) {
        return refuse('installments', `${outcome.installments} installments exceed the policy maximum ${policy.maxInstallments}`);
      }
      // Above the officer's authority the plan waits for a manager, as a settlement does.
      const needsApproval = !isManager(role) && outcome.installments > policy.officerAuthority.maxInstallments;
      const schedule = planSchedule({ total: balance, downPayment: outcome.downPayment, count: outcome.installments, frequency: outcome.frequency, firstDueDate: outcome.firstDueDate });
      const smallest = Math.min(...schedule.filter((installment) => installment.seq > 0).map((installment) => installment.amount));
      if (smallest < policy.minInstallment) {
        return refuse('installments', `installments of ${money(smallest)} are below the minimum ${money(policy.minInstallment)}`);
      }
      return { ok: true, needsApproval, schedule };
    }
    case 'settlement': {
      const past = notPast(outcome.firstDueDate, 'firstDueDate');
      if (past) return past;
      if (outcome.amount >= balance) return refuse('amount', `a settlement must be below the balance ${money(balance)}`);
      const discount = ((balance - outcome.amount) / balance) * 100;
      const shown = `${Math.round(discount * 10) / 10}%`;
      if (discount > policy.maxSettlementDiscountPercent + 1e-9) {
        return refuse('amount', `discount ${shown} exceeds the policy maximum ${policy.maxSettlementDiscountPercent}%`);
      }
      const schedule = planSchedule({ total: outcome.amount, count: outcome.installments, frequency: outcome.frequency, firstDueDate: outcome.firstDueDate });
      const needsApproval = !isManager(role) && discount > policy.officerAuthority.maxSettlementDiscountPercent + 1e-9;
      return { ok: true, needsApproval, schedule };
    }
    case 'settlement_decision':
      return context.arrangement === 'settlement_pending' ? { ok: true, needsApproval: false } : refuse('kind', 'no settlement is waiting for approval');
    case 'arrangement_decision':
      return context.arrangement === 'settlement_pending' || context.arrangement === 'plan_pending' || context.current?.pendingChange
        ? { ok: true, needsApproval: false }
        : refuse('kind', "nothing is waiting for a manager's approval");
    case 'arrangement_cancel':
      return context.arrangement === 'none' ? refuse('kind', 'there is no arrangement to cancel') : { ok: true, needsApproval: false };
    case 'arrangement_amend':
    case 'arrangement_reschedule':
      return validateChange(outcome, context, today);
    case 'dispute':
      return context.hold === 'dispute' ? refuse('kind', 'the debt is already disputed') : { ok: true, needsApproval: false };
    case 'dispute_resolution':
      return context.hold === 'dispute' ? { ok: true, needsApproval: false } : refuse('kind', 'the debt is not disputed');
    case 'hardship_pause': {
      if (DateTime.fromISO(outcome.until, { zone: 'utc' }) <= today) return refuse('until', `${outcome.until} is not in the future`);
      if (DateTime.fromISO(outcome.until, { zone: 'utc' }) > today.plus({ days: 180 })) return refuse('until', 'a hardship pause may last at most 180 days');
      return { ok: true, needsApproval: false };
    }
    case 'recall':
      return context.placed ? { ok: true, needsApproval: false } : refuse('kind', 'the case is not placed with an agency');
    case 'escalate':
      return context.placed ? refuse('kind', 'the case is already placed with an agency') : { ok: true, needsApproval: false };
    default:
      return { ok: true, needsApproval: false };
  }
}

/** Amend or reschedule the arrangement in force: the same policy as a new plan, the same authority. */
function validateChange(
  outcome: Extract<TOutcome, { kind: 'arrangement_amend' | 'arrangement_reschedule' }>,
  { current, arrangement, policy, role }: OutcomeContext,
  today: DateTime,
): OutcomeDecision {
  if (!current || arrangement === 'none') return refuse('kind', 'there is no arrangement to change');
  if (arrangement === 'settlement_pending' || arrangement === 'plan_pending') return refuse('kind', "the arrangement still waits for a manager's approval");
  if (current.pendingChange) return refuse('kind', "a change to the arrangement already waits for a manager's approval");
  const latest = today.plus({ days: policy.maxPromiseDays });
  if (outcome.kind === 'arrangement_reschedule') {
    if (DateTime.fromISO(outcome.dueDate, { zone: 'utc' }) < today) return refuse('dueDate', `${outcome.dueDate} is in the past`);
    if (DateTime.fromISO(outcome.dueDate, { zone: 'utc' }) > latest) {
      return refuse('dueDate', `the next payment may fall at most ${policy.maxPromiseDays} days ahead (by ${latest.toISODate()})`);
    }
    const { schedule, shiftDays, first } = rescheduledSchedule(current, outcome.dueDate);
    if (!first) return refuse('kind', 'nothing is left to pay under the arrangement');
    if (shiftDays === 0) return refuse('dueDate', `the next payment is already due on ${outcome.dueDate}`);
    return { ok: true, needsApproval: false, schedule };
  }
  if (DateTime.fromISO(outcome.firstDueDate, { zone: 'utc' }) < today) return refuse('firstDueDate', `${outcome.firstDueDate} is in the past`);
  const maxCount = current.kind === 'settlement' ? 6 : policy.maxInstallments;
  if (outcome.installments > maxCount) return refuse('installments', `${outcome.installments} installments exceed the maximum ${maxCount} for a ${current.kind}`);
  const { schedule, remaining } = amendedSchedule(current, { count: outcome.installments, frequency: outcome.frequency, firstDueDate: outcome.firstDueDate });
  if (remaining <= 0) return refuse('kind', 'nothing is left to pay under the arrangement');
  const rest = schedule.slice(schedule.length - outcome.installments);
  const smallest = Math.min(...rest.map((each) => each.amount));
  if (outcome.installments > 1 && smallest < policy.minInstallment) {
    return refuse('installments', `installments of ${money(smallest)} are below the minimum ${money(policy.minInstallment)}`);
  }
  const needsApproval = !isManager(role) && outcome.installments > policy.officerAuthority.maxInstallments;
  return { ok: true, needsApproval, schedule };
}
