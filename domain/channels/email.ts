import type { ChannelSpec } from './spec.js';

/** Email: nodemailer (activities/mailer.ts); replies and bounces arrive at /webhooks/email/inbound. */
export const email = {
  name: 'email',
  medium: 'email',
  missing: 'no email address on file',
  address: 'email',
  timed: true,
  consent: false,
  optOut: 'unsubscribe_link',
  template: { subject: 'required', segments: false, html: true },
  sendActivity: 'sendEmail',
} as const satisfies ChannelSpec;
