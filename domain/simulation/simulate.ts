import type { TStrategyDefinition } from '../strategy.js';
import type { ArmRunTotals, SimulatedCase, SimulationChunkInput, SimulationTotals, SimulationTraceEntry, TChannelCosts, TResponseModel } from './contract.js';
import type { Sink } from './case-rules.js';
import { simulatePerson } from './person-walk.js';
import { JointForest, simulateSharedPerson } from './shared-person.js';
import { randomStream, streamSeed } from './random.js';
import { modelResponder, type Responder } from './responders.js';
import { simulateSingleCase, WalkForest } from './single-case.js';
import { ratesLookup } from './strata.js';
import { emptyTotals } from './totals.js';

export type { ContactAnswer, Responder, SimulatedContact } from './responders.js';
export { modelResponder } from './responders.js';

/**
 * The portfolio simulator: every case of a chunk walks its strategy's timeline through
 * TimelineWalk (domain/timeline-walk.ts: the preview's walk, which takes the workflow's path
 * through domain/timeline.ts, planStep and the contact rules), event by event rather than day by
 * day: a case sleeps until its next step or its next response, as a workflow sleeps on a timer.
 *
 * After each contact (a message or a call) the debtor's answer is drawn from the response model:
 * a bounce fails the send itself (the contact is marked invalid and the step's fallback is owed);
 * anything else arrives a whole number of days later (1 … the model's window), as the signal a
 * real answer would be: a payment in full or in part, a promise kept or broken (the timeline is
 * suspended until the promise falls due, a week or the strategy's `maxPromiseDays` if shorter, and
 * a broken one takes the strategy's `brokenPromise` branch after the grace days), a reply for an
 * officer, a dispute (the strategy's dispute branch: a hold or legal hold ends the case's
 * simulated collection), an opt-out of the channel. Each case may also pay in full on any day
 * without a contact (`backgroundDailyPayFull`).
 *
 * Cases of one person (`personKey`) share their contact points and compliance facts, so caps and
 * opt-outs count across their accounts; they are walked together (person-walk.ts). A chunk must
 * therefore hold all the cases of a person. A person with one case, the common one, is read from
 * a tree of remembered walks (single-case.ts), which gives the same totals much faster; a person
 * with two or three, from a tree of remembered joint walks (person-tree.ts, shared-person.ts).
 */

/**
 * The largest person read from remembered joint walks (person-tree.ts): each answer that changes
 * one case's walk walks all the person's cases again from there, so the tree's cost grows with the
 * square of their number and a larger person is walked directly.
 */
const maxJointCases = 3;
/** A child walks on from the answer that made it, about half a walk: past two a run, the tree costs more than it saves. */
const jointWalksPerRun = 2;

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
 * (seed, r, caseId) alone. Returns totals[arm][run], which add up across chunks (addTotals).
 * `recoveredByDay` is cumulative: recovered by the end of each day. `walk: 'direct'` walks every
 * case directly (the reference the tree is tested against).
 */
export function simulateChunk(input: SimulationChunkInput, { walk = 'tree' }: { walk?: 'tree' | 'direct' } = {}): SimulationTotals {
  const { cases, arms, model, runs, seed, startedAt, horizonDays, costs } = input;
  const totals = emptyTotals({ arms: arms.length, runs, horizonDays });
  const persons = casesByPerson(cases);
  const lookup = ratesLookup(model);
  const responderOf = (simulated: SimulatedCase, run: number) => modelResponder(model, randomStream(streamSeed(seed, run, simulated.caseId)), lookup);
  arms.forEach((arm, armIndex) => {
    const forest = new WalkForest(arm.definition, startedAt, horizonDays);
    const joint = new JointForest(forest);
    const sinks: Sink[] = Array.from({ length: runs }, (_, run) => ({ totals: totals[armIndex]?.[run] as ArmRunTotals, startedAt, horizonDays, costs, partShare: model.partShare }));
    for (const group of persons) {
      const [single] = group;
      if (walk === 'tree' && single && group.length === 1) {
        const root = forest.rootFor(single);
        for (let run = 0; run < runs; run++) simulateSingleCase({ simulated: single, root, forest, responder: responderOf(single, run), sink: sinks[run] as Sink });
        continue;
      }
      if (walk === 'tree' && group.length <= maxJointCases) {
        const root = joint.rootFor(group);
        for (let run = 0; run < runs; run++) {
          const responders = group.map((simulated) => responderOf(simulated, run));
          // Where the debtors answer so often that nearly every run walks anew, walking directly costs less (and gives the same).
          if (root.walks > (root.reads + 4) * jointWalksPerRun) simulatePerson({ cases: group, definition: arm.definition, responders, sink: sinks[run] as Sink });
          else {
            simulateSharedPerson({ group, root, joint, responders, sink: sinks[run] as Sink });
            root.reads++;
          }
        }
        continue;
      }
      for (let run = 0; run < runs; run++) {
        simulatePerson({ cases: group, definition: arm.definition, responders: group.map((simulated) => responderOf(simulated, run)), sink: sinks[run] as Sink });
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
 * One arm, one run, walked directly, with each case's trace (the fidelity test compares it with
 * what the case workflows do). `responders` by case id; the model's draws when absent.
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
}): { totals: ArmRunTotals; traces: Map<string, SimulationTraceEntry[]>; endings: Map<string, string> } {
  const totals = emptyTotals({ arms: 1, runs: 1, horizonDays })[0]?.[0] as ArmRunTotals;
  const traces = new Map<string, SimulationTraceEntry[]>();
  const endings = new Map<string, string>();
  const lookup = ratesLookup(model);
  for (const group of casesByPerson(cases)) {
    const groupResponders = group.map((simulated) => responders?.get(simulated.caseId) ?? modelResponder(model, randomStream(streamSeed(seed, run, simulated.caseId)), lookup));
    simulatePerson({ cases: group, definition, responders: groupResponders, sink: { totals, startedAt, horizonDays, costs, traces, endings, partShare: model.partShare } });
  }
  cumulate(totals.recoveredByDay);
  return { totals, traces, endings };
}
