import type { ChannelSpec } from './spec.js';

/**
 * WhatsApp through Twilio: the same Messages API and client as SMS, with `whatsapp:+E164`
 * addresses (the contact stores the bare number). Opt-in is recorded per number with its source
 * and time, like SMS consent, and follows the number; STOP opts out of WhatsApp only. Outside the
 * 24-hour customer-service window that a debtor's own message opens, WhatsApp accepts only
 * templates the business had approved (Meta), so only a strategy template marked with its
 * `approvedTemplate` name may go then.
 */

const prefix = 'whatsapp:';
const e164 = /^\+[1-9]\d{6,14}$/;

/** The provider's address of an E.164 number: `whatsapp:+15555550100`. */
export function whatsappAddress(number: string): string {
  return number.startsWith(prefix) ? number : `${prefix}${number}`;
}

/** The E.164 number of a `whatsapp:+...` sender, or `null` for anything else (an SMS sender, a malformed one). */
export function parseWhatsAppAddress(from: string): string | null {
  if (!from.toLowerCase().startsWith(prefix)) return null;
  const number = from.slice(prefix.length).trim();
  return e164.test(number) ? number : null;
}

/** How long after the debtor's last message a free-form message may be sent. */
export const sessionWindowMs = 24 * 60 * 60 * 1000;

/**
 * Why this message may not go out now, or `null`: within 24 hours of the debtor's last inbound
 * WhatsApp message anything may be sent; outside it (or with no message from the debtor at all)
 * only an approved template.
 *
 * @param lastInboundAt epoch ms of the debtor's latest WhatsApp message to us, or `null`
 * @param approvedTemplate the template's approved name (`approvedTemplate` in the strategy), if any
 */
export function sessionWindowRefusal({ lastInboundAt, now, approvedTemplate }: { lastInboundAt: number | null; now: number; approvedTemplate?: string | undefined }): string | null {
  if (lastInboundAt !== null && now - lastInboundAt < sessionWindowMs) return null;
  if (approvedTemplate) return null;
  const since = lastInboundAt === null ? 'the debtor has not written to us on WhatsApp' : 'the debtor last wrote on WhatsApp more than 24 hours ago';
  return `outside the WhatsApp 24-hour session window (${since}): only an approved template may be sent, and this one has no approvedTemplate`;
}

export const whatsapp = {
  name: 'WhatsApp',
  nouns: ['WhatsApp message', 'WhatsApp messages'],
  medium: 'WhatsApp messages',
  missing: 'no WhatsApp number on file',
  address: 'e164',
  words: /\bwhats-?app\b/i,
  timed: true,
  consent: true,
  optOut: 'reply_stop',
  template: { subject: 'forbidden', segments: false, html: false, approvedTemplate: true },
  sendActivity: 'sendWhatsApp',
  inbound: { webhook: '/webhooks/twilio/sms', parseFrom: parseWhatsAppAddress },
} as const satisfies ChannelSpec;
