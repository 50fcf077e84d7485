import type {
  ConsolidatedAccount,
  ContactGrant,
  ContactGrantRequest,
  CoveredBy,
  DueMessage,
  PersonAbsorbed,
  PersonCaseRef,
  PersonChanged,
  PersonChangeSignal,
  PersonContact,
  PersonFacts,
  PersonHold,
  PersonInput,
  PersonStatus,
} from '../person-messages.js';
import type { ContactRoute } from '../../domain/regulation/index.js';
import { consolidationCandidates } from './consolidation.js';
import { applyPersonChange, decideContact, recordContact, type LedgerContact, type PersonLedger } from './rules.js';

/**
 * The person's state and every synchronous change to it: grants, changes, cases joining and
 * leaving, contacts, merges. Plain code without Temporal (the workflow's handlers call it, and
 * inside a workflow `now` is the deterministic clock), bounded so it travels through
 * continue-as-new.
 */

/** Answers kept for repeated grant ids (a retried activity asks again with the same id). */
export const keptGrants = 500;
const grantRetentionMs = 7 * 86_400_000;
/** Change ids kept to apply a retried API call once. */
export const keptChangeIds = 500;
/** Closed cases kept in the status beside the open ones. */
const keptClosedCases = 100;

export interface PersonCase extends PersonCaseRef {
  open: boolean;
}

export interface PersonState {
  name: string;
  timeZone: string;
  facts: PersonFacts;
  version: number;
  cases: PersonCase[];
  contacts: LedgerContact[];
  grants: { at: number; caseId: string; channel: ContactRoute; grant: ContactGrant }[];
  changeIds: string[];
  mergedInto: { personId: string; mergeId: string } | null;
  /** Per case, the last of its own changes applied (PersonChangeSignal.from), told back in every announcement. */
  acks?: Record<string, number>;
  /** Persons merged into this one, with the cases they brought, so an undo gives them back. */
  absorbed: { from: string; mergeId: string; caseIds: string[] }[];
  /** Per open case, its next due message step on a consolidating channel (`caseDue`). */
  due?: Record<string, DueMessage>;
  /** Per open case, the step an earlier consolidated message listed: asked for, it is answered `coveredBy`. */
  covered?: Record<string, { stepKey: string; channel: ContactRoute; by: CoveredBy }>;
}

/** Work the loop does for the handlers, which must stay synchronous. */
export type PersonEffect =
  /** Tell these cases (all open ones when absent) the facts as they are now. */
  | { kind: 'broadcast'; caseIds?: string[] }
  /** Hand a change over to the person this one was merged into. */
  | { kind: 'forward'; change: PersonChangeSignal }
  | { kind: 'forwardContact'; contact: PersonContact }
  | { kind: 'absorbed'; into: string; absorbed: PersonAbsorbed }
  | { kind: 'released'; into: string; mergeId: string };

export class LivePerson {
  readonly personId: string;
  readonly state: PersonState;
  effects: PersonEffect[] = [];

  constructor(input: PersonInput) {
    this.personId = input.personId;
    this.state = (input.carried as PersonState | undefined) ?? {
      name: input.name,
      timeZone: input.timeZone,
      facts: input.facts,
      version: 1,
      cases: input.cases.map((ref) => ({ ...ref, open: true })),
      contacts: [],
      grants: [],
      changeIds: [],
      mergedInto: null,
      absorbed: [],
    };
  }

  /**
   * The queued work, taken: broadcasts coalesced (one to every open case stands for all, cases
   * named once), since each tells the facts as they are when it is sent.
   */
  takeEffects(): PersonEffect[] {
    const effects = this.effects;
    this.effects = [];
    const toAll = effects.some((effect) => effect.kind === 'broadcast' && !effect.caseIds);
    const named = [...new Set(effects.flatMap((effect) => (effect.kind === 'broadcast' && effect.caseIds ? effect.caseIds : [])))];
    const broadcast: PersonEffect[] = toAll ? [{ kind: 'broadcast' }] : named.length > 0 ? [{ kind: 'broadcast', caseIds: named }] : [];
    return [...effects.filter((effect) => effect.kind !== 'broadcast'), ...broadcast];
  }

