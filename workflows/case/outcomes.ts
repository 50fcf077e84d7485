import { ApplicationFailure } from '@temporalio/common';
import { scheduleTotal } from '../../domain/arrangements.js';
import { contactOutcomeOfNegotiation } from '../../domain/contact-outcome.js';
import { formatMoney } from '../../domain/money.js';
import { validateOutcome, type OutcomeDecision } from '../../domain/outcomes.js';
import { CloseReason, type Arrangement, type OutcomeRequest } from '../case-messages.js';
import { cancelArrangement, changeArrangement, decideArrangement } from './arrangements.js';
import type { LiveCase } from './state.js';
import { requestOriginalCreditor } from './original-creditor.js';

/**
 * Officers' and managers' outcomes (the `recordOutcome` update): validated against the strategy's
 * negotiation policy and the actor's authority, then applied to the case. Synchronous.
 */

const arrangementKinds: Record<string, Arrangement['kind']> = { promise_to_pay: 'promise', payment_plan: 'plan', settlement: 'settlement' };

/** The validator: refuses what the policy or the actor's authority does not allow, with the reason. */
export function validateOutcomeRequest(live: LiveCase, { outcome, role }: OutcomeRequest): Extract<OutcomeDecision, { ok: true }> {
  const decision = validateOutcome(outcome, live.outcomeContext(role));
  if (!decision.ok) throw ApplicationFailure.create({ type: 'OutcomeRefused', message: decision.reason, details: [{ field: decision.field }], nonRetryable: true });
  return decision;
}

/**
 * Applies a validated outcome. `servicing` is the `servicing-arrangement-changes` patch, asked
 * only on the paths it added (a plan waiting for approval, changes to an arrangement, the
 * general decision), so histories from before it replay as they ran.
 */
export function applyOutcome(live: LiveCase, request: OutcomeRequest, servicing: () => boolean = () => true): void {
  const { state, policy, account } = live;
  const { outcome, by, role } = request;
  const decision = validateOutcomeRequest(live, request);
  live.record('outcome_recorded', `${outcome.kind.replace(/_/g, ' ')} recorded by ${by}`, { data: { ...outcome, by, role } });
  state.lastContactOutcome = contactOutcomeOfNegotiation(outcome.kind) ?? state.lastContactOutcome ?? null;
  switch (outcome.kind) {
    case 'promise_to_pay':
    case 'payment_plan':
    case 'settlement': {
      const kind = arrangementKinds[outcome.kind] ?? 'promise';
      const arrangement: Arrangement = {
        kind,
        status: decision.needsApproval ? 'pending_approval' : 'active',
        installments: decision.schedule ?? [],
        paidTotal: 0,
        graceDays: policy.graceDays,
        agreedBy: by,
        agreedAt: new Date(live.now()).toISOString(),
        remindersSent: [],
      };
      state.arrangement = arrangement;
      live.suspendTimeline();
      live.record('arrangement_made', `${kind} of ${formatMoney(scheduleTotal(arrangement.installments), account.currency)} in ${arrangement.installments.length} payment(s)${decision.needsApproval ? ', waiting for a manager' : ''}`, {
        data: { kind, installments: arrangement.installments, needsApproval: decision.needsApproval },
      });
      if (decision.needsApproval && kind === 'settlement') live.sideEffects.push({ kind: 'task', task: { kind: 'approval', reason: `settlement above officer authority agreed by ${by}` } });
      else if (decision.needsApproval && servicing()) live.sideEffects.push({ kind: 'task', task: { kind: 'approval', reason: `payment plan above officer authority agreed by ${by}` } });
      return;
    }
    case 'arrangement_decision':
      if (servicing()) decideArrangement(live, { approve: outcome.approve, by, note: outcome.note });
      return;
    case 'arrangement_amend':
    case 'arrangement_reschedule':
      if (servicing()) changeArrangement(live, { change: outcome.kind === 'arrangement_amend' ? 'amend' : 'reschedule', installments: decision.schedule ?? [], by, reason: outcome.reason, needsApproval: decision.needsApproval });
      return;
    case 'arrangement_cancel':
      if (servicing()) cancelArrangement(live, { by, reason: outcome.reason });
      return;
    case 'settlement_decision':
      if (outcome.approve && state.arrangement) {
        state.arrangement.status = 'active';
        live.record('arrangement_made', `settlement approved by ${by}`, { data: { kind: 'settlement', approvedBy: by } });
      } else {
        live.endArrangement('arrangement_cancelled', `settlement rejected by ${by}`);
        live.resumeTimeline();
      }
      return;
    case 'dispute':
      if (outcome.about === 'original_creditor') {
        requestOriginalCreditor(live, outcome.reason, by);
        return;
      }
      live.comply({ type: 'dispute_received', at: live.now(), source: by });
      live.endArrangement('arrangement_cancelled', 'arrangement cancelled by a dispute');
      live.startHold('dispute', outcome.reason);
      live.sideEffects.push({ kind: 'task', task: { kind: 'dispute', reason: 'verify the disputed debt' } });
      return;
    case 'dispute_resolution':
      if (outcome.upheld) {
        state.hold = null;
        live.close(CloseReason.disputeUpheld, `dispute upheld by ${by}: ${outcome.note}`);
      } else {
        live.endHold(`dispute rejected by ${by}: ${outcome.note}; verification sent`);
        live.comply({ type: 'verification_sent', at: live.now(), source: by });
        live.sideEffects.push({ kind: 'verification', ...(outcome.originalCreditor ? { originalCreditor: outcome.originalCreditor } : {}) });
      }
      return;
    case 'hardship_pause':
      live.startHold('hardship', outcome.reason, new Date(`${outcome.until}T00:00:00Z`).toISOString());
      return;
    case 'cease_contact':
      state.ceased = true;
      live.comply({ type: 'flag_set', flag: 'ceaseCommunication', at: live.now(), source: by });
      live.record('opted_out', 'the debtor asked us to cease communication', { data: { channel: 'all', source: 'cease_request' } });
      return;
    case 'wrong_party':
      live.startHold('wrong_party', outcome.note ?? 'the person reached says this is not their debt');
      live.sideEffects.push({ kind: 'task', task: { kind: 'skip_trace', reason: 'wrong party: find the right debtor' } });
      return;
    case 'deceased':
    case 'bankruptcy':
      live.sideEffects.push({ kind: 'task', task: { kind: outcome.kind, reason: `${outcome.kind}: route to the specialist team` } });
      live.close(outcome.kind === 'deceased' ? CloseReason.deceased : CloseReason.bankruptcy, `${outcome.kind} reported by ${by}`);
      return;
    case 'escalate':
      if (outcome.to === 'legal') {
        live.startHold('legal', outcome.reason);
        live.sideEffects.push({ kind: 'task', task: { kind: 'legal_review', reason: outcome.reason } });
      } else {
        live.sideEffects.push({ kind: 'agency', reason: outcome.reason });
      }
      return;
    case 'recall':
      state.placement = null;
      live.record('recalled', `recalled from the agency by ${by}: ${outcome.reason}`);
      live.resumeTimeline();
      return;
    case 'close':
      live.close(outcome.reason === 'written_off' ? CloseReason.writtenOff : CloseReason.uncollectible, `${outcome.reason.replace('_', ' ')} by ${by}: ${outcome.note}`);
      return;
  }
}
