import { isMessageAction, type StepAction } from '../step-actions.js';
import { daysPastDueAt } from '../step-conditions.js';
import type { TStrategyDefinition } from '../strategy.js';
import type { ResponseKind, SimulatedCase } from './contract.js';
import { accountOf, addContact, addCount, addRecovered, caseRules, dayMs, holdRule, partPayment, recordResponse, type CaseRules, type Sink } from './case-rules.js';
import type { Responder } from './responders.js';
import { balanceBand, channelOfAction, daysPastDueBand, daysSinceContactBand } from './strata.js';
import { childOf, treeRoot, type TreeInput, type TreeNode, type TreeRoot } from './walk-tree.js';

/**
 * A single-account case simulated from the tree of remembered walks (walk-tree.ts): the same
 * draws, answers and totals as the direct walk of person-walk.ts (a test holds them equal), at a
 * fraction of the cost, since the walk itself is computed once per distinct history.
 */

type PendingEvent =
  | { at: number; kind: 'response'; response: Exclude<ResponseKind, 'bounce'>; channel: StepAction }
  | { at: number; kind: 'background' }
  | { at: number; kind: 'promise_due'; kept: boolean };

/** The walks of one arm, by what the walk reads of an account. */
export class WalkForest {
  private readonly roots = new Map<string, TreeRoot>();
  readonly rules: CaseRules;
  private readonly minBalances: number[];
  private readonly maxBalances: number[];
  private readonly readsDaysPastDue: boolean;

  constructor(
    readonly definition: TStrategyDefinition,
    readonly startedAt: number,
    readonly horizonDays: number,
  ) {
    this.rules = caseRules(definition);
    const conditions = definition.steps.map((step) => step.when ?? {});
    this.minBalances = [...new Set(conditions.flatMap((when) => (when.minBalance === undefined ? [] : [when.minBalance])))];
    this.maxBalances = [...new Set(conditions.flatMap((when) => (when.maxBalance === undefined ? [] : [when.maxBalance])))];
    this.readsDaysPastDue = conditions.some((when) => when.minDaysPastDue !== undefined || when.maxDaysPastDue !== undefined);
  }

  /** Which side of every balance condition of the strategy a balance falls on: all the walk reads of it. */
  balanceClass(balance: number): string {
    return `${this.minBalances.map((min) => (balance >= min ? 1 : 0)).join('')}/${this.maxBalances.map((max) => (balance <= max ? 1 : 0)).join('')}`;
  }

  /** All the walk reads of a case: cases with the same key walk alike. */
  walkKey(simulated: SimulatedCase): string {
    // The rules read a phone number (its area code's zones) and a postal address (its state), but
    // an email address only where the debtor refused that address: otherwise it is left out, so
    // debtors alike but for their email share one walk.
    const email = simulated.contacts.email;
    const contacts = email && !simulated.compliance?.refusedMedia?.length ? { ...simulated.contacts, email: { ...email, address: email.address === '' ? '' : '@' } } : simulated.contacts;
    return JSON.stringify([simulated.timeZone, contacts, simulated.compliance ?? null, this.balanceClass(simulated.balance), this.readsDaysPastDue ? simulated.daysPastDue : null]);
  }

  rootFor(simulated: SimulatedCase): TreeRoot {
    const key = this.walkKey(simulated);
    let root = this.roots.get(key);
    if (!root) {
      root = treeRoot({ definition: this.definition, account: accountOf(simulated), startedAt: this.startedAt, horizonDays: this.horizonDays, holdRule });
      this.roots.set(key, root);
    }
    return root;
  }
}

