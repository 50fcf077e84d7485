import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ComplianceFacts, ContactHistory, ContactMedium, ContactPlace, ContactPoint, DesignatedTime, Provenance, RefusedMedium } from '../domain/case-facts.js';
import type { ComplianceEvent } from '../domain/regulation/events.js';
import type { ContactAction, ContactPolicyInput, ContactRoute, ContactVerdict } from '../domain/regulation/index.js';
import type { TemplateLanguage } from '../domain/disclosures.js';

/**
 * The person workflow's contract: one entity workflow per debtor (person), `person-<debtorId>`,
 * that holds what the person told us and every contact made with them on any of their debts, and
 * grants each contact one at a time, so no interleaving of the person's cases can break a cap, a
 * window, a bar or a designation. Side-effect free so the API can import it.
 *
 * Why an entity workflow and not a row-locked ledger in PostgreSQL: the read model may lag by
 * design (a projection that cannot be written is caught up later) and must never be the
 * authority for a compliance decision; a workflow handles its updates one at a time (serialized
 * per person for free), keeps the person's history durable beside the cases' own, and answers
 * with the same pure rules (domain/regulation/) the cases and the preview use.
 */

export function personWorkflowId(debtorId: string): string {
  return `person-${debtorId}`;
}

/** One open debt (case) of the person. */
export interface PersonCaseRef {
  caseId: string;
  /** The account's external id, as people name it in a hold's reason ("about ACC-2"). */
  accountExternalId: string;
  /**
   * Debts the rules treat as one (e.g. student loans serviced under one account number, 12 CFR
   * 1006.14(b)(2)(i)(B)'s commentary) share a group: per-debt caps count the group's contacts together.
   * The account's external id when the account names none.
   */
  debtGroup: string;
}

/** Everything the person told us and how to reach them: applies to all their debts. */
export interface PersonFacts extends Pick<ComplianceFacts, 'timeZones' | 'state' | 'refusedMedia' | 'refusedPlaces' | 'inconvenientTimes' | 'callConsent'> {
  /** The contact point each case uses per medium (the person's preferred valid one). */
  contacts: Partial<Record<ContactMedium, ContactPoint>>;
  /** Person-level flags: cease, attorney representation, bankruptcy, deceased (time-barred stays per debt). */
  flags?: Partial<Record<'ceaseCommunication' | 'attorneyRepresented' | 'bankruptcy' | 'deceased', Provenance>>;
  language?: TemplateLanguage;
  preferredChannel?: ContactMedium;
}

export interface PersonInput {
  personId: string;
  name: string;
  timeZone: string;
  /** The person's facts as the database records them when the workflow starts. */
  facts: PersonFacts;
  /** Open cases known when the workflow starts (cases started before persons existed too). */
  cases: PersonCaseRef[];
  /** State carried over continue-as-new; absent on the first run. */
  carried?: unknown;
  /**
   * Tell the open cases the person's facts as soon as it starts. Set when the input is read from
   * the database (records/persons.ts): a person may start after its cases (a new person with one
   * account starts with its case's first word to it), from rows that already hold a change its
   * cases never heard of (a designation the API just wrote, whose signal then changes nothing).
   * Absent on persons started before this was said, so their runs replay as they were.
   */
  announceAtStart?: boolean;
  /** As the case's (`CaseInput.codeGeneration`, workflows/patches.ts). */
  codeGeneration?: number;
}

/** One contact made with the person, on any debt. */
export interface PersonContact {
  /** The grant that allowed it, or the source of a contact recorded after the fact (an officer's call). */
  grantId: string;
  caseId: string;
  debtGroup: string;
  medium: ContactMedium;
  /** Epoch ms. */
  at: number;
  /** A telephone conversation about the debt (12 CFR 1006.14(b)(2)(ii)). */
  conversation?: boolean;
  /** The call was made with the person's recent prior consent: it does not count toward the cap. */
  consented?: boolean;
}

