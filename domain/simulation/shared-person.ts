import { isMessageAction, type StepAction } from '../step-actions.js';
import { daysPastDueAt } from '../step-conditions.js';
import type { ResponseKind, SimulatedCase } from './contract.js';
import type { ComplianceFacts } from '../case-facts.js';
import { effectiveContactRules } from '../regulation/policy.js';
import { contactPolicyOf } from '../timeline.js';
import { addContact, addCount, addRecovered, dayMs, partPayment, personOf, recordResponse, type Sink } from './case-rules.js';
import { jointChildOf, jointRoot, type JointEntry, type JointInput, type JointNode, type JointRoot } from './person-tree.js';
import type { Responder } from './responders.js';
import type { WalkForest } from './single-case.js';
import { balanceBand, channelOfAction, daysPastDueBand, daysSinceContactBand } from './strata.js';

/**
 * The cases of a person with several accounts, simulated from a tree of remembered joint walks
 * (person-tree.ts): the same draws, answers and totals as walking them directly and together
 * (person-walk.ts; a test holds them equal), as single-case.ts does for a person with one account.
 */

type PendingEvent = { index: number; at: number } & (
  | { kind: 'response'; response: Exclude<ResponseKind, 'bounce'>; channel: StepAction }
  | { kind: 'background' }
  | { kind: 'promise_due'; kept: boolean }
);

/** The joint walks of one arm, by what the walks read of each case of the group. */
export class JointForest {
  private readonly roots = new Map<string, JointRoot>();
  private readonly policy: ReturnType<typeof contactPolicyOf>;
  private readonly countedByState = new Map<string, ReadonlySet<string>>();
  private readonly templates: ReadonlyMap<string, string | undefined>;
  constructor(readonly forest: WalkForest) {
    this.policy = contactPolicyOf(forest.definition);
    this.templates = new Map(forest.definition.steps.map((step) => [step.id, step.template]));
  }

  /**
   * Whether a message of `stepId` on `channel` leaves every other case's walk as it was: what a
   * sent message changes for the person is the attempts that frequency caps count, the first
   * communication and the validation notice, so it does when no cap of the person's rules counts
   * the channel and the other two are already behind them (or the step is no validation notice).
   */
  inertMessage(stepId: string, channel: string, compliance: ComplianceFacts | null): boolean {
    if (!compliance) return false;
    const state = compliance.state ?? '';
    let counted = this.countedByState.get(state);
    if (!counted) {
      counted = new Set(effectiveContactRules({ policy: this.policy, facts: { state: compliance.state } }).caps.flatMap((cap) => cap.media as readonly string[]));
      this.countedByState.set(state, counted);
    }
    if (counted.has(channel)) return false;
    const history = compliance.history;
    if (history?.firstCommunicationAt === null || history?.firstCommunicationAt === undefined) return false;
    if (!this.templates.has(stepId)) return false;
    const notices = this.policy.validationNotice?.templates ?? [];
    const template = this.templates.get(stepId);
    return !(template !== undefined && notices.includes(template)) || (history.validationNoticeSentAt !== null && history.validationNoticeSentAt !== undefined);
  }

  rootFor(group: readonly SimulatedCase[]): JointRoot {
    const key = JSON.stringify(group.map((simulated) => this.forest.walkKey(simulated)));
    let root = this.roots.get(key);
    if (!root) {
      const { definition, startedAt, horizonDays } = this.forest;
      root = jointRoot({ definition, cases: group, startedAt, horizonDays });
      this.roots.set(key, root);
    }
    return root;
  }
}

interface CaseState {
  simulated: SimulatedCase;
  responder: Responder;
  balance: number;
  balanceClass: string;
  contacts: number;
  lastContactAt: number | null;
  /** Entries of the case read so far: where an answer keyed by position goes. */
  read: number;
  /** The case waits for a promise: it reads no entry until it falls due (a broken one resumes it). */
  suspended: boolean;
  /** The case's walk was stopped (its end, or a kept promise): its later entries are not there or not read. */
  stopped: boolean;
  ended: boolean;
  /** Answers that change only this case's own walk, not yet taken into the tree: needed before its next entry, not at all if it stops first. */
  own: { key: string; input: JointInput }[];
  /** This case's stop, not yet taken into the tree: its later entries change nothing for the others until its next message. */
  stop: { key: string; input: JointInput; read: number } | null;
}

