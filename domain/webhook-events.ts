import type { Installment } from './arrangements.js';
import type { CaseEvent } from '../workflows/case-messages.js';

/**
 * The events other systems can subscribe to (issue 22 "Events out"), each derived from what the
 * case already records in its history: nothing new is asked of the workflow. Pure, so the
 * projection (which writes the outbox) and the tests share one mapping.
 */

export const WebhookEventType = {
  caseOpened: 'case.opened',
  stepSent: 'step.sent',
  replyReceived: 'reply.received',
  promiseMade: 'promise.made',
  promiseKept: 'promise.kept',
  promiseBroken: 'promise.broken',
  planMade: 'plan.made',
  planInstallmentPaid: 'plan.installment_paid',
  planBroken: 'plan.broken',
  settlementApproved: 'settlement.approved',
  settlementPaid: 'settlement.paid',
  disputeOpened: 'dispute.opened',
  disputeResolved: 'dispute.resolved',
  paymentReceived: 'payment.received',
  paymentReversed: 'payment.reversed',
  casePlaced: 'case.placed',
  caseClosed: 'case.closed',
} as const;
export type WebhookEventType = (typeof WebhookEventType)[keyof typeof WebhookEventType];
export const webhookEventTypes: readonly WebhookEventType[] = Object.values(WebhookEventType);
export const isWebhookEventType = (value: string): value is WebhookEventType => (webhookEventTypes as readonly string[]).includes(value);

/** One outbound event before it is addressed: its type, the case event it comes from, its data. */
export interface DerivedWebhookEvent {
  type: WebhookEventType;
  caseSeq: number;
  at: string;
  data: Record<string, unknown>;
}

/** The plan as the history tells it: its schedule, what was paid toward it, and whether it waits for a manager. */
interface PlanStanding {
  installments: Installment[];
  paid: number;
  pending: boolean;
}

/**
 * The arrangement events and payments of a case's earlier history, folded into the plan in force,
 * so that a payment in a later write can say which installments it completed.
 */
export function planStandingOf(history: readonly CaseEvent[]): PlanStanding | null {
  let plan: PlanStanding | null = null;
  for (const event of [...history].sort((a, b) => a.seq - b.seq)) plan = foldPlan(plan, event);
  return plan;
}

function foldPlan(plan: PlanStanding | null, event: CaseEvent): PlanStanding | null {
  switch (event.type) {
    case 'arrangement_made':
      if (event.data.kind !== 'plan') return plan;
      // A manager's approval names no schedule: the one waiting for it comes into force.
      if (event.data.approvedBy && !event.data.installments) return plan ? { ...plan, pending: false } : plan;
      return { installments: event.data.installments ?? [], paid: 0, pending: Boolean(event.data.needsApproval) };
    case 'arrangement_changed':
      if (event.data.kind !== 'plan' || !plan || event.data.needsApproval || event.data.rejectedBy || !event.data.installments) return plan;
      return { ...plan, installments: event.data.installments };
    case 'arrangement_kept':
    case 'arrangement_broken':
    case 'arrangement_cancelled':
      return event.data.kind === 'plan' ? null : plan;
    case 'payment_applied':
      return plan && !plan.pending ? { ...plan, paid: plan.paid + event.data.amount } : plan;
    case 'payment_reversed':
      return plan && !plan.pending ? { ...plan, paid: Math.max(0, plan.paid - event.data.amount) } : plan;
    default:
      return plan;
  }
}

/** Installments whose running total the paid amount reaches, in schedule order (payments go to the oldest first). */
function installmentsCovered(plan: PlanStanding): Installment[] {
  let running = 0;
  const covered: Installment[] = [];
  for (const installment of [...plan.installments].sort((a, b) => a.seq - b.seq)) {
    running += installment.amount;
    if (running > plan.paid) break;
    covered.push(installment);
  }
  return covered;
}

/**
 * The outbound events of new case events, in the case's order. `earlier` is the plan in force
 * before them ({@link planStandingOf} over the stored history); a payment toward it that completes
 * installments is also a `plan.installment_paid` per installment. `announced` holds the
 * communications an earlier write already announced as `step.sent`.
 */