  openCases(): PersonCase[] {
    return this.state.cases.filter((each) => each.open);
  }

  /** The grant the person gave `grantId` before, if it did. */
  earlierGrant(grantId: string): ContactGrant | undefined {
    return this.state.grants.find((each) => each.grant.grantId === grantId)?.grant;
  }

  /** Decides a contact against the whole ledger and counts it at once when permitted. */
  grant(request: ContactGrantRequest, now: number): ContactGrant {
    const earlier = this.earlierGrant(request.grantId);
    if (earlier) return earlier;
    const { state } = this;
    if (state.mergedInto) {
      // Asked in the instant of a merge: the case asks the other person now.
      return { kind: 'held', until: now, reason: `the person was merged into ${state.mergedInto.personId}`, grantId: request.grantId, mergedInto: state.mergedInto.personId };
    }
    if (request.account && !state.cases.some((each) => each.caseId === request.caseId)) {
      this.join({ caseId: request.caseId, ...request.account });
    }
    const listedBefore = this.coveredAnswer(request, now);
    if (listedBefore) return listedBefore;
    const ledger = this.ledger();
    const { grant: verdict, contact } = decideContact({ ledger, request, now });
    // Checked before the one contact is counted: each listed account as if it asked itself now.
    const consolidated = contact && request.consolidate ? consolidationCandidates({ ledger, request, due: state.due ?? {}, covered: state.covered ?? {}, now }) : [];
    if (contact) this.count(contact, now);
    if (contact && request.consolidate) this.cover(request, consolidated, now);
    const grant: ContactGrant = { ...verdict, grantId: request.grantId, personId: this.personId, ...(consolidated.length > 0 ? { consolidated } : {}) };
    this.remember(request, grant, now);
    return grant;
  }

  /** A case's next due message step on a consolidating channel (null: none). */
  noteDue(caseId: string, due: DueMessage | null): void {
    const { [caseId]: _old, ...others } = this.state.due ?? {};
    this.state.due = due ? { ...others, [caseId]: due } : others;
  }

  /** The answer to a case whose step an earlier consolidated message listed: done, no new contact. */
  private coveredAnswer(request: ContactGrantRequest, now: number): ContactGrant | null {
    const { state } = this;
    const covered = state.covered?.[request.caseId];
    if (!request.consolidate || !covered || covered.stepKey !== request.consolidate.stepKey || covered.channel !== request.channel) return null;
    const { [request.caseId]: _done, ...others } = state.covered ?? {};
    state.covered = others;
    const grant: ContactGrant = { kind: 'permitted', grantId: request.grantId, personId: this.personId, coveredBy: covered.by };
    this.remember(request, grant, now);
    return grant;
  }

  /** The asking case sends its step now; the listed ones are covered by its grant. */
  private cover(request: ContactGrantRequest, listed: ConsolidatedAccount[], now: number): void {
    const { state } = this;
    const by: CoveredBy = { grantId: request.grantId, caseId: request.caseId, accountExternalId: request.consolidate?.externalId ?? request.caseId, at: now };
    const done = new Set([request.caseId, ...listed.map((each) => each.caseId)]);
    state.due = Object.fromEntries(Object.entries(state.due ?? {}).filter(([caseId]) => !done.has(caseId)));
    state.covered = { ...state.covered, ...Object.fromEntries(listed.map((each) => [each.caseId, { stepKey: each.stepKey, channel: request.channel, by }])) };
  }

  /** The consolidated message of `grantId` did not go out: the cases it listed send their own step when they ask. */
  uncover(grantId: string): void {
    this.state.covered = Object.fromEntries(Object.entries(this.state.covered ?? {}).filter(([, entry]) => entry.by.grantId !== grantId));
  }

  private remember(request: ContactGrantRequest, grant: ContactGrant, now: number): void {
    const { state } = this;
    state.grants = [...state.grants.filter((each) => each.at > now - grantRetentionMs).slice(-(keptGrants - 1)), { at: now, caseId: request.caseId, channel: request.channel, grant }];
  }

