import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Installment } from '../domain/arrangements.js';
import type { CaseFacts, ComplianceFacts, ComplianceFlag, ContactChannel, ContactMedium, ContactPlace, ContactPoint } from '../domain/case-facts.js';
import type { ComplianceEvent } from '../domain/regulation/events.js';
import type { ContactAction, ContactPolicyInput, ContactRoute, ContactVerdict } from '../domain/regulation/index.js';
import type { LedgerTerms } from '../domain/ledger/account-ledger.js';
import type { FeeType } from '../domain/ledger/fees.js';
import type { Waterfall } from '../domain/ledger/allocation.js';
import type { Components } from '../domain/ledger/components.js';
import type { Itemization, LedgerEntry } from '../domain/ledger/ledger.js';
import type { ActorRole, TOutcome } from '../domain/outcomes.js';
import type { Regime } from '../domain/portfolio.js';
import type { ReplyIntent } from '../domain/replies.js';
import type { ContactOutcome } from '../domain/step-conditions.js';
import type { TStrategyDefinition } from '../domain/strategy.js';
import type { TimelineCursor } from '../domain/timeline.js';
import type { ContactGrantRequest, PersonChangeSignal, PersonFacts } from './person-messages.js';

/**
 * The case workflow's contract with its clients (API, webhooks, scripts): ids, input, messages
 * and the status shape. Side-effect free so the API can import it without workflow code.
 */

export const taskQueue = 'collections';

/** One open case per account: enrollment with the same id is refused by Temporal. */
export function caseWorkflowId(accountId: string): string {
  return `case-${accountId}`;
}

export const CaseStatusValue = { open: 'open', paused: 'paused', closed: 'closed' } as const;
export type CaseStatusValue = (typeof CaseStatusValue)[keyof typeof CaseStatusValue];

export const CloseReason = {
  paid: 'paid',
  settled: 'settled',
  referred: 'referred',
  timelineComplete: 'timeline_complete',
  disputeUpheld: 'dispute_upheld',
  writtenOff: 'written_off',
  uncollectible: 'uncollectible',
  deceased: 'deceased',
  bankruptcy: 'bankruptcy',
} as const;
export type CloseReason = (typeof CloseReason)[keyof typeof CloseReason];

export interface CaseAccount {
  accountId: string;
  externalId: string;
  currency: string;
  /** Minor units at enrollment. */
  balance: number;
  daysPastDue: number;
  debtor: { name: string; timeZone: string };
  contacts: Partial<Record<ContactChannel, ContactPoint>>;
  /** Compliance facts known at enrollment: candidate zones (address, phone) and the debtor's state. */
  compliance?: ComplianceFacts;
  /**
   * The person (Debtor id) behind the account: with it (and the `person-contact-grants` patch) the
   * case asks its person workflow before every contact and shares what it learns about the person.
   */
  personId?: string;
  /**
   * Whether enrollment started the person's workflow. Absent on cases enrolled before this was
   * said (enrollment always started it, and the case told it at once that no message was due);
   * false for a new person with this one account: the case starts its person the first time it
   * talks to it (workflows/case/person-start.ts), so a new case costs one workflow, not two.
   */
  personStarted?: boolean;
  /** Debts the rules treat as one share a group (workflows/person-messages.ts); the external id when absent. */
  debtGroup?: string;
  /** The regime of the account's portfolio (domain/portfolio.ts): collectors' regimes send the generated validation notice. */
  regime?: Regime;
  /** The ledger's itemization, interest terms, authorized fees and waterfall; absent: the balance, all principal, no interest. */
  ledger?: LedgerTerms;
}

export interface CaseStrategy {
  id: string;
  key: string;
  version: number;
  definition: TStrategyDefinition;
}

export interface CaseInput {
  caseId: string;
  account: CaseAccount;
  /** The version the case started with; replay never reads it from the database. */
  strategy: CaseStrategy;
  /** ISO instant the timeline's offsets count from. */
  startedAt: string;
  /** State carried over continue-as-new; absent on the first run. */
  carried?: CaseState;
  /**
   * The code generation the case was started on (workflows/patches.ts): the patches it had are
   * taken without a marker. Absent on cases started before it was said: every patch by its marker.
   */
  codeGeneration?: number;
}

