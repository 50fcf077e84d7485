import type { ChannelSpec } from './spec.js';

/** Email: nodemailer (activities/mailer.ts); replies and bounces arrive at /webhooks/email/inbound. */
export const email = {
  name: 'email',
  nouns: ['email', 'emails'],
  medium: 'email',
  missing: 'no email address on file',
  address: 'email',
  words: /\b(e-?mail|e-?mails|e-?mailing)\b/i,
  timed: true,
  consent: false,
  optOut: 'unsubscribe_link',
  template: { subject: 'required', segments: false, html: true },
  sendActivity: 'sendEmail',
} as const satisfies ChannelSpec;
