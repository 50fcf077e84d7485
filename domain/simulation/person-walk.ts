import { isMessageAction } from '../step-actions.js';
import { daysPastDueAt } from '../step-conditions.js';
import type { TStrategyDefinition } from '../strategy.js';
import { TimelineWalk } from '../timeline-walk.js';
import type { ResponseKind, SimulatedCase, SimulationTraceEntry } from './contract.js';
import { accountOf, addContact, addCount, addRecovered, caseRules, dayMs, holdRule, isContact, partPayment, personOf, recordResponse, type Sink } from './case-rules.js';
import type { ContactAnswer, Responder } from './responders.js';
import { balanceBand, channelOfAction, daysPastDueBand, daysSinceContactBand } from './strata.js';

/**
 * The simulator's direct walk: one person's cases walked together through {@link TimelineWalk},
 * event by event (a case sleeps to its next step or its next response, as a workflow sleeps on a
 * timer), in time order across the person's cases, which share their contact points and
 * compliance facts so caps and opt-outs count across their accounts. Single-account cases take
 * the same walk from a tree of remembered walks (single-case.ts); this one is its reference, and
 * the one that records traces.
 */

/** A case that keeps moving without its clock advancing is cut off: a safety net. */
const maxMovesPerCase = 10_000;

type PendingEvent =
  | { at: number; kind: 'response'; response: Exclude<ResponseKind, 'bounce'>; channel: string }
  | { at: number; kind: 'background' }
  | { at: number; kind: 'promise_due'; kept: boolean };

interface CaseRun {
  simulated: SimulatedCase;
  walk: TimelineWalk;
  events: PendingEvent[];
  /** When the walk moves next (Infinity while its timeline is suspended). */
  wake: number;
  ended: string | null;
  contacts: number;
  lastContactAt: number | null;
  /** The answer drawn for the step being run, scheduled once the step is recorded as sent. */
  drawn: ContactAnswer;
  moves: number;
}