/** One run of a person's cases, read from their arm's joint forest; adds to `sink.totals` as simulatePerson does. */
export function simulateSharedPerson({ group, root, joint, responders, sink }: { group: readonly SimulatedCase[]; root: JointRoot; joint: JointForest; responders: readonly Responder[]; sink: Sink }): void {
  const { totals, startedAt, horizonDays, partShare } = sink;
  const { forest } = joint;
  const { rules } = forest;
  const horizon = startedAt + horizonDays * dayMs;
  const events: PendingEvent[] = [];
  const person = personOf(group);
  const optedOut = new Set<string>(Object.entries(person.contacts).flatMap(([channel, contact]) => (contact.optedOut ? [channel] : [])));
  let node: JointNode = root.node;
  let position = 0;

  const states: CaseState[] = group.map((simulated, index) => {
    const responder = responders[index] as Responder;
    totals.cases++;
    totals.balance += simulated.balance;
    const payDay = responder.backgroundPayDay();
    if (payDay !== null && payDay <= horizonDays) schedule({ index, at: startedAt + payDay * dayMs + dayMs / 2, kind: 'background' });
    return { simulated, responder, balance: simulated.balance, balanceClass: forest.balanceClass(simulated.balance), contacts: 0, lastContactAt: null, read: 0, suspended: false, stopped: false, ended: false, own: [], stop: null };
  });

  for (;;) {
    const entry = node.entries[position];
    const event = events[0];
    // As the direct walk orders them: by instant, and at one instant by the case's place in the group.
    if (event && (!entry || event.at < entry.now || (event.at === entry.now && event.index <= entry.index))) {
      events.shift();
      const state = states[event.index] as CaseState;
      // A case whose timeline ended before the event hears no more of it (one the reader stopped still does).
      if (!state.ended && (state.stopped || (node.ends[event.index] as { at: number }).at >= event.at)) apply(state, event);
      continue;
    }
    if (!entry) break;
    const state = states[entry.index] as CaseState;
    if (state.own.length > 0) {
      // The case's own answers change what comes next for it: walk them before reading on.
      flush(state);
      continue;
    }
    if (state.stop && entry.outcome === 'run' && isMessageAction(entry.action) && !joint.inertMessage(entry.stepId, entry.action, node.complianceBefore(position))) {
      // The stopped case would send here, which the others' rules count: walk them without it, unless none is left.
      const { key, input, read: at } = state.stop;
      state.stop = null;
      if (states.some((other) => !other.ended && !other.stopped)) {
        fork(key, input);
        // The new walk lacks the stopped case's entries read past its stop.
        position -= state.read - at;
        state.read = at;
        continue;
      }
    }
    read(entry);
    position++;
  }
  states.forEach((state, index) => {
    if (!state.ended) addCount(totals.endings, state.suspended || state.stopped ? 'horizon' : (node.ends[index] as { reason: string }).reason);
  });

  function read(entry: JointEntry): void {
    const state = states[entry.index] as CaseState;
    const at = state.read++;
    if (state.stopped || state.ended) return;
    if (entry.outcome === 'held') {
      addCount(totals.holds, entry.holdRule ?? 'other');
      return;
    }
    if (!entry.contact) return;
    const { simulated } = state;
    const days = state.lastContactAt === null ? null : Math.floor((entry.now - state.lastContactAt) / dayMs);
    const answer = state.responder.answer({
      caseId: simulated.caseId,
      stepId: entry.stepId,
      at: entry.now,
      index: state.contacts + 1,
      action: entry.action,
      channel: channelOfAction(entry.action),
      balanceBand: balanceBand(state.balance),
      daysPastDueBand: daysPastDueBand(daysPastDueAt({ atStart: simulated.daysPastDue, startedAt, now: entry.now })),
      daysSinceContactBand: daysSinceContactBand(days),
    });
    state.contacts++;
    state.lastContactAt = entry.now;
    addContact(sink, entry.action);
    if (answer?.kind === 'bounce') {
      if (isMessageAction(entry.action)) {
        fork(`b${entry.index}:${at}`, { index: entry.index, kind: 'bounce', pos: at });
        recordResponse(sink, simulated.caseId, entry.now, 'bounce');
      }
    } else if (answer) {
      schedule({ index: entry.index, at: entry.now + answer.afterDays * dayMs, kind: 'response', response: answer.kind, channel: entry.action });
    }
  }

  function fork(key: string, input: JointInput): void {
    node = jointChildOf(root, node, key, input);
  }

  /** Takes the case's own answers into the tree, in the order they came. */
  function flush(state: CaseState): void {
    for (const { key, input } of state.own) fork(key, input);
    state.own = [];
  }

  /**
   * An answer that changes only the case's own walk. Keyed by position, it changes nothing before
   * the case's next entry (the case only waits for its next step), so it is kept until then; keyed
   * by instant (inside a hold, or a restart), the case may move at once, so it goes in now.
   */
  function own(state: CaseState, key: string, input: JointInput): void {
    state.own.push({ key, input });
    if (input.at !== undefined) flush(state);
  }

  /** Where an answer to case `index` at `at` takes effect: before the case's next entry, or at its instant inside a hold or a suspension. */
  function place(index: number, at: number): { key: string; where: { pos: number } | { at: number } } {
    const state = states[index] as CaseState;
    if (state.own.length > 0) flush(state);
    const held = state.suspended || at >= node.heldFrom(index, position);
    return held ? { key: `${index}t${at}`, where: { at } } : { key: `${index}p${state.read}`, where: { pos: state.read } };
  }

  /**
   * Stops the case's walk, so that it no longer counts with the person: by its position (it has no
   * entry before the stop, and its silent moves change nothing), and only once its next message
   * would count (its answers still kept for its own walk are moot).
   */
  function stop(index: number): void {
    const state = states[index] as CaseState;
    if (state.stopped) return;
    state.stopped = true;
    state.own = [];
    state.stop = { key: `s${index}p${state.read}`, input: { index, kind: 'stop', pos: state.read }, read: state.read };
  }

  function apply(state: CaseState, event: PendingEvent): void {
    const { index, at: now } = event;
    const caseId = state.simulated.caseId;
    if (event.kind === 'background') {
      recordResponse(sink, caseId, now, 'background', state.balance);
      return pay(state, index, now, state.balance);
    }
    if (event.kind === 'promise_due') {
      if (event.kept) return pay(state, index, now, state.balance);
      if (rules.brokenBranch === 'escalate_agency') return end(state, index, now, 'placed');
      if (rules.brokenBranch === 'escalate_legal') return end(state, index, now, 'legal_hold');
      state.suspended = false;
      return;
    }
    const { response } = event;
    switch (response) {
      case 'pay_full':
        recordResponse(sink, caseId, now, response, state.balance);
        return pay(state, index, now, state.balance);
      case 'pay_part': {
        const amount = partPayment(state.balance, partShare);
        recordResponse(sink, caseId, now, response, amount);
        return pay(state, index, now, amount);
      }
      case 'promise_kept':
      case 'promise_broken': {
        recordResponse(sink, caseId, now, response);
        // A second promise while one is running changes nothing: the first still stands.
        if (state.suspended || state.stopped) return;
        const kept = response === 'promise_kept';
        const suspendMs = rules.promiseDueMs + (kept ? 0 : rules.graceMs);
        if (!kept && rules.brokenBranch !== 'escalate_agency' && rules.brokenBranch !== 'escalate_legal') {
          const how = rules.brokenBranch;
          const { key, where } = how === 'restart' ? { key: `${index}t${now}`, where: { at: now } } : place(index, now);
          own(state, `pb${key}`, { index, kind: 'promise_broken', how, suspendMs, ...where });
        } else stop(index);
        state.suspended = true;
        schedule({ index, at: now + suspendMs, kind: 'promise_due', kept });
        return;
      }
      case 'reply':
        recordResponse(sink, caseId, now, response);
        return wake(state, index, now);
      case 'dispute':
        recordResponse(sink, caseId, now, response);
        if (rules.onDispute === 'hold') return end(state, index, now, 'disputed');
        if (rules.onDispute === 'escalate_legal') return end(state, index, now, 'legal_hold');
        return wake(state, index, now);
      case 'opt_out': {
        recordResponse(sink, caseId, now, response);
        const channel = event.channel;
        // The person's contact point: every case of theirs reads it at once, so by its instant.
        if (isMessageAction(channel) && person.contacts[channel] && !optedOut.has(channel)) {
          optedOut.add(channel);
          fork(`o${channel}${index}t${now}`, { index, kind: 'opt_out', channel, at: now });
        } else wake(state, index, now);
        return;
      }
    }
  }

  function pay(state: CaseState, index: number, now: number, amount: number): void {
    if (amount <= 0) return;
    state.balance = Math.max(0, state.balance - amount);
    addRecovered(sink, now, amount);
    if (state.balance === 0) return end(state, index, now, 'paid');
    const after = forest.balanceClass(state.balance);
    if (after !== state.balanceClass && !state.stopped) {
      state.balanceClass = after;
      const { key, where } = place(index, now);
      own(state, `c${after}${key}`, { index, kind: 'balance', balance: state.balance, ...where });
    } else wake(state, index, now);
  }

  /** A signal that changes nothing the walk reads still wakes the case, which plans again: that matters only inside a hold. */
  function wake(state: CaseState, index: number, now: number): void {
    if (state.suspended || state.stopped) return;
    if (state.own.length > 0) flush(state);
    if (now >= node.heldFrom(index, position)) own(state, `w${index}t${now}`, { index, kind: 'wake', at: now });
  }

  function end(state: CaseState, index: number, _now: number, ending: string): void {
    stop(index);
    state.ended = true;
    addCount(totals.endings, ending);
  }

  function schedule(event: PendingEvent): void {
    if (event.at > horizon) return;
    let at = events.length;
    while (at > 0 && ((events[at - 1] as PendingEvent).at > event.at || ((events[at - 1] as PendingEvent).at === event.at && (events[at - 1] as PendingEvent).index > event.index))) at--;
    events.splice(at, 0, event);
  }
}
