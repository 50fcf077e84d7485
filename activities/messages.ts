import type { TTemplate } from '../domain/strategy.js';
import { renderHtml, renderText, templateValues, type TemplateAccount } from '../domain/templates.js';
import type { Db } from '../lib/db.js';
import type { LetterSender } from './letter-sender.js';
import type { Mailer } from './mailer.js';
import { deliverOnce } from './outbox.js';
import type { SmsSender } from './sms-sender.js';

/** The three message sends: render the step's template with the account's data, deliver once. */

export interface SendMessageInput {
  caseId: string;
  stepId: string;
  idempotencyKey: string;
  templateKey: string;
  template: TTemplate;
  /** Email address, E.164 number or postal address, from the case's contacts. */
  to: string;
  account: TemplateAccount;
}

export function createMessageActivities({
  db,
  mailer,
  sms,
  letters,
  mailDomain,
}: {
  db: Db;
  mailer: Mailer;
  sms: SmsSender;
  letters: LetterSender;
  mailDomain: string;
}) {
  function render({ caseId, template, account }: SendMessageInput) {
    const values = templateValues(account, { caseId });
    return {
      subject: template.subject ? renderText(template.subject, values) : undefined,
      text: renderText(template.body, values),
      html: renderHtml(template.body, values),
    };
  }

  return {
    async sendEmail(input: SendMessageInput) {
      const { subject, text, html } = render(input);
      return deliverOnce({
        db,
        ...input,
        message: { channel: 'email', template: input.templateKey, recipient: input.to, subject, body: text },
        deliver: (communicationId) =>
          mailer.send({
            to: input.to,
            subject: subject ?? '',
            text,
            html: `<p>${html.replace(/\n\n+/g, '</p><p>').replace(/\n/g, '<br>')}</p>`,
            messageId: `<${communicationId}@${mailDomain}>`,
          }),
      });
    },

    async sendSms(input: SendMessageInput) {
      const { text } = render(input);
      return deliverOnce({
        db,
        ...input,
        message: { channel: 'sms', template: input.templateKey, recipient: input.to, body: text },
        deliver: () => sms.send({ to: input.to, body: text }),
      });
    },

    async sendLetter(input: SendMessageInput) {
      const { text } = render(input);
      return deliverOnce({
        db,
        ...input,
        message: { channel: 'letter', template: input.templateKey, recipient: input.to, body: text },
        deliver: (communicationId) => letters.send({ communicationId, address: input.to, body: text }),
      });
    },
  };
}