export function deriveWebhookEvents(events: readonly CaseEvent[], earlier: PlanStanding | null = null, announced: ReadonlySet<string> = new Set()): DerivedWebhookEvent[] {
  const out: DerivedWebhookEvent[] = [];
  const sent = new Set(announced);
  let plan = earlier;
  for (const event of [...events].sort((a, b) => a.seq - b.seq)) {
    const emit = (type: WebhookEventType, data: Record<string, unknown> = {}) => out.push({ type, caseSeq: event.seq, at: event.at, data });
    const before = plan;
    plan = foldPlan(plan, event);
    switch (event.type) {
      case 'enrolled':
        emit(WebhookEventType.caseOpened, { balance: event.data.balance });
        break;
      case 'step_done':
        // A message that went out (not a note step or a task), once per communication. A send
        // retried after an interrupted attempt reports `duplicate` (that attempt found the message
        // already made) and is still the step's one send; only a communication already announced is not.
        if (event.data?.communicationId && !sent.has(event.data.communicationId)) {
          sent.add(event.data.communicationId);
          emit(WebhookEventType.stepSent, { stepId: event.stepId ?? null, communicationId: event.data.communicationId });
        }
        break;
      case 'reply_received':
        // The debtor's words stay in the engine: the channel and what they meant go out.
        emit(WebhookEventType.replyReceived, { channel: event.data.channel, intent: event.data.intent });
        break;
      case 'arrangement_made': {
        if (event.data.needsApproval) break;
        const terms = { installments: event.data.installments ?? null, ...(event.data.approvedBy ? { approvedBy: event.data.approvedBy } : {}), ...(event.data.reinstated ? { reinstated: true } : {}) };
        const type = { promise: WebhookEventType.promiseMade, plan: WebhookEventType.planMade, settlement: WebhookEventType.settlementApproved }[event.data.kind];
        emit(type, terms);
        break;
      }
      case 'arrangement_kept':
        // A settlement paid closes the case as settled instead (below).
        if (event.data.kind === 'promise') emit(WebhookEventType.promiseKept, { paidTotal: event.data.paidTotal });
        break;
      case 'arrangement_broken':
        if (event.data.kind === 'promise') emit(WebhookEventType.promiseBroken, { paidTotal: event.data.paidTotal });
        if (event.data.kind === 'plan') emit(WebhookEventType.planBroken, { paidTotal: event.data.paidTotal });
        break;
      case 'hold_started':
        if (event.data.kind === 'dispute') emit(WebhookEventType.disputeOpened, { reason: event.detail });
        break;
      case 'hold_ended':
        if (event.data.kind === 'dispute') emit(WebhookEventType.disputeResolved, { resolution: 'collection_resumed' });
        break;
      case 'payment_applied': {
        const { reference, amount, currency, receivedAt, balanceAfter } = event.data;
        emit(WebhookEventType.paymentReceived, { reference, amount, currency, receivedAt, balanceAfter });
        if (before && plan && !plan.pending) {
          const already = new Set(installmentsCovered(before).map((installment) => installment.seq));
          for (const installment of installmentsCovered(plan)) {
            if (!already.has(installment.seq)) emit(WebhookEventType.planInstallmentPaid, { installment: installment.seq, dueDate: installment.dueDate, amount: installment.amount, reference });
          }
        }
        break;
      }
      case 'payment_reversed':
        emit(WebhookEventType.paymentReversed, { reference: event.data.reference, amount: event.data.amount, reason: event.data.reason, balanceAfter: event.data.balanceAfter });
        break;
      case 'placed':
        emit(WebhookEventType.casePlaced, { agency: event.data.agency, placementId: event.data.placementId });
        break;
      case 'closed':
        // An upheld dispute ends the case: the dispute is resolved, then the case closes.
        if (event.data.reason === 'dispute_upheld') emit(WebhookEventType.disputeResolved, { resolution: 'upheld' });
        // The settlement's last payment closes the case as settled: the settlement is paid, then the case closes.
        if (event.data.reason === 'settled') emit(WebhookEventType.settlementPaid, {});
        emit(WebhookEventType.caseClosed, { reason: event.data.reason });
        break;
      default:
        break;
    }
  }
  return out;
}

/** The `webhook-id` of the n-th outbound event of a case event: stable, so a retried write or a replay sends the same id. */
export const webhookEventId = (caseId: string, caseSeq: number, index: number) => `evt_${caseId}_${caseSeq}_${index}`;
