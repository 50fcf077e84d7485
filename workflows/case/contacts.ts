import type { ContactChannel } from '../../domain/case-facts.js';
import { contactOutcomeOfCall } from '../../domain/contact-outcome.js';
import { conversationOutcomes } from '../../domain/regulation/events.js';
import { classifyReply, ReplyIntent } from '../../domain/replies.js';
import { callMeBranch, disputeBranch } from '../../domain/strategy-branches.js';
import { fallbackStep } from '../../domain/timeline.js';
import type { CallAttempted, CallFacts, ComplianceFactRecorded, ContactChanged, ContactRequest, DebtorReplied } from '../case-messages.js';
import type { LiveCase } from './state.js';

/**
 * What the debtor said and how they can be reached: replies, contact changes, calls placed and
 * contact-rule facts. Synchronous, as the signal handlers that call it.
 */

/** Sources of a `contactChanged` that mean a message already sent never arrived. */
const deliveryFailureSources = ['email_bounce', 'twilio_status', 'letter_returned'];

/** Intents a person must act on. */
const needsPerson: string[] = [ReplyIntent.other, ReplyIntent.callMe, ReplyIntent.dispute, ReplyIntent.hardship, ReplyIntent.wrongNumber, ReplyIntent.paid];

/**
 * A debtor's reply: recorded, honoured (STOP, START, words asking us to stop) and, when a person
 * must read it, turned into a task or the strategy's branch. `replyTasks` (the `reply-tasks`
 * patch) is asked only for an open case and a reply that needs a person.
 */
export function receiveReply(live: LiveCase, reply: DebtorReplied, replyTasks: () => boolean): void {
  const { state } = live;
  const intent = reply.intent ?? classifyReply(reply.text);
  live.record('reply_received', `${reply.channel} reply classified as ${intent}`, { data: { ...reply, intent } });
  // Words asking us to stop ("don't text me") are honoured too, not only carrier keywords.
  if (intent !== ReplyIntent.stop && intent !== ReplyIntent.start) live.comply({ type: 'reply_received', channel: reply.channel, text: reply.text, intent, at: live.now() });
  if (state.status !== 'closed' && needsPerson.includes(intent) && replyTasks()) {
    if (live.walksTimeline) answerReply(live, reply.channel, intent);
    else live.sideEffects.push({ kind: 'task', task: { kind: 'reply', reason: `debtor replied by ${reply.channel} (${intent.replace('_', ' ')})` } });
  }
  const channel: ContactChannel | null = reply.channel === 'phone' ? null : reply.channel;
  const contact = channel ? state.contacts[channel] : undefined;
  if (!channel || !contact) return;
  if (intent === ReplyIntent.stop && !contact.optedOut) {
    contact.optedOut = true;
    live.record('opted_out', `debtor opted out of ${channel} by reply`, { data: { channel, source: `${channel}_reply` } });
    live.tellPerson({ type: 'opted_out', channel, at: live.now(), source: `${channel}_reply` });
  } else if (intent === ReplyIntent.start && contact.optedOut) {
    contact.optedOut = false;
    live.record('opted_in', `debtor opted back in to ${channel} by reply`, { data: { channel, source: `${channel}_reply` } });
    live.tellPerson({ type: 'opted_in', channel, at: live.now(), source: `${channel}_reply` });
  }
}

/** A reply a person must read, or the strategy's branch for a dispute or a call-me request. */
function answerReply(live: LiveCase, channel: DebtorReplied['channel'], intent: ReplyIntent): void {
  const { state, strategy } = live;
  const by = `debtor replied by ${channel}`;
  if (intent === ReplyIntent.callMe) {
    state.lastContactOutcome = 'callback_requested';
    if (callMeBranch(strategy.definition) === 'call_task') live.sideEffects.push({ kind: 'task', task: { kind: 'call', reason: `${by}: asked to be called` } });
    return;
  }
  const branch = disputeBranch(strategy.definition);
  if (intent === ReplyIntent.dispute && branch !== 'task' && !state.hold) {
    state.lastContactOutcome = 'dispute';
    live.endArrangement('arrangement_cancelled', 'arrangement cancelled by a dispute');
    if (branch === 'hold') {
      live.comply({ type: 'dispute_received', at: live.now(), source: `${channel}_reply` });
      live.startHold('dispute', `${by}: the debtor disputes the debt`);
      live.sideEffects.push({ kind: 'task', task: { kind: 'dispute', reason: 'verify the disputed debt' } });
    } else {
      live.startHold('legal', `${by}: the debtor disputes the debt`);
      live.sideEffects.push({ kind: 'task', task: { kind: 'legal_review', reason: `${by}: the debtor disputes the debt` } });
    }
    return;
  }
  const reason = intent === ReplyIntent.other ? `${by}; it could not be classified: read it and record the outcome` : `${by} (${intent.replace('_', ' ')})`;
  live.sideEffects.push({ kind: 'task', task: { kind: 'reply', reason } });
}

