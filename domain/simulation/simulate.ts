import type { ContactChannel } from '../case-facts.js';
import { negotiationDefaults } from '../negotiation-defaults.js';
import { explainContact, stepContact } from '../regulation/index.js';
import { isMessageAction } from '../step-actions.js';
import { daysPastDueAt } from '../step-conditions.js';
import { disputeBranch, timelineBranch } from '../strategy-branches.js';
import type { TStep, TStrategyDefinition } from '../strategy.js';
import { TimelineWalk, walkPersonOf, type PreviewAccount, type WalkPerson } from '../timeline-walk.js';
import type { TimelineMove } from '../timeline.js';
import type { ArmRunTotals, ResponseKind, SimulatedCase, SimulationChunkInput, SimulationTotals, SimulationTraceEntry, TChannelCosts, TResponseModel } from './contract.js';
import { randomStream, streamSeed } from './random.js';
import { balanceBand, channelOfAction, daysPastDueBand, daysSinceContactBand, pickResponse, ratesLookup, type StratumFields } from './strata.js';
import { addCount, emptyTotals } from './totals.js';

/**
 * The portfolio simulator: every case of a chunk walks its strategy's timeline through
 * {@link TimelineWalk} (the preview's walk, which takes the workflow's path through
 * domain/timeline.ts, planStep and the contact rules), event by event rather than day by day:
 * a case sleeps until its next step or its next response, as a workflow sleeps on a timer.
 *
 * After each contact (a message or a call) the debtor's answer is drawn from the response model:
 * a bounce fails the send itself (the contact is marked invalid and the step's fallback is owed);
 * anything else arrives a whole number of days later (1 … the model's window), as the signal a
 * real answer would be: a payment in full or in part, a promise kept or broken (the timeline is
 * suspended until the promise falls due, and a broken one takes the strategy's `brokenPromise`
 * branch after the grace days), a reply for an officer, a dispute (the strategy's dispute branch:
 * a hold or legal hold ends the case's simulated collection), an opt-out of the channel. Each
 * case may also pay in full on any day without a contact (`backgroundDailyPayFull`).
 *
 * Cases of one person (`personKey`) share their contact points and compliance facts, so caps
 * and opt-outs count across their accounts; they are walked together in time order. A chunk must
 * therefore hold all the cases of a person.
 */

const dayMs = 86_400_000;
/** Days from a promise to the payment it promises: a week, within the strategy's limit. */
const promiseDays = 7;
/** A case that keeps moving without its clock advancing is cut off: a safety net. */
const maxMovesPerCase = 10_000;

/** A contact the debtor may answer: what the response model's strata are read from. */
export interface SimulatedContact extends StratumFields {
  caseId: string;
  stepId: string;
  /** Epoch ms. */
  at: number;
  /** The contact's number in its case, from 1. */
  index: number;
}

/** What follows a contact: nothing, a bounce of the send itself, or a response `afterDays` whole days later. */
export type ContactAnswer = { kind: 'bounce' } | { kind: Exclude<ResponseKind, 'bounce'>; afterDays: number } | null;

/** Decides the debtor's side of one case in one run: the model's draws, or a script in a test. */
export interface Responder {
  /** The day (from the start, 0-based) the debtor pays in full without any contact, or null. */
  backgroundPayDay(): number | null;
  answer(contact: SimulatedContact): ContactAnswer;
}

/** The model's responder for one case in one run: one seeded stream, drawn in the case's own order. */
export function modelResponder(model: TResponseModel, random: () => number, lookup = ratesLookup(model)): Responder {
  return {
    backgroundPayDay() {
      const draw = random();
      const p = model.backgroundDailyPayFull;
      if (p <= 0) return null;
      if (p >= 1) return 0;
      // The first success of a daily Bernoulli(p): geometric, drawn at once instead of day by day.
      return Math.floor(Math.log(1 - draw) / Math.log(1 - p));
    },
    answer(contact) {
      const kind = pickResponse(lookup(contact), random());
      const day = random();
      if (kind === null) return null;
      if (kind === 'bounce') return isMessageAction(contact.action) ? { kind } : null;
      return { kind, afterDays: 1 + Math.floor(day * model.responseWindowDays) };
    },
  };
}

type PendingEvent =
  | { at: number; kind: 'response'; response: Exclude<ResponseKind, 'bounce'>; channel: string }
  | { at: number; kind: 'background' }
  | { at: number; kind: 'promise_due'; kept: boolean };

