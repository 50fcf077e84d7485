import { installmentStanding, scheduleTotal } from '../../domain/arrangements.js';
import { AccountLedger } from './account-ledger.js';
import type { CaseFacts } from '../../domain/case-facts.js';
import { formatMoney } from '../../domain/money.js';
import { withNegotiationDefaults, type TNegotiationPolicy } from '../../domain/negotiation-defaults.js';
import type { OutcomeContext } from '../../domain/outcomes.js';
import type { ContactPolicyInput } from '../../domain/regulation/index.js';
import { applyComplianceEvent, complianceOf, type ComplianceEvent } from '../../domain/regulation/events.js';
import { consolidatedChannels, type ConsolidatedAccount, type PersonChanged, type PersonChangeSignal, type PersonContact } from '../person-messages.js';
import type { TStep } from '../../domain/strategy.js';
import { applyPersonChange, isPersonLevelEvent, withPersonFacts } from '../person/rules.js';
import { escalationAgency, timelineBranch, type TimelineBranch } from '../../domain/strategy-branches.js';
import { migrateCursor } from '../../domain/strategy-migration.js';
import { contactPolicyOf, startCursor, type TimelineCursor } from '../../domain/timeline.js';
import {
  CloseReason,
  type AutopayChanged,
  type CaseAccount,
  type CaseEvent,
  type CaseEventData,
  type CaseEventOf,
  type CaseEventType,
  type CaseState,
  type CaseStatus,
  type CaseStrategy,
  type Hold,
  type OutcomeRequest,
  type PauseRequest,
  type PaymentReceived,
  type PaymentReversed,
  type StrategyVersionChanged,
} from '../case-messages.js';

/**
 * The case's state and every synchronous change to it: events, closing, holds, payments and
 * reversals, the timeline's clock, the `status` shape. Plain code without Temporal, so it is
 * unit-tested on its own; the workflow's handlers and loop call it (inside a workflow `Date.now()`
 * is the deterministic workflow clock).
 */

/** Changes a case keeps applying on top of its person's announcements until they include them. */
const keptPendingChanges = 20;

/** How many events the status query shows. */
export const recentEvents = 50;
export const dayMs = 86_400_000;

/** Work the loop does for the handlers, which must stay synchronous. */
export type SideEffect =
  | { kind: 'task'; task: { kind: string; reason: string } }
  | { kind: 'agency'; reason: string; agency?: string }
  /** The answer to a dispute or an original-creditor request, generated from the ledger (`originalCreditor` for the latter). */
  | { kind: 'verification'; originalCreditor?: string }
  /** A person-level fact the case learnt itself, for its person (`person-contact-grants`). */
  | { kind: 'person'; change: PersonChangeSignal }
  /** A contact made outside a grant (an officer's call), for the person's ledger. */
  | { kind: 'personContact'; contact: PersonContact };

export interface LiveCaseOptions {
  caseId: string;
  account: CaseAccount;
  strategy: CaseStrategy;
  /** Epoch ms the timeline's offsets count from. */
  startedAt: number;
  /** The case walks its timeline with domain/timeline.ts (patch `timeline-walk`), not step by step. */
  walksTimeline: boolean;
  /** State carried over continue-as-new; it is taken as it is, not copied. */
  carried?: CaseState | undefined;
  /** The case asks its person before contacts and shares person-level facts (patch `person-contact-grants`, with `account.personId`). */
  personGrants?: boolean;
  /** Due messages on the strategy's consolidating channels are told to the person and may go as one (patch `person-consolidated-messages`). */
  consolidatedMessages?: boolean;
  /** A new case opens an account ledger whose sum is its balance (patch `ledger-entries`); a carried one keeps what it had. */
  ledgerEntries?: boolean;
  /** The clock, epoch ms. */
  now?: () => number;
}

/** The fields an event of type `T` is recorded with. */
type EventExtra<T extends CaseEventType> = Partial<Pick<CaseEventOf<T>, 'stepId'>> &
  (undefined extends CaseEventData[T] ? { data?: Exclude<CaseEventData[T], undefined> } : { data: CaseEventData[T] });

