import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { caseWorkflow } from '../../workflows/case.js';
import { personWorkflow } from '../../workflows/person.js';
import { caseJoinedSignal, personChangeSignal, personWorkflowId, type PersonInput } from '../../workflows/person-messages.js';
import {
  autopayChangedSignal,
  balanceAdjustedSignal,
  callAttemptedSignal,
  complianceFactSignal,
  contactChangedSignal,
  debtorRepliedSignal,
  paymentReceivedSignal,
  paymentReversedSignal,
  pauseSignal,
  recordOutcomeUpdate,
  resumeSignal,
} from '../../workflows/case-messages.js';
import type { LedgerTerms } from '../../domain/ledger/account-ledger.js';
import type { TStrategyDefinition } from '../../domain/strategy.js';
import type { CaseInput } from '../../workflows/case-messages.js';
import { caseFixture, recordingActivities } from '../../testing/case-fixtures.js';
import { consumerEarly, strategy } from './strategies.js';
import { startEngine } from '../../testing/engine.js';

/**
 * `npm run record:histories`: runs the scenarios below on the time-skipping server and saves
 * their histories under test/histories/. Record a new file whenever the workflow gains a
 * behaviour; never re-record an old one: the replay test proves today's code still replays
 * what yesterday's code wrote.
 */

