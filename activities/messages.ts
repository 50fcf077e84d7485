import { ApplicationFailure } from '@temporalio/activity';
import type { ContactPoint } from '../domain/case-facts.js';
import { channels, type ChannelSpec } from '../domain/channels/index.js';
import { sendContentProblems, type ContentFacts } from '../domain/message-content.js';
import { fitRenderedSms, type TTemplateRef } from '../domain/template-definition.js';
import { LinkPurpose, signLinkToken, tokenAddress } from '../domain/template-links.js';
import { smsLength } from '../domain/template-sms.js';
import type { MessageChannel, TTemplate } from '../domain/strategy.js';
import { renderHtmlParagraphs, renderText, templateValues, type TemplateAccount } from '../domain/templates.js';
import type { Db } from '../lib/db.js';
import type { CommunicationSettings } from './communication-settings.js';
import { addressLines, renderLetterPdf } from './letter-pdf.js';
import type { LetterSender } from './letter-sender.js';
import type { Mailer } from './mailer.js';
import { communicationIdFor, deliverOnce, SendFailureType, type Delivery, type SendRefusal } from './outbox.js';
import type { SmsSender } from './sms-sender.js';
import { resolveTemplate, type ResolvedTemplate } from './template-resolver.js';

/** The three message sends: render the step's template with the account's data, deliver once. */

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

