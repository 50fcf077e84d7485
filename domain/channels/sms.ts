import type { ChannelSpec } from './spec.js';

const e164 = /^\+[1-9]\d{6,14}$/;

/** SMS through Twilio (activities/sms-sender.ts); replies and STOP arrive at the signed inbound webhook. */
export const sms = {
  name: 'SMS',
  nouns: ['text', 'texts'],
  medium: 'text messages',
  missing: 'no mobile number on file',
  address: 'e164',
  words: /\b(text|texts|texting|sms)\b/i,
  timed: true,
  consent: true,
  optOut: 'reply_stop',
  template: { subject: 'forbidden', segments: true, html: false },
  sendActivity: 'sendSms',
  inbound: { webhook: '/webhooks/twilio/sms', parseFrom: (from: string) => (e164.test(from) ? from : null) },
} as const satisfies ChannelSpec;
