import { isCancellation, log } from '@temporalio/workflow';
import { stepContact } from '../../domain/regulation/index.js';
import type { TStep } from '../../domain/strategy.js';
import {
  caseDueSignal,
  consolidationFailedSignal,
  caseJoinedSignal,
  caseLeftSignal,
  contactRecordedSignal,
  personChangeSignal,
  type ConsolidatedAccount,
  type ContactGrant,
  type ContactGrantRequest,
  type CoveredBy,
  type DueMessage,
  type PersonChangeSignal,
  type PersonContact,
} from '../person-messages.js';
import { failureOf, personCalls } from './activities.js';
import { signalPerson } from './person-start.js';
import type { CaseRun } from './run.js';

/**
 * The case's side of its person (workflows/person.ts), for cases of the `person-contact-grants`
 * patch with a person: asking for each contact, telling the person what the case learnt, leaving.
 */

/** What the person answered for a step: go ahead, wait (until when, why), skip (why), or ask again at once. */
export type PersonAnswer =
  /** `consolidated`: the other accounts to list in this step's message; `coveredBy`: another case's message listed this step already. */
  | { kind: 'permitted'; consolidated?: ConsolidatedAccount[]; grantId?: string; coveredBy?: CoveredBy }
  | { kind: 'held'; until: number | null; reason: string } | { kind: 'barred'; reason: string } | { kind: 'again' };

/**
 * Asks the person whether the step may contact them now, after the case's own rules said yes. A
 * permitted message is counted by the person at once; a call step only asks (the officer's dial
 * is counted when the call is recorded). With no person to ask, the case decides alone.
 */
export async function askPerson(run: CaseRun, step: TStep, key: string): Promise<PersonAnswer> {
  const { live, state } = run;
  const person = state.person;
  const request = grantRequest(run, step, key);
  if (!person || !request) return { kind: 'permitted' };
  let grant: ContactGrant;
  try {
    // One ask per attempt: a retried activity repeats it, a later attempt (after a hold) asks anew.
    // A person the case must start is started by this first ask (records/person-workflow.ts, person-start.ts).
    grant = await personCalls.requestContactGrant({ personId: person.personId, grantId: `${key}@${Date.now()}`, ...request, ...(person.unstarted ? { startPerson: true } : {}) });
    delete person.unstarted;
  } catch (error) {
    if (isCancellation(error)) throw error;
    const { type, message } = failureOf(error);
    if (type !== 'PersonNotRunning') throw error;
    log.warn('the person could not be asked; the case decides alone', { caseId: live.caseId, reason: message });
    return { kind: 'permitted' };
  }
  if (grant.mergedInto) {
    person.personId = grant.mergedInto;
    person.version = 0;
    return { kind: 'again' };
  }
  if (grant.kind !== 'held') person.heldFor = null;
  if (grant.kind === 'held' && person.heldFor !== grant.reason) {
    person.heldFor = grant.reason;
    live.record('contact_held', `step "${step.id}" held by the person: ${grant.reason}`, {
      stepId: step.id,
      data: { personId: person.personId, channel: request.channel, until: grant.until === null ? null : new Date(grant.until).toISOString() },
    });
  }
  if (grant.kind === 'held') return { kind: 'held', until: grant.until, reason: grant.reason };
  if (grant.kind === 'barred') return { kind: 'barred', reason: grant.reason };
  return {
    kind: 'permitted',
    ...(grant.consolidated ? { consolidated: grant.consolidated, grantId: grant.grantId } : {}),
    ...(grant.coveredBy ? { coveredBy: grant.coveredBy } : {}),
  };
}

/** The consolidated message of `grantId` did not go out: the person stops counting the listed accounts as covered. */
export async function tellPersonConsolidationFailed(run: CaseRun, grantId: string): Promise<void> {
  const person = run.state.person;
  if (person) await signalPerson(person, consolidationFailedSignal, { grantId });
}

/** What the case asks its person for `step` (sent under `key`), without the attempt's grant id; null when the step contacts nobody. */
function grantRequest(run: CaseRun, step: TStep, key: string): Omit<ContactGrantRequest, 'grantId'> | null {
  const { live, state } = run;
  const contact = stepContact(step, live.contactPolicy);
  if (!contact || contact.channel === 'none') return null;
  const history = state.compliance?.history;
  const consolidate = live.consolidatedLine(step, key);
  return {
    caseId: live.caseId,
    channel: contact.channel,
    action: contact.action,
    debt: {
      balance: state.balance,
      ...(live.contentFacts().timeBarred ? { timeBarred: true } : {}),
      ...(history ? { history: { firstCommunicationAt: history.firstCommunicationAt ?? null, validationNoticeSentAt: history.validationNoticeSentAt ?? null, dispute: history.dispute ?? null } } : {}),
    },
    policy: live.contactPolicy,
    ...(step.action === 'call' ? { reserve: false } : {}),
    account: { accountExternalId: live.account.externalId, debtGroup: live.debtGroup() },
    ...(consolidate ? { consolidate } : {}),
  };
}

/**
 * Tells the person the message step the case waits for when its channel consolidates (or that it
 * waits for none), only when that changed: the person lists it in another account's message due
 * the same day.
 */
export async function tellPersonDue(run: CaseRun, step: TStep | null, at: number, key: string | null): Promise<void> {
  const { live, state } = run;
  const person = state.person;
  if (!live.consolidatedMessages || !person) return;
  const account = step && key ? live.consolidatedLine(step, key) : null;
  const request = account && step && key ? grantRequest(run, step, key) : null;
  const due: DueMessage | null = account && request && (request.channel === 'email' || request.channel === 'sms') ? { channel: request.channel, at, account, request } : null;
  const told = JSON.stringify(due);
  if (person.dueTold === told) return;
  // Kept only once told: a person not running yet hears of it on the next plan.
  if (await signalPerson(person, caseDueSignal, { caseId: live.caseId, due })) person.dueTold = told;
}

/** A person-level fact the case learnt, for the person, which tells the other cases. */
export function tellPerson(run: CaseRun, change: PersonChangeSignal): Promise<void> {
  const person = run.state.person;
  return person ? signalPerson(person, personChangeSignal, change).then(() => undefined) : Promise.resolve();
}

/** A contact made outside a grant (an officer's call), for the person's ledger. */
export function tellPersonOfContact(run: CaseRun, contact: PersonContact): Promise<void> {
  const person = run.state.person;
  return person ? signalPerson(person, contactRecordedSignal, contact).then(() => undefined) : Promise.resolve();
}

/**
 * Keeps the person's list of open cases true: a case that closes leaves it (the person stops
 * telling it of changes), one reopened by a returned payment joins again. Idempotent per change.
 */
export async function keepPersonMembership(run: CaseRun): Promise<void> {
  const { live, state } = run;
  const person = live.personGrants ? state.person : null;
  const closed = state.status === 'closed';
  if (!person || closed === Boolean(person.left)) return;
  person.left = closed;
  const ref = { caseId: live.caseId, accountExternalId: live.account.externalId, debtGroup: live.debtGroup() };
  await (closed ? signalPerson(person, caseLeftSignal, { caseId: live.caseId }) : signalPerson(person, caseJoinedSignal, ref));
}