interface CaseRun {
  simulated: SimulatedCase;
  walk: TimelineWalk;
  responder: Responder;
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

/** What the simulation of a person's cases adds to, and how it reports them. */
interface Sink {
  totals: ArmRunTotals;
  startedAt: number;
  horizonDays: number;
  costs: TChannelCosts;
  /** Share of the balance a part payment pays (the model's). */
  partShare: number;
  /** Collects each case's trace when given (the fidelity test); the hot path records none. */
  traces?: Map<string, SimulationTraceEntry[]>;
}

/** The account a case's walk starts from. */
function accountOf(simulated: SimulatedCase): PreviewAccount {
  return {
    balance: simulated.balance,
    daysPastDue: simulated.daysPastDue,
    timeZone: simulated.timeZone,
    contacts: simulated.contacts,
    ...(simulated.compliance ? { compliance: simulated.compliance } : {}),
  };
}

/** The person the cases share: the first case's facts, with the contact points only another case knows. */
function personOf(cases: readonly SimulatedCase[]): WalkPerson {
  const [first, ...others] = cases as [SimulatedCase, ...SimulatedCase[]];
  const person = walkPersonOf(accountOf(first));
  for (const other of others) {
    for (const [channel, contact] of Object.entries(other.contacts)) {
      person.contacts[channel as ContactChannel] ??= { ...contact };
    }
  }
  return person;
}

/** The rule that held a step (the binding one, as the case's status would name it). */
function holdRule(walk: TimelineWalk, move: TimelineMove, now: number): string {
  if (move.kind !== 'wait') return 'other';
  const context = walk.context(now);
  const contact = stepContact(move.step, context.policy);
  if (!contact) return 'other';
  const { binding, causes } = explainContact({ ...contact, now, facts: context.facts, policy: { allowedHours: context.window, ...context.policy } });
  return binding?.rule ?? causes[0]?.rule ?? 'other';
}

const isContact = (step: TStep) => isMessageAction(step.action) || step.action === 'call';

/**
 * Walks one person's cases for one arm and run, adding to `sink.totals`. Responders are made per
 * case (their draws depend on the case alone).
 */
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
  const { totals, startedAt, horizonDays, costs, traces, partShare } = sink;
  const horizon = startedAt + horizonDays * dayMs;
  const person = personOf(cases);
  const negotiation = { ...negotiationDefaults, ...(definition.negotiation as Partial<typeof negotiationDefaults> | undefined) };
  const promiseDueDays = Math.min(promiseDays, negotiation.maxPromiseDays);
  const brokenBranch = timelineBranch(definition, 'brokenPromise');
  const onDispute = disputeBranch(definition);

