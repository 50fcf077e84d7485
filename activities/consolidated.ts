import { ApplicationFailure } from '@temporalio/activity';
import { consolidatedTemplate, consolidatedTemplateKey, consolidatedValues, type ConsolidatedMessageChannel } from '../domain/consolidated-template.js';
import { isTemplateLanguage, type TemplateLanguage } from '../domain/disclosures.js';
import { sendContentProblems, type ContentFacts } from '../domain/message-content.js';
import { requiredDisclosures } from '../domain/regulation/index.js';
import { fitRenderedSms } from '../domain/template-definition.js';
import { LinkPurpose, payLinkUrl, signLinkToken, tokenAddress } from '../domain/template-links.js';
import { renderHtmlParagraphs, renderText } from '../domain/templates.js';
import type { Db } from '../lib/db.js';
import type { ConsolidatedAccount } from '../workflows/person-messages.js';
import type { CommunicationSettings } from './communication-settings.js';
import type { Mailer } from './mailer.js';
import { createMessageKit } from './message-kit.js';
import { communicationIdFor, deliverOnce, SendFailureType, type SendResult } from './outbox.js';
import { smsDelivery } from './sms-delivery.js';
import type { SmsSender } from './sms-sender.js';

/**
 * One message for several accounts of a person (strategy `contact.consolidate`): rendered from
 * the built-in consolidated template, delivered once through the outbox under the sending case's
 * key, then recorded as a communication of every other listed case (the same provider message),
 * keyed by that case's own step key so it never sends the step itself.
 */

export interface ConsolidatedSendInput {
  channel: ConsolidatedMessageChannel;
  /** The sending case, its step and key; the first of `accounts`. */
  caseId: string;
  stepId: string;
  idempotencyKey: string;
  to: string;
  debtorName: string;
  /** Every account listed, the sending case's first. */
  accounts: ConsolidatedAccount[];
  /** The sending case's content facts (the debtor's state); time-barred when any listed debt is. */
  compliance?: ContentFacts;
}

