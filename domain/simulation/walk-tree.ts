import type { ContactChannel } from '../case-facts.js';
import { isMessageAction, type StepAction } from '../step-actions.js';
import type { TStep, TStrategyDefinition } from '../strategy.js';
import { TimelineWalk, type PreviewAccount } from '../timeline-walk.js';
import type { TimelineMove } from '../timeline.js';

/**
 * The walks of single-account cases, remembered. A case's walk is a function of its strategy,
 * what the contact rules and conditions read of the account, and the few answers that change
 * the walk (a bounce, an opt-out, a broken promise, a payment that crosses a step's balance
 * condition); replies, most payments and the draws themselves do not. So the simulator walks each
 * distinct history once, with {@link TimelineWalk}, and every case and run that shares it reads the
 * recorded steps: a tree whose root is the walk without answers and whose children add one answer.
 *
 * An answer that arrives while the walk waits for a step that is not yet due takes effect when the
 * step is planned, so it is keyed by the step's position rather than its instant (a wake-up before
 * a step is due plans nothing: planStep waits until the due time first); one that arrives while a
 * step is held by the contact rules takes effect at its instant, as the workflow's signal would.
 */

const dayMs = 86_400_000;

export interface TreeEntry {
  /** Epoch ms. */
  now: number;
  stepId: string;
  action: StepAction;
  outcome: 'run' | 'skipped' | 'held';
  result: 'sent' | 'bounced' | 'failed' | 'skipped' | undefined;
  /** A message or a call that ran: the debtor may answer it. */
  contact: boolean;
  /** The rule that held a `held` entry. */
  holdRule: string | undefined;
  /** Since when the walk sat in a hold of the contact rules before this entry (Infinity: it did not). */
  heldFrom: number;
}

/** An answer that changes the walk; `pos` is the entry before which it takes effect, `at` an instant inside a hold. */
export type TreeInput =
  | { kind: 'bounce'; pos: number }
  | { kind: 'opt_out'; channel: ContactChannel; pos?: number; at?: number }
  | { kind: 'balance'; balance: number; pos?: number; at?: number }
  | { kind: 'promise_broken'; how: 'resume' | 'restart'; suspendMs: number; pos?: number; at?: number }
  /** A signal that changes nothing but wakes the case inside a hold, so it plans again then. */
  | { kind: 'wake'; at: number; pos?: undefined };

export class TreeNode {
  readonly children = new Map<string, TreeNode>();
  constructor(
    readonly inputs: readonly TreeInput[],
    readonly entries: readonly TreeEntry[],
    readonly end: { reason: string; at: number },
    /** Since when the walk sat in a hold after its last entry (Infinity: it did not). */
    readonly tailHeldFrom: number,
  ) {}
}

export interface TreeRoot {
  definition: TStrategyDefinition;
  account: PreviewAccount;
  startedAt: number;
  horizonDays: number;
  holdRule: (walk: TimelineWalk, move: TimelineMove, now: number) => string;
  node: TreeNode;
}

export function treeRoot(base: Omit<TreeRoot, 'node'>): TreeRoot {
  const root = base as TreeRoot;
  root.node = walkWith(root, []);
  return root;
}

/** The child of `node` with one more answer, walked once and kept. */
export function childOf(root: TreeRoot, node: TreeNode, key: string, input: TreeInput): TreeNode {
  let child = node.children.get(key);
  if (!child) {
    child = walkWith(root, [...node.inputs, input]);
    node.children.set(key, child);
  }
  return child;
}

const isContact = (step: Pick<TStep, 'action'>) => isMessageAction(step.action) || step.action === 'call';

/** Walks the timeline from the start with the given answers, as the simulator's direct walk does. */
function walkWith(root: TreeRoot, inputs: readonly TreeInput[]): TreeNode {
  const { definition, account, startedAt, horizonDays } = root;
  const horizon = startedAt + horizonDays * dayMs;
  const entries: TreeEntry[] = [];
  let heldSince = Infinity;
  const pending = [...inputs];
  const bounces = new Set(inputs.flatMap((input) => (input.kind === 'bounce' ? [input.pos] : [])));
  let walk: TimelineWalk;
  // eslint-disable-next-line prefer-const -- assigned once, read by the callbacks below
  walk = new TimelineWalk({
    definition,
    account,
    startedAt,
    resultOf: (step) => (isContact(step) && isMessageAction(step.action) && bounces.has(entries.length) ? 'bounced' : 'sent'),
    onEntry: (entry, now, move) => {
      entries.push({
        now,
        stepId: entry.stepId,
        action: entry.action,
        outcome: entry.outcome,
        result: entry.result,
        contact: entry.outcome === 'run' && isContact(entry),
        holdRule: entry.outcome === 'held' ? root.holdRule(walk, move, now) : undefined,
        heldFrom: heldSince,
      });
      heldSince = Infinity;
    },
  });
  let now = startedAt;
  let resumeAt: { at: number; how: 'resume' | 'restart' } | null = null;
  const due = (input: TreeInput) => (input.kind === 'bounce' ? false : input.pos !== undefined ? input.pos <= entries.length : (input.at ?? Infinity) <= now);

  for (let moves = 0; moves < 10_000; moves++) {
    for (let index = 0; index < pending.length; index++) {
      const input = pending[index] as TreeInput;
      if (!due(input)) continue;
      pending.splice(index--, 1);
      if (input.kind === 'opt_out') walk.apply({ at: now, type: 'reply', channel: input.channel, intent: 'stop' });
      else if (input.kind === 'balance') walk.balance = input.balance;
      else if (input.kind === 'promise_broken') {
        walk.lastContactOutcome = 'promise_to_pay';
        walk.suspend(now);
        resumeAt = { at: now + input.suspendMs, how: input.how };
      }
    }
    if (resumeAt) {
      now = Math.max(now, resumeAt.at);
      walk.resume(now, resumeAt.how);
      resumeAt = null;
      continue;
    }
    const step = walk.move(now);
    if (step.kind === 'end') return new TreeNode(inputs, entries, { reason: step.reason, at: now }, heldSince);
    if (step.kind === 'wait') {
      if (step.move.held) heldSince = Math.min(heldSince, now);
      const timed = pending.reduce((earliest, input) => (input.kind !== 'bounce' && input.pos === undefined && input.at !== undefined ? Math.min(earliest, input.at) : earliest), Infinity);
      const wake = timed < step.until ? timed : step.until;
      if (wake > horizon) return new TreeNode(inputs, entries, { reason: 'horizon', at: horizon }, heldSince);
      now = Math.max(now, wake);
    }
  }
  return new TreeNode(inputs, entries, { reason: 'horizon', at: now }, heldSince);
}