const scenarios = {
  /** Email, STOP by SMS, pause and resume, a duplicate and a partial payment, paid in full. */
  'case-paid-v1': async (handle, sleep) => {
    await sleep('4 days');
    await handle.signal(debtorRepliedSignal, { channel: 'sms', text: 'STOP', receivedAt: '2026-01-05T10:00:00Z' });
    await handle.signal(pauseSignal, { reason: 'debtor asked for a week', by: 'officer:test' });
    await sleep('7 days');
    await handle.signal(resumeSignal, { reason: 'week over', by: 'officer:test' });
    const payment = { reference: 'PAY-1', amount: 25_000, currency: 'USD', receivedAt: '2026-01-12T10:00:00Z' };
    await handle.signal(paymentReceivedSignal, payment);
    await handle.signal(paymentReceivedSignal, payment);
    await sleep('10 days');
    await handle.signal(paymentReceivedSignal, { ...payment, reference: 'PAY-2', amount: 100_000 });
  },
  /** The whole timeline to agency referral, untouched. */
  'case-referred-v1': async () => {},
  /** Officer outcomes: a plan broken, a dispute rejected, a settlement approved, paid, returned, repaid. */
  'case-outcomes-v2': async (handle, sleep, date) => {
    const as = (role: 'officer' | 'manager') => ({ by: `${role}:recorder`, role });
    await sleep('1 day');
    await handle.executeUpdate(recordOutcomeUpdate, { args: [{ outcome: { kind: 'payment_plan', downPayment: 0, installments: 3, frequency: 'monthly', firstDueDate: await date(10) }, ...as('officer') }] });
    await sleep('40 days');
    await handle.executeUpdate(recordOutcomeUpdate, { args: [{ outcome: { kind: 'dispute', reason: 'amount is wrong' }, ...as('officer') }] });
    await sleep('2 days');
    await handle.executeUpdate(recordOutcomeUpdate, { args: [{ outcome: { kind: 'dispute_resolution', upheld: false, note: 'verified' }, ...as('manager') }] });
    await handle.signal(debtorRepliedSignal, { channel: 'email', text: 'please call me', receivedAt: '2026-02-20T10:00:00Z' });
    await sleep('1 day');
    await handle.executeUpdate(recordOutcomeUpdate, { args: [{ outcome: { kind: 'settlement', amount: 110_000, installments: 1, frequency: 'monthly', firstDueDate: await date(7) }, ...as('officer') }] });
    await handle.executeUpdate(recordOutcomeUpdate, { args: [{ outcome: { kind: 'settlement_decision', approve: true }, ...as('manager') }] });
    await handle.signal(paymentReceivedSignal, { reference: 'SET-1', amount: 110_000, currency: 'USD', receivedAt: '2026-02-22T10:00:00Z' });
    await sleep('2 days');
    await handle.signal(paymentReversedSignal, { reference: 'SET-1', reason: 'NSF' });
    await sleep('1 day');
    await handle.signal(paymentReceivedSignal, { reference: 'SET-2', amount: 110_000, currency: 'USD', receivedAt: '2026-02-26T10:00:00Z' });
  },
  /** The timeline walk (walkingStrategy): a late bounce and its fallback, a call outcome, a broken promise restarting the timeline, a reply branch, a returned payment, paid. */
  'case-walk-v3': async (handle, sleep, date) => {
    await walkScenario(handle, sleep, date);
  },
  /** The v3 walk again, now that the case projects itself through a local activity. */
  'case-local-projection-v4': async (handle, sleep, date) => {
    await walkScenario(handle, sleep, date);
  },
  /** The read model refused for five days ('projection-bounded'): the case goes on, retries with backoff, catches up, is paid. */
  'case-projection-bounded-v6': async (handle, sleep) => {
    projectionRefused.refusing = true;
    await sleep('4 days');
    await handle.signal(paymentReceivedSignal, { reference: 'PAY-1', amount: 25_000, currency: 'USD', receivedAt: '2026-01-05T10:00:00Z' });
    await sleep('25 hours');
    projectionRefused.refusing = false;
    await sleep('2 hours');
    await handle.signal(paymentReceivedSignal, { reference: 'PAY-2', amount: 100_000, currency: 'USD', receivedAt: '2026-01-06T12:00:00Z' });
  },
  /**
   * Every patch the timeline walk can reach, in one case (with v3/v4 and the legacy v5 history, every
   * `patched()` id is replayed): a pause that shifts the timeline, a reply a person must read, a
   * legal review and an agency step that project before their case file, the agency refusing the
   * referral for good (a task for a person, then the timeline is complete). A case closed as paid
   * lingers for returned payments (`reversal-window`): v2, v3 and v4 carry that one.
   */
  'case-every-patch-v5': async (handle, sleep) => {
    await sleep('1 hour');
    await handle.signal(pauseSignal, { reason: 'debtor asked for two days', by: 'officer:recorder' });
    await sleep('2 days');
    await handle.signal(resumeSignal, { reason: 'two days over', by: 'officer:recorder' });
    await handle.signal(debtorRepliedSignal, { channel: 'email', text: 'I lost my job, what can I do?', receivedAt: '2026-01-03T10:00:00Z' });
  },
  /**
   * The step-by-step loop from before the timeline walk, the only one that asks `contact-rules`:
   * today's code walks the timeline, so this one was recorded on 9e71836 (the commit before
   * 'timeline-walk'; `git archive` it, add this scenario, record). A pause, a reply for a person,
   * paid in full, lingering for returned payments.
   */
  'case-legacy-contact-rules-v5': async (handle, sleep) => {
    await sleep('1 hour');
    await handle.signal(pauseSignal, { reason: 'debtor asked for two days', by: 'officer:recorder' });
    await sleep('2 days');
    await handle.signal(resumeSignal, { reason: 'two days over', by: 'officer:recorder' });
    await handle.signal(debtorRepliedSignal, { channel: 'email', text: 'I lost my job, what can I do?', receivedAt: '2026-01-03T10:00:00Z' });
    await sleep('15 days');
    await handle.signal(paymentReceivedSignal, { reference: 'PAY-1', amount: 125_000, currency: 'USD', receivedAt: '2026-01-18T10:00:00Z' });
  },
  /**
   * A case of a person ('person-contact-grants'): a sibling account of the same person texted an
   * hour before, so the person holds this case's SMS (the strategy's one-SMS-a-day cap); the
   * person designates a time (told to both cases); "don't text me" and a refused place go to the
   * person; an officer's call is counted by the person; paid in full, the case leaves its person,
   * joins again when the payment is returned, and leaves once paid again.
   */
  'case-person-grants-v7': async (handle, sleep, date) => {
    await sleep('3 hours');
    const personId = personOf(handle.workflowId);
    const at = Date.parse('2026-01-01T00:00:00Z');
    await handle.client.getHandle(personWorkflowId(personId)).signal(personChangeSignal, { changeId: 'designation-1', change: { kind: 'designations', inconvenientTimes: [{ from: '06:00', to: '09:00', at, source: 'officer:recorder' }], source: 'officer:recorder', at } });
    await handle.signal(debtorRepliedSignal, { channel: 'email', text: "please don't text me", receivedAt: '2026-01-01T10:00:00Z' });
    await sleep('1 hour');
    await handle.signal(callAttemptedSignal, { taskId: 'task-1', placedAt: `${await date(0)}T12:00:00.000Z`, outcome: 'right_party_contact', conversation: true, by: 'officer:recorder' });
    await handle.signal(complianceFactSignal, { fact: { kind: 'refuse_place', place: 'work' }, at: '2026-01-01T10:00:00Z', source: 'officer:recorder' });
    await sleep('2 days');
    await handle.signal(paymentReceivedSignal, { reference: 'PAY-1', amount: 125_000, currency: 'USD', receivedAt: '2026-01-03T10:00:00Z' });
    // Returned: the case reopens and joins its person again, then is paid for good.
    await sleep('25 hours');
    await handle.signal(paymentReversedSignal, { reference: 'PAY-1', reason: 'NSF' });
    await sleep('1 hour');
    await handle.signal(paymentReceivedSignal, { reference: 'PAY-2', amount: 125_000, currency: 'USD', receivedAt: '2026-01-05T10:00:00Z' });
  },
  /**
   * Consolidated messages ('person-consolidated-messages'): the sibling account's email, due an
   * hour earlier the same day, lists this one (one contact), so this case records its email as
   * included without sending; its SMS later goes the same way; paid in full.
   */
  'case-person-consolidated-v8': async (handle, sleep) => {
    await sleep('2 days');
    await handle.signal(paymentReceivedSignal, { reference: 'PAY-1', amount: 125_000, currency: 'USD', receivedAt: '2026-01-03T10:00:00Z' });
  },
  /** A person case paid soon after it began: the person's run starts with the `person-history-bound` marker. */
  'case-person-bound-v9': async (handle, sleep) => {
    await sleep('3 hours');
    await handle.signal(paymentReceivedSignal, { reference: 'PAY-1', amount: 125_000, currency: 'USD', receivedAt: '2026-01-03T10:00:00Z' });
  },
  /** A weekly plan long enough that the case continues as new at its own bound (`history-bound`); its first run is recorded. */
  'case-history-bound-v9': async (handle, sleep, date) => {
    const plan = await handle.executeUpdate(recordOutcomeUpdate, {
      args: [{ outcome: { kind: 'payment_plan', downPayment: 0, installments: 60, frequency: 'weekly', firstDueDate: await date(7) }, by: 'officer:recorder', role: 'officer' }],
    });
    for (const installment of plan.arrangement?.installments ?? []) {
      // A minute past the week: the test server wedges when a signal lands on the instant a timer fires.
      await sleep('10081 minutes');
      await handle.signal(paymentReceivedSignal, { reference: `WEEK-${installment.seq}`, amount: installment.amount, currency: 'USD', receivedAt: '2026-01-05T10:00:00Z' });
    }
  },
  /**
   * Account servicing ('servicing-arrangement-changes'): a plan above the officer's authority
   * approved by a manager, paid once, rescheduled, an amendment above authority rejected, then
   * cancelled with a reason; a partial return of the payment; paid in full.
   */
  'case-servicing-v9': async (handle, sleep, date) => {
    const as = (role: 'officer' | 'manager') => ({ by: `${role}:recorder`, role });
    await sleep('1 day');
    await handle.executeUpdate(recordOutcomeUpdate, { args: [{ outcome: { kind: 'payment_plan', downPayment: 0, installments: 8, frequency: 'monthly', firstDueDate: await date(3) }, ...as('officer') }] });
    await sleep('1 day');
    await handle.executeUpdate(recordOutcomeUpdate, { args: [{ outcome: { kind: 'arrangement_decision', approve: true, note: 'steady income' }, ...as('manager') }] });
    await sleep('3 days');
    await handle.signal(paymentReceivedSignal, { reference: 'PLAN-1', amount: 15_625, currency: 'USD', receivedAt: '2026-01-06T10:00:00Z' });
    await sleep('1 day');
    await handle.executeUpdate(recordOutcomeUpdate, { args: [{ outcome: { kind: 'arrangement_reschedule', dueDate: await date(25), reason: 'payday moved' }, ...as('officer') }] });
    await handle.executeUpdate(recordOutcomeUpdate, { args: [{ outcome: { kind: 'arrangement_amend', installments: 9, frequency: 'monthly', firstDueDate: await date(25), reason: 'lost a job' }, ...as('officer') }] });
    await sleep('1 day');
    await handle.executeUpdate(recordOutcomeUpdate, { args: [{ outcome: { kind: 'arrangement_decision', approve: false, note: 'too long' }, ...as('manager') }] });
    await handle.executeUpdate(recordOutcomeUpdate, { args: [{ outcome: { kind: 'arrangement_cancel', reason: 'the debtor withdrew' }, ...as('officer') }] });
    await sleep('25 hours');
    await handle.signal(paymentReversedSignal, { reference: 'PLAN-1', reason: 'chargeback', amount: 5_000 });
    await sleep('26 hours');
    await handle.signal(paymentReceivedSignal, { reference: 'PAY-ALL', amount: 114_375, currency: 'USD', receivedAt: '2026-01-10T10:00:00Z' });
  },
  /** A kept promise reinstated when the payment that kept it is returned ('servicing-arrangement-changes'), broken after grace, then paid. */
  'case-servicing-reinstated-v9': async (handle, sleep, date) => {
    await sleep('1 day');
    await handle.executeUpdate(recordOutcomeUpdate, { args: [{ outcome: { kind: 'promise_to_pay', amount: 30_000, dueDate: await date(2) }, by: 'officer:recorder', role: 'officer' }] });
    await sleep('50 hours');
    await handle.signal(paymentReceivedSignal, { reference: 'KEPT-1', amount: 30_000, currency: 'USD', receivedAt: '2026-01-04T10:00:00Z' });
    await sleep('25 hours');
    await handle.signal(paymentReversedSignal, { reference: 'KEPT-1', reason: 'NSF' });
    await sleep('6 days');
    await handle.signal(paymentReceivedSignal, { reference: 'PAY-ALL', amount: 125_000, currency: 'USD', receivedAt: '2026-01-12T10:00:00Z' });
  },
  /**
   * Autopay ('stripe-autopay-charges'): a monthly plan of three with autopay set; the first
   * installment is charged on its due date, the second declined (recorded, never charged again),
   * broken past grace; then paid in full.
   */
  'case-stripe-autopay-v9': async (handle, sleep, date) => {
    await sleep('1 day');
    await handle.executeUpdate(recordOutcomeUpdate, { args: [{ outcome: { kind: 'payment_plan', downPayment: 0, installments: 3, frequency: 'monthly', firstDueDate: await date(5) }, by: 'officer:recorder', role: 'officer' }] });
    await handle.signal(autopayChangedSignal, { enabled: true, by: 'debtor:page' });
    await sleep('50 days');
    await handle.signal(paymentReceivedSignal, { reference: 'PAY-1', amount: 125_000, currency: 'USD', receivedAt: '2026-03-01T10:00:00Z' });
  },
  /**
   * The generated validation notice ('generated-validation-notice'): a third-party collector's
   * case sends it by letter before its first step; a dispute within the period, rejected; paid.
   */
  'case-notice-v10': async (handle, sleep) => {
    await sleep('1 day');
    await handle.executeUpdate(recordOutcomeUpdate, { args: [{ outcome: { kind: 'dispute', reason: 'not my debt' }, by: 'officer:recorder', role: 'officer' }] });
    await sleep('2 days');
    await handle.executeUpdate(recordOutcomeUpdate, { args: [{ outcome: { kind: 'dispute_resolution', upheld: false, note: 'verified' }, by: 'manager:recorder', role: 'manager' }] });
    await sleep('1 day');
    await handle.signal(paymentReceivedSignal, { reference: 'PAY-1', amount: 125_000, currency: 'USD', receivedAt: '2026-01-05T10:00:00Z' });
  },
  /**
   * The generated answers ('generated-verification'): a third-party collector's case disputed,
   * verified from its ledger; then a request for the original creditor, held, answered with its
   * name; paid.
   */
  'case-notice-verification-v10': async (handle, sleep) => {
    const officer = { by: 'officer:recorder', role: 'officer' as const };
    const manager = { by: 'manager:recorder', role: 'manager' as const };
    await sleep('1 day');
    await handle.executeUpdate(recordOutcomeUpdate, { args: [{ outcome: { kind: 'dispute', reason: 'not my debt' }, ...officer }] });
    await sleep('2 days');
    await handle.executeUpdate(recordOutcomeUpdate, { args: [{ outcome: { kind: 'dispute_resolution', upheld: false, note: 'verified' }, ...manager }] });
    await sleep('1 day');
    await handle.executeUpdate(recordOutcomeUpdate, { args: [{ outcome: { kind: 'dispute', about: 'original_creditor', reason: 'who was the original creditor?' }, ...officer }] });
    await sleep('2 days');
    await handle.executeUpdate(recordOutcomeUpdate, { args: [{ outcome: { kind: 'dispute_resolution', upheld: false, note: 'answered', originalCreditor: 'First Springfield Bank, Springfield, IL' }, ...manager }] });
    await sleep('1 day');
    await handle.signal(paymentReceivedSignal, { reference: 'PAY-1', amount: 125_000, currency: 'USD', receivedAt: '2026-01-08T10:00:00Z' });
  },
  /**
   * The v5 scenario on a case started on code generation 1 (workflows/patches.ts): every patch
   * it reaches taken, no marker recorded.
   */
  'case-generation-enroll2-v12': async (handle, sleep) => {
    await sleep('1 hour');
    await handle.signal(pauseSignal, { reason: 'debtor asked for two days', by: 'officer:recorder' });
    await sleep('2 days');
    await handle.signal(resumeSignal, { reason: 'two days over', by: 'officer:recorder' });
    await handle.signal(debtorRepliedSignal, { channel: 'email', text: 'I lost my job, what can I do?', receivedAt: '2026-01-03T10:00:00Z' });
  },
  /**
   * The account ledger ('ledger-entries'): 18% interest on the principal posted at each month end
   * and when something happens; a partial payment split by the waterfall, returned; the creditor's
   * correction as an adjustment; then a payment of all but the interest since, and the timeline runs out.
   */
  'case-ledger-v10': async (handle, sleep) => {
    await sleep('61 days');
    await handle.signal(paymentReceivedSignal, { reference: 'PAY-1', amount: 40_000, currency: 'USD', receivedAt: '2026-03-07T10:00:00Z' });
    await sleep('50 hours');
    await handle.signal(paymentReversedSignal, { reference: 'PAY-1', reason: 'NSF' });
    await sleep('26 hours');
    await handle.signal(balanceAdjustedSignal, { balance: 120_000, reason: 'creditor credited a disputed charge', source: 'import' });
    await sleep('10 days');
    await handle.signal(paymentReceivedSignal, { reference: 'PAY-2', amount: 120_000, currency: 'USD', receivedAt: '2026-03-20T10:00:00Z' });
  },
  /**
   * 'wait-from-plan' (desk): the loop's wait plans again when a signal or update landed after its
   * pass began; an officer's wrong-party outcome a day in (a hold and a skip-trace task), then paid.
   */
  'case-desk-wait-from-plan-v11': async (handle, sleep) => {
    await sleep('26 hours');
    await handle.executeUpdate(recordOutcomeUpdate, { args: [{ outcome: { kind: 'wrong_party', note: 'says he is not the debtor' }, by: 'officer:recorder', role: 'officer' }] });
    await sleep('50 hours');
    await handle.signal(paymentReceivedSignal, { reference: 'PAY-1', amount: 125_000, currency: 'USD', receivedAt: '2026-01-04T10:00:00Z' });
  },
  /**
   * Interest stops while a dispute awaits its answer ('interest-stops'): 18% interest for ten days,
   * none for the thirty the dispute is held, again after its answer; then paid in full.
   */
  'case-ledger-interest-stops-v11': async (handle, sleep) => {
    const officer = { by: 'officer:recorder', role: 'officer' as const };
    await sleep('250 hours');
    await handle.executeUpdate(recordOutcomeUpdate, { args: [{ outcome: { kind: 'dispute', reason: 'the amount is wrong' }, ...officer }] });
    await sleep('730 hours');
    await handle.executeUpdate(recordOutcomeUpdate, { args: [{ outcome: { kind: 'dispute_resolution', upheld: false, note: 'verified' }, by: 'manager:recorder', role: 'manager' }] });
    await sleep('490 hours');
    await handle.signal(paymentReceivedSignal, { reference: 'PAY-1', amount: 200_000, currency: 'USD', receivedAt: '2026-03-07T10:00:00Z' });
  },
  /**
   * A collector's notice with nowhere to go ('validation-notice-holds'): one task, collection
   * held; a postal address arrives, the notice goes by letter, the timeline resumes; paid in full.
   */
  'case-ledger-notice-unsent-v11': async (handle, sleep) => {
    await sleep('50 hours');
    await handle.signal(contactChangedSignal, { channel: 'letter', address: 'Ana Ruiz | 1 Main St | Chicago, IL 60601 | US', valid: true, source: 'skip_trace' });
    await sleep('30 hours');
    await handle.signal(paymentReceivedSignal, { reference: 'PAY-1', amount: 125_000, currency: 'USD', receivedAt: '2026-01-08T10:00:00Z' });
  },
  /**
   * The wake timer kept across signals ('keeps-wake-timer'): two partial payments while the nudge is
   * due keep its timer; a pause cancels it, the resume sleeps on a new one for the shifted nudge;
   * paid in full, the case lingers for returned payments on a timer of its own.
   */
  'case-payment2-keeps-wake-timer-v12': keepsWakeTimerScenario,
  /** The same on generation 2 (workflows/patches.ts), as the API starts a case now: the timer kept, no marker. */
  'case-generation2-keeps-wake-timer-v13': keepsWakeTimerScenario,
} satisfies Record<string, (handle: { signal: (...args: never[]) => Promise<void> } & Awaited<ReturnType<typeof startCase>>, sleep: (d: string) => Promise<void>, date: (plusDays: number) => Promise<string>) => Promise<void>>;

