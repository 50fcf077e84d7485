import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { checkArrangement, installmentStanding, scheduleTotal } from '../domain/arrangements.js';
import type { CaseFacts, ContactChannel } from '../domain/case-facts.js';
import { channels } from '../domain/channels/index.js';
import { contactOutcomeOfCall, contactOutcomeOfNegotiation } from '../domain/contact-outcome.js';
import { contactWindowHold } from '../domain/contact-rules.js';
import { formatMoney } from '../domain/money.js';
import { withNegotiationDefaults } from '../domain/negotiation-defaults.js';
import { validateOutcome, type OutcomeContext } from '../domain/outcomes.js';
import { classifyReply, ReplyIntent } from '../domain/replies.js';
import { applyComplianceEvent, complianceOf, conversationOutcomes, type ComplianceEvent } from '../domain/regulation/events.js';
import { evaluateContact, requiredDisclosures, type ContactPolicyInput } from '../domain/regulation/index.js';
import { isMessageAction } from '../domain/step-actions.js';
import type { StepResult } from '../domain/step-conditions.js';
import { planStep } from '../domain/step-plan.js';
import { callMeBranch, disputeBranch, escalationAgency, timelineBranch, type TimelineBranch } from '../domain/strategy-branches.js';
import { migrateCursor } from '../domain/strategy-migration.js';
import { afterMove, contactPolicyOf, fallbackStep, nextMove, planContext, startCursor, type TimelineCursor, type TimelineMove } from '../domain/timeline.js';
import type { TStep, TTemplate } from '../domain/strategy.js';
import {
  CloseReason,
  balanceAdjustedSignal,
  contactChangedSignal,
  debtorRepliedSignal,
  pauseSignal,
  paymentReceivedSignal,
  paymentReversedSignal,
  recordOutcomeUpdate,
  callAttemptedSignal,
  complianceFactSignal,
  contactPermissionQuery,
  resumeSignal,
  statusQuery,
  strategyVersionChangedSignal,
  type Arrangement,
  type CaseEvent,
  type CaseInput,
  type CaseState,
  type CaseStatus,
  type DebtorReplied,
  type OutcomeRequest,
  type StrategyVersionChanged,
} from './case-messages.js';

/** Provider calls: a bad address fails at once, an outage retries with backoff until it ends. */
const sends = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '30 minutes' },
});

/** Database projection and work queue: quick, and retried until the database is back. */
const records = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * The projection as a local activity: run by the worker inside the workflow task that asked for
 * it, so writing the read model costs no activity dispatch and no second workflow task (a new
 * case or a payment settles in one task instead of two). Same retry policy as `records`.
 */
const localRecords = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/** How many events the status query shows. */
const recentEvents = 50;
const dayMs = 86_400_000;
/** Sources of a `contactChanged` that mean a message already sent never arrived. */
const deliveryFailureSources = ['email_bounce', 'twilio_status', 'letter_returned'];

export interface CaseResult {
  status: CaseState['status'];
  closeReason: CaseState['closeReason'];
  balance: number;
}

/** Work the loop does for the handlers, which must stay synchronous. */
type SideEffect =
  | { kind: 'task'; task: { kind: string; reason: string } }
  | { kind: 'agency'; reason: string; agency?: string }
  | { kind: 'verification' };

/** Built-in texts for messages the engine sends on its own account (not strategy steps). */
const reminderTemplate = (amount: string, date: string): TTemplate => ({
  channel: 'email',
  subject: `Reminder: ${amount} is due on ${date}`,
  body:
    `Hello {{debtor.name}},\n\nA reminder: ${amount} is due on ${date} under the arrangement you agreed with us ` +
    'for account {{account.externalId}}.\n\nThis is a communication from a debt collector. Reply STOP to opt out.',
});
const verificationTemplate: TTemplate = {
  channel: 'letter',
  body:
    'Dear {{debtor.name}},\n\nYou disputed the debt on account {{account.externalId}}. We have verified it: the amount owed is ' +
    '{{balance}}. This letter is the verification of the debt.\n\nThis is a communication from a debt collector.',
};

/**
 * One delinquent account travelling its strategy's timeline: wait for the next step (any signal
 * interrupts the wait), check the contact rules, run the step, record it, repeat. Arrangements
 * (promise, plan, settlement), holds (dispute, hardship, legal, wrong party) and agency placement
 * suspend the timeline; what suspended it decides how it resumes.
 */
