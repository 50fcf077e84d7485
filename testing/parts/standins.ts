import { startSmtpSink, type SmtpSink } from '../standins/smtp-sink.js';
import { withMessageLog } from '../standins/twilio-message-log.js';
import { startTwilioStandIn, type TwilioStandIn } from '../standins/twilio-standin.js';
import type { StopStack } from '../stop-stack.js';

/** The numbers our SMS and WhatsApp messages come from. */
export const twilioFrom = '+15555550199';
export const whatsappFrom = 'whatsapp:+15555550198';

/** An SMTP server on loopback, and the worker settings that send through it. */
export async function startSmtp(stops: StopStack, options: { rejectRecipients?: string[] } = {}) {
  const smtp: SmtpSink = await startSmtpSink(options);
  stops.push('smtp sink', () => smtp.close());
  return { smtp, env: { SMTP_URL: smtp.url } };
}

/**
 * The Twilio stand-in behind Twilio's message list (which the send activity reads to settle an
 * interrupted send), and the worker settings that send through it.
 */
export async function startTwilio(stops: StopStack) {
  const twilio: TwilioStandIn = await startTwilioStandIn();
  stops.push('twilio stand-in', () => twilio.close());
  const withList = await withMessageLog(twilio);
  stops.push('twilio message list', () => withList.close());
  return {
    twilio,
    messageList: withList,
    env: { TWILIO_ACCOUNT_SID: twilio.accountSid, TWILIO_AUTH_TOKEN: twilio.authToken, TWILIO_FROM: twilioFrom, TWILIO_WHATSAPP_FROM: whatsappFrom, TWILIO_API_BASE: withList.url },
  };
}
