import type { ContactChannel } from '../case-facts.js';
import { isMessageAction } from '../step-actions.js';
import type { TStrategyDefinition } from '../strategy.js';
import { TimelineWalk, type PreviewAccount, type WalkPerson, type WalkState } from '../timeline-walk.js';
import type { SimulatedCase } from './contract.js';
import { accountOf, dayMs, holdRule, isContact, personOf } from './case-rules.js';
import type { TreeEntry } from './walk-tree.js';

/**
 * The walks of a person's several accounts, remembered: walk-tree.ts for a group of cases that
 * share a person (their contact points and compliance facts, so caps and opt-outs count across
 * them). A node is one joint walk of the group, its entries of every case in the order the direct
 * walk (person-walk.ts) makes them; a child adds one answer of one case that changes the walk.
 *
 * The joint walk runs person-walk's own loop (the earliest case moves first; a tie goes to the
 * case listed first), so an answer keyed by its instant does exactly what the direct walk does
 * with it. As in walk-tree.ts, an answer to a case that only waits for a step not yet due may be
 * keyed by the case's position instead (before its next entry), which lets runs share the child:
 * that holds for what changes only the case itself (its balance, a suspension, its end). What
 * changes the person (an opt-out) is keyed by its instant, since the other cases read it at once.
 * A case's end is an answer here too (it stops contacting the person), where walk-tree.ts needs
 * none.
 */

/** A case's entry in the joint walk: `heldFrom` counts the case's own hold before it. */
export interface JointEntry extends TreeEntry {
  /** The case's index in its group. */
  index: number;
}

type Where = { pos: number; at?: undefined } | { at: number; pos?: undefined };

/** An answer that changes the joint walk, to the case `index`; `pos` counts that case's entries. */
export type JointInput = { index: number } & (
  | { kind: 'bounce'; pos: number; at?: undefined }
  | { kind: 'opt_out'; channel: ContactChannel; at: number; pos?: undefined }
  | ({ kind: 'balance'; balance: number } & Where)
  | ({ kind: 'promise_broken'; how: 'resume' | 'restart'; suspendMs: number } & Where)
  /** The case stops contacting the person: it ended, or waits for its kept promise's payment. */
  | ({ kind: 'stop' } & Where)
  /** A signal that changes nothing but wakes the case inside a hold, so it plans again then. */
  | { kind: 'wake'; at: number; pos?: undefined }
);

export class JointNode {
  readonly children = new Map<string, JointNode>();
  constructor(
    readonly inputs: readonly JointInput[],
    readonly entries: readonly JointEntry[],
    /** Each case's end in this walk (a stopped case: never, at Infinity). */
    readonly ends: readonly { reason: string; at: number }[],
    /** Since when each case sat in a hold after its last entry (Infinity: it did not). */
    readonly tailHeldFrom: readonly number[],
    /** The walk's state as it went, in time order: a child walks on from the last one before its answer. */
    readonly snapshots: readonly Snapshot[],
  ) {}

  /** Since when case `index` sits in a hold before its next entry from `position` (Infinity: it does not). */
  heldFrom(index: number, position: number): number {
    for (let at = position; at < this.entries.length; at++) {
      const entry = this.entries[at] as JointEntry;
      if (entry.index === index) return entry.heldFrom;
    }
    return this.tailHeldFrom[index] as number;
  }

  /** The person's compliance facts at some moment before entry `position` (they only grow: what is set there is set at it). */
  complianceBefore(position: number): WalkPerson['compliance'] | null {
    let found: Snapshot | null = null;
    for (const snapshot of this.snapshots) {
      if (snapshot.entries > position) break;
      found = snapshot;
    }
    return found?.compliance ?? null;
  }

  /** The instant of case `index`'s entry number `count` (from 0). */
  entryAt(index: number, count: number): number {
    let seen = 0;
    for (const entry of this.entries) if (entry.index === index && seen++ === count) return entry.now;
    return Infinity;
  }
}

export interface JointRoot {
  definition: TStrategyDefinition;
  /** The group's cases as the walk reads them (the first group of this kind seen). */
  cases: readonly SimulatedCase[];
  accounts: readonly PreviewAccount[];
  startedAt: number;
  horizonDays: number;
  node: JointNode;
  /** Joint walks made (the root's and every child's) and runs read from them: whether the tree pays. */
  walks: number;
  reads: number;
}

