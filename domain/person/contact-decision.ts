import { DateTime } from 'luxon';
import type { ContactGrant, ContactGrantRequest, PersonCaseRef, PersonContact, PersonFacts } from '../../workflows/person-messages.js';
import type { CaseFacts } from '../case-facts.js';
import { withinCallConsent } from '../regulation/call-frequency.js';
import { attemptRetentionDays } from '../regulation/events.js';
import { answerFacts, type InboundMessage } from '../regulation/consumer-initiated.js';
import { explainContact } from '../regulation/index.js';
import { stateOverrides, type StateOverrideTable } from '../regulation/state-overrides.js';
import { personHoldReason } from './hold-reasons.js';
import { withPersonFacts } from './person-facts.js';

/**
 * A contact decision made for the person, against everything the person told us and every
 * contact made with them on any of their debts: the function the person workflow answers each
 * `grantContact` with. Pure: the workflow serializes the calls, this decides one.
 */

/** What the person workflow holds: who they are, what they told us, their debts and their contacts. */
export interface PersonLedger {
  personId: string;
  name: string;
  timeZone: string;
  facts: PersonFacts;
  cases: Record<string, PersonCaseRef & { open: boolean }>;
  /** Contacts of the retention window, oldest first. */
  contacts: LedgerContact[];
}

/** A contact in the ledger; an answer names the person's message it answered (answered once). */
export type LedgerContact = PersonContact & { answers?: string };

/**
 * A case's request; an `answer` names the message it answers (to be added to ContactGrantRequest
 * in workflows/person-messages.ts).
 */
export type PersonGrantRequest = ContactGrantRequest & { inReplyTo?: InboundMessage };

const day = 86_400_000;

/** The debt group of a case; a case the person does not know yet is a debt of its own. */
export function debtGroupOf(ledger: PersonLedger, caseId: string): string {
  return ledger.cases[caseId]?.debtGroup ?? caseId;
}

/** The facts the rules read for `request`: the person's, with the debt's balance, history and time-barred flag. */
export function requestFacts(ledger: PersonLedger, request: PersonGrantRequest): CaseFacts {
  const debt: CaseFacts = {
    balance: request.debt.balance,
    timeZone: ledger.timeZone,
    contacts: {},
    ...(request.debt.timeBarred ? { flags: { timeBarred: { at: 0, source: 'case' } } } : {}),
    ...(request.debt.history ? { history: { ...request.debt.history } } : {}),
  };
  return withPersonFacts(debt, ledger.facts);
}

/**
 * Whether the case of `request` may contact the person at `now`, and the contact to append to
 * the ledger when it may (and `request.reserve !== false`). A grant already in the ledger is
 * answered `permitted` again, without a second contact. A held verdict's reason names the person
 * and the account (hold-reasons.ts).
 */
export function decideContact({
  ledger,
  request,
  now,
  overrides = stateOverrides,
}: {
  ledger: PersonLedger;
  request: PersonGrantRequest;
  now: number;
  overrides?: StateOverrideTable;
}): { grant: ContactGrant; contact: LedgerContact | null } {
  if (ledger.contacts.some((contact) => contact.grantId === request.grantId)) {
    return { grant: { kind: 'permitted', grantId: request.grantId }, contact: null };
  }
  const facts = requestFacts(ledger, request);
  const debtGroup = debtGroupOf(ledger, request.caseId);
  const inbound = request.action === 'answer' ? request.inReplyTo : undefined;
  if (inbound && answerFacts({ facts, channel: request.channel, action: request.action, inbound }).lifted) {
    const answered = ledger.contacts.find((contact) => contact.answers === inbound.messageId);
    if (answered) {
      const date = (at: number): string => DateTime.fromMillis(at, { zone: ledger.timeZone }).toFormat('d LLL HH:mm');
      const reason =
        `${ledger.name} asked us not to use ${inbound.medium}; their ${inbound.medium} message of ${date(inbound.at)} was answered once ` +
        `already, on ${date(answered.at)} (12 CFR 1006.14(h)(2)(ii))`;
      return { grant: { kind: 'barred', reason, grantId: request.grantId }, contact: null };
    }
  }
  const explanation = explainContact({
    channel: request.channel,
    action: request.action,
    now,
    facts,
    policy: request.policy,
    overrides,
    person: { debtGroup, contacts: ledger.contacts },
    ...(inbound ? { inReplyTo: inbound } : {}),
  });
  const verdict = explanation.verdict;
  const grant: ContactGrant =
    verdict.kind === 'held'
      ? { ...verdict, reason: personHoldReason({ ledger, request, debtGroup, explanation }) ?? verdict.reason, grantId: request.grantId }
      : { ...verdict, grantId: request.grantId };
  if (verdict.kind !== 'permitted' || request.reserve === false || request.channel === 'none') return { grant, contact: null };
  const contact: LedgerContact = {
    grantId: request.grantId,
    caseId: request.caseId,
    debtGroup,
    medium: request.channel,
    at: now,
    ...(request.channel === 'phone' && withinCallConsent(now, facts.callConsent) ? { consented: true } : {}),
    ...(inbound ? { answers: inbound.messageId } : {}),
  };
  return { grant, contact };
}

/**
 * The ledger with `contact` recorded: once per grant (a later report of the same contact, e.g. the
 * call's outcome, adds its conversation), oldest first, contacts older than the longest cap
 * window dropped. A call made within seven days after the person's consent is marked `consented`
 * even when it was recorded after the fact (an officer's call), so it stays out of the federal cap.
 */
export function recordContact(ledger: PersonLedger, given: LedgerContact, now: number): PersonLedger {
  const contact = given.medium === 'phone' && !given.consented && withinCallConsent(given.at, ledger.facts.callConsent) ? { ...given, consented: true } : given;
  const kept = ledger.contacts.filter((each) => each.at > now - attemptRetentionDays * day);
  const existing = kept.find((each) => each.grantId === contact.grantId);
  const merged: LedgerContact = existing
    ? {
        ...existing,
        ...(existing.conversation || contact.conversation ? { conversation: true } : {}),
        ...(existing.consented || contact.consented ? { consented: true } : {}),
      }
    : contact;
  const contacts = [...kept.filter((each) => each.grantId !== contact.grantId), merged].sort((a, b) => a.at - b.at);
  return { ...ledger, contacts };
}