export function createConsolidatedActivities({ db, mailer, sms, mailDomain, settings }: { db: Db; mailer: Mailer; sms: SmsSender; mailDomain: string; settings: CommunicationSettings }) {
  const { refusal } = createMessageKit({ db, settings });

  async function languageOf(caseId: string): Promise<TemplateLanguage> {
    const row = await db.case.findUnique({ where: { id: caseId }, select: { account: { select: { debtor: { select: { language: true } } } } } });
    const language = row?.account.debtor.language ?? 'en';
    return isTemplateLanguage(language) ? language : 'en';
  }

  /** The other listed cases' communications: the same message, sent, each under its own step key. */
  async function recordListed(input: ConsolidatedSendInput, sent: SendResult, message: { subject?: string | undefined; body: string; html?: string | null }, language: TemplateLanguage) {
    const row = await db.communication.findUniqueOrThrow({ where: { id: sent.communicationId }, select: { provider: true, providerId: true, sentAt: true } });
    for (const account of input.accounts.filter((each) => each.caseId !== input.caseId)) {
      const id = communicationIdFor(account.stepKey);
      const created = await db.communication.upsert({
        where: { idempotencyKey: account.stepKey },
        create: {
          id,
          caseId: account.caseId,
          stepId: account.stepId,
          idempotencyKey: account.stepKey,
          channel: input.channel,
          template: consolidatedTemplateKey,
          templateLanguage: language,
          recipient: input.to,
          subject: message.subject ?? null,
          body: message.body,
          html: message.html ?? null,
          status: 'sent',
          provider: row.provider,
          providerId: row.providerId,
          sentAt: row.sentAt ?? new Date(),
        },
        update: {},
      });
      if (created.id === id && (await db.communicationEvent.count({ where: { communicationId: id } })) === 0) {
        await db.communicationEvent.create({ data: { communicationId: id, status: 'sent', detail: `listed in the consolidated ${input.channel} of communication ${sent.communicationId}`, data: { consolidatedIn: sent.communicationId } } });
      }
    }
  }

  return {
    async sendConsolidated(input: ConsolidatedSendInput): Promise<SendResult> {
      const language = await languageOf(input.caseId);
      const facts: ContentFacts = { state: input.compliance?.state ?? null, timeBarred: input.accounts.some((each) => each.timeBarred) || Boolean(input.compliance?.timeBarred) };
      const disclosures = requiredDisclosures({ balance: 0, timeZone: 'UTC', contacts: {}, ...(facts.state ? { state: facts.state } : {}), ...(facts.timeBarred ? { flags: { timeBarred: { at: 0, source: 'case' } } } : {}) });
      const template = consolidatedTemplate(input.channel, language);
      const id = communicationIdFor(input.idempotencyKey);
      const base = { debtorName: input.debtorName, creditorName: settings.creditorName, accounts: input.accounts, disclosures };
      const permitted = (text: string, unsubscribeUrl?: string) => async () => {
        const problems = sendContentProblems({ channel: input.channel, language, text, unsubscribeUrl, facts });
        if (problems.length > 0) return { reason: `content refused (template "${consolidatedTemplateKey}"): ${problems.map((problem) => problem.message).join('; ')}`.slice(0, 2000), content: true };
        return refusal(input.channel, { ...input, templateKey: consolidatedTemplateKey, account: { externalId: input.accounts[0]?.externalId ?? '', currency: '', balance: 0, originalBalance: 0, debtor: { name: input.debtorName } } });
      };
      const stored = { template: consolidatedTemplateKey, templateLanguage: language, templateVersion: null };

      if (input.channel === 'email') {
        const token = signLinkToken(settings.linkSecret, LinkPurpose.reply, id);
        const unsubscribeUrl = `${settings.publicUrl}/u/${signLinkToken(settings.linkSecret, LinkPurpose.unsubscribe, id)}`;
        // The SMS stays without it: shortening a long list would cut the link first.
        const values = consolidatedValues({ ...base, unsubscribeUrl, payUrl: payLinkUrl(settings.publicUrl, settings.linkSecret, id) });
        const subject = template.subject ? renderText(template.subject, values) : undefined;
        const text = renderText(template.body, values);
        const html = renderHtmlParagraphs(template.body, values, unsubscribeUrl);
        const sent = await deliverOnce({
          db,
          caseId: input.caseId,
          stepId: input.stepId,
          idempotencyKey: input.idempotencyKey,
          message: { channel: 'email', ...stored, recipient: input.to, subject, body: text, html },
          permit: permitted(text, unsubscribeUrl),
          deliver: () =>
            mailer.send({
              to: input.to,
              subject: subject ?? '',
              text,
              html,
              messageId: `<${id}@${mailDomain}>`,
              replyTo: tokenAddress('reply', token, mailDomain),
              envelopeFrom: tokenAddress('bounce', token, mailDomain),
              unsubscribeUrl,
            }),
        });
        await recordListed(input, sent, { subject, body: text, html }, language);
        return sent;
      }

      const fitted = fitRenderedSms(renderText(template.body, consolidatedValues(base)), { language, maxSegments: settings.smsMaxSegments });
      if (!fitted.ok) throw ApplicationFailure.nonRetryable(fitted.reason, SendFailureType.stepMisconfigured);
      const { body } = fitted;
      const statusCallback = settings.statusCallbacks ? `${settings.publicUrl}/webhooks/twilio/status?c=${id}` : undefined;
      const sent = await deliverOnce({
        db,
        caseId: input.caseId,
        stepId: input.stepId,
        idempotencyKey: input.idempotencyKey,
        message: { channel: 'sms', ...stored, recipient: input.to, body },
        note: fitted.truncated ? `shortened to ${fitted.length.segments} segment(s) at the end of its free text ("...")` : undefined,
        permit: permitted(body),
        ...smsDelivery({ db, sms, to: input.to, body, statusCallback, sharedByTemplate: consolidatedTemplateKey }),
      });
      await recordListed(input, sent, { body }, language);
      return sent;
    },
  };
}
