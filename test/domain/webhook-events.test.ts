import { describe, expect, it } from 'vitest';
import { deriveWebhookEvents, planStandingOf } from '../../domain/webhook-events.js';
import type { CaseEvent } from '../../workflows/case-messages.js';

/** The mapping from a case's history to outbound events: the parts that need the earlier history. */

const at = '2026-12-05T12:00:00.000Z';
const event = (seq: number, type: string, data?: unknown): CaseEvent => ({ seq, at, type, detail: type, ...(data === undefined ? {} : { data }) }) as CaseEvent;
const schedule = [
  { seq: 0, dueDate: '2026-12-06', amount: 10_000 },
  { seq: 1, dueDate: '2027-01-06', amount: 10_000 },
  { seq: 2, dueDate: '2027-02-06', amount: 10_000 },
];
const payment = (seq: number, reference: string, amount: number) => event(seq, 'payment_applied', { reference, amount, currency: 'USD', receivedAt: at, balanceBefore: 0, balanceAfter: 0, overpaid: 0 });

describe('outbound events from case history', () => {
  it('names each installment a payment completes, counting what earlier writes paid', () => {
    const earlier = planStandingOf([event(3, 'arrangement_made', { kind: 'plan', installments: schedule }), payment(4, 'P1', 5_000)]);
    const derived = deriveWebhookEvents([payment(5, 'P2', 16_000)], earlier);
    expect(derived.map((item) => [item.type, item.data.installment ?? null])).toEqual([
      ['payment.received', null],
      ['plan.installment_paid', 0],
      ['plan.installment_paid', 1],
    ]);
    // The same payment on a plan still waiting for a manager completes nothing.
    const pending = planStandingOf([event(3, 'arrangement_made', { kind: 'plan', installments: schedule, needsApproval: true })]);
    expect(deriveWebhookEvents([payment(4, 'P1', 30_000)], pending).map((item) => item.type)).toEqual(['payment.received']);
    // Approved later (no schedule in the approval), it counts.
    const approved = planStandingOf([event(3, 'arrangement_made', { kind: 'plan', installments: schedule, needsApproval: true }), event(4, 'arrangement_made', { kind: 'plan', approvedBy: 'manager:m' })]);
    expect(deriveWebhookEvents([payment(5, 'P1', 10_000)], approved).map((item) => item.type)).toEqual(['payment.received', 'plan.installment_paid']);
  });

  it('tells a settlement waiting for approval from one approved, and an upheld dispute from a resumed one', () => {
    expect(deriveWebhookEvents([event(1, 'arrangement_made', { kind: 'settlement', installments: schedule, needsApproval: true })])).toEqual([]);
    expect(deriveWebhookEvents([event(2, 'arrangement_made', { kind: 'settlement', approvedBy: 'manager:m' })]).map((item) => item.type)).toEqual(['settlement.approved']);
    expect(deriveWebhookEvents([event(3, 'closed', { reason: 'dispute_upheld' })]).map((item) => [item.type, item.data])).toEqual([
      ['dispute.resolved', { resolution: 'upheld' }],
      ['case.closed', { reason: 'dispute_upheld' }],
    ]);
    expect(deriveWebhookEvents([event(4, 'closed', { reason: 'settled' })]).map((item) => item.type)).toEqual(['settlement.paid', 'case.closed']);
    // A hardship hold is not a dispute.
    expect(deriveWebhookEvents([event(4, 'hold_started', { kind: 'hardship', until: null })])).toEqual([]);
  });

  it('announces each send once, including one retried after an interrupted attempt', () => {
    // The attempt that sent it died before answering; the retry found the message made: still the step's one send.
    const retried = event(5, 'step_done', { communicationId: 'c1', duplicate: true });
    expect(deriveWebhookEvents([retried]).map((item) => [item.type, item.data.communicationId])).toEqual([['step.sent', 'c1']]);
    // A communication an earlier write (or this one) already announced is not sent again.
    expect(deriveWebhookEvents([retried], null, new Set(['c1']))).toEqual([]);
    expect(deriveWebhookEvents([event(5, 'step_done', { communicationId: 'c1' }), event(6, 'step_done', { communicationId: 'c1', duplicate: true })]).map((item) => item.caseSeq)).toEqual([5]);
    // A call task or a covered step is not a message sent.
    expect(deriveWebhookEvents([event(7, 'step_done', { taskId: 't1' }), event(8, 'step_done', { coveredBy: 'case-2' })])).toEqual([]);
  });
});