export function createMessageActivities({
  db,
  mailer,
  sms,
  letters,
  mailDomain,
  settings,
}: {
  db: Db;
  mailer: Mailer;
  sms: SmsSender;
  letters: LetterSender;
  mailDomain: string;
  settings: CommunicationSettings;
}) {
  function values(input: SendMessageInput, unsubscribeUrl?: string) {
    return templateValues(input.account, { caseId: input.caseId, creditorName: settings.creditorName, ...(unsubscribeUrl ? { unsubscribeUrl } : {}) });
  }

  function renderWith(resolved: ResolvedTemplate, input: SendMessageInput, unsubscribeUrl?: string) {
    const data = values(input, unsubscribeUrl);
    return {
      subject: resolved.template.subject ? renderText(resolved.template.subject, data) : undefined,
      text: renderText(resolved.template.body, data),
      html: renderHtmlParagraphs(resolved.template.body, data, unsubscribeUrl),
    };
  }

  /** What the database knows of the case's debtor and debt: language, state, time-barred. */
  async function caseProfile(input: SendMessageInput) {
    const row = await db.case.findUnique({
      where: { id: input.caseId },
      select: { account: { select: { timeBarred: true, debtor: { select: { language: true, state: true } } } } },
    });
    const facts: ContentFacts = input.compliance ?? { state: row?.account.debtor.state ?? null, timeBarred: row?.account.timeBarred ?? false };
    // The message goes in the language the workflow asked for, else the debtor's.
    return { input: { ...input, language: input.language ?? row?.account.debtor.language ?? 'en' }, facts };
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

  /** Content first (it is about the message), then the contact's standing. */
  const permitWith = (content: SendRefusal | null, channel: MessageChannel, input: SendMessageInput) => async () => content ?? refusal(channel, input);

  const stored = (resolved: ResolvedTemplate) => ({ template: resolved.key, templateLanguage: resolved.language, templateVersion: resolved.version });

  /**
   * Defence in depth: the workflow checks the contact rules before it sends, and this checks
   * them again against what it was told and what the database knows now (a STOP, an
   * unsubscribe or a bounce may have landed since the workflow decided).
   */
  async function refusal(channel: MessageChannel, input: SendMessageInput): Promise<SendRefusal | null> {
    const spec: ChannelSpec = channels[channel];
    const noConsent = spec.consent ? { reason: `no recorded consent for ${spec.name}` } : null;
    if (input.contact?.optedOut) return { reason: `the debtor opted out of ${channel}` };
    if (noConsent && input.contact && !input.contact.consent) return noConsent;
    const contacts = await db.contact.findMany({
      where: { channel, value: input.to, debtor: { accounts: { some: { cases: { some: { id: input.caseId } } } } } },
      select: { consent: true, optedOutAt: true, optOutSource: true, status: true },
    });
    if (contacts.some((contact) => contact.status === 'invalid')) return { reason: `the ${channel} contact is marked invalid (bounced or undeliverable)`, invalid: true };
    if (!spec.optOut) return null; // nothing to opt out of (letters)
    const optedOut = contacts.find((contact) => contact.optedOutAt);
    if (optedOut) return { reason: `the debtor opted out of ${channel}${optedOut.optOutSource ? ` (${optedOut.optOutSource})` : ''}` };
    if (noConsent && contacts.length > 0 && !contacts.some((contact) => contact.consent)) return noConsent;
    return null;
  }

  async function letterAttachment(input: SendMessageInput, email: { text: string; subject?: string | undefined; language: string }, createdAt: Date) {
    const option = input.attachLetter;
    if (!option) return null;
    const choice = option === true ? {} : option;
    let body = email.text;
    let subject = email.subject;
    if (choice.template || choice.templateRef) {
      const resolved = await resolveTemplate(db, 'letter', {
        templateKey: choice.templateKey ?? input.templateKey,
        template: choice.template,
        templateRef: choice.templateRef,
        language: input.language,
      });
      ({ text: body, subject } = renderWith(resolved, input));
    }
    const recipient = choice.address ? addressLines(choice.address) : [input.account.debtor.name];
    return renderLetterPdf({ sender: settings.letterSender, recipient, date: createdAt, language: email.language, subject, body });
  }

  return {
    async sendEmail(given: SendMessageInput) {
      const { input, facts } = await caseProfile(given);
      const resolved = await resolveTemplate(db, 'email', input);
      const id = communicationIdFor(input.idempotencyKey);
      const token = signLinkToken(settings.linkSecret, LinkPurpose.reply, id);
      const unsubscribeUrl = `${settings.publicUrl}/u/${signLinkToken(settings.linkSecret, LinkPurpose.unsubscribe, id)}`;
      const { subject, text, html } = renderWith(resolved, input, unsubscribeUrl);
      const content = contentCheck('email', resolved, text, facts, unsubscribeUrl);
      return deliverOnce({
        db,
        ...input,
        message: { channel: 'email', ...stored(resolved), recipient: input.to, subject, body: text, html },
        permit: permitWith(content, 'email', input),
        deliver: async (row) => {
          const pdf = await letterAttachment(input, { text, subject, language: resolved.language }, row.createdAt);
          const document = pdf ? await letters.keep(`${row.id}-attachment`, pdf) : null;
          const delivery = await mailer.send({
            to: input.to,
            subject: subject ?? '',
            text,
            html,
            messageId: `<${row.id}@${mailDomain}>`,
            replyTo: tokenAddress('reply', token, mailDomain),
            envelopeFrom: tokenAddress('bounce', token, mailDomain),
            unsubscribeUrl,
            ...(pdf ? { attachments: [{ filename: 'letter.pdf', content: pdf, contentType: 'application/pdf' }] } : {}),
          });
          return { ...delivery, ...(document ?? {}) };
        },
      });
    },

    async sendSms(given: SendMessageInput) {
      const { input, facts } = await caseProfile(given);
      const resolved = await resolveTemplate(db, 'sms', input);
      const id = communicationIdFor(input.idempotencyKey);
      const fitted = fitRenderedSms(renderWith(resolved, input).text, { language: resolved.language, maxSegments: settings.smsMaxSegments });
      if (!fitted.ok) throw ApplicationFailure.nonRetryable(fitted.reason, SendFailureType.stepMisconfigured);
      const { body } = fitted;
      const content = contentCheck('sms', resolved, body, facts);
      const statusCallback = settings.statusCallbacks ? `${settings.publicUrl}/webhooks/twilio/status?c=${id}` : undefined;
      return deliverOnce({
        db,
        ...input,
        message: { channel: 'sms', ...stored(resolved), recipient: input.to, body },
        note: fitted.truncated ? `shortened to ${fitted.length.segments} segment(s) at the end of its free text ("...")` : undefined,
        permit: permitWith(content, 'sms', input),
        reconcile: (row) =>
          sms.find({
            communicationId: row.id,
            to: input.to,
            body,
            since: row.sendingAt ?? row.createdAt,
            exclude: async (sid) => (await db.communication.count({ where: { providerId: sid, NOT: { id: row.id } } })) > 0,
          }),
        deliver: async (row): Promise<Delivery> => {
          const length = smsLength(body);
          const delivery = await sms.send({ communicationId: row.id, to: input.to, body, ...(statusCallback ? { statusCallback } : {}) });
          return { ...delivery, segments: delivery.segments ?? length.segments, encoding: length.encoding };
        },
      });
    },

    async sendLetter(given: SendMessageInput) {
      const { input, facts } = await caseProfile(given);
      const resolved = await resolveTemplate(db, 'letter', input);
      const { subject, text } = renderWith(resolved, input);
      const content = contentCheck('letter', resolved, text, facts);
      return deliverOnce({
        db,
        ...input,
        message: { channel: 'letter', ...stored(resolved), recipient: input.to, subject, body: text },
        permit: permitWith(content, 'letter', input),
        // No reconcile: the outbox file is named by the communication and the HTTP provider gets
        // it as the idempotency key, so sending again after an interruption cannot print twice.
        deliver: async (row) => {
          const recipient = addressLines(input.to);
          const pdf = await renderLetterPdf({ sender: settings.letterSender, recipient, date: row.createdAt, language: resolved.language, subject, body: text });
          return letters.send({ communicationId: row.id, addressLines: recipient, pdf });
        },
      });
    },
  };
}