  /** Applies a change once per change id; a merged person hands it to the one it was merged into. */
  change(signal: PersonChangeSignal): string[] {
    const { state } = this;
    if (state.changeIds.includes(signal.changeId)) return [];
    state.changeIds = [...state.changeIds.slice(-(keptChangeIds - 1)), signal.changeId];
    if (signal.from) {
      const { caseId, seq } = signal.from;
      // Only open cases are told back: the map stays as small as the person's open cases.
      const open = new Set(this.openCases().map((each) => each.caseId));
      state.acks = { ...Object.fromEntries(Object.entries(state.acks ?? {}).filter(([id]) => open.has(id))), [caseId]: Math.max(seq, state.acks?.[caseId] ?? 0) };
    }
    if (state.mergedInto) this.effects.push({ kind: 'forward', change: signal });
    const { facts, changes } = applyPersonChange(state.facts, signal.change);
    state.facts = facts;
    if (changes.length > 0) this.changed();
    return changes;
  }

  join(ref: PersonCaseRef): void {
    const { state } = this;
    const known = state.cases.find((each) => each.caseId === ref.caseId);
    if (known?.open) return;
    state.cases = [...state.cases.filter((each) => each.caseId !== ref.caseId), { ...ref, open: true }];
    // The new case learns what the person told us on the other accounts (a STOP, a designation).
    if (!state.mergedInto) this.effects.push({ kind: 'broadcast', caseIds: [ref.caseId] });
  }

  leave(caseId: string): void {
    const { state } = this;
    const known = state.cases.find((each) => each.caseId === caseId);
    if (!known?.open) return;
    known.open = false;
    this.noteDue(caseId, null);
    if (this.state.covered?.[caseId]) {
      const { [caseId]: _gone, ...others } = this.state.covered;
      this.state.covered = others;
    }
    const closed = state.cases.filter((each) => !each.open);
    if (closed.length > keptClosedCases) {
      const dropped = new Set(closed.slice(0, closed.length - keptClosedCases).map((each) => each.caseId));
      state.cases = state.cases.filter((each) => !dropped.has(each.caseId));
    }
  }

  /** A contact made outside a grant (an officer's call) still counts. */
  recordContact(contact: PersonContact, now: number): void {
    const { state } = this;
    this.count(contact, now);
    if (state.mergedInto) this.effects.push({ kind: 'forwardContact', contact });
  }

  /** This person was merged into `into` (its cases now ask that one), or, with `into: null`, the merge was undone. */
  merged({ into, mergeId }: { into: string | null; mergeId: string }): void {
    const { state } = this;
    if (into === this.personId) return;
    if (into) {
      if (state.mergedInto?.mergeId === mergeId) return;
      state.mergedInto = { personId: into, mergeId };
      this.effects.push({ kind: 'absorbed', into, absorbed: { from: this.personId, mergeId, facts: state.facts, contacts: state.contacts, cases: this.openCases().map(({ open: _open, ...ref }) => ref) } });
      return;
    }
    const was = state.mergedInto;
    if (!was) return;
    state.mergedInto = null;
    this.effects.push({ kind: 'released', into: was.personId, mergeId: was.mergeId });
    this.changed();
  }

  /** Another person was merged into this one: its facts join these, its contacts count, its cases ask here. */
  absorb({ from, mergeId, facts, contacts, cases }: PersonAbsorbed, now: number): void {
    const { state } = this;
    if (state.absorbed.some((each) => each.mergeId === mergeId)) return;
    state.facts = mergedFacts(state.facts, facts);
    for (const contact of contacts) this.count(contact, now);
    const caseIds = cases.map((ref) => ref.caseId);
    state.cases = [...state.cases.filter((each) => !caseIds.includes(each.caseId)), ...cases.map((ref) => ({ ...ref, open: true }))];
    state.absorbed = [...state.absorbed, { from, mergeId, caseIds }];
    this.changed();
  }