/** Fallbacks, conditions on results and outcomes, and `on` branches, for the v3 history. */
const walkingStrategy = strategy({
  ...consumerEarly,
  key: 'consumer-walking',
  steps: [
    { id: 'reminder', at: 'P0D', action: 'email', template: 'reminder', fallback: { action: 'letter', template: 'demand' } },
    { id: 'nudge', at: 'P3D', action: 'sms', template: 'nudge', fallback: 'letter' },
    { id: 'call', at: 'P4D', action: 'call', when: { previousStepResult: ['sent'] } },
    { id: 'retry-call', at: 'P6D', action: 'call', when: { lastContactOutcome: ['no_answer', 'left_message'] } },
    { id: 'letter', at: 'P10D', action: 'letter', template: 'demand' },
    { id: 'note', at: 'P12D', action: 'note', note: 'Consider a settlement.' },
    { id: 'agency', at: 'P60D', action: 'agency_referral' },
  ],
  negotiation: { graceDays: 1 },
  on: { brokenPromise: 'restart', paymentReturned: 'restart', reply: { callMe: 'call_task', dispute: 'hold' } },
});

/** A legal review, then an agency step the agency refuses: the v5 history. */
const everyPatchStrategy = strategy({
  ...consumerEarly,
  key: 'consumer-every-patch',
  steps: [
    { id: 'reminder', at: 'P0D', action: 'email', template: 'reminder' },
    { id: 'nudge', at: 'P3D', action: 'sms', template: 'nudge' },
    { id: 'legal', at: 'P20D', action: 'legal_review', note: 'Review before the agency.' },
    { id: 'agency', at: 'P60D', action: 'agency_referral' },
  ],
});