/** One single-account case in one run, read from its arm's forest; adds to `sink.totals` as simulatePerson does. */
export function simulateSingleCase({ simulated, root, forest, responder, sink }: { simulated: SimulatedCase; root: TreeRoot; forest: WalkForest; responder: Responder; sink: Sink }): void {
  const { totals, startedAt, horizonDays, partShare } = sink;
  const { rules } = forest;
  const horizon = startedAt + horizonDays * dayMs;
  const caseId = simulated.caseId;
  const events: PendingEvent[] = [];
  const optedOut = new Set<string>(Object.entries(simulated.contacts).flatMap(([channel, contact]) => (contact.optedOut ? [channel] : [])));
  let node: TreeNode = root.node;
  let position = 0;
  let balance = simulated.balance;
  let balanceClass = forest.balanceClass(balance);
  let contacts = 0;
  let lastContactAt: number | null = null;
  /** A promise in force suspends the timeline: no entry is read until it falls due. */
  let suspended = false;
  /** Answers that change the walk, met while suspended: applied with the broken promise's resumption. */
  let whileSuspended: Array<{ key: string; input: TreeInput }> = [];

  totals.cases++;
  totals.balance += balance;
  const payDay = responder.backgroundPayDay();
  if (payDay !== null && payDay <= horizonDays) schedule({ at: startedAt + payDay * dayMs + dayMs / 2, kind: 'background' });

  for (;;) {
    const entry = suspended ? undefined : node.entries[position];
    const next = suspended ? Infinity : entry ? entry.now : node.end.at;
    const event = events[0];
    if (event && event.at <= next) {
      events.shift();
      if (apply(event)) return;
      continue;
    }
    if (!entry) {
      end(suspended ? 'horizon' : node.end.reason);
      return;
    }
    if (entry.outcome === 'held') addCount(totals.holds, entry.holdRule ?? 'other');
    else if (entry.contact) {
      const days = lastContactAt === null ? null : Math.floor((entry.now - lastContactAt) / dayMs);
      const answer = responder.answer({
        caseId,
        stepId: entry.stepId,
        at: entry.now,
        index: contacts + 1,
        action: entry.action,
        channel: channelOfAction(entry.action),
        balanceBand: balanceBand(balance),
        daysPastDueBand: daysPastDueBand(daysPastDueAt({ atStart: simulated.daysPastDue, startedAt, now: entry.now })),
        daysSinceContactBand: daysSinceContactBand(days),
      });
      contacts++;
      lastContactAt = entry.now;
      addContact(sink, entry.action);
      if (answer?.kind === 'bounce') {
        if (isMessageAction(entry.action)) {
          node = childOf(root, node, `b${position}`, { kind: 'bounce', pos: position });
          recordResponse(sink, caseId, entry.now, 'bounce');
        }
      } else if (answer) {
        schedule({ at: entry.now + answer.afterDays * dayMs, kind: 'response', response: answer.kind, channel: entry.action });
      }
    }
    position++;
  }

  /** Where an answer at `at` takes effect: before the next entry, or at its instant inside a hold. */
  function place(at: number): { key: string; where: { pos: number } | { at: number } } {
    const held = at >= (node.entries[position]?.heldFrom ?? node.tailHeldFrom);
    return held ? { key: `t${at}`, where: { at } } : { key: `p${position}`, where: { pos: position } };
  }

  function fork(key: string, input: TreeInput): void {
    if (suspended) whileSuspended.push({ key, input });
    else node = childOf(root, node, key, input);
  }

  /** Applies an event; answers whether the case ended. */
  function apply(event: PendingEvent): boolean {
    const now = event.at;
    if (event.kind === 'background') {
      recordResponse(sink, caseId, now, 'background', balance);
      return pay(now, balance);
    }
    if (event.kind === 'promise_due') {
      if (event.kept) return pay(now, balance);
      if (rules.brokenBranch === 'escalate_agency') return end('placed');
      if (rules.brokenBranch === 'escalate_legal') return end('legal_hold');
      suspended = false;
      for (const { key, input } of whileSuspended) node = childOf(root, node, key, input);
      whileSuspended = [];
      return false;
    }
    const { response } = event;
    switch (response) {
      case 'pay_full':
        recordResponse(sink, caseId, now, response, balance);
        return pay(now, balance);
      case 'pay_part': {
        const amount = partPayment(balance, partShare);
        recordResponse(sink, caseId, now, response, amount);
        return pay(now, amount);
      }
      case 'promise_kept':
      case 'promise_broken': {
        recordResponse(sink, caseId, now, response);
        if (suspended) return false;
        const kept = response === 'promise_kept';
        const suspendMs = rules.promiseDueMs + (kept ? 0 : rules.graceMs);
        if (!kept && rules.brokenBranch !== 'escalate_agency' && rules.brokenBranch !== 'escalate_legal') {
          // The walk after a broken promise: suspended from here, resumed (or restarted) when it falls due.
          const how = rules.brokenBranch;
          const { key, where } = how === 'restart' ? { key: `t${now}`, where: { at: now } } : place(now);
          const promise: TreeInput = { kind: 'promise_broken', how, suspendMs, ...where };
          schedule({ at: now + suspendMs, kind: 'promise_due', kept });
          suspended = true;
          whileSuspended = [{ key: `pb${key}`, input: promise }];
          return false;
        }
        suspended = true;
        whileSuspended = [];
        schedule({ at: now + suspendMs, kind: 'promise_due', kept });
        return false;
      }
      case 'reply':
        recordResponse(sink, caseId, now, response);
        wake(now);
        return false;
      case 'dispute':
        recordResponse(sink, caseId, now, response);
        if (rules.onDispute === 'hold') return end('disputed');
        if (rules.onDispute === 'escalate_legal') return end('legal_hold');
        wake(now);
        return false;
      case 'opt_out': {
        recordResponse(sink, caseId, now, response);
        const channel = event.channel;
        if (isMessageAction(channel) && simulated.contacts[channel] && !optedOut.has(channel)) {
          optedOut.add(channel);
          const { key, where } = place(now);
          fork(`o${channel}${key}`, { kind: 'opt_out', channel, ...where });
        }
        return false;
      }
    }
  }

  function pay(now: number, amount: number): boolean {
    if (amount <= 0) return false;
    balance = Math.max(0, balance - amount);
    addRecovered(sink, now, amount);
    if (balance === 0) return end('paid');
    const after = forest.balanceClass(balance);
    if (after !== balanceClass) {
      balanceClass = after;
      const { key, where } = place(now);
      fork(`c${after}${key}`, { kind: 'balance', balance, ...where });
    } else wake(now);
    return false;
  }

  /**
   * A signal that changes nothing the walk reads still wakes the case, which plans again: that
   * matters only inside a hold (before a step is due, planning again just waits for it).
   */
  function wake(now: number): void {
    if (suspended) return;
    const held = now >= (node.entries[position]?.heldFrom ?? node.tailHeldFrom);
    if (held) node = childOf(root, node, `w${now}`, { kind: 'wake', at: now });
  }

  function end(ending: string): true {
    addCount(totals.endings, ending);
    return true;
  }

  function schedule(event: PendingEvent): void {
    if (event.at > horizon) return;
    let index = events.length;
    while (index > 0 && (events[index - 1] as PendingEvent).at > event.at) index--;
    events.splice(index, 0, event);
  }
}