/**
 * What each event type carries in `data`. A type mapped to `X | undefined` has events with and
 * without data (a note step is done without a communication; a referral failure has no type).
 */
export interface CaseEventData {
  enrolled: { balance: number };
  step_done: { communicationId?: string; duplicate?: boolean; taskId?: string; placementId?: string; accounts?: string[]; coveredBy?: string } | undefined;
  step_skipped: undefined;
  /** A send that failed (`type` is the failure's, `InvalidRecipient` for a bad address) or a message reported undelivered later (`result`). */
  step_failed: { type?: string | null; channel?: string; source?: string; result?: 'bounced'; fallback?: string } | undefined;
  payment_applied: PaymentReceived & { balanceBefore: number; balanceAfter: number; overpaid: number };
  payment_duplicate: { reference: string };
  reply_received: DebtorReplied & { intent: ReplyIntent };
  /** `all` when the debtor asked us to cease communication altogether. */
  opted_out: { channel: ContactChannel | 'all'; source: string };
  opted_in: { channel: ContactChannel; source: string };
  contact_changed: { channel: ContactChannel; source: string };
  balance_adjusted: { balanceBefore: number; balanceAfter: number; source: string; reason: string };
  outcome_recorded: TOutcome & { by: string; role: ActorRole };
  /** A new arrangement (`installments`), or a pending settlement approved (`approvedBy`). */
  arrangement_made: { kind: Arrangement['kind']; installments?: Installment[]; needsApproval?: boolean; approvedBy?: string; reinstated?: boolean };
  /** An arrangement amended or rescheduled (`installments` the new schedule), waiting for a manager (`needsApproval`) or decided (`approvedBy` / `rejectedBy`). */
  arrangement_changed: {
    kind: Arrangement['kind'];
    change: ArrangementChange['change'];
    reason: string;
    by: string;
    installments?: Installment[];
    needsApproval?: boolean;
    approvedBy?: string;
    rejectedBy?: string;
  };
  arrangement_kept: ArrangementEnded;
  arrangement_broken: ArrangementEnded;
  arrangement_cancelled: ArrangementEnded;
  reminder_sent: { seq: number; communicationId: string };
  hold_started: { kind: Hold['kind']; until: string | null };
  hold_ended: { kind: Hold['kind'] };
  placed: { placementId: string; agency: string };
  recalled: undefined;
  payment_reversed: { reference: string; amount: number; reason: string; balanceAfter: number };
  reopened: { reference: string; reason: string };
  task_created: { taskId: string; kind: string };
  /** A contact-rule fact changed by an event (`event`), or a contact request recorded as it was made (`fact`). */
  compliance: { event: ComplianceEvent['type'] } | { fact: ContactRequest } | { person: string };
  strategy_changed: { fromVersion: number; toVersion: number; by: string; reason: string; mappedBy: string; stepId: string | null };
  call_attempted: { taskId: string; outcome: string; conversation: boolean };
  /** The person held a contact (another account's contact, a designated time...): the reason names it. */
  contact_held: { personId: string; channel: string; until: string | null };
  paused: { by: string; reason: string };
  resumed: { by: string; reason: string };
  projection_failed: { type: string | null };
  projection_recovered: { failures: number; failingSince: string; dropped: number };
  autopay_changed: { enabled: boolean; by: string };
  /** An installment charged off session (`processing`: a bank debit the processor confirms later, by webhook). */
  autopay_charged: { seq: number; paymentId: string; amount: number; status: 'succeeded' | 'processing' };
  autopay_declined: { seq: number; paymentId: string | null; reason: string };
  closed: { reason: CloseReason };
}

export interface ArrangementEnded {
  kind: Arrangement['kind'];
  paidTotal: number;
  /** Who cancelled it and why (an officer's `arrangement_cancel`). */
  by?: string;
  reason?: string;
}

/** An amendment or a new schedule for the arrangement in force, waiting for a manager's approval. */
export interface ArrangementChange {
  change: 'amend' | 'reschedule';
  installments: Installment[];
  by: string;
  reason: string;
  requestedAt: string;
}

export type CaseEventType = keyof CaseEventData;

