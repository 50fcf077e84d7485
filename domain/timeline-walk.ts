import type { CaseFacts, ComplianceFacts, ContactChannel, ContactPoint } from './case-facts.js';
import { applyComplianceEvent, complianceOf } from './regulation/events.js';
import { isMessageAction, terminalActions, type StepAction } from './step-actions.js';
import { daysPastDueAt, type ContactOutcome, type StepResult } from './step-conditions.js';
import type { TStep, TStrategyDefinition } from './strategy.js';
import { afterMove, contactPolicyOf, nextMove, planContext, startCursor, type PlanContext, type TimelineCursor, type TimelineMove } from './timeline.js';

/**
 * One case walking its strategy's timeline over a simulated clock, one move at a time, as the case
 * workflow does on its wake-ups (domain/timeline.ts → planStep): a wait says until when, a skip is
 * recorded, a run is recorded with the result its caller decides. The preview (domain/preview.ts)
 * walks one sample account with it; the simulator (domain/simulation/) walks every case of a
 * portfolio with it, so both take the workflow's path and no copy of it.
 */

export interface PreviewAccount {
  /** Minor units. */
  balance: number;
  /** Days past due at the start. */
  daysPastDue: number;
  timeZone: string;
  contacts: Partial<Record<ContactChannel, ContactPoint>>;
  /** What the contact rules know at the start (state, flags, other zones), as a case's input carries it. */
  compliance?: ComplianceFacts;
}

/** Something that happens to the case during the walk, at an instant (epoch ms). */
export type PreviewEvent =
  | { at: number; type: 'payment'; amount: number }
  | { at: number; type: 'reply'; channel: ContactChannel; intent: 'stop' | 'start' }
  | { at: number; type: 'contact'; channel: ContactChannel; address?: string; valid?: boolean; optedOut?: boolean; consent?: boolean }
  | { at: number; type: 'outcome'; outcome: ContactOutcome };

export interface PreviewEntry {
  /** ISO instant. */
  at: string;
  stepId: string;
  action: StepAction;
  outcome: 'run' | 'skipped' | 'held';
  reason: string;
  /** How a run ended: `sent`, or the failure the preview was asked to simulate. */
  result?: StepResult;
  /** Until when a held step waits. */
  until?: string;
}

/**
 * What the contact rules know of the person: their contact points and compliance facts. Walks of
 * one person's cases share one object, so opt-outs and frequency caps count across their accounts.
 */
export interface WalkPerson {
  contacts: Partial<Record<ContactChannel, ContactPoint>>;
  compliance: ComplianceFacts;
}

export type WalkStep =
  /** Nothing to do before `until` (a signal, i.e. an event, may wake the case sooner). */
  | { kind: 'wait'; until: number; move: Extract<TimelineMove, { kind: 'wait' }> }
  /** A step was skipped or ran; `ran` says which and how it ended. */
  | { kind: 'moved'; ran: { step: TStep; result: StepResult } | null }
  | { kind: 'end'; reason: 'timeline_complete' | 'placed' };

/** The person of a single account at the start, as the workflow starts its compliance facts: the debtor's zone, then what the account brings. */
export function walkPersonOf(account: PreviewAccount): WalkPerson {
  return {
    contacts: Object.fromEntries(Object.entries(account.contacts).map(([channel, contact]) => [channel, { ...contact }])),
    compliance: { timeZones: [account.timeZone], ...account.compliance },
  };
}

/** A walk's own state at a moment (the cursor is never changed in place, so it is shared). */
export interface WalkState {
  readonly balance: number;
  readonly lastContactOutcome: ContactOutcome | null;
  readonly cursor: TimelineCursor;
  readonly shiftMs: number;
  readonly suspendedAt: number | null;
  readonly lastHold: string | null;
}

export class TimelineWalk {
  readonly definition: TStrategyDefinition;
  readonly account: PreviewAccount;
  readonly person: WalkPerson;
  /** Epoch ms the case started; the timeline's offsets count from it plus {@link shiftMs}. */
  readonly startedAt: number;
  balance: number;
  lastContactOutcome: ContactOutcome | null = null;
  cursor: TimelineCursor = startCursor();
  /** The time the timeline was suspended (an arrangement, a hold), pushing the remaining steps back. */
  shiftMs = 0;
  suspendedAt: number | null = null;
  private lastHold: string | null = null;
  private readonly validationNoticeTemplates: readonly string[];
  private readonly resultOf: (step: TStep, now: number) => StepResult;
  private readonly onEntry: (entry: PreviewEntry, now: number, move: TimelineMove) => void;

  constructor({
    definition,
    account,
    startedAt,
    person = walkPersonOf(account),
    resultOf = () => 'sent',
    onEntry = () => undefined,
  }: {
    definition: TStrategyDefinition;
    account: PreviewAccount;
    startedAt: number;
    person?: WalkPerson;
    /** How a run ends: `sent`, or a failure for good (`bounced`, `failed`), which owes the step's fallback. */
    resultOf?: (step: TStep, now: number) => StepResult;
    onEntry?: (entry: PreviewEntry, now: number, move: TimelineMove) => void;
  }) {
    this.definition = definition;
    this.account = account;
    this.startedAt = startedAt;
    this.person = person;
    this.balance = account.balance;
    this.resultOf = resultOf;
    this.onEntry = onEntry;
    this.validationNoticeTemplates = contactPolicyOf(definition).validationNotice?.templates ?? [];
  }

  facts(): CaseFacts {
    return { balance: this.balance, timeZone: this.account.timeZone, contacts: this.person.contacts, ...this.person.compliance };
  }

