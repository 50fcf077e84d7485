import { DateTime } from 'luxon';
import { candidateZones, type CaseFacts, type ContactAttempt, type ContactMedium } from '../case-facts.js';
import { channels, isChannel } from '../channels/index.js';
import { isMessageAction } from '../step-actions.js';
import type { TStep } from '../strategy.js';
import type { ContactAction, ContactRoute } from './actions.js';
import { conversationHold, frequencyCapHold, withinCallConsent, type CountedContact, type FrequencyCap } from './call-frequency.js';
import { communicationBar } from './communication-bars.js';
import { answerFacts, type InboundMessage } from './consumer-initiated.js';
import { describeDesignation, designatedTimeHold, designationCovers, designationsLeaveTime } from './designated-times.js';
import { electronicOptOutProblem } from './electronic-opt-out.js';
import { inconvenientTimeHold, shareWindowSearchDays, zonesShareWindow } from './inconvenient-time.js';
import { latestHold, type Hold, type HoldCause, type RuleOutcome } from './outcome.js';
import { effectiveContactRules, type ContactPolicyInput } from './policy.js';
import { consentBar } from './consent.js';
import { stateOverrides, type StateOverrideTable } from './state-overrides.js';
import { litigationBar, timeBarredContentProblems, timeBarredDisclosure } from './time-barred.js';
import { disputeSuspension, validationNoticeSuspension } from './validation-notice.js';

/**
 * Contact rules as code: one pure function says whether a contact may happen now, and if not,
 * when it first may or why it never can. The workflow, the officer work queue and the preview
 * all ask it, so they cannot disagree.
 */

export { ContactAction, type ContactRoute } from './actions.js';
export type { ContactPolicyInput } from './policy.js';
export type { CountedContact, FrequencyCap } from './call-frequency.js';
export type { HoldCause } from './outcome.js';
export type { InboundMessage } from './consumer-initiated.js';

/**
 * Every contact with the person on any of their debts, for a decision made against the person's
 * ledger (domain/person/): per-debt rules count the contacts of `debtGroup`, per-person rules all.
 */
export interface PersonContacts {
  debtGroup: string;
  contacts: readonly CountedContact[];
}

export type ContactVerdict =
  | { kind: 'permitted' }
  /**
   * Not now. `until` is the earliest instant every rule permits (evaluating at `until` answers
   * `permitted`), or `null` when only a new fact can permit it (a notice sent, a dispute
   * verified): wait for the next signal.
   */
  | { kind: 'held'; until: number | null; reason: string }
  /** Never, as the facts stand: skip the step. */
  | { kind: 'barred'; reason: string };

/** How far ahead a permitted instant is looked for before the contact is called barred. */
export const searchHorizonDays = 400;
const maxSteps = 5_000;
const day = 86_400_000;

/** Whether contact by `route` happens the moment we act, so the debtor's local hours apply. */
function isTimed(route: ContactRoute): boolean {
  return route === 'phone' || (isChannel(route) && channels[route].timed);
}

function formatNext(at: number, zone: string): string {
  return `${DateTime.fromMillis(at, { zone }).toFormat('yyyy-MM-dd HH:mm')} ${zone}`;
}

/** The arguments of {@link evaluateContact} and {@link explainContact}. */
export interface ContactQuestion {
  channel: ContactRoute;
  action?: ContactAction;
  now: number;
  facts: CaseFacts;
  policy?: ContactPolicyInput;
  overrides?: StateOverrideTable;
  person?: PersonContacts;
  /**
   * For an `answer`: the message the person started. An opt-out or refusal of its medium made
   * before it does not stop the answer (consumer-initiated.ts); answering it once is the caller's
   * to keep (domain/person/ checks the ledger).
   */
  inReplyTo?: InboundMessage;
}

/**
 * A verdict with what produced it, for reasons written elsewhere (the person's, domain/person/):
 * `causes` are the rules that held the contact at `now` (or the suspension), `binding` the rule
 * whose end `until` is, and `zone` where that instant is best read.
 */
export interface ContactExplanation {
  verdict: ContactVerdict;
  causes: HoldCause[];
  binding: HoldCause | null;
  zone: string;
}

/**
 * Whether a contact may happen at `now`.
 *
 * Bars (bankruptcy, deceased, attorney, cease, refusals, opt-outs, consent, a time-barred suit)
 * answer `barred`. Otherwise the earliest instant at or after `now` that every timed rule
 * permits (local hours, no-contact days and the times the debtor designated as inconvenient in
 * every candidate zone, frequency caps, the week after a conversation) is found by moving to the
 * latest instant any rule demands and asking again, until all agree.
 *
 * @param channel the medium (`none` for referral and litigation, which reach no one)
 * @param action what the contact is for; an ordinary dunning step is `collection`
 * @param policy the strategy's contact policy (`strategy.definition.contact`)
 * @param overrides the state table; the built-in one unless a test supplies its own
 * @param person the person's contacts on all their debts; without it the case's own history
 *   (`facts.history`) serves every scope, as for a case that has no person
 */
