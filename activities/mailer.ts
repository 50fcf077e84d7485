import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { PermanentDeliveryError, type Delivery } from './outbox.js';

/** Email out through SMTP when configured, else as `.eml` files in an outbox folder. */

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Stable per communication so a receiving system can tell a repeat. */
  messageId: string;
}

export interface Mailer {
  send(mail: OutgoingEmail): Promise<Delivery>;
  close(): void;
}

interface SmtpError extends Error {
  responseCode?: number;
  command?: string;
}

export function createMailer({ smtpUrl, from, outboxDir }: { smtpUrl?: string; from: string; outboxDir: string }): Mailer {
  const transport = smtpUrl
    ? nodemailer.createTransport(smtpUrl)
    : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });

  return {
    async send(mail) {
      try {
        const info = await transport.sendMail({ from, ...mail });
        if (!smtpUrl) {
          await mkdir(outboxDir, { recursive: true });
          const file = `${mail.messageId.replace(/[<>]/g, '').replace(/[^\w.@-]/g, '_')}.eml`;
          await writeFile(path.join(outboxDir, file), info.message as Buffer);
          return { provider: 'outbox', providerId: mail.messageId };
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
