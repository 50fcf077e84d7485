import { z } from 'zod';
import { resolveLinkSecret } from '../domain/template-links.js';
import { parseEnv, ZLogEnv, ZStorageEnv, ZTemporalEnv, ZWebhookReceiverEnv, type Env } from '../lib/env.js';
import { checkStripeEnv, stripeSettingsOf, ZStripeEnv } from '../payments/stripe-config.js';
import { parseApiKeys } from './auth.js';
import { ZApiSecurityEnv } from './security-config.js';
import type { ApiCommunicationSettings } from './services/communication-settings.js';
import { voiceSettingsOf, ZVoiceEnv } from './services/voice-settings.js';

const ZOptionalSecret = z
  .string()
  .optional()
  .transform((value) => (value === '' ? undefined : value));

export const ZApiEnv = ZTemporalEnv.extend(ZStorageEnv.shape)
  .extend(ZLogEnv.shape)
  .extend(ZApiSecurityEnv.shape)
  .extend(ZVoiceEnv.shape)
  .extend(ZStripeEnv.shape)
  .extend(ZWebhookReceiverEnv.shape)
  .extend({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().default('127.0.0.1'),
    /** `key:role,key:role`; roles: manager, officer, integration, auditor, admin. */
    API_KEYS: z.string().min(1, 'set API_KEYS (key:role,key:role); `npm start` makes dev keys for you'),
    /** Largest request body accepted, in bytes. */
    BODY_LIMIT: z.coerce.number().int().positive().default(1_048_576),
    /**
     * The URL the world reaches this API at (https://collections.example.com). Twilio signs
     * webhooks over the exact URL it called, so behind a proxy this must be the outside one.
     */
    PUBLIC_URL: z.url().optional().transform((value) => value?.replace(/\/+$/, '')),
    /** Signs unsubscribe links and reply addresses; the same value as the worker's. */
    LINK_SECRET: z.string().min(32, 'use at least 32 characters (e.g. openssl rand -hex 32)').optional(),
    /** Verifies X-Twilio-Signature on /webhooks/twilio/*; unset refuses those webhooks. */
    TWILIO_AUTH_TOKEN: ZOptionalSecret,
    /** Inbound email posts carry X-Dunning-Signature: sha256=HMAC(this, raw body); unset refuses them. */
    INBOUND_EMAIL_SECRET: ZOptionalSecret.refine((value) => value === undefined || value.length >= 32, 'use at least 32 characters'),
    /** Domain of our Message-IDs and reply addresses (the worker's MAIL_DOMAIN). */
    MAIL_DOMAIN: z.string().min(1).default('dunning.local'),
    /** Managed SMS templates that render longer than this many segments are refused. */
    SMS_MAX_SEGMENTS: z.coerce.number().int().min(1).max(10).default(3),
    /** The creditor the debtor page names; the worker's templates use the same variable. */
    CREDITOR_NAME: z.string().min(1).max(200).default('the creditor'),
    /** The answer to an SMS HELP/INFO. */
    SMS_HELP_TEXT: z
      .string()
      .min(1)
      .max(320)
      .default('Collections: reply to talk to us, or call the number on your letter. This is a communication from a debt collector. Reply STOP to opt out.'),
  })
  .superRefine(checkStripeEnv);

export type ApiConfig = ReturnType<typeof loadApiConfig>;

export function loadApiConfig(env: Env = process.env) {
  const config = parseEnv(ZApiEnv, env);
  const communications: ApiCommunicationSettings = {
    publicUrl: config.PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`,
    linkSecret: resolveLinkSecret({ configured: config.LINK_SECRET, dataDir: config.DATA_DIR }),
    twilioAuthToken: config.TWILIO_AUTH_TOKEN,
    inboundEmailSecret: config.INBOUND_EMAIL_SECRET,
    mailDomain: config.MAIL_DOMAIN,
    smsMaxSegments: config.SMS_MAX_SEGMENTS,
    smsHelpText: config.SMS_HELP_TEXT,
    creditorName: config.CREDITOR_NAME,
  };
  return Object.freeze({ ...config, apiKeys: parseApiKeys(config.API_KEYS), communications, voice: voiceSettingsOf(config), stripe: stripeSettingsOf(config) });
}
