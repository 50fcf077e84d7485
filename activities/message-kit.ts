import type { ContactPoint } from '../domain/case-facts.js';
import { channels, type ChannelSpec } from '../domain/channels/index.js';
import { sendContentProblems, type ContentFacts } from '../domain/message-content.js';
import type { TTemplateRef } from '../domain/template-definition.js';
import type { MessageChannel, TTemplate } from '../domain/strategy.js';
import { payLinkUrl } from '../domain/template-links.js';
import { renderHtmlParagraphs, renderText, templateValues, type TemplateAccount } from '../domain/templates.js';
import type { Db } from '../lib/db.js';
import { sendProfile, type StandingRow } from '../records/send-profile.js';
import type { CommunicationSettings } from './communication-settings.js';
import { communicationIdFor, type SendRefusal } from './outbox.js';
import type { ResolvedTemplate } from './template-resolver.js';

/**
 * What every channel's send activity shares (activities/messages.ts and activities/channels/):
 * the input a step sends with, rendering a resolved template with the account's data, what the
 * database knows of the debtor, the content rules on the rendered text and the contact's standing
 * checked again at send time.
 */

export interface SendMessageInput {
  caseId: string;
  stepId: string;
  idempotencyKey: string;
  /** The step's template name: an inline template's key, or the label of a managed one. */
  templateKey: string;
  /** A template written inline in the strategy. */
  template?: TTemplate;
  /** A managed template (key, language, optional version), resolved when sending; wins over `template`. */
  templateRef?: TTemplateRef;
  /** The debtor's language (`en`, `es`); when absent, the debtor's as enrolled (English by default). */
  language?: string;
  /**
   * The case's facts for the content rules (state, time-barred), as the workflow knows them now;
   * when absent, as the account was placed (the database).
   */
  compliance?: ContentFacts;
  /** Email address, E.164 number or postal address, from the case's contacts. */
  to: string;
  account: TemplateAccount;
  /** The case's view of this contact, checked again at send time (consent, opt-out). */
  contact?: Pick<ContactPoint, 'consent' | 'optedOut'>;
  /**
   * Email only: attach the letter as a PDF, rendered from this template (the email's own text
   * when none is given) and addressed to `address` (the case's postal contact) when known.
   */
  attachLetter?: boolean | { templateKey?: string; template?: TTemplate; templateRef?: TTemplateRef; address?: string };
}

/** The debtor's contacts with this channel and address, as read with the case's profile. */
type Standing = { channel: MessageChannel; to: string; contacts: StandingRow[] };

/** The shared send steps, bound to the database and the communication settings. */
export function createMessageKit({ db, settings }: { db: Db; settings: CommunicationSettings }) {
  function values(input: SendMessageInput, unsubscribeUrl?: string) {
    // The pay link is minted from the communication id, which the idempotency key fixes: every
    // attempt renders the same text (an interrupted SMS is reconciled by its body).
    const payUrl = payLinkUrl(settings.publicUrl, settings.linkSecret, communicationIdFor(input.idempotencyKey));
    return templateValues(input.account, { caseId: input.caseId, creditorName: settings.creditorName, payUrl, ...(unsubscribeUrl ? { unsubscribeUrl } : {}) });
  }

  function renderWith(resolved: ResolvedTemplate, input: SendMessageInput, unsubscribeUrl?: string) {
    const data = values(input, unsubscribeUrl);
    return {
      subject: resolved.template.subject ? renderText(resolved.template.subject, data) : undefined,
      text: renderText(resolved.template.body, data),
      html: renderHtmlParagraphs(resolved.template.body, data, unsubscribeUrl),
    };
  }

  /**
   * What the database knows of the case's debtor and debt: language, state, time-barred; with
   * `channel`, also the debtor's standing on `input.to` in that channel, which `permitWith` then
   * checks instead of reading it again. One statement (records/send-profile.ts).
   */
  async function caseProfile(input: SendMessageInput, channel?: MessageChannel) {
    const row = await sendProfile(db, input.caseId, channel ? { channel, value: input.to } : undefined);
    const facts: ContentFacts = input.compliance ?? { state: row?.state ?? null, timeBarred: row?.timeBarred ?? false };
    // The message goes in the language the workflow asked for, else the debtor's.
    const profiled = { ...input, language: input.language ?? row?.language ?? 'en' };
    return { input: profiled, facts, ...(channel ? { standing: { channel, to: input.to, contacts: row?.contacts ?? [] } } : {}) };
  }

  /**
   * The content rules on the message as rendered (domain/message-content.ts): the standard blocks
   * (an inline template has them added when resolved) and this case's own rules (time-barred).
   */
  function contentCheck(channel: MessageChannel, resolved: ResolvedTemplate, text: string, facts: ContentFacts, unsubscribeUrl?: string): SendRefusal | null {
    const language = resolved.version !== null ? resolved.language : 'any';
    const problems = sendContentProblems({ channel, language, text, unsubscribeUrl, facts });
    return problems.length
      ? { reason: `content refused (template "${resolved.key}"): ${problems.map((problem) => problem.message).join('; ')}`.slice(0, 2000), content: true }
      : null;
  }

  /** Content first (it is about the message), then the contact's standing (as `caseProfile` read it, when it did for this channel and address). */
  const permitWith = (content: SendRefusal | null, channel: MessageChannel, input: SendMessageInput, standing?: Standing) => async () =>
    content ?? refusal(channel, input, standing?.channel === channel && standing.to === input.to ? standing.contacts : undefined);

  const stored = (resolved: ResolvedTemplate) => ({ template: resolved.key, templateLanguage: resolved.language, templateVersion: resolved.version });

  /**
   * Defence in depth: the workflow checks the contact rules before it sends, and this checks
   * them again against what it was told and what the database knows now (a STOP, an
   * unsubscribe or a bounce may have landed since the workflow decided).
   */
  async function refusal(channel: MessageChannel, input: SendMessageInput, known?: StandingRow[]): Promise<SendRefusal | null> {
    const spec: ChannelSpec = channels[channel];
    const noConsent = spec.consent ? { reason: `no recorded consent for ${spec.name}` } : null;
    if (input.contact?.optedOut) return { reason: `the debtor opted out of ${channel}` };
    if (noConsent && input.contact && !input.contact.consent) return noConsent;
    const contacts =
      known ??
      (await db.contact.findMany({
        where: { channel, value: input.to, debtor: { accounts: { some: { cases: { some: { id: input.caseId } } } } } },
        select: { consent: true, optedOutAt: true, optOutSource: true, status: true },
      }));
    if (contacts.some((contact) => contact.status === 'invalid')) return { reason: `the ${channel} contact is marked invalid (bounced or undeliverable)`, invalid: true };
    if (!spec.optOut) return null; // nothing to opt out of (letters)
    const optedOut = contacts.find((contact) => contact.optedOutAt);
    if (optedOut) return { reason: `the debtor opted out of ${channel}${optedOut.optOutSource ? ` (${optedOut.optOutSource})` : ''}` };
    if (noConsent && contacts.length > 0 && !contacts.some((contact) => contact.consent)) return noConsent;
    return null;
  }

  return { renderWith, caseProfile, contentCheck, permitWith, stored, refusal };
}
