import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { ContactChannel } from '../domain/case-facts.js';
import { classifyReply, ReplyIntent } from '../domain/replies.js';
import { planStep } from '../domain/step-plan.js';
import type { TStep } from '../domain/strategy.js';
import {
  CloseReason,
  balanceAdjustedSignal,
  contactChangedSignal,
  debtorRepliedSignal,
  pauseSignal,
  paymentReceivedSignal,
  resumeSignal,
  statusQuery,
  type CaseEvent,
  type CaseInput,
  type CaseState,
  type CaseStatus,
} from './case-messages.js';

/** Provider calls: a bad address fails at once, an outage retries with backoff until it ends. */
const sends = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '30 minutes' },
});

/** Database projection: quick, and retried until the database is back. */
const records = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/** How many events the status query shows. */
const recentEvents = 50;

export interface CaseResult {
  status: CaseState['status'];
  closeReason: CaseState['closeReason'];
  balance: number;
}

/**
 * One delinquent account travelling its strategy's timeline: wait for the next step (any signal
 * interrupts the wait), check the contact rules, run the step, record it, repeat.
 */
export async function caseWorkflow(input: CaseInput): Promise<CaseResult> {
  const { caseId, account, strategy } = input;
  const { steps } = strategy.definition;
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
  /** Events not yet written to the database. */
  let unprojected: CaseEvent[] = [];
  /** Bumped by every signal so a wait wakes up and plans again. */
  let changes = 0;

  function record(type: CaseEvent['type'], detail: string, extra: Pick<CaseEvent, 'stepId' | 'data'> = {}): void {
    const event: CaseEvent = { seq: ++state.seq, at: new Date().toISOString(), type, detail, ...extra };
    state.recent = [...state.recent.slice(-(recentEvents - 1)), event];
    unprojected.push(event);
  }

  function close(reason: CloseReason, detail: string): void {
    if (state.status === 'closed') return;
    state.status = 'closed';
    state.closeReason = reason;
    state.nextActionAt = null;
    state.nextActionWhy = null;
    record('closed', detail, { data: { reason } });
  }

  setHandler(paymentReceivedSignal, (payment) => {
    changes++;
    if (state.appliedPayments.includes(payment.reference)) {
      record('payment_duplicate', `payment ${payment.reference} was already applied`, { data: { reference: payment.reference } });
      return;
    }
    state.appliedPayments.push(payment.reference);
    const before = state.balance;
    state.balance = Math.max(0, before - payment.amount);
    record('payment_applied', `payment ${payment.reference} of ${payment.amount} applied`, {
      data: { ...payment, balanceBefore: before, balanceAfter: state.balance, overpaid: Math.max(0, payment.amount - before) },
    });
    if (state.balance === 0) close(CloseReason.paid, 'paid in full');
  });

  setHandler(debtorRepliedSignal, (reply) => {
    changes++;
    const intent = reply.intent ?? classifyReply(reply.text);
    record('reply_received', `${reply.channel} reply classified as ${intent}`, { data: { ...reply, intent } });
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
    record('paused', `paused by ${by}: ${reason}`, { data: { by, reason } });
  });

  setHandler(resumeSignal, ({ reason, by }) => {
    changes++;
    if (state.status !== 'paused') return;
    state.status = 'open';
    record('resumed', `resumed by ${by}: ${reason}`, { data: { by, reason } });
  });

  setHandler(statusQuery, (): CaseStatus => ({
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
  }));

  /** Writes the state and the events since the last write; loops while signals add more. */
  async function project(): Promise<void> {
    do {
      const events = unprojected;
      unprojected = [];
      await records.projectCase({
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

  async function runStep(step: TStep): Promise<void> {
    const idempotencyKey = `${caseId}/${workflowInfo().firstExecutionRunId}/${step.id}`;
    const templateAccount = {
      externalId: account.externalId,
      currency: account.currency,
      balance: state.balance,
      originalBalance: account.balance,
      debtor: { name: account.debtor.name },
    };
    try {
      switch (step.action) {
        case 'email':
        case 'sms':
        case 'letter': {
          const templateKey = step.template ?? '';
          const template = strategy.definition.templates[templateKey];
          const contact = state.contacts[step.action];
          if (!template || !contact) throw ApplicationFailure.nonRetryable(`step ${step.id} cannot be sent`, 'StepMisconfigured');
          const send = { email: sends.sendEmail, sms: sends.sendSms, letter: sends.sendLetter }[step.action];
          const sent = await unlessClosed(() =>
            send({ caseId, stepId: step.id, idempotencyKey, templateKey, template, to: contact.address, account: templateAccount }),
          );
          if (!sent) return;
          record('step_done', `${step.action} "${templateKey}" sent`, {
            stepId: step.id,
            data: { communicationId: sent.value.communicationId, duplicate: sent.value.duplicate },
          });
          return;
        }
        case 'call': {
          const task = await records.createCallTask({ caseId, stepId: step.id, idempotencyKey, balance: state.balance });
          record('step_done', 'call task created for an officer', { stepId: step.id, data: { taskId: task.taskId } });
          return;
        }
        case 'agency_referral': {
          const agency = step.agency ?? 'default';
          const placement = await records.referToAgency({
            caseId,
            stepId: step.id,
            idempotencyKey,
            agency,
            balance: state.balance,
            currency: account.currency,
          });
          record('step_done', `referred to agency ${agency}`, { stepId: step.id, data: { placementId: placement.placementId } });
          close(CloseReason.referred, `referred to agency ${agency}`);
          return;
        }
      }
    } catch (error) {
      if (isCancellation(error)) throw error;
      const failure = error instanceof ActivityFailure ? error.cause : error;
      const type = failure instanceof ApplicationFailure ? failure.type : null;
      const message = failure instanceof Error ? failure.message : String(failure);
      if (type === 'InvalidRecipient' && (step.action === 'email' || step.action === 'sms' || step.action === 'letter')) {
        const contact = state.contacts[step.action];
        if (contact) contact.valid = false;
      }
      record("step_failed", `${step.action} failed: ${message}`, { stepId: step.id, data: { type, channel: step.action } });
    }
  }

  if (!input.carried) record('enrolled', `enrolled in ${strategy.key} v${strategy.version}`, { data: { balance: state.balance } });

  while (state.status !== 'closed') {
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await project();
      return continueAsNew<typeof caseWorkflow>({ ...input, carried: state });
    }
    if (state.status === 'paused') {
      await waitUntil(null, 'paused');
      continue;
    }
    const step = steps[state.stepIndex];
    if (!step) {
      close(CloseReason.timelineComplete, 'the strategy timeline is complete');
      break;
    }
    const decision = planStep({
      step,
      startedAt,
      now: Date.now(),
      facts: { balance: state.balance, timeZone: account.debtor.timeZone, contacts: state.contacts },
      window: strategy.definition.contact.allowedHours,
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