  const runs: CaseRun[] = cases.map((simulated, index) => {
    const trace = traces ? [] as SimulationTraceEntry[] : null;
    if (trace) traces?.set(simulated.caseId, trace);
    const responder = responders[index] as Responder;
    const run: CaseRun = { simulated, walk: undefined as unknown as TimelineWalk, responder, events: [], wake: startedAt, ended: null, contacts: 0, lastContactAt: null, drawn: null, moves: 0 };
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
        return run.drawn?.kind === 'bounce' ? ('bounced') : 'sent';
      },
      onEntry: (entry, now, move) => {
        trace?.push(entry);
        if (entry.outcome === 'held') addCount(totals.holds, holdRule(run.walk, move, now));
        else if (entry.outcome === 'run' && isContact({ action: entry.action } as TStep)) {
          run.contacts++;
          run.lastContactAt = now;
          addCount(totals.contacts, entry.action);
          totals.cost += costs[channelCostKey(entry.action)] ?? 0;
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
      record(run, now, 'bounce');
    }
  }

  function apply(run: CaseRun, event: PendingEvent): void {
    const { walk } = run;
    const now = event.at;
    if (event.kind === 'background') {
      record(run, now, 'background', walk.balance);
      return pay(run, now, walk.balance);
    }
    if (event.kind === 'promise_due') {
      if (event.kept) return pay(run, now, walk.balance);
      if (brokenBranch === 'escalate_agency') return end(run, 'placed');
      if (brokenBranch === 'escalate_legal') return end(run, 'legal_hold');
      walk.resume(now, brokenBranch);
      run.wake = now;
      return;
    }
    const { response } = event;
    switch (response) {
      case 'pay_full':
        record(run, now, response, walk.balance);
        return pay(run, now, walk.balance);
      case 'pay_part': {
        const amount = Math.min(walk.balance, Math.max(1, Math.round(walk.balance * partShare)));
        record(run, now, response, amount);
        return pay(run, now, amount);
      }
      case 'promise_kept':
      case 'promise_broken': {
        record(run, now, response);
        // A second promise while one is running changes nothing: the first still stands.
        if (walk.suspendedAt !== null) return;
        walk.lastContactOutcome = 'promise_to_pay';
        walk.suspend(now);
        run.wake = Infinity;
        const kept = response === 'promise_kept';
        schedule(run, { at: now + (promiseDueDays + (kept ? 0 : negotiation.graceDays)) * dayMs, kind: 'promise_due', kept });
        return;
      }
      case 'reply':
        record(run, now, response);
        return;
      case 'dispute':
        record(run, now, response);
        if (onDispute === 'hold') return end(run, 'disputed');
        if (onDispute === 'escalate_legal') return end(run, 'legal_hold');
        return;
      case 'opt_out':
        record(run, now, response);
        if (isMessageAction(event.channel)) walk.apply({ at: now, type: 'reply', channel: event.channel, intent: 'stop' });
        // A signal wakes the case, which plans again.
        if (walk.suspendedAt === null) run.wake = Math.min(run.wake, now);
        return;
    }
  }

  function pay(run: CaseRun, now: number, amount: number): void {
    if (amount <= 0) return;
    const paidOff = run.walk.apply({ at: now, type: 'payment', amount });
    totals.recovered += amount;
    const day = Math.min(horizonDays, Math.max(0, Math.floor((now - startedAt) / dayMs)));
    totals.recoveredByDay[day] = (totals.recoveredByDay[day] ?? 0) + amount;
    if (paidOff) end(run, 'paid');
    else if (run.walk.suspendedAt === null) run.wake = Math.min(run.wake, now);
  }

  function record(run: CaseRun, now: number, response: ResponseKind | 'background', amount?: number): void {
    addCount(totals.responses, response);
    if (traces && response !== 'background') {
      traces.get(run.simulated.caseId)?.push({ at: new Date(now).toISOString(), response, ...(amount !== undefined ? { amount } : {}) });
    }
  }

  function end(run: CaseRun, ending: string): void {
    run.ended = ending;
    addCount(totals.endings, ending);
  }

  function schedule(run: CaseRun, event: PendingEvent): void {
    if (event.at > horizon) return;
    let index = run.events.length;
    while (index > 0 && (run.events[index - 1] as PendingEvent).at > event.at) index--;
    run.events.splice(index, 0, event);
  }
}

function channelCostKey(action: string): keyof TChannelCosts {
  return action as keyof TChannelCosts;
}

/** Cases grouped by person, in the order each person first appears. */
export function casesByPerson(cases: readonly SimulatedCase[]): SimulatedCase[][] {
  const groups = new Map<string, SimulatedCase[]>();
  for (const simulated of cases) {
    const group = groups.get(simulated.personKey);
    if (group) group.push(simulated);
    else groups.set(simulated.personKey, [simulated]);
  }
  return [...groups.values()];
}

/**
 * Simulates a chunk: every arm, every run, every case, each case's draws in run r a function of
 * (seed, r, caseId) alone. Returns totals[arm][run], which add up across chunks ({@link addTotals}).
 * `recoveredByDay` is cumulative: recovered by the end of each day.
 */
export function simulateChunk(input: SimulationChunkInput): SimulationTotals {
  const { cases, arms, model, runs, seed, startedAt, horizonDays, costs } = input;
  const totals = emptyTotals({ arms: arms.length, runs, horizonDays });
  const persons = casesByPerson(cases);
  const lookup = ratesLookup(model);
  arms.forEach((arm, armIndex) => {
    for (let run = 0; run < runs; run++) {
      const sink: Sink = { totals: totals[armIndex]?.[run] as ArmRunTotals, startedAt, horizonDays, costs, partShare: model.partShare };
      for (const group of persons) {
        const responders = group.map((simulated) => modelResponder(model, randomStream(streamSeed(seed, run, simulated.caseId)), lookup));
        simulatePerson({ cases: group, definition: arm.definition, responders, sink });
      }
    }
  });
  for (const runsOfArm of totals) for (const run of runsOfArm) cumulate(run.recoveredByDay);
  return totals;
}

function cumulate(values: number[]): void {
  for (let day = 1; day < values.length; day++) values[day] = (values[day] ?? 0) + (values[day - 1] ?? 0);
}

/**
 * One arm, one run, with each case's trace (the fidelity test compares it with what the case
 * workflows do). `responders` by case id; the model's draws when absent.
 */
export function simulateTraces({
  cases,
  definition,
  model,
  responders,
  seed = 1,
  run = 0,
  startedAt,
  horizonDays,
  costs = {},
}: {
  cases: readonly SimulatedCase[];
  definition: TStrategyDefinition;
  model: TResponseModel;
  responders?: ReadonlyMap<string, Responder>;
  seed?: number;
  run?: number;
  startedAt: number;
  horizonDays: number;
  costs?: TChannelCosts;
}): { totals: ArmRunTotals; traces: Map<string, SimulationTraceEntry[]> } {
  const totals = emptyTotals({ arms: 1, runs: 1, horizonDays })[0]?.[0] as ArmRunTotals;
  const traces = new Map<string, SimulationTraceEntry[]>();
  const lookup = ratesLookup(model);
  for (const group of casesByPerson(cases)) {
    const groupResponders = group.map((simulated) => responders?.get(simulated.caseId) ?? modelResponder(model, randomStream(streamSeed(seed, run, simulated.caseId)), lookup));
    simulatePerson({ cases: group, definition, responders: groupResponders, sink: { totals, startedAt, horizonDays, costs, traces, partShare: model.partShare } });
  }
  cumulate(totals.recoveredByDay);
  return { totals, traces };
}