/** SMS two hours in (one a day per person), an email, a call and a letter: the person scenario's strategy. */
const personStrategy = strategy({
  ...consumerEarly,
  key: 'consumer-person',
  steps: [
    { id: 'nudge', at: 'PT2H', action: 'sms', template: 'nudge' },
    { id: 'reminder', at: 'PT4H', action: 'email', template: 'reminder' },
    { id: 'call', at: 'P1D', action: 'call' },
    { id: 'letter', at: 'P2D', action: 'letter', template: 'demand' },
  ],
  contact: { frequencyCaps: { sms: { max: 1, days: 1 } }, validationNotice: { required: false } },
});

/** An email and an SMS the person's accounts due the same day send as one (`contact.consolidate`). */
const consolidatingStrategy = strategy({
  ...consumerEarly,
  key: 'consumer-consolidated',
  steps: [
    { id: 'reminder', at: 'PT4H', action: 'email', template: 'reminder' },
    { id: 'nudge', at: 'PT6H', action: 'sms', template: 'nudge' },
    { id: 'letter', at: 'P5D', action: 'letter', template: 'demand' },
  ],
  contact: { consolidate: ['email', 'sms'], validationNotice: { required: false } },
});

/** Scenarios whose case has a person: the person workflow runs beside it, with a sibling account started an hour earlier. */
const personScenarios = new Set(['case-person-grants-v7', 'case-person-consolidated-v8', 'case-person-bound-v9']);
const personOf = (workflowId: string) => `person-of-${workflowId}`;

