import type { ContactMedium } from '../case-facts.js';
import { channelIds, channels } from '../channels/index.js';

/**
 * Electronic communications (12 CFR 1006.6(e)): every email and text carries a clear, simple way
 * to opt out, and an opt-out made by any reasonable means is honoured: a keyword, a sentence in a
 * reply, a request during a call.
 */

const smsInstruction = /\b(reply|text|send|respond)\b[^.\n]{0,30}\b(stop|stopall|unsubscribe|end|quit|cancel|optout)\b/i;
const emailInstruction = /\bunsubscribe\b|\bopt[\s-]?out\b|\breply\b[^.\n]{0,30}\bstop\b|\bstop receiving\b/i;

/** Why a rendered email or SMS body lacks the opt-out instruction, or `null` when it has one. */
export function electronicOptOutProblem({ channel, body }: { channel: ContactMedium; body: string }): string | null {
  const optOut = channel === 'phone' ? null : channels[channel].optOut;
  if (optOut === 'reply_stop' && !smsInstruction.test(body)) {
    return 'a text message must say how to opt out, e.g. "Reply STOP to opt out" (12 CFR 1006.6(e))';
  }
  if (optOut === 'unsubscribe_link' && !emailInstruction.test(body)) {
    return 'an email must say how to opt out, e.g. an unsubscribe link or "reply STOP" (12 CFR 1006.6(e))';
  }
  return null;
}

/** A carrier keyword alone, or words that ask to stop the channel the reply came on. */
const keywordOnly = /^\s*(stop|stopall|unsubscribe|end|quit|cancel|revoke|optout|opt[\s-]out)\s*[.!]*\s*$/i;
const thisChannel =
  /\bunsubscribe\b|\bopt[\s-]?out\b|\bremove me\b|\btake me off\b|\bleave me alone\b|\b(stop|quit) (contacting|bothering|messaging)\b|\b(do not|don'?t) contact\b/i;
/** "stop", "don't", "no more" and what follows up to the end of the clause. */
const request = /\b(stop|quit|no more|do not|don'?t)\b((?:(?!\b(?:but|instead|only|except|unless)\b)[^.,!?;:\n]){0,60})/gi;
const mediumWords: [ContactMedium, RegExp][] = [
  ['phone', /\b(call|calls|calling|phone|phoning|ring|ringing)\b/i],
  ...channelIds.map((channel): [ContactMedium, RegExp] => [channel, channels[channel].words]),
];

/**
 * The media a debtor's words ask us to stop using, given the channel they came on: "STOP" by text
 * stops texts, "please stop calling me" in an email stops calls. Empty when the words ask nothing.
 */
export function optOutRequestedMedia(text: string, replyChannel: ContactMedium): ContactMedium[] {
  const media = new Set<ContactMedium>();
  for (const [, , clause] of text.matchAll(request)) {
    for (const [medium, pattern] of mediumWords) if (pattern.test(clause ?? '')) media.add(medium);
  }
  if (keywordOnly.test(text) || thisChannel.test(text)) media.add(replyChannel);
  return [...media];
}