/** One event of type `T`: its `data` is required when every event of the type carries it. */
export type CaseEventOf<T extends CaseEventType> = {
  /** Position in the case's own history, carried across continue-as-new. */
  seq: number;
  at: string;
  type: T;
  stepId?: string;
  detail: string;
} & (undefined extends CaseEventData[T] ? { data?: Exclude<CaseEventData[T], undefined> } : { data: CaseEventData[T] });

/** Something the case did or learnt, with a typed shape per event type. */
export type CaseEvent = { [T in CaseEventType]: CaseEventOf<T> }[CaseEventType];

/** A promise, plan or settlement: a schedule that payments are applied to in order. */
export interface Arrangement {
  kind: 'promise' | 'plan' | 'settlement';
  /** A settlement above the officer's authority waits for a manager. */
  status: 'active' | 'pending_approval';
  installments: Installment[];
  /** Minor units paid toward this arrangement so far (reversals subtract). */
  paidTotal: number;
  graceDays: number;
  agreedBy: string;
  agreedAt: string;
  /** Seqs of installments whose reminder went out. */
  remindersSent: number[];
  /** A change above the officer's authority, waiting for a manager; the terms in force apply meanwhile. */
  pendingChange?: ArrangementChange | null;
  /** References of the payments applied toward it, so a returned one can find the arrangement it kept. */
  references?: string[];
  /** Seqs of installments autopay charged (or tried to): each is charged at most once. */
  autopayCharged?: number[];
}

/** Why collection is on hold, apart from a pause. */
export interface Hold {
  kind: 'dispute' | 'hardship' | 'legal' | 'wrong_party';
  reason: string;
  since: string;
  /** Hardship pauses end by themselves; the others wait for a person. */
  until: string | null;
}

/** The workflow's state, plain data so it can travel through continue-as-new. */
export interface CaseState {
  status: CaseStatusValue;
  closeReason: CloseReason | null;
  balance: number;
  stepIndex: number;
  currentStep: string | null;
  nextActionAt: string | null;
  nextActionWhy: string | null;
  contacts: Partial<Record<ContactChannel, ContactPoint>>;
  appliedPayments: string[];
  seq: number;
  /** Recent events, newest last, for the status query. */
  recent: CaseEvent[];
  /** Fields added after the first release are optional so carried state from older runs still fits. */
  arrangement?: Arrangement | null;
  hold?: Hold | null;
  /** The debtor asked us to stop communicating: no collection contact from now on. */
  ceased?: boolean;
  placement?: { agency: string; placedAt: string } | null;
  /** How far suspensions (arrangements, holds, placements) have pushed the timeline back, ms. */
  shiftMs?: number;
  /** When the timeline was suspended, if it is. */
  suspendedAt?: string | null;
  /** The arrangement last kept: a payment toward it that is returned reinstates it (patch `servicing-arrangement-changes`). */
  lastKept?: Arrangement | null;
  /**
   * The account's ledger (cases of the `ledger-entries` patch; workflows/case/account-ledger.ts):
   * the balance is its entries' sum. Named apart from `ledger` below, which older cases carry.
   */
  accountLedger?: LedgerState;
  /** Since when the generated validation notice could not be sent (workflows/case/validation-notice.ts): collection holds, one task was made. */
  validationNoticeUnsent?: { since: string } | null;
  /** Every payment applied, so a returned one can be undone. */
  ledger?: { reference: string; amount: number; reversed: boolean; towardArrangement: boolean }[];
  /** Minor units forgiven by a paid settlement. */
  waived?: number;
  closedAt?: string | null;
  /** What the contact rules read: candidate zones, flags, refusals, contact history (domain/regulation). */
  compliance?: ComplianceFacts;
  /** Where the case stands on its timeline: step results and a fallback owed (domain/timeline.ts). */
  timeline?: TimelineCursor;
  /** How often the timeline restarted: part of each step's idempotency key, so a restart sends again. */
  restarts?: number;
  /** The step that last sent on each channel, so a late bounce knows whose fallback is owed. */
  lastSent?: Partial<Record<ContactChannel, string>>;
  /** What the last conversation (or attempt) ended with, for `when.lastContactOutcome`. */
  lastContactOutcome?: ContactOutcome | null;
  /** Set while the read model cannot be written: the case goes on and retries at `retryAt`. */
  projection?: ProjectionLag | null;
  /** Events not yet in the read model, carried through continue-as-new while it lags. */
  unprojected?: CaseEvent[];
  /**
   * The person behind the account as the case last heard of it (cases of the
   * `person-contact-grants` patch): its person-level facts replace the case's own.
   */
  person?: CasePerson | null;
  /** Set while autopay is on: each installment of an arrangement is charged on its due date (the saved method is in the CaseAutopay table, not in the history). */
  autopay?: { since: string; by: string } | null;
}