/** Which strategy each scenario's case runs; the others run consumer-early with settlement limits. */
const scenarioStrategies: Record<string, TStrategyDefinition> = {
  'case-walk-v3': walkingStrategy,
  'case-local-projection-v4': walkingStrategy,
  'case-every-patch-v5': everyPatchStrategy,
  'case-generation-enroll2-v12': everyPatchStrategy,
  'case-person-grants-v7': personStrategy,
  'case-person-bound-v9': personStrategy,
  'case-person-consolidated-v8': consolidatingStrategy,
  'case-ledger-v10': strategy({ ...consumerEarly, key: 'consumer-ledger', steps: [{ id: 'reminder', at: 'P0D', action: 'email', template: 'reminder' }, { id: 'call', at: 'P120D', action: 'call' }] }),
  'case-ledger-interest-stops-v11': strategy({ ...consumerEarly, key: 'consumer-ledger', steps: [{ id: 'reminder', at: 'P0D', action: 'email', template: 'reminder' }, { id: 'call', at: 'P120D', action: 'call' }] }),
  'case-history-bound-v9': strategy({ ...consumerEarly, negotiation: { maxInstallments: 120, minInstallment: 100, officerAuthority: { maxInstallments: 120 } } }),
};
/** Scenarios recorded from their first run (they continue as new): the run that wrote the marker. */
const firstRunScenarios = new Set(['case-history-bound-v9']);
/** Scenarios whose account belongs to a third-party collector's portfolio (the generated validation notice). */
const noticeScenarios = new Set(['case-notice-v10', 'case-notice-verification-v10', 'case-ledger-notice-unsent-v11']);
/** Scenarios whose debtor has no postal address, and an email without consent to electronic delivery. */
const noAddressScenarios = new Set(['case-ledger-notice-unsent-v11']);
/** Scenarios whose agency refuses every referral for good. */
const refusingAgency = new Set(['case-every-patch-v5', 'case-generation-enroll2-v12']);
/** Scenarios whose case starts on a code generation (workflows/patches.ts), as the API starts it. */
const scenarioGenerations: Record<string, number> = { 'case-generation-enroll2-v12': 1, 'case-generation2-keeps-wake-timer-v13': 2 };
/** Installments whose autopay charge the recording declines, per scenario. */
const autopayDeclines: Record<string, number[]> = { 'case-stripe-autopay-v9': [2] };