export function jointRoot(base: Omit<JointRoot, 'node' | 'accounts' | 'walks' | 'reads'>): JointRoot {
  const root: JointRoot = { ...base, accounts: base.cases.map(accountOf), node: new JointNode([], [], [], [], []), walks: 1, reads: 0 };
  root.node = walkJoint(root, [], null);
  return root;
}

/** The child of `node` with one more answer, walked once and kept. */
export function jointChildOf(root: JointRoot, node: JointNode, key: string, input: JointInput): JointNode {
  let child = node.children.get(key);
  if (!child) {
    // Walk on from the last moment before the answer can change anything.
    const from = divergesAt(node, input);
    let snapshot: Snapshot | null = null;
    for (const each of node.snapshots) {
      if (each.at >= from) break;
      snapshot = each;
    }
    child = walkJoint(root, [...node.inputs, input], snapshot && { node, snapshot });
    root.walks++;
    node.children.set(key, child);
  }
  return child;
}

/** The instant from which an answer may change the walk: a case's entry before which it goes in, or its own instant. */
function divergesAt(node: JointNode, input: JointInput): number {
  if (input.kind === 'bounce') return node.entryAt(input.index, input.pos);
  if (input.pos !== undefined) return input.pos === 0 ? -Infinity : node.entryAt(input.index, input.pos - 1);
  return input.at;
}

/** A snapshot every other entry: a child walks on from at most two entries back, and the snapshots cost less memory and collection. */
const snapshotEvery = 2;
/** A case that keeps moving without its clock advancing is cut off, as in person-walk.ts. */
const maxMovesPerCase = 10_000;

/** The joint walk between two moves: all it needs to walk on. */
export interface Snapshot {
  /** The instant of the move about to be made. */
  at: number;
  entries: number;
  /** How many of the node's answers it holds; a walk from it adds the rest. */
  inputs: number;
  contacts: WalkPerson['contacts'];
  compliance: WalkPerson['compliance'];
  cases: readonly (Omit<CaseState, 'walk' | 'timed' | 'placed' | 'bounces'> & { walk: WalkState; timed: readonly JointInput[]; placed: readonly JointInput[]; bounces: readonly number[] })[];
}

interface CaseState {
  walk: TimelineWalk;
  wake: number;
  /** Answers keyed by instant, in time order (as the direct walk's events). */
  timed: JointInput[];
  /** Answers keyed by position, applied once the case has made that many entries. */
  placed: JointInput[];
  bounces: Set<number>;
  count: number;
  heldSince: number;
  resumeAt: { at: number; how: 'resume' | 'restart' } | null;
  end: { reason: string; at: number } | null;
  /** Stopped by an answer: it moves no more, but what it is told still reaches the person. */
  stopped: boolean;
  moves: number;
}

/**
 * Walks the group's cases together with the given answers, as simulatePerson does: from the start,
 * or from a snapshot of the parent's walk taken before any answer it lacks could matter.
 */
