import { ApplicationFailure } from '@temporalio/activity';
import { collectionDisclosure, isTemplateLanguage, unsubscribeLine, type TemplateLanguage } from '../domain/disclosures.js';
import { verificationContent } from '../domain/ledger/verification-content.js';
import { renderHtmlParagraphs } from '../domain/templates.js';
import { validationNoticeText, type ValidationNoticeFacts } from '../domain/ledger/validation-notice-content.js';
import { sendContentProblems, type ContentFacts } from '../domain/message-content.js';
import { LinkPurpose, signLinkToken, tokenAddress } from '../domain/template-links.js';
import type { Db } from '../lib/db.js';
import { renderValidationNoticeEmail } from '../records/validation-notice-email.js';
import { noticeTitle, renderValidationNoticePdf } from '../records/validation-notice-pdf.js';
import type { CommunicationSettings } from './communication-settings.js';
import { addressLines, renderLetterPdf } from './letter-pdf.js';
import type { LetterSender } from './letter-sender.js';
import type { Mailer } from './mailer.js';
import { createMessageKit } from './message-kit.js';
import { communicationIdFor, deliverOnce, SendFailureType, type SendResult } from './outbox.js';

/**
 * The engine-generated validation notice (12 CFR 1006.34): rendered from the case's itemization
 * as a PDF letter, or as an email (with the same letter attached) where the person consented to
 * electronic delivery, and delivered once through the outbox like every other message. The case
 * says what it knows (the itemization, the period's end, the consumer); the collector is the
 * letters' sender block, the creditor the portfolio's client (CREDITOR_NAME when none).
 */

/** The template name the notice is stored under in the communications table. */
export const validationNoticeTemplate = 'validation-notice';
/** The template name the generated verification (or original creditor's name) is stored under. */
export const verificationTemplate = 'verification';

export interface SendValidationNoticeInput {
  caseId: string;
  stepId: string;
  idempotencyKey: string;
  channel: 'letter' | 'email';
  /** Postal address (one line, `|`-separated) or email address, from the case's contacts. */
  to: string;
  /** The debtor's language; as enrolled when absent. */
  language?: TemplateLanguage;
  notice: Pick<ValidationNoticeFacts, 'consumer' | 'itemization' | 'validationPeriodEnds' | 'currency'> & Partial<Pick<ValidationNoticeFacts, 'accountNumber' | 'itemizationCreditor' | 'creditor'>>;
  /** Disclosures the case's facts require (a state's time-barred disclosure), appended. */
  disclosures?: string[];
  /** The case's facts for the content rules; as placed when absent. */
  compliance?: ContentFacts;
}

/** `Name | line | City, ST 00000 | US` → the collector's name and its mailing address on one line. */
function collectorOf(sender: readonly string[]): ValidationNoticeFacts['collector'] {
  return { name: sender[0] ?? 'Collections Department', mailingAddress: sender.slice(1).join(', ') };
}

export interface SendVerificationInput extends Omit<SendValidationNoticeInput, 'notice'> {
  notice: Omit<SendValidationNoticeInput['notice'], 'validationPeriodEnds'> & { documentsReference: string; originalCreditor?: string };
}