/** A case asks the person whether it may contact them now; when permitted, the contact is counted at once. */
export interface ContactGrantRequest {
  /** The case's idempotency key for the step: a repeated request gets the first answer. */
  grantId: string;
  caseId: string;
  channel: ContactRoute;
  action: ContactAction;
  /** Per-debt facts only the case knows: the dispute, the validation notice, its balance, time-barred. */
  debt: { balance: number; timeBarred?: boolean; history?: Pick<ContactHistory, 'firstCommunicationAt' | 'validationNoticeSentAt' | 'dispute'> };
  /** The case's strategy contact policy. */
  policy: ContactPolicyInput;
  /** Ask only: evaluate without counting a contact (a call task waits for the officer's dial). */
  reserve?: boolean;
  /** The asking case's account and debt group, so a case the person has not heard of yet joins on its first ask. */
  account?: Pick<PersonCaseRef, 'accountExternalId' | 'debtGroup'>;
  /** A message step whose channel the strategy consolidates: the account line it would list (`person-consolidated-messages`). */
  consolidate?: ConsolidatedAccount;
}

/** The message channels a strategy may consolidate (`contact.consolidate`); letters and validation notices stay per debt. */
export const consolidatedChannels = ['email', 'sms'] as const;
export type ConsolidatedChannel = (typeof consolidatedChannels)[number];

/** One account a consolidated message lists. */
export interface ConsolidatedAccount {
  caseId: string;
  stepId: string;
  /** The listed case's idempotency key for its step: its communication row is keyed by it, so it never sends the step again. */
  stepKey: string;
  externalId: string;
  /** Minor units. */
  balance: number;
  currency: string;
  /** The message then carries the time-barred disclosure. */
  timeBarred?: boolean;
}

/** A case's next message step on a consolidating channel, told to its person while the case waits for it. */
export interface DueMessage {
  channel: ConsolidatedChannel;
  /** Epoch ms the step is due. */
  at: number;
  account: ConsolidatedAccount;
  /** What the case would ask for it: the person checks the account may be listed now. */
  request: Omit<ContactGrantRequest, 'grantId'>;
}

/** The consolidated message that listed a case's step: the case records the step as done without sending. */
export interface CoveredBy {
  grantId: string;
  caseId: string;
  accountExternalId: string;
  /** Epoch ms of the grant. */
  at: number;
}

/**
 * The person's answer. `mergedInto` is set when this person was merged into another: the case
 * asks that one from now on (the verdict is then a hold until now).
 */
export type ContactGrant = ContactVerdict & {
  grantId: string;
  personId?: string;
  mergedInto?: string;
  /** Permitted: the other accounts the asking case's message lists with its own (one contact for all). */
  consolidated?: ConsolidatedAccount[];
  /** Permitted without a new contact: the step was already listed in another case's consolidated message. */
  coveredBy?: CoveredBy;
};

/** A change to what the person told us, from the API, a reply on any case, or an officer. */
export type PersonChange =
  /** Person-level compliance events (opt-outs, consent, flags, refusals, contact points, replies' effects). */
  | { kind: 'compliance'; event: ComplianceEvent }
  | { kind: 'designations'; inconvenientTimes: DesignatedTime[]; source: string; at: number }
  | { kind: 'call_consent'; granted: boolean; source: string; at: number }
  | { kind: 'preferences'; language?: TemplateLanguage; preferredChannel?: ContactMedium | null; source: string; at: number }
  /** The person's contact points as the API now holds them (after an add, a correction, a verification or a retirement). */
  | { kind: 'contacts'; contacts: Partial<Record<ContactMedium, ContactPoint>>; source: string; at: number }
  /**
   * The person withdrew refusals ("you may call me at work again"): remove these places and media
   * (a medium with `address` only for that address). New refusals come as `compliance` events
   * (`place_refused` / `medium_refused`).
   */
  | { kind: 'refusal_withdrawn'; places: ContactPlace[]; media: Pick<RefusedMedium, 'medium' | 'address'>[]; source: string; at: number };