export function evaluateContact(question: ContactQuestion): ContactVerdict {
  return explainContact(question).verdict;
}

/** {@link evaluateContact}, with the rules that decided it. */
export function explainContact({
  channel,
  action = 'collection',
  now,
  facts: given,
  policy = {},
  overrides = stateOverrides,
  person,
  inReplyTo,
}: ContactQuestion): ContactExplanation {
  const { facts } = answerFacts({ facts: given, channel, action, inbound: inReplyTo });
  const zones = candidateZones(facts);
  const answer = (verdict: ContactVerdict, causes: HoldCause[] = [], binding: HoldCause | null = null, zone = zones[0] ?? 'UTC'): ContactExplanation => ({
    verdict,
    causes,
    binding,
    zone,
  });
  const bar =
    communicationBar({ route: channel, action, facts }) ??
    (isChannel(channel) ? consentBar(facts, channel) : null) ??
    litigationBar(action, facts);
  if (bar) return answer({ kind: 'barred', reason: bar });

  const rules = effectiveContactRules({ policy, facts, overrides });
  const timed = isTimed(channel);
  if (timed && !rules.window) {
    return answer({ kind: 'barred', reason: `no minute of the day is permitted: ${rules.windowParts.join(', ')} share none` });
  }
  if (timed && rules.window && zones.length > 1 && !zonesShareWindow({ from: now, zones, window: rules.window })) {
    return answer({
      kind: 'barred',
      reason:
        `the zones the debtor may be in (${zones.join(', ')}) share no minute of ${rules.window.start}–${rules.window.end} ` +
        `in the next ${shareWindowSearchDays} days`,
    });
  }
  const designations = facts.inconvenientTimes ?? [];
  const designated = channel === 'none' ? [] : designations.filter((designation) => designationCovers(designation, channel));
  if (
    timed &&
    channel !== 'none' &&
    rules.window &&
    designated.length > 0 &&
    !designationsLeaveTime({ from: now, zones, window: rules.window, noContactDays: rules.noContactDays, medium: channel, designations: designated })
  ) {
    return answer({
      kind: 'barred',
      reason:
        `the times the debtor said are inconvenient (${designated.map(describeDesignation).join(', ')}) leave no minute of ` +
        `${rules.window.start}–${rules.window.end} in the next ${shareWindowSearchDays} days`,
    });
  }
  const history = facts.history;
  const dispute = disputeSuspension({ action, history, zones, safetyMarginDays: rules.validationSafetyMarginDays });
  if (dispute?.kind === 'suspend') return answer({ kind: 'held', until: null, reason: `held: ${dispute.why}` }, dispute.cause ? [dispute.cause] : []);

  const caps = channel === 'none' ? [] : rules.caps.filter((cap) => cap.media.includes(channel));
  const counted = countedContacts(history, person);
  const capAttempts = caps.map((cap) => ({ cap, attempts: counted(cap) }));
  const lastConversationAt = person ? lastConversation(history?.lastConversationAt, person) : history?.lastConversationAt;
  // Calls within seven days after the person's consent are outside the federal cap and the conversation rule.
  const consented = (t: number): boolean => channel === 'phone' && withinCallConsent(t, facts.callConsent);

  let t = now;
  let first: Hold[] | null = null;
  let binding: Hold | null = null;
  const causesOf = (holds: readonly Hold[]): HoldCause[] => holds.flatMap((hold) => (hold.cause ? [hold.cause] : []));
  for (let step = 0; step < maxSteps && t - now <= searchHorizonDays * day; step++) {
    const outcomes: (RuleOutcome | null)[] = [
      timed && rules.window ? inconvenientTimeHold({ t, zones, window: rules.window, noContactDays: rules.noContactDays }) : null,
      timed && channel !== 'none' && designated.length > 0 ? designatedTimeHold({ t, zones, medium: channel, designations: designated }) : null,
      ...capAttempts.map(({ cap, attempts }) => (cap.consentExempt && consented(t) ? null : frequencyCapHold({ t, zones, attempts, cap }))),
      channel === 'phone' && !consented(t) ? conversationHold({ t, zones, lastConversationAt }) : null,
      rules.validationNoticeRequired ? validationNoticeSuspension({ t, action, history, zones }) : null,
    ];
    const barred = outcomes.find((outcome) => outcome?.kind === 'bar');
    if (barred) return answer({ kind: 'barred', reason: barred.why }, causesOf(first ?? []));
    const suspended = outcomes.find((outcome) => outcome?.kind === 'suspend');
    if (suspended?.kind === 'suspend') {
      const before = first ? `${first.map((each) => each.why).join('; ')}; then ` : '';
      return answer({ kind: 'held', until: null, reason: `held: ${before}${suspended.why}` }, [...causesOf(first ?? []), ...(suspended.cause ? [suspended.cause] : [])]);
    }
    const holds = outcomes.filter((outcome): outcome is Hold => outcome?.kind === 'hold');
    const hold = latestHold(holds);
    if (!hold) {
      if (!first || !binding) return answer({ kind: 'permitted' });
      const reason = `held: ${first.map((each) => each.why).join('; ')}; next ${formatNext(t, binding.zone)}`;
      return answer({ kind: 'held', until: t, reason }, causesOf(first), binding.cause ?? null, binding.zone);
    }
    first ??= holds;
    binding = hold;
    // Every rule's `until` lies after `t`; the guard only protects the loop from a broken rule.
    t = Math.max(hold.until, t + 1);
  }
  return answer(
    { kind: 'barred', reason: `no permitted moment within ${searchHorizonDays} days${first ? `: ${first.map((each) => each.why).join('; ')}` : ''}` },
    causesOf(first ?? []),
  );
}