  /** The contact rules' context at `now`, as planStep gets it. */
  context(now: number): PlanContext {
    return planContext({ definition: this.definition, facts: this.facts(), startedAt: this.startedAt + this.shiftMs, now });
  }

  /** One move at `now`: wait, skip, run (recorded through `onEntry`), or the end of the timeline. */
  move(now: number): WalkStep {
    const { definition } = this;
    const move = nextMove({
      definition,
      cursor: this.cursor,
      context: this.context(now),
      progress: { daysPastDue: daysPastDueAt({ atStart: this.account.daysPastDue, startedAt: this.startedAt, now }), lastContactOutcome: this.lastContactOutcome, arrangement: 'none' },
    });
    if (move.kind === 'complete') return { kind: 'end', reason: 'timeline_complete' };
    if (move.kind === 'wait') {
      // A hold until an event is re-checked daily: report it once, not every day.
      const hold = `${move.step.id}@${move.untilEvent ? move.reason : move.until}`;
      if (move.held && hold !== this.lastHold) {
        this.onEntry({ at: iso(now), stepId: move.step.id, action: move.step.action, outcome: 'held', reason: move.reason, until: iso(move.until) }, now, move);
      }
      this.lastHold = move.held ? hold : null;
      return { kind: 'wait', until: move.until, move };
    }
    if (move.kind === 'skip') {
      this.onEntry({ at: iso(now), stepId: move.step.id, action: move.step.action, outcome: 'skipped', reason: move.reason }, now, move);
      this.cursor = afterMove({ definition, cursor: this.cursor, move });
      return { kind: 'moved', ran: null };
    }

    for (const replaced of move.replaces) {
      this.onEntry({ at: iso(now), stepId: replaced.stepId, action: replaced.action, outcome: 'skipped', reason: `${replaced.reason}; falling back` }, now, move);
    }
    const result = this.resultOf(move.step, now);
    const why =
      (move.replaces[0]
        ? `in place of "${move.replaces[0].stepId}"`
        : move.source === 'fallback'
          ? `fallback after "${move.fallbackOf}" failed`
          : `due ${move.step.at} after the start`) + (this.lastHold?.startsWith(`${move.step.id}@`) ? '; held until now by the contact rules' : '');
    this.lastHold = null;
    this.onEntry({ at: iso(now), stepId: move.step.id, action: move.step.action, outcome: 'run', reason: why, result }, now, move);
    // As in the workflow: a provider that refuses the address marks the contact invalid; a
    // message sent counts for the frequency caps and the validation notice.
    if (isMessageAction(move.step.action)) {
      const channel = move.step.action;
      const contact = this.person.contacts[channel];
      if (result === 'bounced' && contact) contact.valid = false;
      if (result === 'sent') {
        const validationNotice = this.validationNoticeTemplates.includes(move.step.template ?? '');
        this.person.compliance = complianceOf(applyComplianceEvent({ contacts: this.person.contacts, ...this.person.compliance }, { type: 'message_sent', channel, at: now, validationNotice }).facts);
      }
    }
    this.cursor = afterMove({ definition, cursor: this.cursor, move, result });
    if (result === 'sent' && terminalActions.includes(move.step.action)) return { kind: 'end', reason: 'placed' };
    return { kind: 'moved', ran: { step: move.step, result } };
  }

  /** Applies an event as the workflow's signal handlers do; answers whether the balance is paid. */
  apply(event: PreviewEvent): boolean {
    if (event.type === 'payment') this.balance = Math.max(0, this.balance - event.amount);
    else if (event.type === 'outcome') this.lastContactOutcome = event.outcome;
    else if (event.type === 'reply') {
      const contact = this.person.contacts[event.channel];
      if (contact) contact.optedOut = event.intent === 'stop';
    } else {
      const { channel, type: _type, at: _at, ...fields } = event;
      const current = this.person.contacts[channel];
      if (current || fields.address) {
        this.person.contacts[channel] = {
          address: fields.address ?? current?.address ?? '',
          valid: fields.valid ?? (fields.address ? true : (current?.valid ?? true)),
          consent: fields.consent ?? current?.consent ?? false,
          optedOut: fields.optedOut ?? current?.optedOut ?? false,
        };
      }
    }
    return this.balance === 0;
  }

  /** What the walk has come to (all but its person, which its caller keeps): {@link restore} takes a walk back to it. */
  save(): WalkState {
    return { balance: this.balance, lastContactOutcome: this.lastContactOutcome, cursor: this.cursor, shiftMs: this.shiftMs, suspendedAt: this.suspendedAt, lastHold: this.lastHold };
  }

  restore(state: WalkState): void {
    ({ balance: this.balance, lastContactOutcome: this.lastContactOutcome, cursor: this.cursor, shiftMs: this.shiftMs, suspendedAt: this.suspendedAt, lastHold: this.lastHold } = state);
  }

  /** Stops the timeline's clock (an arrangement, a hold); {@link resume} pushes the remaining steps back by the pause. */
  suspend(now: number): void {
    this.suspendedAt ??= now;
  }

  /** As the workflow's resumeTimeline: `resume` keeps the spacing of the remaining steps, `restart` starts the timeline again from now. */
  resume(now: number, how: 'resume' | 'restart' = 'resume'): void {
    if (how === 'restart') {
      this.cursor = startCursor();
      this.shiftMs = now - this.startedAt;
    } else if (this.suspendedAt !== null) {
      this.shiftMs += now - this.suspendedAt;
    }
    this.suspendedAt = null;
    this.lastHold = null;
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