/** The account ledger terms a scenario's account is enrolled with (domain/ledger/account-ledger.ts). */
const scenarioLedgers: Record<string, LedgerTerms> = {
  'case-ledger-v10': {
    itemizationDate: '2025-12-31',
    itemization: { principal: 120_000, interest: 4_000, fees: 1_000 },
    interest: { annualRatePpm: 180_000, dayCount: 'actual/365', base: 'principal' },
    authorizedFees: ['late'],
    waterfall: 'fees_interest_principal',
  },
  'case-ledger-interest-stops-v11': {
    itemizationDate: '2025-12-31',
    itemization: { principal: 120_000, interest: 4_000, fees: 1_000 },
    interest: { annualRatePpm: 180_000, dayCount: 'actual/365', base: 'principal' },
    authorizedFees: ['late'],
    waterfall: 'fees_interest_principal',
  },
};

type Env = TestWorkflowEnvironment;
async function startCase(env: Env, taskQueue: string, id: string) {
  const input = caseFixture(
    await env.currentTimeMs(),
    scenarioStrategies[id] ??
      strategy({ ...consumerEarly, negotiation: { maxSettlementDiscountPercent: 30, officerAuthority: { maxSettlementDiscountPercent: 5, maxInstallments: 6 } } }),
  );
  const caseId = `${id}-${input.caseId}`;
  if (noticeScenarios.has(id)) input.account.regime = 'third_party';
  if (noAddressScenarios.has(id)) delete input.account.contacts.letter;
  const terms = scenarioLedgers[id];
  if (terms) input.account.ledger = terms;
  const generation = scenarioGenerations[id];
  if (generation !== undefined) input.codeGeneration = generation;
  if (!personScenarios.has(id)) return env.client.workflow.start(caseWorkflow, { taskQueue, workflowId: caseId, args: [{ ...input, caseId }] });
  // The person runs first and knows both accounts; the sibling started an hour earlier.
  const personId = personOf(caseId);
  const person: PersonInput = { personId, name: input.account.debtor.name, timeZone: input.account.debtor.timeZone, facts: { contacts: input.account.contacts }, cases: [] };
  const ofPerson = (each: CaseInput, eachId: string): CaseInput => ({ ...each, caseId: eachId, account: { ...each.account, personId, debtGroup: each.account.externalId } });
  const join = (each: CaseInput) =>
    env.client.workflow.signalWithStart(personWorkflow, { taskQueue, workflowId: personWorkflowId(personId), args: [person], signal: caseJoinedSignal, signalArgs: [{ caseId: each.caseId, accountExternalId: each.account.externalId, debtGroup: each.account.externalId }] });
  const earlier = caseFixture(Date.parse(input.startedAt) - 3_600_000, input.strategy.definition);
  const sibling = ofPerson(earlier, `${id}-sibling-${earlier.caseId}`);
  await join(sibling);
  await env.client.workflow.start(caseWorkflow, { taskQueue, workflowId: sibling.caseId, args: [sibling] });
  const main = ofPerson(input, caseId);
  await join(main);
  return env.client.workflow.start(caseWorkflow, { taskQueue, workflowId: caseId, args: [main] });
}