/** A contact point changed (new address, consent, opt-out, or reported undeliverable). */
export function changeContact(live: LiveCase, change: ContactChanged): void {
  const { state } = live;
  const { channel, source, ...fields } = change;
  const current = state.contacts[channel];
  if (!current && !fields.address) return;
  state.contacts[channel] = {
    address: fields.address ?? current?.address ?? '',
    valid: fields.valid ?? (fields.address ? true : (current?.valid ?? true)),
    consent: fields.consent ?? current?.consent ?? false,
    optedOut: fields.optedOut ?? current?.optedOut ?? false,
  };
  live.record('contact_changed', `${channel} contact changed by ${source}`, { data: { channel, source } });
  tellPersonOfContact(live, change);
  if (channel === 'letter' && source === 'letter_returned' && fields.valid === false) returnedValidationNotice(live, source);
  if (live.walksTimeline && fields.valid === false && deliveryFailureSources.includes(source)) owedFallback(live, channel, source);
}

/** What a contact change means for the person (an opt-out, a bad or new address, consent), told to it. */
function tellPersonOfContact(live: LiveCase, { channel, source, address, valid, consent, optedOut }: ContactChanged): void {
  if (!live.personGrants) return;
  const at = live.now();
  if (address !== undefined || valid !== undefined) live.tellPerson({ type: 'contact_changed', channel, ...(address !== undefined ? { address } : {}), ...(valid !== undefined ? { valid } : {}), at, source });
  if (optedOut !== undefined) live.tellPerson({ type: optedOut ? 'opted_out' : 'opted_in', channel, at, source });
  if (consent !== undefined && channel === 'sms') live.tellPerson({ type: 'sms_consent', granted: consent, ...(address !== undefined ? { number: address } : {}), at, source });
}

/**
 * A returned letter that carried the validation information was never delivered: it starts no
 * validation period (12 CFR 1006.34(b)(5) counts from receipt), so collection waits for one that
 * is. Cases of a person only (the `person-contact-grants` patch): older cases keep their history.
 */
function returnedValidationNotice(live: LiveCase, source: string): void {
  if (!live.personGrants) return;
  const stepId = live.state.lastSent?.letter;
  const template = live.strategy.definition.steps.find((step) => step.id === stepId)?.template;
  // The engine's generated notice (workflows/case/validation-notice.ts) is sent under its own step id.
  const generated = stepId === 'validation-notice';
  if (!generated && (template === undefined || !(live.contactPolicy.validationNotice?.templates ?? []).includes(template))) return;
  live.comply({ type: 'validation_notice_returned', at: live.now(), source });
}

/**
 * A message reported undeliverable after it was sent (a bounce, an undelivered SMS, a returned
 * letter): the step that sent it counts as bounced and its fallback is owed.
 */
function owedFallback(live: LiveCase, channel: ContactChannel, source: string): void {
  const stepId = live.state.lastSent?.[channel];
  const cursor = live.timelineCursor();
  if (!stepId || cursor.results[stepId] !== 'sent') return;
  const definition = live.strategy.definition;
  const sentBy = definition.steps.find((step) => step.id === stepId);
  const target = sentBy ? fallbackStep(definition, sentBy) : null;
  const results = { ...cursor.results, [stepId]: 'bounced' as const };
  const owes = target && results[target.id] === undefined && !cursor.pendingFallback;
  live.setCursor({ ...cursor, results, ...(owes ? { pendingFallback: { step: target, fallbackOf: stepId } } : {}) });
  live.record('step_failed', `${channel} from step "${stepId}" was not delivered (${source})${owes ? `; fallback "${target.id}" runs instead` : ''}`, {
    stepId,
    data: { channel, source, result: 'bounced', ...(owes ? { fallback: target.id } : {}) },
  });
}

