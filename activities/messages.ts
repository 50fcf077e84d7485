import { ApplicationFailure } from '@temporalio/activity';
import { fitRenderedSms } from '../domain/template-definition.js';
import { LinkPurpose, signLinkToken, tokenAddress } from '../domain/template-links.js';
import type { Db } from '../lib/db.js';
import type { CommunicationSettings } from './communication-settings.js';
import { addressLines, renderLetterPdf } from './letter-pdf.js';
import type { LetterSender } from './letter-sender.js';
import type { Mailer } from './mailer.js';
import { communicationIdFor, deliverOnce, SendFailureType } from './outbox.js';
import { smsDelivery } from './sms-delivery.js';
import type { SmsSender } from './sms-sender.js';
import { createMessageKit, type SendMessageInput } from './message-kit.js';
import { resolveTemplate } from './template-resolver.js';

/** The three message sends: render the step's template with the account's data, deliver once. */

export type { SendMessageInput } from './message-kit.js';

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
  const { renderWith, caseProfile, contentCheck, permitWith, stored } = createMessageKit({ db, settings });

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
      const { input, facts, standing } = await caseProfile(given, 'email');
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
        permit: permitWith(content, 'email', input, standing),
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
      const { input, facts, standing } = await caseProfile(given, 'sms');
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
        permit: permitWith(content, 'sms', input, standing),
        ...smsDelivery({ db, sms, to: input.to, body, statusCallback, length: fitted.length }),
      });
    },

    async sendLetter(given: SendMessageInput) {
      const { input, facts, standing } = await caseProfile(given, 'letter');
      const resolved = await resolveTemplate(db, 'letter', input);
      const { subject, text } = renderWith(resolved, input);
      const content = contentCheck('letter', resolved, text, facts);
      return deliverOnce({
        db,
        ...input,
        message: { channel: 'letter', ...stored(resolved), recipient: input.to, subject, body: text },
        permit: permitWith(content, 'letter', input, standing),
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