/** Two partial payments that keep the wake timer, a pause and a resume that move it, then paid in full. */
async function keepsWakeTimerScenario(handle: Awaited<ReturnType<typeof startCase>>, sleep: (d: string) => Promise<void>): Promise<void> {
  await sleep('1 hour');
  await handle.signal(paymentReceivedSignal, { reference: 'PAY-1', amount: 10_000, currency: 'USD', receivedAt: '2026-01-01T10:00:00Z' });
  await sleep('1 hour');
  await handle.signal(paymentReceivedSignal, { reference: 'PAY-2', amount: 5_000, currency: 'USD', receivedAt: '2026-01-01T11:00:00Z' });
  await sleep('25 hours');
  await handle.signal(pauseSignal, { reason: 'debtor asked for a day', by: 'officer:recorder' });
  await sleep('1 day');
  await handle.signal(resumeSignal, { reason: 'day over', by: 'officer:recorder' });
  await sleep('5 days');
  await handle.signal(paymentReceivedSignal, { reference: 'PAY-3', amount: 110_000, currency: 'USD', receivedAt: '2026-01-08T10:00:00Z' });
}

/** Fallbacks, branches, a promise broken and kept: the walk recorded by v3 and v4. */
async function walkScenario(handle: Awaited<ReturnType<typeof startCase>>, sleep: (d: string) => Promise<void>, date: (plusDays: number) => Promise<string>): Promise<void> {
  await sleep('1 hour');
  await handle.signal(contactChangedSignal, { channel: 'email', valid: false, source: 'email_bounce' });
  await sleep('4 days');
  await handle.signal(callAttemptedSignal, { taskId: 'task-1', placedAt: '2026-01-05T15:00:00Z', outcome: 'no_answer', conversation: false, by: 'officer:recorder' });
  await sleep('2 days');
  await handle.executeUpdate(recordOutcomeUpdate, { args: [{ outcome: { kind: 'promise_to_pay', amount: 125_000, dueDate: await date(3) }, by: 'officer:recorder', role: 'officer' }] });
  await sleep('8 days');
  await handle.signal(debtorRepliedSignal, { channel: 'sms', text: 'call me please', intent: 'call_me', receivedAt: '2026-01-20T10:00:00Z' });
  await handle.signal(paymentReceivedSignal, { reference: 'PAY-1', amount: 25_000, currency: 'USD', receivedAt: '2026-01-20T10:00:00Z' });
  await sleep('2 days');
  await handle.signal(paymentReversedSignal, { reference: 'PAY-1', reason: 'NSF' });
  // Not a whole number of days: the test server wedges when a signal lands on the instant a timer fires.
  await sleep('60 hours');
  await handle.signal(paymentReceivedSignal, { reference: 'PAY-2', amount: 125_000, currency: 'USD', receivedAt: '2026-01-25T10:00:00Z' });
}

