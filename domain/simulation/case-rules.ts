import type { ContactChannel } from '../case-facts.js';
import { negotiationDefaults } from '../negotiation-defaults.js';
import { explainContact, stepContact } from '../regulation/index.js';
import { isMessageAction } from '../step-actions.js';
import { disputeBranch, timelineBranch, type DisputeBranch, type TimelineBranch } from '../strategy-branches.js';
import type { TStep, TStrategyDefinition } from '../strategy.js';
import { walkPersonOf, type PreviewAccount, type TimelineWalk, type WalkPerson } from '../timeline-walk.js';
import type { TimelineMove } from '../timeline.js';
import type { ArmRunTotals, ResponseKind, SimulatedCase, SimulationTraceEntry, TChannelCosts } from './contract.js';

/** What both of the simulator's walks (a person's cases together, a single case from the tree) share. */

export const dayMs = 86_400_000;
/** Days from a promise to the payment it promises: a week, within the strategy's limit. */
const promiseDays = 7;

/** What the simulation of cases adds to. */
export interface Sink {
  totals: ArmRunTotals;
  startedAt: number;
  horizonDays: number;
  costs: TChannelCosts;
  /** Share of the balance a part payment pays (the model's). */
  partShare: number;
  /** Collects each case's trace when given (the fidelity test); the hot path records none. */
  traces?: Map<string, SimulationTraceEntry[]>;
  /** How each case ended, with the traces. */
  endings?: Map<string, string>;
}

/** How a strategy answers what the debtor does: a promise's term and grace, a broken promise's branch, a dispute's. */
export interface CaseRules {
  promiseDueMs: number;
  graceMs: number;
  brokenBranch: TimelineBranch;
  onDispute: DisputeBranch;
}

export function caseRules(definition: TStrategyDefinition): CaseRules {
  const negotiation = { ...negotiationDefaults, ...(definition.negotiation as Partial<typeof negotiationDefaults> | undefined) };
  return {
    promiseDueMs: Math.min(promiseDays, negotiation.maxPromiseDays) * dayMs,
    graceMs: negotiation.graceDays * dayMs,
    brokenBranch: timelineBranch(definition, 'brokenPromise'),
    onDispute: disputeBranch(definition),
  };
}

export const isContact = (step: Pick<TStep, 'action'>) => isMessageAction(step.action) || step.action === 'call';

/** The account a case's walk starts from. */
export function accountOf(simulated: SimulatedCase): PreviewAccount {
  return {
    balance: simulated.balance,
    daysPastDue: simulated.daysPastDue,
    timeZone: simulated.timeZone,
    contacts: simulated.contacts,
    ...(simulated.compliance ? { compliance: simulated.compliance } : {}),
  };
}

/** The person the cases share: the first case's facts, with the contact points only another case knows. */
export function personOf(cases: readonly SimulatedCase[]): WalkPerson {
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
export function holdRule(walk: TimelineWalk, move: TimelineMove, now: number): string {
  if (move.kind !== 'wait') return 'other';
  const context = walk.context(now);
  const contact = stepContact(move.step, context.policy);
  if (!contact) return 'other';
  const { binding, causes } = explainContact({ ...contact, now, facts: context.facts, policy: { allowedHours: context.window, ...context.policy } });
  return binding?.rule ?? causes[0]?.rule ?? 'other';
}

export function addCount(counts: Record<string, number>, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}

/** A payment into the totals, on the day it falls (per day here; made cumulative once the chunk is done). */
export function addRecovered(sink: Sink, at: number, amount: number): void {
  sink.totals.recovered += amount;
  const day = Math.min(sink.horizonDays, Math.max(0, Math.floor((at - sink.startedAt) / dayMs)));
  sink.totals.recoveredByDay[day] = (sink.totals.recoveredByDay[day] ?? 0) + amount;
}

export function addContact(sink: Sink, action: string): void {
  addCount(sink.totals.contacts, action);
  sink.totals.cost += sink.costs[action as keyof TChannelCosts] ?? 0;
}

export function recordResponse(sink: Sink, caseId: string, at: number, response: ResponseKind | 'background', amount?: number): void {
  addCount(sink.totals.responses, response);
  if (sink.traces && response !== 'background') {
    sink.traces.get(caseId)?.push({ at: new Date(at).toISOString(), response, ...(amount !== undefined ? { amount } : {}) });
  }
}

/** A part payment: the model's share of what is owed, at least a cent, at most all of it. */
export function partPayment(balance: number, partShare: number): number {
  return Math.min(balance, Math.max(1, Math.round(balance * partShare)));
}
