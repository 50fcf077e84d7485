import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { createTwilioClient } from '../lib/twilio-client.js';
import { PermanentDeliveryError, type Delivery } from './outbox.js';

/** SMS out through Twilio when configured, else as JSON files in an outbox folder. */

export interface OutgoingSms {
  to: string;
  body: string;
  /** Where Twilio posts delivery status, when the API has a public URL. */
  statusCallback?: string;
}

export interface SmsSender {
  send(sms: OutgoingSms): Promise<Delivery & { segments: number | null }>;
}

export interface TwilioSettings {
  accountSid: string;
  authToken: string;
  from: string;
  apiBase?: string;
}

/** Twilio error codes that mean this number can never receive our SMS. */
const permanentTwilioCodes = new Set([
  21211, // invalid 'To' number
  21214, // 'To' number cannot be reached
  21408, // region not enabled
  21610, // recipient replied STOP at the carrier
  21612, // 'To' not reachable from this 'From'
  21614, // 'To' is not a mobile number
]);

interface TwilioRestError extends Error {
  status?: number;
  code?: number;
}

export function createSmsSender({ twilio, outboxDir }: { twilio?: TwilioSettings; outboxDir: string }): SmsSender {
  if (!twilio) {
    return {
      async send(sms) {
        const providerId = `outbox-${randomUUID()}`;
        await mkdir(outboxDir, { recursive: true });
        await writeFile(path.join(outboxDir, `${providerId}.json`), JSON.stringify(sms, null, 2));
        return { provider: 'outbox', providerId, segments: null };
      },
    };
  }
  const client = createTwilioClient(twilio);
  return {
    async send({ to, body, statusCallback }) {
      try {
        const message = await client.messages.create({ to, from: twilio.from, body, ...(statusCallback ? { statusCallback } : {}) });
        return { provider: 'twilio', providerId: message.sid, segments: Number(message.numSegments) || null };
      } catch (error) {
        const { status, code } = error as TwilioRestError;
        if (code !== undefined && permanentTwilioCodes.has(code)) {
          throw new PermanentDeliveryError(`sms recipient rejected (twilio ${code})`);
        }
        throw new Error(`twilio request failed${status ? ` (${status}${code ? `/${code}` : ''})` : ''}`);
      }
    },
  };
}