/** Set by the scenarios whose read model the database refuses for a while. */
const projectionRefused = { refusing: false };

/** Histories already recorded are never re-recorded: they stand for cases running today. */
const only = process.argv.slice(2);
const engine = await startEngine({ temporal: 'time-skipping' });
const env = engine.testEnv;
try {
  for (const [name, scenario] of Object.entries(scenarios)) {
    if (only.length > 0 ? !only.includes(name) : existsSync(new URL(`../histories/${name}.json`, import.meta.url))) continue;
    const taskQueue = `record-${name}`;
    const worker = await engine.caseWorker({
      taskQueue,
      activities: recordingActivities({ projection: projectionRefused, temporal: env.client, autopayDeclines: autopayDeclines[name] ?? [], ...(refusingAgency.has(name) ? { refuseAgency: 'agency does not take accounts of this kind (422)' } : {}) }).activities,
    });
    await worker.runUntil(async () => {
      const handle = await startCase(env, taskQueue, name);
      await scenario(handle, (duration) => env.sleep(duration), async (plusDays) => new Date((await env.currentTimeMs()) + plusDays * 86_400_000).toISOString().slice(0, 10));
      await handle.result();
      const file = new URL(`../histories/${name}.json`, import.meta.url);
      const run = firstRunScenarios.has(name) ? env.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId) : handle;
      await writeFile(file, historyToJSON(await run.fetchHistory()));
      process.stdout.write(`recorded ${file.pathname}\n`);
      if (personScenarios.has(name)) {
        // The person's own history so far (it never ends by itself): grants, changes, broadcasts, a case leaving.
        const personFile = new URL(`../histories/person-${name.replace(/^case-/, '')}.json`, import.meta.url);
        await writeFile(personFile, historyToJSON(await env.client.workflow.getHandle(personWorkflowId(personOf(handle.workflowId))).fetchHistory()));
        process.stdout.write(`recorded ${personFile.pathname}\n`);
      }
    });
  }
} finally {
  await engine.stop();
}