export function createValidationNoticeActivities({ db, mailer, letters, mailDomain, settings }: { db: Db; mailer: Mailer; letters: LetterSender; mailDomain: string; settings: CommunicationSettings }) {
  const { refusal } = createMessageKit({ db, settings });

  /** The debtor's language and the creditor of the account's portfolio, as the database knows them. */
  async function profile(caseId: string) {
    const row = await db.case.findUnique({ where: { id: caseId }, select: { account: { select: { portfolio: true, timeBarred: true, debtor: { select: { language: true, state: true } } } } } });
    const portfolio = row?.account.portfolio ? await db.portfolio.findUnique({ where: { key: row.account.portfolio }, select: { client: { select: { name: true } } } }) : null;
    const language = row?.account.debtor.language;
    return {
      language: language && isTemplateLanguage(language) ? language : 'en',
      creditor: portfolio?.client.name ?? settings.creditorName,
      facts: { state: row?.account.debtor.state ?? null, timeBarred: row?.account.timeBarred ?? false } satisfies ContentFacts,
    };
  }

  return {
    /** The answer to a dispute or an original-creditor request, generated from the itemization, as a letter or an email. */
    async sendVerification(input: SendVerificationInput): Promise<SendResult> {
      const known = await profile(input.caseId);
      const language = input.language ?? known.language;
      const { subject, paragraphs } = verificationContent({ creditor: known.creditor, ...input.notice, language, collector: collectorOf(settings.letterSender) });
      const closing = [collectionDisclosure[language], ...(input.disclosures ?? [])];
      const base = { db, caseId: input.caseId, stepId: input.stepId, idempotencyKey: input.idempotencyKey };
      const stored = { template: verificationTemplate, templateLanguage: language, templateVersion: null };
      const asMessage = { caseId: input.caseId, stepId: input.stepId, idempotencyKey: input.idempotencyKey, to: input.to, templateKey: verificationTemplate, account: { externalId: input.notice.accountNumber ?? '', currency: input.notice.currency, balance: input.notice.itemization.now, originalBalance: input.notice.itemization.onItemizationDate, debtor: { name: input.notice.consumer.name } } };
      if (input.channel === 'letter') {
        const body = [...paragraphs, ...closing].join('\n\n');
        return deliverOnce({
          ...base,
          message: { channel: 'letter', ...stored, recipient: input.to, subject, body },
          permit: () => refusal('letter', asMessage),
          deliver: async (row) => {
            const pdf = await renderLetterPdf({ sender: settings.letterSender, recipient: addressLines(input.to), date: row.createdAt, language: language === 'es' ? 'es-US' : 'en-US', subject, body });
            return letters.send({ communicationId: row.id, addressLines: addressLines(input.to), pdf });
          },
        });
      }
      const id = communicationIdFor(input.idempotencyKey);
      const token = signLinkToken(settings.linkSecret, LinkPurpose.reply, id);
      const unsubscribeUrl = `${settings.publicUrl}/u/${signLinkToken(settings.linkSecret, LinkPurpose.unsubscribe, id)}`;
      const text = [...paragraphs, ...closing, `${unsubscribeLine[language].replace('{{unsubscribeUrl}}', unsubscribeUrl)}`].join('\n\n');
      const html = renderHtmlParagraphs(text, {}, unsubscribeUrl);
      return deliverOnce({
        ...base,
        message: { channel: 'email', ...stored, recipient: input.to, subject, body: text, html },
        permit: () => refusal('email', asMessage),
        deliver: () => mailer.send({ to: input.to, subject, text, html, messageId: `<${id}@${mailDomain}>`, replyTo: tokenAddress('reply', token, mailDomain), envelopeFrom: tokenAddress('bounce', token, mailDomain), unsubscribeUrl }),
      });
    },

    async sendValidationNotice(input: SendValidationNoticeInput): Promise<SendResult> {
      const known = await profile(input.caseId);
      const language = input.language ?? known.language;
      const facts: ValidationNoticeFacts = { creditor: known.creditor, ...input.notice, language, collector: collectorOf(settings.letterSender) };
      const closing = [collectionDisclosure[language], ...(input.disclosures ?? [])];
      const contentFacts = input.compliance ?? known.facts;
      const pdf = (date: Date) => renderValidationNoticePdf({ facts, sender: settings.letterSender, recipient: input.channel === 'letter' ? addressLines(input.to) : [input.notice.consumer.name], date, closing });
      const base = { db, caseId: input.caseId, stepId: input.stepId, idempotencyKey: input.idempotencyKey };
      // The contact's standing is checked as for any message (an unsubscribe or a bounce since the case decided).
      const asMessage = { caseId: input.caseId, stepId: input.stepId, idempotencyKey: input.idempotencyKey, to: input.to, templateKey: validationNoticeTemplate, account: { externalId: input.notice.accountNumber ?? '', currency: input.notice.currency, balance: input.notice.itemization.now, originalBalance: input.notice.itemization.onItemizationDate, debtor: { name: input.notice.consumer.name } } };
      const stored = { template: validationNoticeTemplate, templateLanguage: language, templateVersion: null };

      if (input.channel === 'letter') {
        const text = [noticeTitle[language], validationNoticeText(facts), ...closing].join('\n\n');
        const problems = sendContentProblems({ channel: 'letter', language, text, facts: contentFacts });
        if (problems.length > 0) throw ApplicationFailure.nonRetryable(`validation notice refused: ${problems.map((problem) => problem.message).join('; ')}`, SendFailureType.contentRefused);
        return deliverOnce({
          ...base,
          message: { channel: 'letter', ...stored, recipient: input.to, subject: noticeTitle[language], body: text },
          permit: () => refusal('letter', asMessage),
          deliver: async (row) => letters.send({ communicationId: row.id, addressLines: addressLines(input.to), pdf: await pdf(row.createdAt) }),
        });
      }

      const id = communicationIdFor(input.idempotencyKey);
      const token = signLinkToken(settings.linkSecret, LinkPurpose.reply, id);
      const unsubscribeUrl = `${settings.publicUrl}/u/${signLinkToken(settings.linkSecret, LinkPurpose.unsubscribe, id)}`;
      const email = renderValidationNoticeEmail({ facts, closing, unsubscribeUrl });
      const problems = sendContentProblems({ channel: 'email', language, text: email.text, unsubscribeUrl, facts: contentFacts });
      if (problems.length > 0) throw ApplicationFailure.nonRetryable(`validation notice refused: ${problems.map((problem) => problem.message).join('; ')}`, SendFailureType.contentRefused);
      return deliverOnce({
        ...base,
        message: { channel: 'email', ...stored, recipient: input.to, subject: email.subject, body: email.text, html: email.html },
        permit: () => refusal('email', asMessage),
        deliver: async (row) => {
          // The notice goes as the email's own text and as the letter attached, for the person's records.
          const letter = await pdf(row.createdAt);
          const document = await letters.keep(`${row.id}-attachment`, letter);
          const delivery = await mailer.send({
            to: input.to,
            subject: email.subject,
            text: email.text,
            html: email.html,
            messageId: `<${row.id}@${mailDomain}>`,
            replyTo: tokenAddress('reply', token, mailDomain),
            envelopeFrom: tokenAddress('bounce', token, mailDomain),
            unsubscribeUrl,
            attachments: [{ filename: language === 'es' ? 'aviso-de-validacion.pdf' : 'validation-notice.pdf', content: letter, contentType: 'application/pdf' }],
          });
          return { ...delivery, ...document };
        },
      });
    },
  };
}
