import { z } from 'zod';
import { channels, channelIds, type ChannelSpec } from './channels/index.js';
import { optionalBlocks, protectedPassages, requiredBlockProblems, templateLanguages, type TemplateLanguage } from './disclosures.js';
import type { MessageChannel, TTemplate } from './strategy.js';
import { fitSms, smsLength, type SmsLength } from './template-sms.js';
import { renderHtmlParagraphs, renderText, templateFieldProblems, templateValues, type TemplateAccount } from './templates.js';

/**
 * Managed templates: one per key and language, versioned like strategies. A template that uses
 * an unknown field, lacks a required block, or (SMS) renders longer than the segment limit is
 * refused when saved, with every problem and its field.
 */

export const ZTemplateKey = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'use lowercase letters, digits, "-" and "_"');

export const ZManagedTemplate = z
  .object({
    key: ZTemplateKey,
    language: z.enum(templateLanguages),
    channel: z.enum(channelIds),
    subject: z.string().min(1).max(300).optional(),
    body: z.string().min(1).max(20_000),
    /** Blocks required on top of the disclosure and opt-out: the creditor's name, the amount owed. */
    requires: z.array(z.enum(optionalBlocks)).max(optionalBlocks.length).default([]),
    /** A draft is stored but never chosen for sending until a newer active version exists. */
    status: z.enum(['draft', 'active']).default('active'),
  })
  .strict();
export type TManagedTemplate = z.infer<typeof ZManagedTemplate>;

/** A strategy step's reference to a managed template, resolved when the message is sent. */
export const ZTemplateRef = z
  .object({
    key: ZTemplateKey,
    /** The debtor's language; English is used when the template has no version in it. */
    language: z.enum(templateLanguages).optional(),
    /** Pins one version; the newest active one otherwise. */
    version: z.number().int().positive().optional(),
  })
  .strict();
export type TTemplateRef = z.infer<typeof ZTemplateRef>;

/**
 * The account previews render with and SMS limits are checked against: realistic, on the long
 * side (a long name, a five-figure balance), so a template that passes leaves room for most
 * debtors.
 */
export const sampleTemplateAccount: TemplateAccount = {
  externalId: 'ACC-0000012345',
  currency: 'USD',
  balance: 1_234_567,
  originalBalance: 1_500_000,
  debtor: { name: 'María Guadalupe Fernández' },
};

export const sampleUnsubscribeUrl = 'https://collections.example.com/u/0123456789abcdef0123456789abcdef.0123456789abcdef0123';
/** As long as a real `{{links.pay}}`, so a preview counts an SMS's segments as the send will. */
export const samplePayUrl = 'https://collections.example.com/p/0123456789abcdef0123456789abcdef.0123456789abcdef0123';
export const sampleCreditorName = 'Example Creditor Inc.';

const spec = (channel: MessageChannel): ChannelSpec => channels[channel];

export interface TemplateProblem {
  path: string;
  message: string;
}

export interface RenderedTemplate {
  subject: string | null;
  text: string;
  html: string | null;
  sms: (SmsLength & { truncated: boolean }) | null;
}

/** Renders any template the way a send would, with the given values (the sample by default). */
export function renderTemplate(
  template: Pick<TTemplate, 'channel' | 'subject' | 'body'>,
  {
    account = sampleTemplateAccount,
    caseId = 'case-sample',
    unsubscribeUrl = sampleUnsubscribeUrl,
    creditorName = sampleCreditorName,
    payUrl = samplePayUrl,
  }: { account?: TemplateAccount; caseId?: string; unsubscribeUrl?: string; creditorName?: string; payUrl?: string } = {},
): RenderedTemplate {
  const values = templateValues(account, { caseId, unsubscribeUrl, creditorName, payUrl });
  const text = renderText(template.body, values);
  return {
    subject: template.subject ? renderText(template.subject, values) : null,
    text,
    html: spec(template.channel).template.html ? renderHtmlParagraphs(template.body, values, unsubscribeUrl) : null,
    sms: spec(template.channel).template.segments ? { ...smsLength(text), truncated: false } : null,
  };
}

/** Every reason the template cannot be saved, each with its field; empty when it can. */
export function managedTemplateProblems(template: TManagedTemplate, { maxSmsSegments }: { maxSmsSegments: number }): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const { subject } = spec(template.channel).template;
  if (subject === 'required' && !template.subject) problems.push({ path: 'subject', message: `an ${template.channel} template needs a subject` });
  if (subject === 'forbidden' && template.subject !== undefined) {
    problems.push({ path: 'subject', message: `${spec(template.channel).medium} have no subject` });
  }
  for (const [part, text] of [['body', template.body], ['subject', template.subject]] as const) {
    for (const message of templateFieldProblems(text ?? '')) problems.push({ path: part, message });
  }
  for (const problem of requiredBlockProblems(template)) problems.push(problem);
  if (spec(template.channel).template.segments && problems.length === 0) {
    const { text } = renderTemplate(template);
    const length = smsLength(text);
    if (length.segments > maxSmsSegments) {
      problems.push({
        path: 'body',
        message: `renders to ${length.segments} SMS segments (${length.characters} characters, ${length.encoding}) for the sample account; the limit is ${maxSmsSegments}`,
      });
    }
  }
  return problems;
}

/**
 * Fits a rendered SMS into the segment limit at send time, keeping the disclosure and opt-out:
 * the free text is cut at its end with "..." (see {@link fitSms}).
 */
export function fitRenderedSms(text: string, { language, maxSegments }: { language: TemplateLanguage; maxSegments: number }) {
  return fitSms(text, { maxSegments, keep: protectedPassages(text, 'sms' satisfies MessageChannel, language) });
}
