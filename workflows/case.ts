import { allHandlersFinished, condition, continueAsNew, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import { patchedOrCurrent, startOnGeneration } from './patches.js';
import { evaluateContact } from '../domain/regulation/index.js';
import { boundedLocalRecords, localRecords, records } from './case/activities.js';
import { monitorArrangement } from './case/arrangements.js';
import { callFacts, changeContact, receiveReply, recordCallAttempt, recordComplianceFact } from './case/contacts.js';
import { legacyStep } from './case/legacy-loop.js';
import { applyOutcome, validateOutcomeRequest } from './case/outcomes.js';
import { keepPersonMembership } from './case/person.js';
import { notePersonStart } from './case/person-start.js';
import { CaseRun } from './case/run.js';
import { runSideEffects } from './case/side-effects.js';
import { dayMs, LiveCase } from './case/state.js';
import { holdForValidationNotice, sendGeneratedValidationNotice } from './case/validation-notice.js';
import { walkTimeline } from './case/walk.js';
import { caseLedgerView } from './case/ledger-view.js';
import { applyLedgerPosting, validateLedgerPosting } from './case/ledger-postings.js';
import { changeLedgerTerms } from './case/ledger-terms.js';
import {
  CloseReason,
  autopayChangedSignal,
  balanceAdjustedSignal,
  callAttemptedSignal,
  complianceFactSignal,
  contactChangedSignal,
  contactFactsQuery,
  contactPermissionQuery,
  callFactsQuery,
  debtorRepliedSignal,
  pauseSignal,
  paymentReceivedSignal,
  paymentReversedSignal,
  recordOutcomeUpdate,
  resumeSignal,
  statusQuery,
  ledgerQuery,
  ledgerTermsChangedSignal,
  postLedgerEntryUpdate,
  strategyVersionChangedSignal,
  type CaseInput,
  type CaseState,
  type LedgerPostingRequest,
  type OutcomeRequest,
  type StrategyVersionChanged,
} from './case-messages.js';
import { personChangedSignal } from './person-messages.js';

/**
 * Events after which a case continues as new even when the server has not suggested it (the
 * time-skipping server never does; a cluster does only near its own, much larger limits): a woken
 * case that is not in the worker's cache replays its whole history, so a short one keeps that
 * cheap. About a year of a weekly plan with replies (test/workflows/long-life.test.ts).
 */
const historyEventsBeforeContinueAsNew = 1_000;

export interface CaseResult {
  status: CaseState['status'];
  closeReason: CaseState['closeReason'];
  balance: number;
}

/**
 * One delinquent account travelling its strategy's timeline: wait for the next step (any signal
 * interrupts the wait), check the contact rules, run the step, record it, repeat. Arrangements
 * (promise, plan, settlement), holds (dispute, hardship, legal, wrong party) and agency placement
 * suspend the timeline; what suspended it decides how it resumes.
 *
 * This file wires the parts: the case's state and its synchronous changes (case/state.ts,
 * case/contacts.ts, case/outcomes.ts), the activities and the projection (case/activities.ts),
 * steps and side effects (case/steps.ts, case/side-effects.ts), arrangement monitoring
 * (case/arrangements.ts), the timeline walk (case/walk.ts) and the loop of older cases
 * (case/legacy-loop.ts). Every `patched()` id stays where its commands are.
 */
export async function caseWorkflow(input: CaseInput): Promise<CaseResult> {
  // First: every patch below (and in the signal handlers) asks what the case started on.
  startOnGeneration(input.codeGeneration);
  /**
   * Cases started before this walk the timeline step by step with planStep alone; newer ones walk
   * it with domain/timeline.ts, as the preview does: fallbacks, step results, event branches.
   */
  const walksTimeline = patchedOrCurrent('timeline-walk');
  /** Cases started before this project through a scheduled activity; newer ones through a local one. */
  const localProjection = patchedOrCurrent('local-projection');
  /** Cases started before this retry a failing projection without end; newer ones go on and catch up later. */
  const boundedProjection = patchedOrCurrent('projection-bounded');
  const projects = !localProjection ? records : boundedProjection ? boundedLocalRecords : localRecords;
  /**
   * Cases of a person (`account.personId`) started before this decide their contacts alone; newer
   * ones ask their person workflow before each contact and share what they learn about the person.
   * Asked only for cases with a person, so cases without one record no marker and run as before.
   */
  const personGrants = input.account.personId !== undefined && patchedOrCurrent('person-contact-grants');
  /**
   * Cases of a person started before this send each message on its own; newer ones tell their
   * person their next due message and may send one consolidated message for the person's accounts
   * due the same day (strategy `contact.consolidate`).
   */
  const consolidatedMessages = personGrants && patchedOrCurrent('person-consolidated-messages');
  /**
   * New cases keep an account ledger (itemization, interest, fees, payments, reversals) whose sum
   * is the balance; cases started before keep their one-number balance, and so do their next runs.
   */
  const ledgerEntries = !input.carried && patchedOrCurrent('ledger-entries');
  const live = new LiveCase({
    caseId: input.caseId,
    account: input.account,
    strategy: input.strategy,
    startedAt: Date.parse(input.startedAt),
    walksTimeline,
    carried: input.carried,
    personGrants,
    consolidatedMessages,
    ledgerEntries,
  });
  const { state } = live;
  notePersonStart(live, input);
  const run = new CaseRun(live, projects, boundedProjection);
  let pendingStrategy: StrategyVersionChanged | null = null;

  setHandler(paymentReceivedSignal, (payment) => {
    run.changes++;
    live.receivePayment(payment);
  });

  setHandler(paymentReversedSignal, (reversal) => {
    run.changes++;
    live.reversePayment(reversal, () => patchedOrCurrent('servicing-arrangement-changes'));
  });

  setHandler(autopayChangedSignal, (change) => {
    run.changes++;
    live.setAutopay(change);
  });

  setHandler(debtorRepliedSignal, (reply) => {
    run.changes++;
    receiveReply(live, reply, () => patchedOrCurrent('reply-tasks'));
  });

  setHandler(contactChangedSignal, (change) => {
    run.changes++;
    changeContact(live, change);
  });

  setHandler(balanceAdjustedSignal, (adjustment) => {
    run.changes++;
    live.adjustBalance(adjustment);
  });

  setHandler(pauseSignal, (request) => {
    run.changes++;
    live.pause(request, () => patchedOrCurrent('pause-shifts-timeline'));
  });

  setHandler(resumeSignal, (request) => {
    run.changes++;
    live.resume(request);
  });

  setHandler(statusQuery, () => live.status());
  setHandler(ledgerQuery, () => caseLedgerView(live));

  setHandler(
    postLedgerEntryUpdate,
    (request) => {
      run.changes++;
      applyLedgerPosting(live, request);
      return caseLedgerView(live)!;
    },
    { validator: (request: LedgerPostingRequest) => validateLedgerPosting(live, request) },
  );

  setHandler(ledgerTermsChangedSignal, (change) => {
    run.changes++;
    changeLedgerTerms(live, change);
  });

  setHandler(strategyVersionChangedSignal, (change) => {
    run.changes++;
    // Applied at the top of the loop, never while a step is in flight.
    const { strategy } = live;
    if (state.status === 'closed' || change.strategy.key !== strategy.key || change.strategy.version === strategy.version) return;
    pendingStrategy = change;
  });

  setHandler(callAttemptedSignal, (call) => {
    run.changes++;
    recordCallAttempt(live, call);
  });

  setHandler(complianceFactSignal, (fact) => {
    run.changes++;
    recordComplianceFact(live, fact);
  });

  setHandler(personChangedSignal, (announced) => {
    // Only a newer announcement changes anything; an old one must not wake the loop for nothing.
    if (live.receivePerson(announced)) run.changes++;
  });

  // A query: no history event, so no patch; replay is untouched.
  setHandler(contactFactsQuery, () => ({ facts: live.caseFacts(), policy: live.contactPolicy }));

  setHandler(contactPermissionQuery, (request) =>
    evaluateContact({
      channel: request.channel,
      ...(request.action ? { action: request.action } : {}),
      now: request.at ?? Date.now(),
      facts: live.caseFacts(),
      policy: live.contactPolicy,
    }),
  );

  setHandler(callFactsQuery, () => callFacts(live));

  setHandler(
    recordOutcomeUpdate,
    async (request) => {
      const mine = ++run.changes;
      applyOutcome(live, request, () => patchedOrCurrent('servicing-arrangement-changes'));
      // Answer with what the case does next because of this outcome, not the plan from before it.
      await condition(() => run.planned >= mine || state.status === 'closed', '10 seconds');
      return live.status();
    },
    { validator: (request: OutcomeRequest) => void validateOutcomeRequest(live, request) },
  );

  if (!input.carried) live.record('enrolled', `enrolled in ${input.strategy.key} v${input.strategy.version}`, { data: { balance: state.balance } });
  await sendGeneratedValidationNotice(run);

  for (;;) {
    run.beginPlan();
    await runSideEffects(run);
    await keepPersonMembership(run);
    if (pendingStrategy) {
      live.adoptStrategy(pendingStrategy);
      pendingStrategy = null;
    }
    if (state.status === 'closed') {
      // A paid or settled case lingers for returned payments, which reopen it.
      const lingers = (state.closeReason === CloseReason.paid || state.closeReason === CloseReason.settled) && patchedOrCurrent('reversal-window');
      const until = Date.parse(state.closedAt ?? new Date().toISOString()) + live.policy.reversalWindowDays * dayMs;
      if (!lingers || Date.now() >= until) break;
      await run.waitUntil(until, `closed as ${state.closeReason}; a returned payment until then reopens it`);
      continue;
    }
    const { continueAsNewSuggested, historyLength } = workflowInfo();
    if (continueAsNewSuggested || (historyLength > historyEventsBeforeContinueAsNew && patchedOrCurrent('history-bound'))) {
      await condition(allHandlersFinished);
      await runSideEffects(run);
      await run.project();
      const { unprojected } = live;
      return continueAsNew<typeof caseWorkflow>({ ...input, strategy: live.strategy, carried: unprojected.length > 0 ? { ...state, unprojected } : state });
    }
    if (await holdForValidationNotice(run)) continue;
    if (state.status === 'paused') {
      await run.waitUntil(null, 'paused');
      continue;
    }
    const hold = state.hold;
    if (hold) {
      if (hold.until && Date.now() >= Date.parse(hold.until)) live.endHold(`${hold.kind} pause ended`);
      else await run.waitUntil(hold.until ? Date.parse(hold.until) : null, `on hold (${hold.kind.replace('_', ' ')}): ${hold.reason}`);
      continue;
    }
    if (state.placement) {
      await run.waitUntil(null, `placed with agency ${state.placement.agency}; payments still apply, a manager may recall it`);
      continue;
    }
    const arrangement = state.arrangement;
    if (arrangement) {
      if (arrangement.status === 'pending_approval') await run.waitUntil(null, `${arrangement.kind === 'plan' ? 'payment plan' : arrangement.kind} waiting for a manager's approval`);
      else await monitorArrangement(run, arrangement);
      continue;
    }
    if (walksTimeline) await walkTimeline(run);
    else await legacyStep(run);
  }

  await condition(allHandlersFinished);
  await keepPersonMembership(run);
  await run.project();
  // A lagging read model catches up before the case ends: its last events live nowhere else.
  while (state.projection) {
    await sleep(Math.max(1000, Date.parse(state.projection.retryAt) - Date.now()));
    await run.project();
  }
  return { status: state.status, closeReason: state.closeReason, balance: state.balance };
}