export interface PersonChangeSignal {
  /** Repeats (a retried API call) are applied once. */
  changeId: string;
  change: PersonChange;
  /** A change a case learnt itself: which case, and its count of changes told (increasing). */
  from?: { caseId: string; seq: number };
}

/** What the person workflow tells each of its cases after a change: the facts to use from now on. */
export interface PersonChanged {
  personId: string;
  name: string;
  /** Increases with every change, so a case ignores an older broadcast that arrives late. */
  version: number;
  facts: PersonFacts;
  /**
   * Per open case, the last of its own changes (`PersonChangeSignal.from.seq`) these facts include:
   * a case keeps applying what it told the person on top of the facts until they include it.
   */
  acks?: Record<string, number>;
}

export interface PersonStatus {
  personId: string;
  name: string;
  facts: PersonFacts;
  cases: (PersonCaseRef & { open: boolean })[];
  /** Contacts of the retention window, newest last. */
  contacts: PersonContact[];
  /** Set when this person was merged into another: its cases now ask that one. */
  mergedInto: string | null;
  /** Each open case's latest answer when it was a hold still in force: what waits, until when, and why. */
  holds: PersonHold[];
}

export interface PersonHold {
  caseId: string;
  accountExternalId: string;
  channel: ContactRoute;
  kind: 'held';
  /** Epoch ms; null until a new fact. */
  until: number | null;
  reason: string;
}

export const personChangeSignal = defineSignal<[PersonChangeSignal]>('personChange');
export const caseJoinedSignal = defineSignal<[PersonCaseRef]>('caseJoined');
export const caseLeftSignal = defineSignal<[{ caseId: string }]>('caseLeft');
/** A contact made outside a grant (an officer's call recorded afterwards) still counts. */
export const contactRecordedSignal = defineSignal<[PersonContact]>('contactRecorded');
/** This person was merged into `into` (or, with `into: null`, the merge was undone and it is itself again). */
export const personMergedSignal = defineSignal<[{ into: string | null; by: string; mergeId: string }]>('personMerged');
/** A case's next due message step on a consolidating channel, or null when it has none. */
export const caseDueSignal = defineSignal<[{ caseId: string; due: DueMessage | null }]>('caseDue');
/** The consolidated message of grant `grantId` did not go out: the accounts it listed are no longer covered by it. */
export const consolidationFailedSignal = defineSignal<[{ grantId: string }]>('consolidationFailed');
export const personStatusQuery = defineQuery<PersonStatus>('status');

/** What the person's rules decide against (domain/person/contact-decision.ts `PersonLedger`), for a caller that previews a decision. */
export interface PersonLedgerView {
  personId: string;
  name: string;
  timeZone: string;
  facts: PersonFacts;
  cases: Record<string, PersonCaseRef & { open: boolean }>;
  contacts: PersonContact[];
}
export const personLedgerQuery = defineQuery<PersonLedgerView>('ledger');
export const grantContactUpdate = defineUpdate<ContactGrant, [ContactGrantRequest]>('grantContact');

/** What a person merged into another hands over, so nothing it knew is forgotten. */
export interface PersonAbsorbed {
  from: string;
  mergeId: string;
  facts: PersonFacts;
  contacts: PersonContact[];
  cases: PersonCaseRef[];
}

/** Sent by a person merged into another to that one: its facts, contacts and open cases. */
export const personAbsorbedSignal = defineSignal<[PersonAbsorbed]>('personAbsorbed');
/** The merge `mergeId` was undone: `from` takes its cases back (the contacts stay counted). */
export const personReleasedSignal = defineSignal<[{ from: string; mergeId: string }]>('personReleased');

/** Sent by the person to each of its open cases (handled by the case workflow). */
export const personChangedSignal = defineSignal<[PersonChanged]>('personChanged');
