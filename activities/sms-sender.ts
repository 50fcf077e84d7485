import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createTwilioClient } from '../lib/twilio-client.js';
import { PermanentDeliveryError, type Delivery } from './outbox.js';

/** SMS out through Twilio when configured, else as JSON files in an outbox folder. */

export interface OutgoingSms {
  /** Our communication id: names the outbox file, never sent to the provider. */
  communicationId: string;
  to: string;
  body: string;
  /** Where Twilio posts delivery status, when the API has a public URL. */
  statusCallback?: string;
}

export interface SmsSender {
  send(sms: OutgoingSms): Promise<Delivery>;
  /**
   * The message an interrupted attempt may have left at the provider: same number and body,
   * created since `since`, and not one of `exclude` (sids other communications already own).
   */
  find(query: { communicationId: string; to: string; body: string; since: Date; exclude: (sid: string) => Promise<boolean> }): Promise<Delivery | null>;
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

/** How far before the interrupted attempt's start a provider timestamp may lie (clock skew). */
const clockSkewMs = 2 * 60_000;

interface TwilioRestError extends Error {
  status?: number;
  code?: number;
}

interface TwilioMessageLike {
  sid: string;
  body: string;
  dateCreated: Date;
  numSegments: string;
  price: string | null;
  priceUnit: string | null;
}

function delivery(message: TwilioMessageLike): Delivery {
  return {
    provider: 'twilio',
    providerId: message.sid,
    segments: Number(message.numSegments) || null,
    price: message.price ?? null,
    priceUnit: message.price ? (message.priceUnit ?? null) : null,
  };
}

export function createSmsSender({ twilio, outboxDir }: { twilio?: TwilioSettings | undefined; outboxDir: string }): SmsSender {
  if (!twilio) {
    // One file per communication: writing it again is harmless, and its presence answers `find`.
    const fileOf = (communicationId: string) => path.join(outboxDir, `${communicationId}.json`);
    return {
      async send({ communicationId, to, body, statusCallback }) {
        await mkdir(outboxDir, { recursive: true });
        await writeFile(fileOf(communicationId), JSON.stringify({ to, body, statusCallback }, null, 2));
        return { provider: 'outbox', providerId: `outbox-${communicationId}` };
      },
      async find({ communicationId }) {
        const found = await readFile(fileOf(communicationId)).then(() => true, () => false);
        return found ? { provider: 'outbox', providerId: `outbox-${communicationId}` } : null;
      },
    };
  }
  const client = createTwilioClient(twilio);
  return {
    async send({ to, body, statusCallback }) {
      try {
        const message = await client.messages.create({ to, from: twilio.from, body, ...(statusCallback ? { statusCallback } : {}) });
        return delivery(message);
      } catch (error) {
        const { status, code } = error as TwilioRestError;
        if (code !== undefined && permanentTwilioCodes.has(code)) {
          throw new PermanentDeliveryError(`sms recipient rejected (twilio ${code})`);
        }
        throw new Error(`twilio request failed${status ? ` (${status}${code ? `/${code}` : ''})` : ''}`);
      }
    },

    async find({ to, body, since, exclude }) {
      // Twilio has no idempotency key for messages; its log is the only witness. Newest first:
      // the interrupted attempt was moments ago, so a short page covers it.
      let recent: TwilioMessageLike[];
      try {
        recent = await client.messages.list({ to, from: twilio.from, limit: 50 });
      } catch (error) {
        const { status, code } = error as TwilioRestError;
        throw new Error(`twilio message lookup failed${status ? ` (${status}${code ? `/${code}` : ''})` : ''}`);
      }
      for (const message of recent) {
        if (message.body !== body || message.dateCreated.getTime() < since.getTime() - clockSkewMs) continue;
        if (await exclude(message.sid)) continue;
        return delivery(message);
      }
      return null;
    },
  };
}
