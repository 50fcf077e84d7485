import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { PermanentDeliveryError, type Delivery } from './outbox.js';

/**
 * Email out through SMTP when configured, else as `.eml` files in an outbox folder.
 *
 * SMTP_URL carries the transport settings nodemailer reads from a URL: `smtps://user:pass@host:465`
 * is implicit TLS with AUTH; `smtp://user:pass@host:587` upgrades with STARTTLS when the server
 * offers it (add `?requireTLS=true` to refuse a server that does not); query parameters such as
 * `?tls.rejectUnauthorized=false` or `?pool=true` set the other transport options.
 */

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Stable per communication (`<id@MAIL_DOMAIN>`) so a receiving system can tell a repeat. */
  messageId: string;
  /** Where the debtor's reply goes: `reply+<token>@MAIL_DOMAIN`. */
  replyTo?: string;
  /** Envelope sender (Return-Path) so bounce reports come back to `bounce+<token>@MAIL_DOMAIN`. */
  envelopeFrom?: string;
  /** The one-click opt-out (RFC 8058): an https URL that takes a POST. */
  unsubscribeUrl?: string;
  attachments?: { filename: string; content: Buffer; contentType: string }[];
}

export interface Mailer {
  send(mail: OutgoingEmail): Promise<Delivery>;
  close(): void;
}

interface SmtpError extends Error {
  responseCode?: number;
  command?: string;
}

export function createMailer({ smtpUrl, from, outboxDir }: { smtpUrl?: string | undefined; from: string; outboxDir: string }): Mailer {
  // Timeouts well under the send activity's start-to-close timeout, so a retry never overlaps a
  // still-running attempt of the same message (settings in the URL take precedence).
  const timeouts = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 };
  const transport = smtpUrl
    ? nodemailer.createTransport({ url: smtpUrl, ...timeouts })
    : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });

  return {
    async send(mail) {
      const { to, subject, text, html, messageId, replyTo, envelopeFrom, unsubscribeUrl, attachments } = mail;
      try {
        const info = await transport.sendMail({
          from,
          to,
          subject,
          text,
          ...(html ? { html } : {}),
          messageId,
          ...(replyTo ? { replyTo } : {}),
          ...(envelopeFrom ? { envelope: { from: envelopeFrom, to } } : {}),
          ...(unsubscribeUrl
            ? { headers: { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } }
            : {}),
          ...(attachments?.length ? { attachments } : {}),
        });
        if (!smtpUrl) {
          await mkdir(outboxDir, { recursive: true });
          const file = `${messageId.replace(/[<>]/g, '').replace(/[^\w.@-]/g, '_')}.eml`;
          await writeFile(path.join(outboxDir, file), info.message as Buffer);
          return { provider: 'outbox', providerId: messageId };
        }
        return { provider: 'smtp', providerId: info.messageId };
      } catch (error) {
        const { responseCode, command } = error as SmtpError;
        // 5xx at RCPT is the server saying this mailbox does not exist: retrying cannot help.
        if (responseCode && responseCode >= 500 && command === 'RCPT TO') {
          throw new PermanentDeliveryError(`email recipient rejected (${responseCode})`);
        }
        throw new Error(`smtp ${command ?? 'connection'} failed${responseCode ? ` (${responseCode})` : ''}`);
      }
    },
    close() {
      transport.close();
    },
  };
}