function walkJoint(root: JointRoot, inputs: readonly JointInput[], from: { node: JointNode; snapshot: Snapshot } | null): JointNode {
  const { definition, accounts, startedAt, horizonDays } = root;
  const horizon = startedAt + horizonDays * dayMs;
  const snapshot = from?.snapshot;
  const person: WalkPerson = snapshot ? { contacts: copyContacts(snapshot.contacts), compliance: snapshot.compliance } : personOf(root.cases);
  const entries: JointEntry[] = from && snapshot ? from.node.entries.slice(0, snapshot.entries) : [];
  const snapshots: Snapshot[] = from && snapshot ? from.node.snapshots.slice(0, from.node.snapshots.indexOf(snapshot) + 1) : [];
  const states: CaseState[] = accounts.map((account, index) => {
    const saved = snapshot?.cases[index];
    const state: CaseState = saved
      ? { ...saved, walk: undefined as unknown as TimelineWalk, timed: [...saved.timed], placed: [...saved.placed], bounces: new Set(saved.bounces) }
      : { walk: undefined as unknown as TimelineWalk, wake: startedAt, timed: [], placed: [], bounces: new Set(), count: 0, heldSince: Infinity, resumeAt: null, end: null, stopped: false, moves: 0 };
    state.walk = new TimelineWalk({
      definition,
      account,
      startedAt,
      person,
      resultOf: (step) => (isContact(step) && isMessageAction(step.action) && state.bounces.has(state.count) ? 'bounced' : 'sent'),
      onEntry: (entry, now, move) => {
        entries.push({
          index,
          now,
          stepId: entry.stepId,
          action: entry.action,
          outcome: entry.outcome,
          result: entry.result,
          contact: entry.outcome === 'run' && isContact(entry),
          holdRule: entry.outcome === 'held' ? holdRule(state.walk, move, now) : undefined,
          heldFrom: state.heldSince,
        });
        state.count++;
        state.heldSince = Infinity;
      },
    });
    if (saved) state.walk.restore(saved.walk);
    return state;
  });
  // The answers the snapshot does not hold, in the order given (answers at one instant keep it).
  for (const input of inputs.slice(snapshot?.inputs ?? 0)) {
    const state = states[input.index] as CaseState;
    if (input.kind === 'bounce') state.bounces.add(input.pos);
    else if (input.pos !== undefined) state.placed.push(input);
    else {
      let at = state.timed.length;
      while (at > 0 && (state.timed[at - 1]?.at as number) > input.at) at--;
      state.timed.splice(at, 0, input);
    }
  }

  let saved = snapshot?.entries ?? -1;
  for (;;) {
    let next = -1;
    let nextAt = Infinity;
    states.forEach((state, index) => {
      if (state.end) return;
      const at = Math.min(state.wake, state.timed[0]?.at ?? Infinity);
      if (at < nextAt) {
        next = index;
        nextAt = at;
      }
    });
    if (next < 0 || nextAt > horizon) break;
    if (entries.length >= saved + snapshotEvery || saved < 0) {
      saved = entries.length;
      snapshots.push(save(nextAt));
    }
    step(states[next] as CaseState, nextAt);
  }
  for (const state of states) state.end ??= state.stopped ? { reason: 'horizon', at: Infinity } : { reason: 'horizon', at: horizon };
  return new JointNode(
    inputs,
    entries,
    states.map((state) => state.end as { reason: string; at: number }),
    states.map((state) => state.heldSince),
    snapshots,
  );

  function save(at: number): Snapshot {
    return {
      at,
      entries: entries.length,
      inputs: inputs.length,
      contacts: copyContacts(person.contacts),
      compliance: person.compliance,
      cases: states.map(({ walk, timed, placed, bounces, ...rest }) => ({ ...rest, walk: walk.save(), timed: [...timed], placed: [...placed], bounces: [...bounces] })),
    };
  }

  function step(state: CaseState, now: number): void {
    const { walk } = state;
    while (state.placed[0] && (state.placed[0].pos as number) <= state.count) apply(state, state.placed.shift() as JointInput, now);
    while (state.timed[0] && (state.timed[0].at as number) <= now) apply(state, state.timed.shift() as JointInput, now);
    if (state.end) return;
    if (state.stopped) {
      state.wake = Infinity;
      return;
    }
    if (state.resumeAt) {
      if (state.resumeAt.at > now) {
        state.wake = state.resumeAt.at;
        return;
      }
      walk.resume(now, state.resumeAt.how);
      state.resumeAt = null;
    }
    if (++state.moves > maxMovesPerCase) {
      state.end = { reason: 'horizon', at: now };
      return;
    }
    const moved = walk.move(now);
    if (moved.kind === 'end') state.end = { reason: moved.reason, at: now };
    else if (moved.kind === 'wait') {
      if (moved.move.held) state.heldSince = Math.min(state.heldSince, now);
      state.wake = Math.max(now, moved.until);
    } else state.wake = now;
  }

  function apply(state: CaseState, input: JointInput, now: number): void {
    const { walk } = state;
    if (input.kind === 'opt_out') walk.apply({ at: now, type: 'reply', channel: input.channel, intent: 'stop' });
    else if (input.kind === 'balance') walk.balance = input.balance;
    else if (input.kind === 'stop') state.stopped = true;
    else if (input.kind === 'promise_broken') {
      walk.lastContactOutcome = 'promise_to_pay';
      walk.suspend(now);
      state.resumeAt = { at: now + input.suspendMs, how: input.how };
    }
  }
}

function copyContacts(contacts: WalkPerson['contacts']): WalkPerson['contacts'] {
  return Object.fromEntries(Object.entries(contacts).map(([channel, contact]) => [channel, { ...contact }]));
}