/** The part of the state the account ledger keeps (workflows/case/account-ledger.ts). */
export interface LedgerState {
  entries: LedgerEntry[];
  /** Interest is posted through this date (`YYYY-MM-DD`, UTC); `carried` is the fraction not yet posted (domain/ledger/interest.ts). */
  accrual: {
    through: string;
    carried: number;
    /** Interest stopped since this date, and why (domain/ledger/interest-stops.ts); it accrues again from the day the stop ends. */
    stopped?: { since: string; why: string };
  };
  /** How many entries the read model holds (workflows/case/projection.ts writes the rest). */
  projected: number;
}

/** A ledger entry as the projection writes it (activities/projection.ts): its position and what it did to each part. */
export interface ProjectedLedgerEntry {
  position: number;
  entry: LedgerEntry;
  effect: Components;
}

/** The case's copy of its person's facts (workflows/person.ts broadcasts them with a version). */
export interface CasePerson {
  personId: string;
  name: string;
  /** The broadcast's version; 0 until the first one. An older broadcast is ignored. */
  version: number;
  /** Null until the person first told the case its facts: the case's own are used meanwhile. */
  facts: PersonFacts | null;
  /** Changes the case told the person, for their ids. */
  told: number;
  /** What the case told the person and has not yet seen in its facts: kept on top of every announcement until it is. */
  pending?: PersonChangeSignal[];
  /** The reason of the person's latest hold, so a repeated hold is recorded once. */
  heldFor?: string | null;
  /** The case told the person it closed (it joins again if a returned payment reopens it). */
  left?: boolean;
  /** The due message step last told to the person (`caseDue`), so it is told only when it changes. */
  dueTold?: string;
  /** The person's workflow may not run yet (`CaseAccount.personStarted` false): the case's next word to it starts it. */
  unstarted?: boolean;
}

/** A read model that lags behind the case (activities/projection.ts failed; the case goes on). */
export interface ProjectionLag {
  failingSince: string;
  failures: number;
  /** The failure's type (`ProjectionRejected`: the database refused the data) and message. */
  error: string;
  retryAt: string;
  /** Events not yet written, and how many were dropped to keep the case's memory bounded. */
  pending: number;
  dropped: number;
}

export interface PaymentReceived {
  /** Unique per payment: a repeat with the same reference is applied once. */
  reference: string;
  /** Minor units, positive. */
  amount: number;
  currency: string;
  receivedAt: string;
}

export interface DebtorReplied {
  /** A message channel (domain/channels/) or the telephone. */
  channel: ContactMedium;
  text: string;
  /** Detected intent; classified from the text when absent. */
  intent?: ReplyIntent;
  receivedAt: string;
}

export interface ContactChanged {
  channel: ContactChannel;
  address?: string;
  valid?: boolean;
  consent?: boolean;
  optedOut?: boolean;
  source: string;
}

/** The creditor corrected the balance owed (e.g. a re-import with a new balance). */
export interface BalanceAdjusted {
  /** New balance in minor units; 0 closes the case as paid. */
  balance: number;
  reason: string;
  source: string;
}

/** Autopay turned on (a method was saved for the case) or off. */
export interface AutopayChanged {
  enabled: boolean;
  /** Who, as the audit trail names them. */
  by: string;
}

/** What an autopay charge came to (activities/autopay.ts). */
export type AutopayChargeResult =
  | { status: 'succeeded' | 'processing'; paymentId: string; amount: number; currency: string }
  | { status: 'failed'; paymentId: string | null; reason: string };

