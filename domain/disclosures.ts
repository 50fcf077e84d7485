import { channels, type ChannelOptOut } from './channels/index.js';
import type { MessageChannel } from './strategy.js';
import { templateFieldsUsed } from './templates.js';

/**
 * The content a collection message must carry, per language. Checked when a managed template is
 * saved (so a template without it never exists) and used at send time to keep it when an SMS
 * has to be shortened.
 */

export const templateLanguages = ['en', 'es'] as const;
export type TemplateLanguage = (typeof templateLanguages)[number];

export function isTemplateLanguage(value: string): value is TemplateLanguage {
  return (templateLanguages as readonly string[]).includes(value);
}

/** How a message of `channel` tells the debtor to opt out (domain/channels/). */
export function optOutOf(channel: MessageChannel): ChannelOptOut {
  return channels[channel].optOut;
}

/** The mini-Miranda: every collection message says who is writing. */
export const collectionDisclosure: Record<TemplateLanguage, string> = {
  en: 'This is a communication from a debt collector.',
  es: 'Esta es una comunicación de un cobrador de deudas.',
};

/**
 * SMS opt-out instructions: the keyword must be one carriers and Twilio honour (STOP), so the
 * instruction is "Reply STOP" in the message's language. Each pattern matches the whole sentence
 * so it can be kept intact when a long SMS is shortened.
 */
export const smsOptOutInstruction: Record<TemplateLanguage, { example: string; pattern: RegExp }> = {
  en: { example: 'Reply STOP to opt out.', pattern: /Reply STOP\b[^.!?\n]*[.!?]?/i },
  es: { example: 'Responda STOP para darse de baja.', pattern: /Responda STOP\b[^.!?\n]*[.!?]?/i },
};

/** The line that carries an email's unsubscribe link when the template did not place it. */
export const unsubscribeLine: Record<TemplateLanguage, string> = {
  en: 'Unsubscribe: {{unsubscribeUrl}}',
  es: 'Darse de baja: {{unsubscribeUrl}}',
};

/**
 * A template written inline in a strategy, with the standard blocks it lacks appended in the
 * message's language: the collection disclosure, and the opt-out on email (the unsubscribe link)
 * and SMS ("Reply STOP"). A managed template without them is refused when saved; an inline one
 * is part of the strategy shape integrations post as it is (DESIGN.md), so it is completed
 * instead, and no message leaves without them.
 */
export function withStandardBlocks(channel: MessageChannel, body: string, language: TemplateLanguage): string {
  const added: string[] = [];
  if (!hasCollectionDisclosure(body, 'any')) added.push(collectionDisclosure[language]);
  const optOut = optOutOf(channel);
  if (optOut === 'reply_stop' && !templateLanguages.some((each) => smsOptOutInstruction[each].pattern.test(body))) added.push(smsOptOutInstruction[language].example);
  if (optOut === 'unsubscribe_link' && !templateFieldsUsed(body)?.has('unsubscribeUrl')) added.push(unsubscribeLine[language]);
  if (added.length === 0) return body;
  // A text message stays one paragraph; the others get their blocks as paragraphs of their own.
  return optOut === 'reply_stop' ? [body.trimEnd(), ...added].join(' ') : [body.trimEnd(), ...added].join('\n\n');
}

/** Blocks a template can be required to contain. */
export const RequiredBlock = {
  disclosure: 'disclosure',
  optOut: 'opt_out',
  creditor: 'creditor',
  amount: 'amount',
} as const;
export type RequiredBlock = (typeof RequiredBlock)[keyof typeof RequiredBlock];

/** Blocks a template author may ask for on top of the ones the channel always needs. */
export const optionalBlocks = [RequiredBlock.creditor, RequiredBlock.amount] as const;
export type OptionalBlock = (typeof optionalBlocks)[number];

/** The disclosure on every message; the opt-out on SMS and email (a letter has no such reply path). */
export function requiredBlocksFor(channel: MessageChannel, requires: readonly OptionalBlock[] = []): RequiredBlock[] {
  const blocks: RequiredBlock[] = [RequiredBlock.disclosure];
  if (optOutOf(channel)) blocks.push(RequiredBlock.optOut);
  for (const block of optionalBlocks) if (requires.includes(block)) blocks.push(block);
  return blocks;
}

const collapse = (text: string) => text.replace(/\s+/g, ' ');

/** Whether `text` carries the collection disclosure in `language` (in any of ours when `any`). */
export function hasCollectionDisclosure(text: string, language: TemplateLanguage | 'any'): boolean {
  const languages = language === 'any' ? templateLanguages : [language];
  return languages.some((each) => collapse(text).includes(collectionDisclosure[each]));
}

export interface BlockProblem {
  path: 'body' | 'subject';
  message: string;
}

/**
 * Names every required block the template lacks, with what to write instead. Checks the template
 * text itself: the blocks are static text or fields, so no sample rendering can hide one.
 */
export function requiredBlockProblems({
  channel,
  language,
  body,
  requires = [],
}: {
  channel: MessageChannel;
  language: TemplateLanguage;
  body: string;
  requires?: readonly OptionalBlock[];
}): BlockProblem[] {
  const problems: BlockProblem[] = [];
  const used = templateFieldsUsed(body) ?? new Set<string>();
  for (const block of requiredBlocksFor(channel, requires)) {
    switch (block) {
      case 'disclosure':
        if (!hasCollectionDisclosure(body, language)) {
          problems.push({ path: 'body', message: `the collection disclosure is missing: include "${collectionDisclosure[language]}"` });
        }
        break;
      case 'opt_out':
        if (optOutOf(channel) === 'reply_stop' && !smsOptOutInstruction[language].pattern.test(body)) {
          problems.push({ path: 'body', message: `${channel === 'sms' ? 'an SMS' : `a ${channels[channel].name} message`} needs an opt-out instruction such as "${smsOptOutInstruction[language].example}"` });
        }
        if (optOutOf(channel) === 'unsubscribe_link' && !used.has('unsubscribeUrl')) {
          problems.push({ path: 'body', message: 'an email needs its unsubscribe link: include {{unsubscribeUrl}}' });
        }
        break;
      case 'creditor':
        if (!used.has('creditor.name')) problems.push({ path: 'body', message: 'this template must name the creditor: include {{creditor.name}}' });
        break;
      case 'amount':
        if (!used.has('balance')) problems.push({ path: 'body', message: 'this template must state the amount owed: include {{balance}}' });
        break;
    }
  }
  return problems;
}

/**
 * The passages of a rendered message that must survive any shortening: the disclosure and the
 * opt-out sentence, as they appear in `text`.
 */
export function protectedPassages(text: string, channel: MessageChannel, language: TemplateLanguage): string[] {
  const passages: string[] = [];
  if (text.includes(collectionDisclosure[language])) passages.push(collectionDisclosure[language]);
  if (optOutOf(channel) === 'reply_stop') {
    const optOut = smsOptOutInstruction[language].pattern.exec(text);
    if (optOut) passages.push(optOut[0]);
  }
  return passages;
}