export async function caseWorkflow(input: CaseInput): Promise<CaseResult> {
  const { caseId, account } = input;
  /** The strategy version the case runs; a manager may move it to another version. */
  let strategy = input.strategy;
  let steps = strategy.definition.steps;
  // Parsed here so inputs recorded before a policy field existed get its default.
  let policy = withNegotiationDefaults(strategy.definition.negotiation);
  let pendingStrategy: StrategyVersionChanged | null = null;
  const startedAt = Date.parse(input.startedAt);
  const state: CaseState = input.carried ?? {
    status: 'open',
    closeReason: null,
    balance: account.balance,
    stepIndex: 0,
    currentStep: null,
    nextActionAt: null,
    nextActionWhy: null,
    // A copy: the input must stay as it was given (structuredClone is not in the workflow sandbox).
    contacts: Object.fromEntries(Object.entries(account.contacts).map(([channel, contact]) => [channel, { ...contact }])),
    appliedPayments: [],
    seq: 0,
    recent: [],
  };
  state.ledger ??= [];
  /**
   * Cases started before this walk the timeline step by step with planStep alone; newer ones walk
   * it with domain/timeline.ts, as the preview does: fallbacks, step results, event branches.
   */
  const walksTimeline = patched('timeline-walk');
  /** Cases started before this project through a scheduled activity; newer ones through a local one. */
  const projects = patched('local-projection') ? localRecords : records;
  state.compliance ??= { timeZones: [account.debtor.timeZone], ...account.compliance };
  /**
   * The contact rules' policy. The validation-notice rule applies when the strategy names the
   * templates that carry the notice; without them the engine cannot know when it was sent.
   */
  let contactPolicy: ContactPolicyInput = contactPolicyOf(strategy.definition);
  /** Events not yet written to the database. */
  let unprojected: CaseEvent[] = [];
  let sideEffects: SideEffect[] = [];
  /** Bumped by every signal and update so a wait wakes up and plans again. */
  let changes = 0;
  /** The value of `changes` the loop last planned from, so an update can answer with the plan it caused. */
  let planned = 0;

  function record(type: CaseEvent['type'], detail: string, extra: Pick<CaseEvent, 'stepId' | 'data'> = {}): void {
    const event: CaseEvent = { seq: ++state.seq, at: new Date().toISOString(), type, detail, ...extra };
    state.recent = [...state.recent.slice(-(recentEvents - 1)), event];
    unprojected.push(event);
  }

  /** The timeline cursor; cases carried over from before it existed start from their step index. */
  function timelineCursor(): TimelineCursor {
    return state.timeline ?? { stepIndex: state.stepIndex, results: {}, pendingFallback: null };
  }

  function setCursor(cursor: TimelineCursor): void {
    state.timeline = cursor;
    state.stepIndex = cursor.stepIndex;
  }

  /** Updates the facts the contact rules read, and records what changed. */
  function comply(event: ComplianceEvent): void {
    const { facts, changes: changed } = applyComplianceEvent({ contacts: state.contacts, ...state.compliance }, event);
    state.compliance = complianceOf(facts);
    state.contacts = facts.contacts;
    for (const change of changed) record('compliance', change, { data: { event: event.type } });
  }

  function close(reason: CloseReason, detail: string): void {
    if (state.status === 'closed') return;
    state.status = 'closed';
    state.closeReason = reason;
    state.closedAt = new Date().toISOString();
    state.nextActionAt = null;
    state.nextActionWhy = null;
    record('closed', detail, { data: { reason } });
  }

  /** Stops the timeline's clock; {@link resumeTimeline} pushes the remaining steps back by the pause. */
  function suspendTimeline(): void {
    state.suspendedAt ??= new Date().toISOString();
  }

  function resumeTimeline(how: 'resume' | 'restart' = 'resume'): void {
    if (how === 'restart') {
      state.stepIndex = 0;
      state.shiftMs = Date.now() - startedAt;
      if (walksTimeline) {
        state.timeline = startCursor();
        state.restarts = (state.restarts ?? 0) + 1;
      }
    } else if (state.suspendedAt) {
      state.shiftMs = (state.shiftMs ?? 0) + (Date.now() - Date.parse(state.suspendedAt));
    }
    state.suspendedAt = null;
  }

  /** What a broken promise or a returned payment does, by the strategy's `on` block. */
  function takeBranch(branch: TimelineBranch, why: string): void {
    if (branch === 'escalate_agency') {
      sideEffects.push({ kind: 'agency', reason: why, agency: escalationAgency(strategy.definition) });
      resumeTimeline();
    } else if (branch === 'escalate_legal') {
      startHold('legal', why);
      sideEffects.push({ kind: 'task', task: { kind: 'legal_review', reason: why } });
    } else {
      resumeTimeline(branch);
    }
  }

  function endArrangement(type: 'arrangement_kept' | 'arrangement_broken' | 'arrangement_cancelled', detail: string): void {
    const arrangement = state.arrangement;
    if (!arrangement) return;
    record(type, detail, { data: { kind: arrangement.kind, paidTotal: arrangement.paidTotal } });
    state.arrangement = null;
  }

  function applyPayment(reference: string, amount: number, data: Record<string, unknown>): void {
    state.appliedPayments.push(reference);
    const before = state.balance;
    state.balance = Math.max(0, before - amount);
    const arrangement = state.arrangement;
    const toward = Boolean(arrangement && arrangement.status === 'active');
    if (arrangement && toward) arrangement.paidTotal += amount;
    state.ledger?.push({ reference, amount, reversed: false, towardArrangement: toward });
    record('payment_applied', `payment ${reference} of ${amount} applied`, {
      data: { ...data, reference, amount, balanceBefore: before, balanceAfter: state.balance, overpaid: Math.max(0, amount - before) },
    });
    if (arrangement?.kind === 'settlement' && toward && arrangement.paidTotal >= scheduleTotal(arrangement.installments)) {
      state.waived = state.balance;
      state.balance = 0;
      close(CloseReason.settled, `settled; ${formatMoney(state.waived, account.currency)} waived`);
    } else if (state.balance === 0) {
      close(CloseReason.paid, 'paid in full');
    }
  }

  setHandler(paymentReceivedSignal, (payment) => {
    changes++;
    if (state.appliedPayments.includes(payment.reference)) {
      record('payment_duplicate', `payment ${payment.reference} was already applied`, { data: { reference: payment.reference } });
      return;
    }
    if (state.status === 'closed') {
      // A closed case lingering for returned payments keeps the money on record but owes nothing.
      state.appliedPayments.push(payment.reference);
      state.ledger?.push({ reference: payment.reference, amount: payment.amount, reversed: false, towardArrangement: false });
      record('payment_applied', `payment ${payment.reference} of ${payment.amount} received after closing`, {
        data: { ...payment, balanceBefore: 0, balanceAfter: 0, overpaid: payment.amount },
      });
      return;
    }
    applyPayment(payment.reference, payment.amount, { ...payment });
  });

  setHandler(paymentReversedSignal, ({ reference, reason }) => {
    changes++;
    const entry = state.ledger?.find((payment) => payment.reference === reference && !payment.reversed);
    if (!entry) return;
    entry.reversed = true;
    const wasClosed = state.status === 'closed';
    if (wasClosed && (state.closeReason === CloseReason.paid || state.closeReason === CloseReason.settled)) {
      state.status = 'open';
      state.balance = (state.waived ?? 0) + entry.amount;
      state.waived = 0;
      state.closeReason = null;
      record('reopened', `reopened: payment ${reference} was returned (${reason})`, { data: { reference, reason } });
    } else if (!wasClosed) {
      state.balance += entry.amount;
    } else {
      return;
    }
    if (entry.towardArrangement && state.arrangement) state.arrangement.paidTotal = Math.max(0, state.arrangement.paidTotal - entry.amount);
    record('payment_reversed', `payment ${reference} of ${entry.amount} returned: ${reason}`, {
      data: { reference, amount: entry.amount, reason, balanceAfter: state.balance },
    });
    const branch: TimelineBranch = walksTimeline ? timelineBranch(strategy.definition, 'paymentReturned') : 'resume';
    const why = `payment ${reference} was returned (${reason})`;
    if (wasClosed && !state.arrangement) {
      // Paid-off cases go back to the timeline where they stopped, shifted by the time closed
      // (or restart it, or escalate, as the strategy says).
      state.suspendedAt = state.closedAt ?? null;
      takeBranch(branch, why);
    } else if (branch !== 'resume' && state.status === 'open' && !state.arrangement && !state.hold && !state.placement) {
      suspendTimeline();
      takeBranch(branch, why);
    }
    state.closedAt = null;
  });

  setHandler(debtorRepliedSignal, (reply) => {
    changes++;
    const intent = reply.intent ?? classifyReply(reply.text);
    record('reply_received', `${reply.channel} reply classified as ${intent}`, { data: { ...reply, intent } });
    // Words asking us to stop ("don't text me") are honoured too, not only carrier keywords.
    if (intent !== ReplyIntent.stop && intent !== ReplyIntent.start) comply({ type: 'reply_received', channel: reply.channel, text: reply.text, intent, at: Date.now() });
    const needsPerson: string[] = [ReplyIntent.other, ReplyIntent.callMe, ReplyIntent.dispute, ReplyIntent.hardship, ReplyIntent.wrongNumber, ReplyIntent.paid];
    if (state.status !== 'closed' && needsPerson.includes(intent) && patched('reply-tasks')) {
      if (walksTimeline) answerReply(reply.channel, intent);
      else sideEffects.push({ kind: 'task', task: { kind: 'reply', reason: `debtor replied by ${reply.channel} (${intent.replace('_', ' ')})` } });
    }
    const channel: ContactChannel | null = reply.channel === 'phone' ? null : reply.channel;
    const contact = channel ? state.contacts[channel] : undefined;
    if (!channel || !contact) return;
    if (intent === ReplyIntent.stop && !contact.optedOut) {
      contact.optedOut = true;
      record('opted_out', `debtor opted out of ${channel} by reply`, { data: { channel, source: `${channel}_reply` } });
    } else if (intent === ReplyIntent.start && contact.optedOut) {
      contact.optedOut = false;
      record('opted_in', `debtor opted back in to ${channel} by reply`, { data: { channel, source: `${channel}_reply` } });
    }
  });

  /** A reply a person must read, or the strategy's branch for a dispute or a call-me request. */
  function answerReply(channel: DebtorReplied['channel'], intent: ReplyIntent): void {
    const by = `debtor replied by ${channel}`;
    if (intent === ReplyIntent.callMe) {
      state.lastContactOutcome = 'callback_requested';
      if (callMeBranch(strategy.definition) === 'call_task') sideEffects.push({ kind: 'task', task: { kind: 'call', reason: `${by}: asked to be called` } });
      return;
    }
    const branch = disputeBranch(strategy.definition);
    if (intent === ReplyIntent.dispute && branch !== 'task' && !state.hold) {
      state.lastContactOutcome = 'dispute';
      endArrangement('arrangement_cancelled', 'arrangement cancelled by a dispute');
      if (branch === 'hold') {
        comply({ type: 'dispute_received', at: Date.now(), source: `${channel}_reply` });
        startHold('dispute', `${by}: the debtor disputes the debt`);
        sideEffects.push({ kind: 'task', task: { kind: 'dispute', reason: 'verify the disputed debt' } });
      } else {
        startHold('legal', `${by}: the debtor disputes the debt`);
        sideEffects.push({ kind: 'task', task: { kind: 'legal_review', reason: `${by}: the debtor disputes the debt` } });
      }
      return;
    }
    const reason = intent === ReplyIntent.other ? `${by}; it could not be classified: read it and record the outcome` : `${by} (${intent.replace('_', ' ')})`;
    sideEffects.push({ kind: 'task', task: { kind: 'reply', reason } });
  }

  /**
   * A message reported undeliverable after it was sent (a bounce, an undelivered SMS, a returned
   * letter): the step that sent it counts as bounced and its fallback is owed.
   */
  function owedFallback(channel: ContactChannel, source: string): void {
    const stepId = state.lastSent?.[channel];
    const cursor = timelineCursor();
    if (!stepId || cursor.results[stepId] !== 'sent') return;
    const sentBy = strategy.definition.steps.find((step) => step.id === stepId);
    const target = sentBy ? fallbackStep(strategy.definition, sentBy) : null;
    const results = { ...cursor.results, [stepId]: 'bounced' as const };
    const owes = target && results[target.id] === undefined && !cursor.pendingFallback;
    setCursor({ ...cursor, results, ...(owes ? { pendingFallback: { step: target, fallbackOf: stepId } } : {}) });
    record('step_failed', `${channel} from step "${stepId}" was not delivered (${source})${owes ? `; fallback "${target.id}" runs instead` : ''}`, {
      stepId,
      data: { channel, source, result: 'bounced', ...(owes ? { fallback: target.id } : {}) },
    });
  }

  setHandler(contactChangedSignal, (change) => {
    changes++;
    const { channel, source, ...fields } = change;
    const current = state.contacts[channel];
    if (!current && !fields.address) return;
    state.contacts[channel] = {
      address: fields.address ?? current?.address ?? '',
      valid: fields.valid ?? (fields.address ? true : (current?.valid ?? true)),
      consent: fields.consent ?? current?.consent ?? false,
      optedOut: fields.optedOut ?? current?.optedOut ?? false,
    };
    record('contact_changed', `${channel} contact changed by ${source}`, { data: { channel, source } });
    if (walksTimeline && fields.valid === false && deliveryFailureSources.includes(source)) owedFallback(channel, source);
  });

  setHandler(balanceAdjustedSignal, ({ balance, reason, source }) => {
    changes++;
    if (state.status === 'closed' || balance === state.balance) return;
    const before = state.balance;
    state.balance = balance;
    record('balance_adjusted', `balance adjusted by ${source}: ${reason}`, { data: { balanceBefore: before, balanceAfter: balance, source, reason } });
    if (balance === 0) close(CloseReason.paid, 'balance adjusted to zero');
  });

  setHandler(pauseSignal, ({ reason, by }) => {
    changes++;
    if (state.status !== 'open') return;
    state.status = 'paused';
    // Cases paused before this change kept their step dates; newer pauses push them back.
    if (patched('pause-shifts-timeline')) suspendTimeline();
    record('paused', `paused by ${by}: ${reason}`, { data: { by, reason } });
  });

  setHandler(resumeSignal, ({ reason, by }) => {
    changes++;
    if (state.status !== 'paused') return;
    state.status = 'open';
    if (!state.arrangement && !state.hold && !state.placement) resumeTimeline();
    record('resumed', `resumed by ${by}: ${reason}`, { data: { by, reason } });
  });

  function outcomeContext(role: OutcomeRequest['role']): OutcomeContext {
    const arrangement = state.arrangement;
    return {
      balance: state.balance,
      policy,
      role,
      now: Date.now(),
      arrangement: !arrangement ? 'none' : arrangement.status === 'pending_approval' ? 'settlement_pending' : arrangement.kind,
      hold: state.hold?.kind ?? 'none',
      placed: Boolean(state.placement),
      closed: state.status === 'closed',
    };
  }

  function startHold(kind: NonNullable<CaseState['hold']>['kind'], reason: string, until: string | null = null): void {
    state.hold = { kind, reason, since: new Date().toISOString(), until };
    suspendTimeline();
    record('hold_started', `on hold (${kind.replace('_', ' ')}): ${reason}`, { data: { kind, until } });
  }

  function endHold(detail: string): void {
    if (!state.hold) return;
    record('hold_ended', detail, { data: { kind: state.hold.kind } });
    state.hold = null;
    resumeTimeline();
  }

  function applyOutcome({ outcome, by, role }: OutcomeRequest): void {
    const decision = validateOutcome(outcome, outcomeContext(role));
    if (!decision.ok) throw ApplicationFailure.create({ type: 'OutcomeRefused', message: decision.reason, details: [{ field: decision.field }], nonRetryable: true });
    record('outcome_recorded', `${outcome.kind.replace(/_/g, ' ')} recorded by ${by}`, { data: { ...outcome, by, role } });
    state.lastContactOutcome = contactOutcomeOfNegotiation(outcome.kind) ?? state.lastContactOutcome ?? null;
    const arrangementKinds: Record<string, Arrangement['kind']> = { promise_to_pay: 'promise', payment_plan: 'plan', settlement: 'settlement' };
    switch (outcome.kind) {
      case 'promise_to_pay':
      case 'payment_plan':
      case 'settlement': {
        const kind = arrangementKinds[outcome.kind] ?? 'promise';
        state.arrangement = {
          kind,
          status: decision.needsApproval ? 'pending_approval' : 'active',
          installments: decision.schedule ?? [],
          paidTotal: 0,
          graceDays: policy.graceDays,
          agreedBy: by,
          agreedAt: new Date().toISOString(),
          remindersSent: [],
        };
        suspendTimeline();
        record('arrangement_made', `${kind} of ${formatMoney(scheduleTotal(state.arrangement.installments), account.currency)} in ${state.arrangement.installments.length} payment(s)${decision.needsApproval ? ', waiting for a manager' : ''}`, {
          data: { kind, installments: state.arrangement.installments, needsApproval: decision.needsApproval },
        });
        if (decision.needsApproval) sideEffects.push({ kind: 'task', task: { kind: 'approval', reason: `settlement above officer authority agreed by ${by}` } });
        return;
      }
      case 'settlement_decision':
        if (outcome.approve && state.arrangement) {
          state.arrangement.status = 'active';
          record('arrangement_made', `settlement approved by ${by}`, { data: { kind: 'settlement', approvedBy: by } });
        } else {
          endArrangement('arrangement_cancelled', `settlement rejected by ${by}`);
          resumeTimeline();
        }
        return;
      case 'dispute':
        comply({ type: 'dispute_received', at: Date.now(), source: by });
        endArrangement('arrangement_cancelled', 'arrangement cancelled by a dispute');
        startHold('dispute', outcome.reason);
        sideEffects.push({ kind: 'task', task: { kind: 'dispute', reason: 'verify the disputed debt' } });
        return;
      case 'dispute_resolution':
        if (outcome.upheld) {
          state.hold = null;
          close(CloseReason.disputeUpheld, `dispute upheld by ${by}: ${outcome.note}`);
        } else {
          endHold(`dispute rejected by ${by}: ${outcome.note}; verification sent`);
          comply({ type: 'verification_sent', at: Date.now(), source: by });
          sideEffects.push({ kind: 'verification' });
        }
        return;
      case 'hardship_pause':
        startHold('hardship', outcome.reason, new Date(`${outcome.until}T00:00:00Z`).toISOString());
        return;
      case 'cease_contact':
        state.ceased = true;
        comply({ type: 'flag_set', flag: 'ceaseCommunication', at: Date.now(), source: by });
        record('opted_out', 'the debtor asked us to cease communication', { data: { channel: 'all', source: 'cease_request' } });
        return;
      case 'wrong_party':
        startHold('wrong_party', outcome.note ?? 'the person reached says this is not their debt');
        sideEffects.push({ kind: 'task', task: { kind: 'skip_trace', reason: 'wrong party: find the right debtor' } });
        return;
      case 'deceased':
      case 'bankruptcy':
        sideEffects.push({ kind: 'task', task: { kind: outcome.kind, reason: `${outcome.kind}: route to the specialist team` } });
        close(outcome.kind === 'deceased' ? CloseReason.deceased : CloseReason.bankruptcy, `${outcome.kind} reported by ${by}`);
        return;
      case 'escalate':
        if (outcome.to === 'legal') {
          startHold('legal', outcome.reason);
          sideEffects.push({ kind: 'task', task: { kind: 'legal_review', reason: outcome.reason } });
        } else {
          sideEffects.push({ kind: 'agency', reason: outcome.reason });
        }
        return;
      case 'recall':
        state.placement = null;
        record('recalled', `recalled from the agency by ${by}: ${outcome.reason}`);
        resumeTimeline();
        return;
      case 'close':
        close(outcome.reason === 'written_off' ? CloseReason.writtenOff : CloseReason.uncollectible, `${outcome.reason.replace('_', ' ')} by ${by}: ${outcome.note}`);
        return;
    }
  }

  function status(): CaseStatus {
    const arrangement = state.arrangement ?? null;
    return {
      caseId,
      status: state.status,
      closeReason: state.closeReason,
      balance: state.balance,
      currency: account.currency,
      currentStep: state.currentStep,
      nextActionAt: state.nextActionAt,
      nextActionWhy: state.nextActionWhy,
      strategy: { key: strategy.key, version: strategy.version },
      channels: Object.fromEntries(
        Object.entries(state.contacts).map(([channel, { valid, optedOut, consent }]) => [channel, { valid, optedOut, consent }]),
      ),
      history: state.recent,
      arrangement: arrangement && {
        ...arrangement,
        installments: installmentStanding(arrangement.installments, arrangement.paidTotal, arrangement.graceDays).map(({ deadline: _deadline, ...rest }) => rest),
      },
      hold: state.hold ?? null,
      ceased: state.ceased ?? false,
      placement: state.placement ?? null,
      waived: state.waived ?? 0,
    };
  }

  setHandler(statusQuery, status);

  setHandler(strategyVersionChangedSignal, (change) => {
    changes++;
    // Applied at the top of the loop, never while a step is in flight.
    if (state.status === 'closed' || change.strategy.key !== strategy.key || change.strategy.version === strategy.version) return;
    pendingStrategy = change;
  });

  /** Moves the case to another version of its strategy, continuing at the matching step. */
  function adoptStrategy({ strategy: next, by, reason }: StrategyVersionChanged): void {
    const migration = migrateCursor({ from: strategy.definition, to: next.definition, cursor: timelineCursor(), startedAt: startedAt + (state.shiftMs ?? 0) });
    record('strategy_changed', `moved from ${strategy.key} v${strategy.version} to v${next.version} by ${by}: ${migration.detail}`, {
      data: { fromVersion: strategy.version, toVersion: next.version, by, reason, mappedBy: migration.mappedBy, stepId: migration.stepId },
    });
    strategy = next;
    steps = next.definition.steps;
    policy = withNegotiationDefaults(next.definition.negotiation);
    contactPolicy = contactPolicyOf(next.definition);
    if (walksTimeline) setCursor(migration.cursor);
    else state.stepIndex = migration.cursor.stepIndex;
  }

  setHandler(callAttemptedSignal, (call) => {
    changes++;
    record('call_attempted', `call by ${call.by}: ${call.outcome.replace(/_/g, ' ')}`, { data: { taskId: call.taskId, outcome: call.outcome, conversation: call.conversation } });
    state.lastContactOutcome = contactOutcomeOfCall(call.outcome) ?? state.lastContactOutcome ?? null;
    comply({ type: 'call_attempted', at: Date.parse(call.placedAt), conversation: call.conversation || conversationOutcomes.includes(call.outcome) });
  });

  setHandler(complianceFactSignal, ({ fact, at, source }) => {
    changes++;
    const when = Date.parse(at);
    if (fact.kind === 'flag') comply({ type: fact.set ? 'flag_set' : 'flag_cleared', flag: fact.flag, at: when, source });
    else if (fact.kind === 'validation_notice_sent') comply({ type: 'validation_notice_sent', at: when, source });
    else if (fact.kind === 'verification_sent') comply({ type: 'verification_sent', at: when, source });
    else record('compliance', `contact request recorded by ${source}`, { data: { fact } });
  });

  setHandler(contactPermissionQuery, (request) =>
    evaluateContact({
      channel: request.channel,
      ...(request.action ? { action: request.action } : {}),
      now: Date.now(),
      facts: caseFacts(),
      policy: contactPolicy,
    }),
  );

  setHandler(
    recordOutcomeUpdate,
    async (request) => {
      const mine = ++changes;
      applyOutcome(request);
      // Answer with what the case does next because of this outcome, not the plan from before it.
      await condition(() => planned >= mine || state.status === 'closed', '10 seconds');
      return status();
    },
    {
      validator: (request: OutcomeRequest) => {
        const decision = validateOutcome(request.outcome, outcomeContext(request.role));
        if (!decision.ok) throw ApplicationFailure.create({ type: 'OutcomeRefused', message: decision.reason, details: [{ field: decision.field }], nonRetryable: true });
      },
    },
  );

  /** Writes the state and the events since the last write; loops while signals add more. */
  async function project(): Promise<void> {
    do {
      const events = unprojected;
      unprojected = [];
      await projects.projectCase({
        caseId,
        seq: state.seq,
        state: {
          status: state.status,
          closeReason: state.closeReason,
          balance: state.balance,
          currentStep: state.currentStep,
          nextActionAt: state.nextActionAt,
          nextActionWhy: state.nextActionWhy,
        },
        events,
      });
    } while (unprojected.length > 0);
  }

  /** Records what the case waits for, then sleeps until `until` or a signal, whichever is first. */
  async function waitUntil(until: number | null, why: string): Promise<void> {
    // Taken first: a signal that lands while the projection runs must still cut the wait short.
    const seen = changes;
    state.nextActionAt = until === null ? null : new Date(until).toISOString();
    state.nextActionWhy = why;
    planned = seen;
    await project();
    if (until === null) await condition(() => changes !== seen);
    else if (until > Date.now()) await condition(() => changes !== seen, until - Date.now());
  }

  /**
   * Runs a provider call unless the case closes first (a payment during a provider outage must
   * stop the retrying send). Returns `undefined` when the close won.
   */
  async function unlessClosed<T>(run: () => Promise<T>): Promise<{ value: T } | undefined> {
    return CancellationScope.cancellable(async () => {
      const work = run().then((value) => ({ value }));
      const closed = condition(() => state.status === 'closed').then(() => undefined);
      const winner = await Promise.race([work, closed]);
      // The loser is cancelled; its rejection is expected and swallowed.
      work.catch(() => undefined);
      closed.catch(() => undefined);
      CancellationScope.current().cancel();
      return winner;
    });
  }

  function templateAccount() {
    return {
      externalId: account.externalId,
      currency: account.currency,
      balance: state.balance,
      originalBalance: account.balance,
      debtor: { name: account.debtor.name },
    };
  }

  /** What the contact and content rules read about the case now. */
  function caseFacts(): CaseFacts {
    return { balance: state.balance, timeZone: account.debtor.timeZone, contacts: state.contacts, ...state.compliance };
  }

  /** What the send activities check the rendered message against, as the case knows it now. */
  function contentFacts(): { state: string | null; timeBarred: boolean } {
    return { state: state.compliance?.state ?? null, timeBarred: Boolean(state.compliance?.flags?.timeBarred) };
  }

  /** The engine's own messages carry what the debtor's state requires (e.g. a time-barred debt's disclosure). */
  function withRequiredDisclosures(template: TTemplate): TTemplate {
    const required = requiredDisclosures(caseFacts());
    return required.length === 0 ? template : { ...template, body: `${template.body}\n\n${required.join('\n\n')}` };
  }

  function idempotencyKey(suffix: string): string {
    return `${caseId}/${workflowInfo().firstExecutionRunId}/${suffix}`;
  }

  function daysPastDue(): number {
    return account.daysPastDue + Math.floor((Date.now() - startedAt) / dayMs);
  }

  /** The case file packaged for an agency or the legal team is read from the projection: bring it up to date. */
  async function projectForCaseFile(): Promise<void> {
    if (patched('project-before-case-file')) await project();
  }

  async function placeWithAgency(stepId: string, agency: string, key: string): Promise<void> {
    await projectForCaseFile();
    const placement = await records.referToAgency({ caseId, stepId, idempotencyKey: key, agency, balance: state.balance, currency: account.currency });
    state.placement = { agency, placedAt: new Date().toISOString() };
    endArrangement('arrangement_cancelled', 'arrangement ended by the agency placement');
    suspendTimeline();
    record('placed', `placed with agency ${agency}; payments still apply`, { stepId, data: { placementId: placement.placementId, agency } });
  }

  /** Work queued by handlers: tasks, agency referrals, verification notices. */
  async function runSideEffects(): Promise<void> {
    while (sideEffects.length > 0) {
      const effects = sideEffects;
      sideEffects = [];
      for (const effect of effects) {
        const key = idempotencyKey(`${effect.kind}-${state.seq}-${effects.indexOf(effect)}`);
        if (effect.kind === 'task') {
          if (effect.task.kind === 'legal_review') await projectForCaseFile();
          const task = await records.createTask({ caseId, idempotencyKey: key, ...effect.task, balance: state.balance, daysPastDue: daysPastDue() });
          record('task_created', `${effect.task.kind.replace('_', ' ')} task: ${effect.task.reason}`, { data: { taskId: task.taskId, kind: effect.task.kind } });
        } else if (effect.kind === 'agency') {
          if (!state.placement && state.status !== 'closed') {
            // An agency that refuses the referral for good must not fail the case: a person takes it up.
            try {
              await placeWithAgency('escalation', effect.agency ?? 'default', key);
            } catch (error) {
              if (isCancellation(error)) throw error;
              const failure = error instanceof ActivityFailure ? error.cause : error;
              record('step_failed', `agency referral failed: ${failure instanceof Error ? failure.message : String(failure)}`, { stepId: 'escalation' });
              sideEffects.push({ kind: 'task', task: { kind: 'escalation', reason: `the agency refused the referral (${effect.reason}): place the case by hand` } });
            }
          }
        } else {
          await sendNotice('verification', verificationTemplate, key);
        }
      }
    }
  }

  /**
   * Runs a send the engine makes on its own account; a permanent failure marks the contact invalid
   * and is recorded instead of failing the case.
   */
  async function attempt<T>(channel: ContactChannel, send: () => Promise<T>): Promise<T | null> {
    try {
      return await send();
    } catch (error) {
      if (isCancellation(error)) throw error;
      const failure = error instanceof ActivityFailure ? error.cause : error;
      const type = failure instanceof ApplicationFailure ? failure.type : null;
      const contact = state.contacts[channel];
      if (type === 'InvalidRecipient' && contact) contact.valid = false;
      record('step_failed', `${channel} failed: ${failure instanceof Error ? failure.message : String(failure)}`, { data: { type, channel } });
      return null;
    }
  }

  /** A letter (or, without a postal address, an email) the engine sends on its own account. */
  async function sendNotice(name: string, template: TTemplate, key: string): Promise<void> {
    const letter = state.contacts.letter;
    const email = state.contacts.email;
    const via = letter?.valid ? { send: sends.sendLetter, to: letter.address, template } : email?.valid ? { send: sends.sendEmail, to: email.address, template: { ...template, channel: 'email' as const, subject: 'Verification of your debt' } } : null;
    if (!via) {
      sideEffects.push({ kind: 'task', task: { kind: 'notice', reason: `no address to send the ${name} notice to` } });
      return;
    }
    const sent = await attempt(via.template.channel, () =>
      via.send({ caseId, stepId: name, idempotencyKey: key, templateKey: name, template: withRequiredDisclosures(via.template), to: via.to, account: templateAccount(), compliance: contentFacts() }),
    );
    if (sent) record('step_done', `${name} notice sent`, { stepId: name, data: { communicationId: sent.communicationId } });
  }

  /** Carries out a step; answers how it ended (a failure is recorded, not thrown). */
  async function runStep(step: TStep, key = idempotencyKey(step.id)): Promise<StepResult> {
    try {
      switch (step.action) {
        default: {
          // A message channel (domain/channels/): its send activity is named in the registry.
          const templateKey = step.template ?? '';
          const template = strategy.definition.templates[templateKey];
          const contact = state.contacts[step.action];
          if (!template || !contact) throw ApplicationFailure.nonRetryable(`step ${step.id} cannot be sent`, 'StepMisconfigured');
          const send = sends[channels[step.action].sendActivity];
          const sent = await unlessClosed(() =>
            send({
              caseId,
              stepId: step.id,
              idempotencyKey: key,
              templateKey,
              template,
              ...(template.managed ? { templateRef: { key: template.managed } } : {}),
              to: contact.address,
              account: templateAccount(),
              compliance: contentFacts(),
            }),
          );
          if (!sent) return 'skipped';
          state.lastSent = { ...state.lastSent, [step.action]: step.id };
          comply({ type: 'message_sent', channel: step.action, at: Date.now(), validationNotice: contactPolicy.validationNotice?.templates?.includes(templateKey) ?? false });
          record('step_done', `${step.action} "${templateKey}" sent`, {
            stepId: step.id,
            data: { communicationId: sent.value.communicationId, duplicate: sent.value.duplicate },
          });
          return 'sent';
        }
        case 'call': {
          const task = await records.createCallTask({ caseId, stepId: step.id, idempotencyKey: key, balance: state.balance });
          record('step_done', 'call task created for an officer', { stepId: step.id, data: { taskId: task.taskId } });
          return 'sent';
        }
        case 'legal_review': {
          await projectForCaseFile();
          const task = await records.createTask({ caseId, idempotencyKey: key, kind: 'legal_review', reason: step.note ?? `legal review step "${step.id}"`, balance: state.balance, daysPastDue: daysPastDue() });
          record('step_done', 'legal review task created', { stepId: step.id, data: { taskId: task.taskId } });
          return 'sent';
        }
        case 'note':
        case 'wait':
          record('step_done', step.action === 'note' ? `note: ${step.note ?? ''}` : 'checkpoint', { stepId: step.id });
          return 'sent';
        case 'plan_monitoring':
          // The loop watches active plans itself; reaching this step means none is active.
          record('step_skipped', `step "${step.id}" skipped: no plan is active`, { stepId: step.id });
          return 'skipped';
        case 'agency_referral': {
          const agency = step.agency ?? 'default';
          if (patched('agency-placement-keeps-case-open')) {
            await placeWithAgency(step.id, agency, key);
            return 'sent';
          }
          await projectForCaseFile();
          const placement = await records.referToAgency({ caseId, stepId: step.id, idempotencyKey: key, agency, balance: state.balance, currency: account.currency });
          record('step_done', `referred to agency ${agency}`, { stepId: step.id, data: { placementId: placement.placementId } });
          close(CloseReason.referred, `referred to agency ${agency}`);
          return 'sent';
        }
      }
    } catch (error) {
      if (isCancellation(error)) throw error;
      const failure = error instanceof ActivityFailure ? error.cause : error;
      const type = failure instanceof ApplicationFailure ? failure.type : null;
      const message = failure instanceof Error ? failure.message : String(failure);
      if (type === 'InvalidRecipient' && isMessageAction(step.action)) {
        const contact = state.contacts[step.action];
        if (contact) contact.valid = false;
      }
      record('step_failed', `${step.action} failed: ${message}`, { stepId: step.id, data: { type, channel: step.action } });
      // An agency that refuses the referral for good leaves the case with us: a person places it,
      // as after a refused escalation. (Only an agency's permanent refusal reaches here.)
      if (step.action === 'agency_referral' && patched('agency-step-refused-task')) {
        sideEffects.push({ kind: 'task', task: { kind: 'escalation', reason: `agency ${step.agency ?? 'default'} refused the referral of step "${step.id}" (${message}): place the case by hand` } });
      }
      return type === 'InvalidRecipient' ? 'bounced' : 'failed';
    }
  }

  /** Watches an active arrangement: reminders before due dates, kept when paid, broken past grace. */
  async function monitorArrangement(arrangement: Arrangement): Promise<void> {
    const now = Date.now();
    const check = checkArrangement(arrangement.installments, arrangement.paidTotal, arrangement.graceDays, now);
    if (check.kind === 'kept') {
      endArrangement('arrangement_kept', `${arrangement.kind} kept`);
      resumeTimeline();
      return;
    }
    if (check.kind === 'broken') {
      const { installment } = check;
      endArrangement('arrangement_broken', `${arrangement.kind} broken: ${formatMoney(installment.amount - installment.paid, account.currency)} due ${installment.dueDate} unpaid after ${arrangement.graceDays} days' grace`);
      sideEffects.push({ kind: 'task', task: { kind: 'broken_promise', reason: `broken ${arrangement.kind}: call the debtor` } });
      if (walksTimeline) {
        takeBranch(timelineBranch(strategy.definition, 'brokenPromise'), `broken ${arrangement.kind}`);
      } else if (policy.onBroken === 'escalate_agency') {
        sideEffects.push({ kind: 'agency', reason: 'broken arrangement' });
        resumeTimeline();
      } else {
        resumeTimeline(policy.onBroken);
      }
      return;
    }
    const { next } = check;
    const due = Date.parse(`${next.dueDate}T00:00:00Z`);
    const remindAt = due - policy.reminderDaysBefore * dayMs;
    const owed = formatMoney(next.amount - next.paid, account.currency);
    const email = state.contacts.email;
    const canRemind = !arrangement.remindersSent.includes(next.seq) && email?.valid && !email.optedOut && !state.ceased;
    if (canRemind && now >= remindAt) {
      const hold = contactWindowHold(now, account.debtor.timeZone, strategy.definition.contact.allowedHours);
      if (hold && hold.until < next.deadline) {
        await waitUntil(hold.until, `reminder for ${next.dueDate} ${hold.reason}`);
        return;
      }
      arrangement.remindersSent.push(next.seq);
      if (!hold) {
        const sent = await attempt('email', () =>
          sends.sendEmail({ caseId, stepId: `reminder-${next.seq}`, idempotencyKey: idempotencyKey(`reminder-${state.seq}-${next.seq}`), templateKey: 'arrangement-reminder', template: withRequiredDisclosures(reminderTemplate(owed, next.dueDate)), to: email.address, account: templateAccount(), compliance: contentFacts() }),
        );
        if (sent) record('reminder_sent', `reminder sent: ${owed} due ${next.dueDate}`, { data: { seq: next.seq, communicationId: sent.communicationId } });
      }
      return;
    }
    const until = canRemind ? remindAt : next.deadline;
    await waitUntil(until, `${arrangement.kind}: ${owed} due ${next.dueDate}${canRemind ? ', reminder first' : ''}`);
  }

  /** One move on the timeline (domain/timeline.ts, as the preview takes it): wait, skip or run. */
  async function walkTimeline(): Promise<void> {
    const now = Date.now();
    const facts = caseFacts();
    const arrangement = state.arrangement?.kind;
    let move: TimelineMove = nextMove({
      definition: strategy.definition,
      cursor: timelineCursor(),
      context: planContext({ definition: strategy.definition, facts, startedAt: startedAt + (state.shiftMs ?? 0), now }),
      progress: {
        daysPastDue: daysPastDue(),
        lastContactOutcome: state.lastContactOutcome ?? null,
        arrangement: arrangement === 'plan' || arrangement === 'promise' ? arrangement : 'none',
      },
    });
    if (move.kind === 'complete') {
      close(CloseReason.timelineComplete, 'the strategy timeline is complete');
      return;
    }
    if (move.kind === 'wait') {
      await waitUntil(move.until, move.reason);
      return;
    }
    if (move.kind === 'run' && state.ceased && (isMessageAction(move.step.action) || move.step.action === 'call')) {
      move = { kind: 'skip', step: move.step, reason: 'the debtor asked us to cease communication', source: move.source };
    }
    state.currentStep = move.step.id;
    if (move.kind === 'skip') {
      record('step_skipped', `step "${move.step.id}" skipped: ${move.reason}`, { stepId: move.step.id });
      setCursor(afterMove({ definition: strategy.definition, cursor: timelineCursor(), move }));
      return;
    }
    for (const replaced of move.replaces) {
      record('step_skipped', `step "${replaced.stepId}" skipped: ${replaced.reason}; "${move.step.id}" runs in its place`, { stepId: replaced.stepId });
    }
    // A restarted timeline sends its steps again: a new key per restart.
    const restarts = state.restarts ?? 0;
    const result = await runStep(move.step, idempotencyKey(restarts > 0 ? `${move.step.id}~${restarts}` : move.step.id));
    // Read again: a bounce reported while the step ran may have owed a fallback meanwhile.
    const latest = timelineCursor();
    const next = afterMove({ definition: strategy.definition, cursor: latest, move, result });
    if (move.source === 'timeline' && !next.pendingFallback && latest.pendingFallback) next.pendingFallback = latest.pendingFallback;
    setCursor(next);
  }

  if (!input.carried) record('enrolled', `enrolled in ${strategy.key} v${strategy.version}`, { data: { balance: state.balance } });

  for (;;) {
    await runSideEffects();
    if (pendingStrategy) {
      adoptStrategy(pendingStrategy);
      pendingStrategy = null;
    }
    if (state.status === 'closed') {
      // A paid or settled case lingers for returned payments, which reopen it.
      const lingers = (state.closeReason === CloseReason.paid || state.closeReason === CloseReason.settled) && patched('reversal-window');
      const until = Date.parse(state.closedAt ?? new Date().toISOString()) + policy.reversalWindowDays * dayMs;
      if (!lingers || Date.now() >= until) break;
      await waitUntil(until, `closed as ${state.closeReason}; a returned payment until then reopens it`);
      continue;
    }
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await runSideEffects();
      await project();
      return continueAsNew<typeof caseWorkflow>({ ...input, strategy, carried: state });
    }
    if (state.status === 'paused') {
      await waitUntil(null, 'paused');
      continue;
    }
    const hold = state.hold;
    if (hold) {
      if (hold.until && Date.now() >= Date.parse(hold.until)) endHold(`${hold.kind} pause ended`);
      else await waitUntil(hold.until ? Date.parse(hold.until) : null, `on hold (${hold.kind.replace('_', ' ')}): ${hold.reason}`);
      continue;
    }
    if (state.placement) {
      await waitUntil(null, `placed with agency ${state.placement.agency}; payments still apply, a manager may recall it`);
      continue;
    }
    const arrangement = state.arrangement;
    if (arrangement) {
      if (arrangement.status === 'pending_approval') await waitUntil(null, 'settlement waiting for a manager\'s approval');
      else await monitorArrangement(arrangement);
      continue;
    }
    if (walksTimeline) {
      await walkTimeline();
      continue;
    }
    const step = steps[state.stepIndex];
    if (!step) {
      close(CloseReason.timelineComplete, 'the strategy timeline is complete');
      continue;
    }
    const decision = state.ceased && step.action !== 'agency_referral'
      ? { kind: 'skip' as const, reason: 'the debtor asked us to cease communication' }
      : planStep({
          step,
          startedAt: startedAt + (state.shiftMs ?? 0),
          now: Date.now(),
          facts: caseFacts(),
          window: strategy.definition.contact.allowedHours,
          // Regulation F and the state rules; cases started before them keep the window check alone.
          ...(patched('contact-rules') ? { policy: contactPolicy } : {}),
        });
    if (decision.kind === 'wait') {
      await waitUntil(decision.until, decision.reason);
      continue;
    }
    state.currentStep = step.id;
    if (decision.kind === 'skip') record('step_skipped', `step "${step.id}" skipped: ${decision.reason}`, { stepId: step.id });
    else await runStep(step);
    state.stepIndex++;
  }

  await condition(allHandlersFinished);
  await project();
  return { status: state.status, closeReason: state.closeReason, balance: state.balance };
}
