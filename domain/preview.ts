import type { CaseFacts, ComplianceFacts, ContactChannel, ContactPoint } from './case-facts.js';
import { applyComplianceEvent, complianceOf } from './regulation/events.js';
import { isMessageAction, terminalActions, type StepAction } from './step-actions.js';
import { daysPastDueAt, type ContactOutcome, type StepResult } from './step-conditions.js';
import type { TStrategyDefinition } from './strategy.js';
import { afterMove, contactPolicyOf, nextMove, planContext, startCursor } from './timeline.js';

/**
 * A dry run of a strategy for one sample account: the dated list of what the case would do and
 * why, including the steps its conditions skip and the ones the contact rules hold. It drives the
 * same timeline code as the case workflow (domain/timeline.ts → planStep) over a simulated clock:
 * a wait moves the clock to its end (or to the next event, which wakes a case as a signal would),
 * a skip is recorded, a run is recorded as sent (or as the failure asked for).
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

/** Something that happens to the case during the preview, at an instant (epoch ms). */
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

export type PreviewEnd = 'placed' | 'timeline_complete' | 'paid' | 'horizon';

export interface PreviewResult {
  entries: PreviewEntry[];
  end: { at: string; reason: PreviewEnd };
}

const dayMs = 86_400_000;
/** A timeline that has not ended by then is cut off: a safety net, not a limit anyone should meet. */
const defaultHorizonDays = 3 * 365;
const maxMoves = 10_000;

export function previewStrategy({
  definition,
  account,
  startedAt,
  events = [],
  failures = {},
  horizonDays = defaultHorizonDays,
}: {
  definition: TStrategyDefinition;
  account: PreviewAccount;
  /** Epoch ms. */
  startedAt: number;
  events?: PreviewEvent[];
  /** Sends that fail for good, by step id, to see the fallbacks. */
  failures?: Record<string, 'bounced' | 'failed'>;
  horizonDays?: number;
}): PreviewResult {
  const horizon = startedAt + horizonDays * dayMs;
  const queue = [...events].sort((a, b) => a.at - b.at);
  const contacts: Partial<Record<ContactChannel, ContactPoint>> = Object.fromEntries(
    Object.entries(account.contacts).map(([channel, contact]) => [channel, { ...contact }]),
  );
  // As the workflow starts its compliance facts: the debtor's zone, then whatever the account brings.
  let compliance: ComplianceFacts = { timeZones: [account.timeZone], ...account.compliance };
  const validationNoticeTemplates = contactPolicyOf(definition).validationNotice?.templates ?? [];
  let balance = account.balance;
  let lastContactOutcome: ContactOutcome | null = null;
  let cursor = startCursor();
  let now = startedAt;
  let lastHold: string | null = null;
  const entries: PreviewEntry[] = [];
  const iso = (ms: number) => new Date(ms).toISOString();
  const finish = (reason: PreviewEnd, at: number): PreviewResult => ({ entries, end: { at: iso(at), reason } });

  function apply(event: PreviewEvent): void {
    if (event.type === 'payment') balance = Math.max(0, balance - event.amount);
    else if (event.type === 'outcome') lastContactOutcome = event.outcome;
    else if (event.type === 'reply') {
      const contact = contacts[event.channel];
      if (contact) contact.optedOut = event.intent === 'stop';
    } else {
      const { channel, type: _type, at: _at, ...fields } = event;
      const current = contacts[channel];
      if (!current && !fields.address) return;
      contacts[channel] = {
        address: fields.address ?? current?.address ?? '',
        valid: fields.valid ?? (fields.address ? true : (current?.valid ?? true)),
        consent: fields.consent ?? current?.consent ?? false,
        optedOut: fields.optedOut ?? current?.optedOut ?? false,
      };
    }
  }

  for (let moves = 0; moves < maxMoves; moves++) {
    while (queue[0] && queue[0].at <= now) {
      apply(queue.shift() as PreviewEvent);
      if (balance === 0) return finish('paid', now);
    }
    const facts: CaseFacts = { balance, timeZone: account.timeZone, contacts, ...compliance };
    const move = nextMove({
      definition,
      cursor,
      context: planContext({ definition, facts, startedAt, now }),
      progress: { daysPastDue: daysPastDueAt({ atStart: account.daysPastDue, startedAt, now }), lastContactOutcome, arrangement: 'none' },
    });

    if (move.kind === 'complete') return finish('timeline_complete', now);
    if (move.kind === 'wait') {
      // A hold until an event is re-checked daily: report it once, not every day.
      const hold = `${move.step.id}@${move.untilEvent ? move.reason : move.until}`;
      if (move.held && hold !== lastHold) {
        entries.push({ at: iso(now), stepId: move.step.id, action: move.step.action, outcome: 'held', reason: move.reason, until: iso(move.until) });
      }
      lastHold = move.held ? hold : null;
      const next = queue[0];
      // A signal wakes a waiting case, which plans again; the preview's events do the same.
      const wake = next && next.at < move.until ? next.at : move.until;
      if (wake > horizon) return finish('horizon', horizon);
      now = Math.max(now, wake);
      continue;
    }
    if (move.kind === 'skip') {
      entries.push({ at: iso(now), stepId: move.step.id, action: move.step.action, outcome: 'skipped', reason: move.reason });
      cursor = afterMove({ definition, cursor, move });
      continue;
    }

    for (const replaced of move.replaces) {
      entries.push({ at: iso(now), stepId: replaced.stepId, action: replaced.action, outcome: 'skipped', reason: `${replaced.reason}; falling back` });
    }
    const result: StepResult = failures[move.step.id] ?? 'sent';
    const why =
      (move.replaces[0]
        ? `in place of "${move.replaces[0].stepId}"`
        : move.source === 'fallback'
          ? `fallback after "${move.fallbackOf}" failed`
          : `due ${move.step.at} after the start`) + (lastHold?.startsWith(`${move.step.id}@`) ? '; held until now by the contact rules' : '');
    lastHold = null;
    entries.push({ at: iso(now), stepId: move.step.id, action: move.step.action, outcome: 'run', reason: why, result });
    // As in the workflow: a provider that refuses the address marks the contact invalid; a
    // message sent counts for the frequency caps and the validation notice.
    if (isMessageAction(move.step.action)) {
      const channel = move.step.action;
      const contact = contacts[channel];
      if (result === 'bounced' && contact) contact.valid = false;
      if (result === 'sent') {
        const validationNotice = validationNoticeTemplates.includes(move.step.template ?? '');
        compliance = complianceOf(applyComplianceEvent({ contacts, ...compliance }, { type: 'message_sent', channel, at: now, validationNotice }).facts);
      }
    }
    cursor = afterMove({ definition, cursor, move, result });
    if (result === 'sent' && terminalActions.includes(move.step.action)) return finish('placed', now);
  }
  return finish('horizon', now);
}
