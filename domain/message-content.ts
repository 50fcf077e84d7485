import type { CaseFacts } from './case-facts.js';
import { collectionDisclosure, hasCollectionDisclosure, optOutOf, smsOptOutInstruction, templateLanguages, type TemplateLanguage } from './disclosures.js';
import { electronicOptOutProblem } from './regulation/electronic-opt-out.js';
import { requiredDisclosures } from './regulation/index.js';
import { timeBarredContentProblems } from './regulation/time-barred.js';
import type { MessageChannel } from './strategy.js';

/**
 * The content a message must carry, checked on the message as rendered for this case, just
 * before it is sent. Two kinds:
 *
 * - `standard`: the collection disclosure on every message and an opt-out on email and SMS. A
 *   managed template is checked for these when saved (disclosures.ts `requiredBlockProblems`);
 *   checking the rendered text again catches a template written inline in a strategy.
 * - `case`: what only this case's facts decide (regulation/time-barred.ts): a state's disclosure
 *   on a time-barred debt, and no words threatening suit. No check at save can know these.
 *
 * These are the parts `messageContentProblems` (regulation/index.ts) composes, applied with the
 * message's language and its unsubscribe link in view.
 */

/** What the content rules need to know about the case. */
export interface ContentFacts {
  /** US state or territory code (debtor's address). */
  state?: string | null | undefined;
  timeBarred?: boolean | undefined;
}

export interface ContentProblem {
  kind: 'standard' | 'case';
  message: string;
}

/** The facts the regulation functions read, from the few a message needs. */
function caseFacts({ state, timeBarred }: ContentFacts): CaseFacts {
  return {
    balance: 0,
    timeZone: 'UTC',
    contacts: {},
    ...(state ? { state } : {}),
    ...(timeBarred ? { flags: { timeBarred: { at: 0, source: 'case' } } } : {}),
  };
}

function optOutProblem(channel: MessageChannel, text: string, unsubscribeUrl: string | undefined): string | null {
  const optOut = optOutOf(channel);
  if (!optOut) return null;
  // The unsubscribe link itself is the opt-out (what a managed template must include when saved).
  if (optOut === 'unsubscribe_link' && unsubscribeUrl && text.includes(unsubscribeUrl)) return null;
  if (optOut === 'reply_stop' && templateLanguages.some((language) => smsOptOutInstruction[language].pattern.test(text))) return null;
  return electronicOptOutProblem({ channel, body: text });
}

/**
 * Every reason this rendered message may not go out, each with its kind; empty when it may.
 *
 * @param language the message's language; `any` accepts the disclosure in any of ours (an inline template has none)
 * @param text the rendered body (for email, the plain-text part)
 */
export function sendContentProblems({
  channel,
  language,
  text,
  unsubscribeUrl,
  facts,
}: {
  channel: MessageChannel;
  language: TemplateLanguage | 'any';
  text: string;
  unsubscribeUrl?: string | undefined;
  facts: ContentFacts;
}): ContentProblem[] {
  const problems: ContentProblem[] = [];
  if (!hasCollectionDisclosure(text, language)) {
    const wanted = language === 'any' ? collectionDisclosure.en : collectionDisclosure[language];
    problems.push({ kind: 'standard', message: `the collection disclosure is missing: the message must include "${wanted}"` });
  }
  const optOut = optOutProblem(channel, text, unsubscribeUrl);
  if (optOut) problems.push({ kind: 'standard', message: optOut });
  const regulated = caseFacts(facts);
  const [disclosure] = requiredDisclosures(regulated);
  for (const message of timeBarredContentProblems({ body: text, facts: regulated })) {
    const missingDisclosure = disclosure !== undefined && message.startsWith('a time-barred debt needs the disclosure');
    problems.push({ kind: 'case', message: missingDisclosure ? `${message}: "${disclosure}"` : message });
  }
  return problems;
}