/** A payment the bank returned (NSF, chargeback): its amount is owed again. */
export interface PaymentReversed {
  reference: string;
  reason: string;
  /** Minor units returned, when less than the payment (a partial chargeback); the whole payment when absent. */
  amount?: number;
}

/** An officer's or manager's negotiated outcome, validated against policy and authority. */
export interface OutcomeRequest {
  outcome: TOutcome;
  /** Who, as the audit trail names them. */
  by: string;
  role: ActorRole;
}

export interface PauseRequest {
  reason: string;
  by: string;
}

/**
 * A manager moved this running case to another version of its strategy (same key). The case
 * continues on `strategy` from the position domain/strategy-migration.ts maps (by step id, then
 * by offset), keeps its start and results, and records the change in its history.
 */
export interface StrategyVersionChanged {
  strategy: CaseStrategy;
  /** Who, as the audit trail names them. */
  by: string;
  reason: string;
}

export interface CaseStatus {
  caseId: string;
  status: CaseStatusValue;
  closeReason: CloseReason | null;
  balance: number;
  currency: string;
  currentStep: string | null;
  nextActionAt: string | null;
  nextActionWhy: string | null;
  strategy: { key: string; version: number };
  channels: Partial<Record<ContactChannel, { valid: boolean; optedOut: boolean; consent: boolean }>>;
  history: CaseEvent[];
  arrangement: (Omit<Arrangement, 'installments'> & { installments: (Installment & { paid: number })[] }) | null;
  hold: Hold | null;
  ceased: boolean;
  placement: { agency: string; placedAt: string } | null;
  waived: number;
  /** What the balance is made of; a case without a ledger (started before it) has it all as principal. */
  balanceParts: Components;
  /** Set while the read model lags behind this live status (absent from cases that never lagged). */
  projection?: ProjectionLag | null;
  /** The person behind the account and the version of its facts the case uses (cases that ask their person). */
  person?: { personId: string; version: number; heldFor: string | null };
  /** Set while autopay charges the arrangement's installments. */
  autopay?: { since: string; by: string };
}

export const paymentReceivedSignal = defineSignal<[PaymentReceived]>('paymentReceived');
export const debtorRepliedSignal = defineSignal<[DebtorReplied]>('debtorReplied');
export const contactChangedSignal = defineSignal<[ContactChanged]>('contactChanged');
export const balanceAdjustedSignal = defineSignal<[BalanceAdjusted]>('balanceAdjusted');
export const paymentReversedSignal = defineSignal<[PaymentReversed]>('paymentReversed');
export const autopayChangedSignal = defineSignal<[AutopayChanged]>('autopayChanged');
export const pauseSignal = defineSignal<[PauseRequest]>('pause');
export const resumeSignal = defineSignal<[PauseRequest]>('resume');
export const strategyVersionChangedSignal = defineSignal<[StrategyVersionChanged]>('strategyVersionChanged');
export const statusQuery = defineQuery<CaseStatus>('status');

/** The case's account ledger: its entries, the parts and the itemization they add up to; `null` for a case without one (started before it). */
export interface CaseLedgerView {
  currency: string;
  balance: number;
  parts: Components;
  itemization: Itemization;
  entries: LedgerEntry[];
  terms: LedgerTerms | null;
  /** Interest accrued since the last posting, through today: posted with the next payment, reversal, fee, waiver, adjustment or month end. */
  accruedNotPosted: number;
  /** Interest does not accrue since this date, and why (a dispute awaiting its answer, a bankruptcy...); null while it accrues. */
  interestStopped: { since: string; why: string } | null;
}
export const ledgerQuery = defineQuery<CaseLedgerView | null>('ledger');

/** The portfolio's ledger terms changed (api/services/portfolio-ledger-terms.ts): its open cases follow them from now on. */
export interface LedgerTermsChanged {
  waterfall: Waterfall;
  accruesInterest: boolean;
  /** Who, as the audit trail names them. */
  by: string;
}
export const ledgerTermsChangedSignal = defineSignal<[LedgerTermsChanged]>('ledgerTermsChanged');