export class LiveCase {
  readonly caseId: string;
  readonly account: CaseAccount;
  readonly startedAt: number;
  readonly walksTimeline: boolean;
  readonly personGrants: boolean;
  readonly consolidatedMessages: boolean;
  readonly now: () => number;
  readonly state: CaseState;
  /** The strategy version the case runs; a manager may move it to another version. */
  strategy: CaseStrategy;
  policy: TNegotiationPolicy;
  /**
   * The contact rules' policy. The validation-notice rule applies when the strategy names the
   * templates that carry the notice; without them the engine cannot know when it was sent.
   */
  contactPolicy: ContactPolicyInput;
  /** Events not yet written to the database (a lagging read model's are carried through continue-as-new). */
  unprojected: CaseEvent[] = [];
  sideEffects: SideEffect[] = [];
  /** The account ledger, for cases that keep one (workflows/case/account-ledger.ts); null: a one-number balance. */
  readonly accountLedger: AccountLedger | null;

  constructor({ caseId, account, strategy, startedAt, walksTimeline, carried, personGrants = false, consolidatedMessages = false, ledgerEntries = false, now = () => Date.now() }: LiveCaseOptions) {
    this.caseId = caseId;
    this.account = account;
    this.startedAt = startedAt;
    this.walksTimeline = walksTimeline;
    this.personGrants = personGrants && account.personId !== undefined;
    this.consolidatedMessages = this.personGrants && consolidatedMessages;
    this.now = now;
    this.strategy = strategy;
    // Parsed here so inputs recorded before a policy field existed get its default.
    this.policy = withNegotiationDefaults(strategy.definition.negotiation);
    this.contactPolicy = contactPolicyOf(strategy.definition);
    this.state = carried ?? {
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
    this.state.ledger ??= [];
    this.accountLedger = carried ? AccountLedger.of(this.state, account.ledger, now) : ledgerEntries ? AccountLedger.open(this.state, account.ledger, account.balance, startedAt, now) : null;
    this.state.compliance ??= { timeZones: [account.debtor.timeZone], ...account.compliance };
    if (this.personGrants && account.personId) this.state.person ??= { personId: account.personId, name: account.debtor.name, version: 0, facts: null, told: 0 };
    // A lagging read model's events travel through continue-as-new beside the state.
    this.unprojected = this.state.unprojected ?? [];
    delete this.state.unprojected;
  }

  private isoNow(): string {
    return new Date(this.now()).toISOString();
  }

  record<T extends CaseEventType>(type: T, detail: string, ...[extra]: undefined extends CaseEventData[T] ? [EventExtra<T>?] : [EventExtra<T>]): void {
    const event = { seq: ++this.state.seq, at: this.isoNow(), type, detail, ...extra } as CaseEvent;
    this.state.recent = [...this.state.recent.slice(-(recentEvents - 1)), event];
    this.unprojected.push(event);
  }

  /** The timeline cursor; cases carried over from before it existed start from their step index. */
  timelineCursor(): TimelineCursor {
    return this.state.timeline ?? { stepIndex: this.state.stepIndex, results: {}, pendingFallback: null };
  }

  setCursor(cursor: TimelineCursor): void {
    this.state.timeline = cursor;
    this.state.stepIndex = cursor.stepIndex;
  }

  /** Updates the facts the contact rules read, and records what changed. */
  comply(event: ComplianceEvent): void {
    const { facts, changes } = applyComplianceEvent({ contacts: this.state.contacts, ...this.state.compliance }, event);
    this.state.compliance = complianceOf(facts);
    this.state.contacts = facts.contacts;
    for (const change of changes) this.record('compliance', change, { data: { event: event.type } });
    // What the person told us on this account is for all their accounts: the person hears of it.
    if (changes.length > 0 && isPersonLevelEvent(event)) this.tellPerson(event);
  }

  /**
   * A person-level fact the case learnt itself (a STOP, "don't text me", an officer's fact): into
   * the case's copy of the person's facts at once, and to the person, which tells every other case.
   */
  tellPerson(event: ComplianceEvent): void {
    const person = this.state.person;
    if (!this.personGrants || !person) return;
    const change = { kind: 'compliance' as const, event };
    if (person.facts) person.facts = applyPersonChange(person.facts, change).facts;
    person.told++;
    const told = { changeId: `${this.caseId}:${person.told}`, change, from: { caseId: this.caseId, seq: person.told } };
    person.pending = [...(person.pending ?? []).slice(-(keptPendingChanges - 1)), told];
    this.sideEffects.push({ kind: 'person', change: told });
  }

  /** The person's facts as it announced them: they replace the case's person-level facts (a late, older announcement is ignored). */
  receivePerson(announced: PersonChanged): boolean {
    const person = this.state.person;
    if (!this.personGrants || !person) return false;
    // Another person id: the person was merged (or the merge undone); its versions count anew.
    if (announced.personId === person.personId && announced.version <= person.version) return false;
    if (announced.personId !== person.personId) this.record('compliance', `the debtor is now person ${announced.personId} (was ${person.personId})`, { data: { person: announced.personId } });
    // What this case told the person and the announcement does not include yet still stands (it may have crossed it).
    // A merged person forwards a case's changes with their count, so the other person's acks count too.
    const acked = announced.acks?.[this.caseId] ?? 0;
    const pending = (person.pending ?? []).filter((told) => (told.from?.seq ?? 0) > acked);
    const facts = pending.reduce((current, told) => applyPersonChange(current, told.change).facts, announced.facts);
    Object.assign(person, { personId: announced.personId, name: announced.name, version: announced.version, facts, pending });
    // The send steps read the addresses and the status shows the channels: both as the person has them.
    const contacts = this.caseFacts().contacts;
    this.state.contacts = Object.fromEntries(Object.entries(contacts).filter(([medium]) => medium !== 'phone').map(([medium, point]) => [medium, { ...point }]));
    return true;
  }

  close(reason: CloseReason, detail: string): void {
    const { state } = this;
    if (state.status === 'closed') return;
    state.status = 'closed';
    state.closeReason = reason;
    state.closedAt = this.isoNow();
    state.nextActionAt = null;
    state.nextActionWhy = null;
    this.record('closed', detail, { data: { reason } });
  }

  /** Stops the timeline's clock; {@link resumeTimeline} pushes the remaining steps back by the pause. */
  suspendTimeline(): void {
    this.state.suspendedAt ??= this.isoNow();
  }

  resumeTimeline(how: 'resume' | 'restart' = 'resume'): void {
    const { state } = this;
    if (how === 'restart') {
      state.stepIndex = 0;
      state.shiftMs = this.now() - this.startedAt;
      if (this.walksTimeline) {
        state.timeline = startCursor();
        state.restarts = (state.restarts ?? 0) + 1;
      }
    } else if (state.suspendedAt) {
      state.shiftMs = (state.shiftMs ?? 0) + (this.now() - Date.parse(state.suspendedAt));
    }
    state.suspendedAt = null;
  }

  /** What a broken promise or a returned payment does, by the strategy's `on` block. */
  takeBranch(branch: TimelineBranch, why: string): void {
    if (branch === 'escalate_agency') {
      this.sideEffects.push({ kind: 'agency', reason: why, agency: escalationAgency(this.strategy.definition) });
      this.resumeTimeline();
    } else if (branch === 'escalate_legal') {
      this.startHold('legal', why);
      this.sideEffects.push({ kind: 'task', task: { kind: 'legal_review', reason: why } });
    } else {
      this.resumeTimeline(branch);
    }
  }

  endArrangement(type: 'arrangement_kept' | 'arrangement_broken' | 'arrangement_cancelled', detail: string, why?: { by: string; reason: string }): void {
    const arrangement = this.state.arrangement;
    if (!arrangement) return;
    this.record(type, detail, { data: { kind: arrangement.kind, paidTotal: arrangement.paidTotal, ...why } });
    // Kept with payments that may still come back: a returned one reinstates it (reversePayment).
    this.state.lastKept = type === 'arrangement_kept' ? arrangement : null;
    this.state.arrangement = null;
  }

  startHold(kind: Hold['kind'], reason: string, until: string | null = null): void {
    this.state.hold = { kind, reason, since: this.isoNow(), until };
    this.suspendTimeline();
    this.record('hold_started', `on hold (${kind.replace('_', ' ')}): ${reason}`, { data: { kind, until } });
  }

  endHold(detail: string): void {
    if (!this.state.hold) return;
    this.record('hold_ended', detail, { data: { kind: this.state.hold.kind } });
    this.state.hold = null;
    this.resumeTimeline();
  }

  /** A payment arrived: applied once per reference; a closed case keeps it on record but owes nothing. */
  receivePayment(payment: PaymentReceived): void {
    const { state } = this;
    if (state.appliedPayments.includes(payment.reference)) {
      this.record('payment_duplicate', `payment ${payment.reference} was already applied`, { data: { reference: payment.reference } });
      return;
    }
    if (state.status === 'closed') {
      // A closed case lingering for returned payments keeps the money on record but owes nothing.
      state.appliedPayments.push(payment.reference);
      state.ledger?.push({ reference: payment.reference, amount: payment.amount, reversed: false, towardArrangement: false });
      // On the ledger too when nothing is owed (a paid or settled case), so that its return can be undone.
      if (this.accountLedger?.balance() === 0) this.accountLedger.payment('payment', `payment:${payment.reference}`, payment.amount, 'payment');
      this.record('payment_applied', `payment ${payment.reference} of ${payment.amount} received after closing`, {
        data: { ...payment, balanceBefore: 0, balanceAfter: 0, overpaid: payment.amount },
      });
      return;
    }
    this.applyPayment(payment);
  }

  private applyPayment(payment: PaymentReceived): void {
    const { state } = this;
    const { reference, amount } = payment;
    state.appliedPayments.push(reference);
    // The interest accrued until today is owed before the payment is split.
    this.accountLedger?.accrueInterest();
    const before = state.balance;
    state.balance = this.accountLedger ? this.accountLedger.payment('payment', `payment:${reference}`, amount, 'payment') : Math.max(0, before - amount);
    const arrangement = state.arrangement;
    const toward = Boolean(arrangement && arrangement.status === 'active');
    if (arrangement && toward) {
      arrangement.paidTotal += amount;
      arrangement.references = [...(arrangement.references ?? []), reference];
    }
    state.ledger?.push({ reference, amount, reversed: false, towardArrangement: toward });
    this.record('payment_applied', `payment ${reference} of ${amount} applied`, {
      data: { ...payment, reference, amount, balanceBefore: before, balanceAfter: state.balance, overpaid: Math.max(0, amount - before) },
    });
    if (arrangement?.kind === 'settlement' && toward && arrangement.paidTotal >= scheduleTotal(arrangement.installments)) {
      state.waived = state.balance;
      state.balance = 0;
      // The ledger forgives the rest as a credit of its own, which a returned payment undoes.
      this.accountLedger?.payment('credit', `settlement-${state.seq + 1}`, state.waived, 'case', 'settled: the rest forgiven');
      this.close(CloseReason.settled, `settled; ${formatMoney(state.waived, this.account.currency)} waived`);
    } else if (state.balance === 0) {
      this.close(CloseReason.paid, 'paid in full');
    }
  }

  /** A payment the bank returned: owed again; a case it had paid off reopens and takes the strategy's branch. */
  reversePayment({ reference, reason, amount }: PaymentReversed, reinstates: () => boolean = () => false): void {
    const { state } = this;
    const entry = state.ledger?.find((payment) => payment.reference === reference && !payment.reversed);
    if (!entry) return;
    entry.reversed = true;
    // A partial return (a chargeback of part of it) is owed again in that part only.
    const returned = Math.min(entry.amount, amount ?? entry.amount);
    const wasClosed = state.status === 'closed';
    if (wasClosed && (state.closeReason === CloseReason.paid || state.closeReason === CloseReason.settled)) {
      state.status = 'open';
      if (this.accountLedger && state.closeReason === CloseReason.settled) this.accountLedger.reverseSettlement(`payment ${reference} of the settlement was returned`);
      state.balance = this.accountLedger ? this.accountLedger.reversal(`payment:${reference}`, returned, reason) : (state.waived ?? 0) + returned;
      state.waived = 0;
      state.closeReason = null;
      this.record('reopened', `reopened: payment ${reference} was returned (${reason})`, { data: { reference, reason } });
    } else if (!wasClosed) {
      state.balance = this.accountLedger ? this.accountLedger.reversal(`payment:${reference}`, returned, reason) : state.balance + returned;
    } else {
      return;
    }
    if (entry.towardArrangement && state.arrangement) state.arrangement.paidTotal = Math.max(0, state.arrangement.paidTotal - returned);
    this.record('payment_reversed', `payment ${reference} of ${returned} returned: ${reason}`, {
      data: { reference, amount: returned, reason, balanceAfter: state.balance },
    });
    // The promise or plan this payment kept was not kept after all: it is back, short by the
    // returned amount, and the arrangement's own checks say whether it is now broken.
    const kept = state.lastKept;
    if (!state.arrangement && entry.towardArrangement && kept?.references?.includes(reference) && state.status !== 'closed' && reinstates()) {
      state.arrangement = { ...kept, paidTotal: Math.max(0, kept.paidTotal - returned) };
      state.lastKept = null;
      this.suspendTimeline();
      this.record('arrangement_made', `${kept.kind} reinstated: payment ${reference} that kept it was returned`, { data: { kind: kept.kind, installments: kept.installments, reinstated: true } });
      state.closedAt = null;
      return;
    }
    const branch: TimelineBranch = this.walksTimeline ? timelineBranch(this.strategy.definition, 'paymentReturned') : 'resume';
    const why = `payment ${reference} was returned (${reason})`;
    if (wasClosed && !state.arrangement) {
      // Paid-off cases go back to the timeline where they stopped, shifted by the time closed
      // (or restart it, or escalate, as the strategy says).
      state.suspendedAt = state.closedAt ?? null;
      this.takeBranch(branch, why);
    } else if (branch !== 'resume' && state.status === 'open' && !state.arrangement && !state.hold && !state.placement) {
      this.suspendTimeline();
      this.takeBranch(branch, why);
    }
    state.closedAt = null;
  }

  /** Autopay turned on or off; arrangements charge their installments on their due dates while it is on. */
  setAutopay({ enabled, by }: AutopayChanged): void {
    const { state } = this;
    if (enabled === Boolean(state.autopay)) return;
    state.autopay = enabled ? { since: this.isoNow(), by } : null;
    this.record('autopay_changed', enabled ? `autopay set by ${by}: installments are charged on their due dates` : `autopay turned off by ${by}`, { data: { enabled, by } });
  }

  /** The creditor corrected the balance; zero closes the case as paid. */
  adjustBalance({ balance, reason, source }: { balance: number; reason: string; source: string }): void {
    const { state } = this;
    if (state.status === 'closed' || balance === state.balance) return;
    const before = state.balance;
    state.balance = this.accountLedger ? this.accountLedger.adjustTo(balance, reason, source) : balance;
    this.record('balance_adjusted', `balance adjusted by ${source}: ${reason}`, { data: { balanceBefore: before, balanceAfter: balance, source, reason } });
    if (balance === 0) this.close(CloseReason.paid, 'balance adjusted to zero');
  }

  /**
   * Pauses an open case. `shiftsTimeline` is asked only when the case is open: cases paused before
   * the `pause-shifts-timeline` patch kept their step dates; newer pauses push them back.
   */
  pause({ reason, by }: PauseRequest, shiftsTimeline: () => boolean): void {
    if (this.state.status !== 'open') return;
    this.state.status = 'paused';
    if (shiftsTimeline()) this.suspendTimeline();
    this.record('paused', `paused by ${by}: ${reason}`, { data: { by, reason } });
  }

  resume({ reason, by }: PauseRequest): void {
    const { state } = this;
    if (state.status !== 'paused') return;
    state.status = 'open';
    if (!state.arrangement && !state.hold && !state.placement) this.resumeTimeline();
    this.record('resumed', `resumed by ${by}: ${reason}`, { data: { by, reason } });
  }

  /** Moves the case to another version of its strategy, continuing at the matching step. */
  adoptStrategy({ strategy: next, by, reason }: StrategyVersionChanged): void {
    const { strategy } = this;
    const migration = migrateCursor({ from: strategy.definition, to: next.definition, cursor: this.timelineCursor(), startedAt: this.shiftedStart() });
    this.record('strategy_changed', `moved from ${strategy.key} v${strategy.version} to v${next.version} by ${by}: ${migration.detail}`, {
      data: { fromVersion: strategy.version, toVersion: next.version, by, reason, mappedBy: migration.mappedBy, stepId: migration.stepId },
    });
    this.strategy = next;
    this.policy = withNegotiationDefaults(next.definition.negotiation);
    this.contactPolicy = contactPolicyOf(next.definition);
    if (this.walksTimeline) this.setCursor(migration.cursor);
    else this.state.stepIndex = migration.cursor.stepIndex;
  }

  /** When the timeline's offsets count from, pushed back by every suspension so far. */
  shiftedStart(): number {
    return this.startedAt + (this.state.shiftMs ?? 0);
  }

  /**
   * The line a consolidated message would list for `step` (sent under `stepKey`), or null when the
   * step goes on its own: consolidation off, a channel the strategy does not consolidate, or a
   * validation notice (always per debt).
   */
  consolidatedLine(step: TStep, stepKey: string): ConsolidatedAccount | null {
    const channels = this.strategy.definition.contact.consolidate ?? [];
    const channel = consolidatedChannels.find((each) => each === step.action);
    if (!this.consolidatedMessages || !channel || !channels.includes(channel)) return null;
    if (step.template && this.contactPolicy.validationNotice?.templates?.includes(step.template)) return null;
    return {
      caseId: this.caseId,
      stepId: step.id,
      stepKey,
      externalId: this.account.externalId,
      balance: this.state.balance,
      currency: this.account.currency,
      ...(this.contentFacts().timeBarred ? { timeBarred: true } : {}),
    };
  }

  /** The debt group the person counts this case's contacts in. */
  debtGroup(): string {
    return this.account.debtGroup ?? this.account.externalId;
  }

  daysPastDue(): number {
    return this.account.daysPastDue + Math.floor((this.now() - this.startedAt) / dayMs);
  }

  /** What the contact and content rules read about the case now. */
  caseFacts(): CaseFacts {
    const own: CaseFacts = { balance: this.state.balance, timeZone: this.account.debtor.timeZone, contacts: this.state.contacts, ...this.state.compliance };
    // The person's facts (what they told us on any account) replace the case's person-level ones.
    const person = this.personGrants ? this.state.person?.facts : null;
    return person ? withPersonFacts(own, person) : own;
  }

  /** What the send activities check the rendered message against, as the case knows it now. */
  contentFacts(): { state: string | null; timeBarred: boolean } {
    return { state: this.state.compliance?.state ?? null, timeBarred: Boolean(this.state.compliance?.flags?.timeBarred) };
  }

  /** The account as templates render it. */
  templateAccount() {
    const { account } = this;
    return {
      externalId: account.externalId,
      currency: account.currency,
      balance: this.state.balance,
      originalBalance: account.balance,
      debtor: { name: account.debtor.name },
    };
  }

  /** What an officer's outcome is validated against. */
  outcomeContext(role: OutcomeRequest['role']): OutcomeContext {
    const { state } = this;
    const arrangement = state.arrangement;
    return {
      balance: state.balance,
      policy: this.policy,
      role,
      now: this.now(),
      arrangement: !arrangement ? 'none' : arrangement.status === 'pending_approval' ? (arrangement.kind === 'settlement' ? 'settlement_pending' : 'plan_pending') : arrangement.kind,
      current: arrangement && { kind: arrangement.kind, installments: arrangement.installments, paidTotal: arrangement.paidTotal, graceDays: arrangement.graceDays, pendingChange: Boolean(arrangement.pendingChange) },
      hold: state.hold?.kind ?? 'none',
      placed: Boolean(state.placement),
      closed: state.status === 'closed',
    };
  }

  /** The `status` query's answer. */
  status(): CaseStatus {
    const { state, strategy } = this;
    const arrangement = state.arrangement ?? null;
    return {
      caseId: this.caseId,
      status: state.status,
      closeReason: state.closeReason,
      balance: state.balance,
      currency: this.account.currency,
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
      balanceParts: this.accountLedger?.parts() ?? { principal: state.balance, interest: 0, fees: 0 },
      ...(state.projection ? { projection: state.projection } : {}),
      ...(state.autopay ? { autopay: state.autopay } : {}),
      ...(state.person ? { person: { personId: state.person.personId, version: state.person.version, heldFor: state.person.heldFor ?? null } } : {}),
    };
  }
}
