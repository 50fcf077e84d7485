import type { CaseFacts, ContactMedium, RefusedMedium } from '../case-facts.js';
import type { ContactAction, ContactRoute } from './actions.js';
import { phoneContact } from './contact-point.js';

/**
 * A message the person started (12 CFR 1006.14(h)(2)(ii)): "if a consumer initiates contact with a
 * debt collector using a medium of communication that the consumer previously requested the debt
 * collector not use", the collector may respond once through that medium. The same holds for an
 * electronic opt-out (1006.6(e)): the person who writes to us by text after STOP may get one answer
 * by text. Everything else still applies: cease, attorney, bankruptcy, deceased, consent, hours,
 * designations, caps.
 */

/** A message the person sent us, which an `answer` contact replies to. */
export interface InboundMessage {
  /** Identifies the message, so it is answered once. */
  messageId: string;
  medium: ContactMedium;
  /** Epoch ms. */
  at: number;
}

/**
 * The facts an answer to `inbound` by `channel` is decided on: an opt-out of that medium, and a
 * refusal of it (or of its address), made before the person wrote to us in it, are set aside. Other
 * contacts, and answers in another medium, get `facts` unchanged. `lifted` says whether anything
 * was set aside (then the answer is allowed once per message).
 */
export function answerFacts({
  facts,
  channel,
  action,
  inbound,
}: {
  facts: CaseFacts;
  channel: ContactRoute;
  action: ContactAction;
  inbound: InboundMessage | undefined;
}): { facts: CaseFacts; lifted: boolean } {
  if (action !== 'answer' || !inbound || channel === 'none' || inbound.medium !== channel) return { facts, lifted: false };
  // Calls may use the SMS number, whose opt-out never stopped calls: only the medium's own point is set aside.
  const own = facts.contacts[channel];
  const address = (channel === 'phone' ? phoneContact(facts) : own)?.address;
  const optedOutBefore = !!own?.optedOut && (own.optOut?.at ?? Infinity) < inbound.at;
  const refusedBefore = (refusal: RefusedMedium): boolean =>
    refusal.medium === channel && refusal.at < inbound.at && (refusal.address === undefined || refusal.address === address);
  const refusals = facts.refusedMedia ?? [];
  const kept = refusals.filter((refusal) => !refusedBefore(refusal));
  const lifted = optedOutBefore || kept.length < refusals.length;
  if (!lifted) return { facts, lifted: false };
  return {
    facts: {
      ...facts,
      ...(optedOutBefore && own ? { contacts: { ...facts.contacts, [channel]: { ...own, optedOut: false, optOut: null } } } : {}),
      refusedMedia: kept,
    },
    lifted: true,
  };
}