/** A call an officer placed: counts toward the call caps, and its outcome steers the timeline. */
export function recordCallAttempt(live: LiveCase, call: CallAttempted): void {
  live.record('call_attempted', `call by ${call.by}: ${call.outcome.replace(/_/g, ' ')}`, { data: { taskId: call.taskId, outcome: call.outcome, conversation: call.conversation } });
  live.state.lastContactOutcome = contactOutcomeOfCall(call.outcome) ?? live.state.lastContactOutcome ?? null;
  const conversation = call.conversation || conversationOutcomes.includes(call.outcome);
  live.comply({ type: 'call_attempted', at: Date.parse(call.placedAt), conversation });
  // The call counts on every account of the person (its caps and the week after a conversation).
  if (live.personGrants) {
    live.sideEffects.push({
      kind: 'personContact',
      contact: { grantId: `call:${call.taskId}:${call.placedAt}`, caseId: live.caseId, debtGroup: live.debtGroup(), medium: 'phone', at: Date.parse(call.placedAt), ...(conversation ? { conversation } : {}) },
    });
  }
  for (const request of call.requests ?? []) if (live.personGrants) tellPersonOfRequest(live, request, Date.parse(call.placedAt), `call:${call.by}`);
}

/** What the debtor asked for about being contacted, as the person's compliance event. */
function tellPersonOfRequest(live: LiveCase, request: ContactRequest, at: number, source: string): void {
  switch (request.kind) {
    case 'opt_out':
      return live.tellPerson({ type: 'opted_out', channel: request.channel, at, source });
    case 'opt_in':
      return live.tellPerson({ type: 'opted_in', channel: request.channel, at, source });
    case 'refuse_medium':
      return live.tellPerson({ type: 'medium_refused', medium: request.medium, ...(request.address !== undefined ? { address: request.address } : {}), at, source });
    case 'refuse_place':
      return live.tellPerson({ type: 'place_refused', place: request.place, at, source });
    case 'sms_consent':
      return live.tellPerson({ type: 'sms_consent', granted: request.granted, ...(request.number !== undefined ? { number: request.number } : {}), at, source });
  }
}

/** A contact-rule fact an officer or an integration recorded. */
export function recordComplianceFact(live: LiveCase, { fact, at, source }: ComplianceFactRecorded): void {
  const when = Date.parse(at);
  if (fact.kind === 'flag') live.comply({ type: fact.set ? 'flag_set' : 'flag_cleared', flag: fact.flag, at: when, source });
  else if (fact.kind === 'validation_notice_sent') live.comply({ type: 'validation_notice_sent', at: when, source });
  else if (fact.kind === 'verification_sent') live.comply({ type: 'verification_sent', at: when, source });
  else {
    live.record('compliance', `contact request recorded by ${source}`, { data: { fact } });
    if (live.personGrants) tellPersonOfRequest(live, fact, when, source);
  }
}

/**
 * What the rules read for a telephone call now (the `callFacts` query): the case's facts and
 * policy, and the request its person would be asked with, as a call step asks it.
 */
export function callFacts(live: LiveCase): CallFacts {
  const { state } = live;
  const person = live.personGrants ? (state.person ?? null) : null;
  const history = state.compliance?.history;
  return {
    status: state.status,
    facts: live.caseFacts(),
    policy: live.contactPolicy,
    personId: person?.personId ?? null,
    grantRequest: person
      ? {
          caseId: live.caseId,
          channel: 'phone',
          action: 'collection',
          debt: {
            balance: state.balance,
            ...(live.contentFacts().timeBarred ? { timeBarred: true } : {}),
            ...(history ? { history: { firstCommunicationAt: history.firstCommunicationAt ?? null, validationNoticeSentAt: history.validationNoticeSentAt ?? null, dispute: history.dispute ?? null } } : {}),
          },
          policy: live.contactPolicy,
          account: { accountExternalId: live.account.externalId, debtGroup: live.debtGroup() },
        }
      : null,
  };
}