/** Walks one person's cases for one arm and run, adding to `sink.totals`; `responders` in the order of `cases`. */
export function simulatePerson({
  cases,
  definition,
  responders,
  sink,
}: {
  cases: readonly SimulatedCase[];
  definition: TStrategyDefinition;
  responders: readonly Responder[];
  sink: Sink;
}): void {
  const { totals, startedAt, horizonDays, traces, partShare } = sink;
  const horizon = startedAt + horizonDays * dayMs;
  const person = personOf(cases);
  const rules = caseRules(definition);

  const runs: CaseRun[] = cases.map((simulated, index) => {
    const trace = traces ? ([] as SimulationTraceEntry[]) : null;
    if (trace) traces?.set(simulated.caseId, trace);
    const responder = responders[index] as Responder;
    const run: CaseRun = { simulated, walk: undefined as unknown as TimelineWalk, events: [], wake: startedAt, ended: null, contacts: 0, lastContactAt: null, drawn: null, moves: 0 };
    run.walk = new TimelineWalk({
      definition,
      account: accountOf(simulated),
      startedAt,
      person,
      resultOf: (step, now) => {
        run.drawn = null;
        if (!isContact(step)) return 'sent';
        const days = run.lastContactAt === null ? null : Math.floor((now - run.lastContactAt) / dayMs);
        run.drawn = responder.answer({
          caseId: simulated.caseId,
          stepId: step.id,
          at: now,
          index: run.contacts + 1,
          action: step.action,
          channel: channelOfAction(step.action),
          balanceBand: balanceBand(run.walk.balance),
          daysPastDueBand: daysPastDueBand(daysPastDueAt({ atStart: simulated.daysPastDue, startedAt, now })),
          daysSinceContactBand: daysSinceContactBand(days),
        });
        return run.drawn?.kind === 'bounce' && isMessageAction(step.action) ? 'bounced' : 'sent';
      },
      onEntry: (entry, now, move) => {
        trace?.push(entry);
        if (entry.outcome === 'held') addCount(totals.holds, holdRule(run.walk, move, now));
        else if (entry.outcome === 'run' && isContact(entry)) {
          run.contacts++;
          run.lastContactAt = now;
          addContact(sink, entry.action);
        }
      },
    });
    totals.cases++;
    totals.balance += simulated.balance;
    const payDay = responder.backgroundPayDay();
    // Midday of that day: a payment without a contact has no better instant.
    if (payDay !== null && payDay <= horizonDays) schedule(run, { at: startedAt + payDay * dayMs + dayMs / 2, kind: 'background' });
    return run;
  });

  for (;;) {
    let next: CaseRun | null = null;
    let nextAt = Infinity;
    for (const run of runs) {
      if (run.ended) continue;
      const at = Math.min(run.wake, run.events[0]?.at ?? Infinity);
      if (at < nextAt) {
        next = run;
        nextAt = at;
      }
    }
    if (!next || nextAt > horizon) break;
    step(next, nextAt);
  }
  for (const run of runs) if (!run.ended) end(run, 'horizon');

  /** What a case does at `now`: the events due by then, as signals, and then one move of its walk. */
  function step(run: CaseRun, now: number): void {
    while (run.events[0] && run.events[0].at <= now) {
      apply(run, run.events.shift() as PendingEvent);
      if (run.ended) return;
    }
    if (run.walk.suspendedAt !== null) {
      run.wake = Infinity;
      return;
    }
    if (++run.moves > maxMovesPerCase) return end(run, 'horizon');
    const moved = run.walk.move(now);
    if (moved.kind === 'end') return end(run, moved.reason);
    if (moved.kind === 'wait') {
      run.wake = Math.max(now, moved.until);
      return;
    }
    run.wake = now;
    const answer = run.drawn;
    run.drawn = null;
    if (moved.ran?.result === 'sent' && answer && answer.kind !== 'bounce') {
      schedule(run, { at: now + answer.afterDays * dayMs, kind: 'response', response: answer.kind, channel: moved.ran.step.action });
    } else if (moved.ran?.result === 'bounced') {
      recordResponse(sink, run.simulated.caseId, now, 'bounce');
    }
  }

  function apply(run: CaseRun, event: PendingEvent): void {
    const { walk } = run;
    const now = event.at;
    const caseId = run.simulated.caseId;
    if (event.kind === 'background') {
      recordResponse(sink, caseId, now, 'background', walk.balance);
      return pay(run, now, walk.balance);
    }
    if (event.kind === 'promise_due') {
      if (event.kept) return pay(run, now, walk.balance);
      if (rules.brokenBranch === 'escalate_agency') return end(run, 'placed');
      if (rules.brokenBranch === 'escalate_legal') return end(run, 'legal_hold');
      walk.resume(now, rules.brokenBranch);
      run.wake = now;
      return;
    }
    const { response } = event;
    switch (response) {
      case 'pay_full':
        recordResponse(sink, caseId, now, response, walk.balance);
        return pay(run, now, walk.balance);
      case 'pay_part': {
        const amount = partPayment(walk.balance, partShare);
        recordResponse(sink, caseId, now, response, amount);
        return pay(run, now, amount);
      }
      case 'promise_kept':
      case 'promise_broken': {
        recordResponse(sink, caseId, now, response);
        // A second promise while one is running changes nothing: the first still stands.
        if (walk.suspendedAt !== null) return;
        walk.lastContactOutcome = 'promise_to_pay';
        walk.suspend(now);
        run.wake = Infinity;
        const kept = response === 'promise_kept';
        schedule(run, { at: now + rules.promiseDueMs + (kept ? 0 : rules.graceMs), kind: 'promise_due', kept });
        return;
      }
      case 'reply':
        recordResponse(sink, caseId, now, response);
        return wake(run, now);
      case 'dispute':
        recordResponse(sink, caseId, now, response);
        if (rules.onDispute === 'hold') return end(run, 'disputed');
        if (rules.onDispute === 'escalate_legal') return end(run, 'legal_hold');
        return wake(run, now);
      case 'opt_out':
        recordResponse(sink, caseId, now, response);
        if (isMessageAction(event.channel)) walk.apply({ at: now, type: 'reply', channel: event.channel, intent: 'stop' });
        return wake(run, now);
    }
  }

  /** Every signal wakes the case, which plans again (unless an arrangement has suspended its timeline). */
  function wake(run: CaseRun, now: number): void {
    if (run.walk.suspendedAt === null) run.wake = Math.min(run.wake, now);
  }

  function pay(run: CaseRun, now: number, amount: number): void {
    if (amount <= 0) return;
    const paidOff = run.walk.apply({ at: now, type: 'payment', amount });
    addRecovered(sink, now, amount);
    if (paidOff) end(run, 'paid');
    else wake(run, now);
  }

  function end(run: CaseRun, ending: string): void {
    run.ended = ending;
    addCount(totals.endings, ending);
    sink.endings?.set(run.simulated.caseId, ending);
  }

  function schedule(run: CaseRun, event: PendingEvent): void {
    if (event.at > horizon) return;
    let index = run.events.length;
    while (index > 0 && (run.events[index - 1] as PendingEvent).at > event.at) index--;
    run.events.splice(index, 0, event);
  }
}