  /** A merge into this person was undone: its cases go back (their contacts stay counted here). */
  release({ from, mergeId }: { from: string; mergeId: string }): void {
    const { state } = this;
    const entry = state.absorbed.find((each) => each.mergeId === mergeId && each.from === from);
    if (!entry) return;
    state.absorbed = state.absorbed.filter((each) => each !== entry);
    state.cases = state.cases.filter((each) => !entry.caseIds.includes(each.caseId));
  }

  /** What the rules decide against: the person, their facts, their debts and every contact. */
  ledger(): PersonLedger {
    const { state } = this;
    return { personId: this.personId, name: state.name, timeZone: state.timeZone, facts: state.facts, cases: Object.fromEntries(state.cases.map((each) => [each.caseId, each])), contacts: state.contacts };
  }

  /** Counts a contact once per grant (a later report of the same one adds what it learnt, e.g. a conversation). */
  private count(contact: LedgerContact, now: number): void {
    this.state.contacts = recordContact(this.ledger(), contact, now).contacts;
  }

  private changed(): void {
    this.state.version++;
    if (!this.state.mergedInto) this.effects.push({ kind: 'broadcast' });
  }

  /** What each case is told. */
  announcement(): PersonChanged {
    const { state } = this;
    const acks: Record<string, number> = {};
    for (const { caseId } of this.openCases()) {
      const seq = state.acks?.[caseId];
      if (seq) acks[caseId] = seq;
    }
    return { personId: this.personId, name: state.name, version: state.version, facts: state.facts, ...(Object.keys(acks).length > 0 ? { acks } : {}) };
  }

  status(now: number): PersonStatus {
    const { state } = this;
    return { personId: this.personId, name: state.name, facts: state.facts, cases: state.cases, contacts: state.contacts, mergedInto: state.mergedInto?.personId ?? null, holds: this.holds(now) };
  }

  /** Each open case's latest answer, when it is a hold still in force. */
  holds(now: number): PersonHold[] {
    const holds: PersonHold[] = [];
    for (const ref of this.openCases()) {
      const latest = this.state.grants.findLast((each) => each.caseId === ref.caseId);
      const grant = latest?.grant;
      if (!latest || grant?.kind !== 'held' || (grant.until !== null && grant.until <= now)) continue;
      holds.push({ caseId: ref.caseId, accountExternalId: ref.accountExternalId, channel: latest.channel, kind: 'held', until: grant.until, reason: grant.reason });
    }
    return holds;
  }
}

/**
 * Two persons' facts as one: every bar, refusal, opt-out and designation of either stands (the
 * cautious union); the surviving person's contact points first, the other's where it has none.
 */
export function mergedFacts(into: PersonFacts, from: PersonFacts): PersonFacts {
  const contacts = { ...from.contacts, ...into.contacts };
  for (const [medium, point] of Object.entries(from.contacts)) {
    const kept = contacts[medium as keyof typeof contacts];
    if (kept && point && kept.address === point.address && point.optedOut && !kept.optedOut) contacts[medium as keyof typeof contacts] = { ...kept, optedOut: true, optOut: point.optOut ?? null };
  }
  const union = <T>(a: T[] | undefined, b: T[] | undefined): T[] | undefined => (a || b ? [...(a ?? []), ...(b ?? []).filter((each) => !(a ?? []).some((mine) => JSON.stringify(mine) === JSON.stringify(each)))] : undefined);
  const refusedMedia = union(into.refusedMedia, from.refusedMedia);
  const refusedPlaces = union(into.refusedPlaces, from.refusedPlaces);
  const inconvenientTimes = union(into.inconvenientTimes, from.inconvenientTimes);
  const timeZones = union(into.timeZones, from.timeZones);
  const flags = { ...from.flags, ...into.flags };
  return {
    ...from,
    ...into,
    contacts,
    ...(Object.keys(flags).length > 0 ? { flags } : {}),
    ...(refusedMedia ? { refusedMedia } : {}),
    ...(refusedPlaces ? { refusedPlaces } : {}),
    ...(inconvenientTimes ? { inconvenientTimes } : {}),
    ...(timeZones ? { timeZones } : {}),
  };
}