/** An officer's fee or waiver on the account ledger; the validator refuses what the agreement, the state or the person's authority does not allow. */
export type LedgerPostingRequest = {
  amount: number;
  reason: string;
  /** Who, as the audit trail names them. */
  by: string;
  role: ActorRole;
} & ({ kind: 'fee'; feeType: FeeType } | { kind: 'waiver'; part: 'interest' | 'fees' });
/** Answers with the case's ledger after the entry, or fails with the reason (type `LedgerEntryRefused`). */
export const postLedgerEntryUpdate = defineUpdate<CaseLedgerView, [LedgerPostingRequest]>('postLedgerEntry');
/** Answers with the case's new status, or fails with the policy reason (type `OutcomeRefused`). */
export const recordOutcomeUpdate = defineUpdate<CaseStatus, [OutcomeRequest]>('recordOutcome');

// Contact rules (domain/regulation/): proposed messages, not yet handled by the workflow.

/** What a debtor asked for about being contacted, from a call, a letter or an officer's note. */
export type ContactRequest =
  | { kind: 'opt_out'; channel: ContactChannel }
  | { kind: 'opt_in'; channel: ContactChannel }
  /** "Don't call me", "not this email address" (12 CFR 1006.14(h)); `address` limits it to one. */
  | { kind: 'refuse_medium'; medium: ContactMedium; address?: string }
  /** "Don't contact me at work" (12 CFR 1006.6(b)(1)(iii)). */
  | { kind: 'refuse_place'; place: ContactPlace }
  /** SMS consent given or revoked for `number` (the SMS number on file when absent). */
  | { kind: 'sms_consent'; granted: boolean; number?: string };

/** A call an officer placed from the work queue: every attempt counts toward the call caps. */
export interface CallAttempted {
  taskId: string;
  /** ISO instant the call was placed. */
  placedAt: string;
  /** The officer's outcome (api/services/tasks.ts `CallOutcome`). */
  outcome: string;
  /** The debtor was reached and the debt discussed: no call for 7 days (12 CFR 1006.14(b)(2)(ii)). */
  conversation: boolean;
  /** What the debtor asked for during the call, honoured at once. */
  requests?: ContactRequest[];
  by: string;
}

/** A compliance fact recorded by an officer or an integration, apart from negotiated outcomes. */
export interface ComplianceFactRecorded {
  fact:
    | { kind: 'flag'; flag: ComplianceFlag; set: boolean }
    | { kind: 'validation_notice_sent' }
    | { kind: 'verification_sent' }
    | ContactRequest;
  /** ISO instant it happened (a letter's date, not when it was keyed in). */
  at: string;
  source: string;
}

/** Asks whether a contact may happen now, e.g. before an officer dials (the queue's check). */
export interface ContactPermissionRequest {
  channel: ContactRoute;
  action?: ContactAction;
  /**
   * Epoch ms to decide at; the workflow's clock when absent. A caller deciding now passes its own
   * clock: a query sees the workflow's clock as of its last activation, which a sleeping case leaves behind.
   */
  at?: number;
}

/**
 * What the contact rules read for a telephone call on this case (the `callFacts` query): the
 * case's facts and contact policy, and the grant request its person is asked with (null for a
 * case without a person), so a dial-time check and a dialer list decide as the case would.
 */
export interface CallFacts {
  status: CaseStatusValue;
  facts: CaseFacts;
  policy: ContactPolicyInput;
  personId: string | null;
  grantRequest: Omit<ContactGrantRequest, 'grantId'> | null;
}

export const callAttemptedSignal = defineSignal<[CallAttempted]>('callAttempted');
export const complianceFactSignal = defineSignal<[ComplianceFactRecorded]>('complianceFact');
/** The rule engine's answer on the case's live facts: permitted, held (until when, why) or barred (why). */
export const contactPermissionQuery = defineQuery<ContactVerdict, [ContactPermissionRequest]>('contactPermission');

/**
 * The live facts and contact policy the rules read, for a check made outside the case at another
 * instant than now (a callback booked for a time the person chose, api/services/callbacks.ts).
 */
export interface CaseContactFacts {
  facts: CaseFacts;
  policy: ContactPolicyInput;
}
export const contactFactsQuery = defineQuery<CaseContactFacts>('contactFacts');
export const callFactsQuery = defineQuery<CallFacts>('callFacts');