/**
 * The attempts a cap counts: with the person's ledger, the contacts of the same debt group or of
 * every debt by the cap's scope (calls made with consent left out where the cap exempts them);
 * without it, the case's own attempts.
 */
function countedContacts(history: CaseFacts['history'], person: PersonContacts | undefined): (cap: FrequencyCap) => ContactAttempt[] {
  const own = history?.attempts ?? [];
  if (!person) return () => own;
  return (cap) =>
    person.contacts
      .filter((contact) => cap.scope === 'person' || contact.debtGroup === person.debtGroup)
      .filter((contact) => !(cap.consentExempt && contact.consented))
      .map((contact) => ({ channel: contact.medium, at: contact.at }));
}

/** The latest telephone conversation about the debt group, in the ledger or the case's history. */
function lastConversation(own: number | null | undefined, person: PersonContacts): number | null {
  let latest = own ?? null;
  for (const contact of person.contacts) {
    if (contact.conversation && contact.debtGroup === person.debtGroup && (latest === null || contact.at > latest)) latest = contact.at;
  }
  return latest;
}

/**
 * The channel and purpose of a strategy step for {@link evaluateContact}, or `null` for steps
 * that neither reach the debtor nor collect (`note`, `wait`, `plan_monitoring`). A message whose
 * template is listed in `policy.validationNotice.templates` carries the validation information;
 * a `legal_review` prepares suit, so it counts as litigation.
 */
export function stepContact(
  step: Pick<TStep, 'action' | 'template'>,
  policy: ContactPolicyInput = {},
): { channel: ContactRoute; action: ContactAction } | null {
  if (isMessageAction(step.action)) {
    const carriesNotice = step.template !== undefined && (policy.validationNotice?.templates ?? []).includes(step.template);
    return { channel: step.action, action: carriesNotice ? 'validation_notice' : 'collection' };
  }
  switch (step.action) {
    case 'call':
      return { channel: 'phone', action: 'collection' };
    case 'agency_referral':
      return { channel: 'none', action: 'referral' };
    case 'legal_review':
      return { channel: 'none', action: 'litigation' };
    default:
      return null;
  }
}

/**
 * Problems with a rendered email or SMS body, or any body about a time-barred debt: a missing
 * opt-out instruction, words threatening suit, a missing state disclosure. Empty when it may go.
 */
export function messageContentProblems({
  channel,
  body,
  facts,
  overrides = stateOverrides,
}: {
  channel: ContactMedium;
  body: string;
  facts: CaseFacts;
  overrides?: StateOverrideTable;
}): string[] {
  const optOut = electronicOptOutProblem({ channel, body });
  return [...(optOut ? [optOut] : []), ...timeBarredContentProblems({ body, facts, overrides })];
}

/** Text a message must carry for this case (a state's time-barred disclosure), to append when rendering. */
export function requiredDisclosures(facts: CaseFacts, overrides: StateOverrideTable = stateOverrides): string[] {
  const disclosure = timeBarredDisclosure(facts, overrides);
  return disclosure ? [disclosure.text] : [];
}
