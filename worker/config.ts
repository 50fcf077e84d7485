import path from 'node:path';
import { z } from 'zod';
import type { CommunicationSettings } from '../activities/communication-settings.js';
import { whatsappAddress } from '../domain/channels/whatsapp.js';
import { resolveLinkSecret } from '../domain/template-links.js';
import { parseEnv, ZLogEnv, ZStorageEnv, ZTemporalEnv, ZWebhookReceiverEnv, type Env } from '../lib/env.js';
import { stripeSettingsOf, ZStripeEnv } from '../payments/stripe-config.js';

const ZOptional = z
  .string()
  .optional()
  .transform((value) => (value === '' ? undefined : value));

export const ZWorkerEnv = ZTemporalEnv.extend(ZStorageEnv.shape)
  .extend(ZLogEnv.shape)
  .extend(ZWebhookReceiverEnv.shape)
  .extend(ZStripeEnv.shape)
  .extend({
    /** e.g. smtps://user:pass@smtp.example.com:465; unset writes .eml files to the outbox. */
    SMTP_URL: ZOptional,
    MAIL_FROM: z.string().min(3).default('Collections <collections@dunning.local>'),
    /** Domain of the Message-IDs we mint. */
    MAIL_DOMAIN: z.string().min(1).default('dunning.local'),
    TWILIO_ACCOUNT_SID: ZOptional,
    TWILIO_AUTH_TOKEN: ZOptional,
    TWILIO_FROM: ZOptional,
    /** The WhatsApp sender number (E.164, with or without `whatsapp:`); unset writes WhatsApp messages to the outbox. */
    TWILIO_WHATSAPP_FROM: z
      .string()
      .regex(/^(whatsapp:)?\+[1-9]\d{6,14}$/, 'must be an E.164 number such as +15555550100 (or whatsapp:+15555550100)')
      .optional()
      .or(z.literal('').transform(() => undefined)),
    /** Base URL replacing https://api.twilio.com, for a local stand-in. */
    TWILIO_API_BASE: z.url().optional(),
    /**
     * The API's public base URL (e.g. https://collections.example.com). Unsubscribe links point
     * at it, and when set Twilio is asked to post delivery status to it.
     */
    PUBLIC_URL: z.url().optional().transform((value) => value?.replace(/\/+$/, '')),
    /** Signs unsubscribe links and reply addresses; the API needs the same value. */
    LINK_SECRET: z.string().min(32, 'use at least 32 characters (e.g. openssl rand -hex 32)').optional(),
    /** An SMS longer than this many segments is shortened (its free text cut, marked "..."). */
    SMS_MAX_SEGMENTS: z.coerce.number().int().min(1).max(10).default(3),
    /** Creditor named by templates ({{creditor.name}}) when the account names none. */
    CREDITOR_NAME: z.string().min(1).default('the creditor'),
    /** The letters' sender block, lines separated by "|". */
    LETTER_SENDER: z.string().min(1).default('Collections Department | 100 Main Street | Springfield, IL 62701 | US'),
    /** An HTTP print-and-mail provider that receives each letter's PDF; unset keeps them in the outbox. */
    LETTER_PROVIDER_URL: z.url().optional(),
    LETTER_PROVIDER_TOKEN: ZOptional,
    /** An HTTP endpoint of the collection agency that receives each referral's case file; unset keeps them in the outbox. */
    AGENCY_PROVIDER_URL: z.url().optional(),
    AGENCY_PROVIDER_TOKEN: ZOptional,
    /** The skip-trace vendor's HTTP endpoint (POST /search, POST /batches, GET /batches/{id}) and its bearer token. */
    SKIP_TRACE_URL: z.url().optional(),
    SKIP_TRACE_TOKEN: ZOptional,
    /** Outbound webhooks: first retry after a failed delivery (doubling up to WEBHOOK_RETRY_MAX_SECONDS). */
    WEBHOOK_RETRY_FIRST_SECONDS: z.coerce.number().positive().max(86_400).default(5),
    WEBHOOK_RETRY_MAX_SECONDS: z.coerce.number().positive().max(86_400).default(3_600),
    /** A receiver failing this long has its subscription disabled, with an audit event and a manager's task (default 5 days). */
    WEBHOOK_DISABLE_AFTER_SECONDS: z.coerce.number().positive().max(90 * 86_400).default(5 * 86_400),
    /** How long one webhook POST may take. */
    WEBHOOK_TIMEOUT_SECONDS: z.coerce.number().positive().max(120).default(10),
    /** A delivery workflow's own look at the outbox, besides the projection's wake-ups. */
    WEBHOOK_POLL_SECONDS: z.coerce.number().positive().max(86_400).default(60),
    /**
     * The worker process's memory budget (resident, MiB): the case worker's workflow cache is
     * sized so that it fits (worker/cache-size.ts). Below about 700 MiB only a minimal cache fits.
     */
    WORKER_MEMORY_MB: z.coerce.number().int().min(256).max(1_048_576).default(1_400),
    /** Cases due within this many minutes make the working set the cache is sized from, at start. */
    WORKER_CACHE_WINDOW_MINUTES: z.coerce.number().int().min(1).max(10_080).default(60),
  })
  .superRefine((env, ctx) => {
    const twilio = [env.TWILIO_ACCOUNT_SID, env.TWILIO_AUTH_TOKEN, env.TWILIO_FROM];
    if (twilio.some(Boolean) && !twilio.every(Boolean)) {
      for (const key of ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM'] as const) {
        if (!env[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'set all of the TWILIO_* variables, or none' });
      }
    }
  });

export type WorkerConfig = ReturnType<typeof loadWorkerConfig>;

export function loadWorkerConfig(env: Env = process.env) {
  const config = parseEnv(ZWorkerEnv, env);
  const communications: CommunicationSettings = {
    publicUrl: config.PUBLIC_URL ?? 'http://127.0.0.1:3000',
    statusCallbacks: config.PUBLIC_URL !== undefined,
    linkSecret: resolveLinkSecret({ configured: config.LINK_SECRET, dataDir: config.DATA_DIR }),
    smsMaxSegments: config.SMS_MAX_SEGMENTS,
    creditorName: config.CREDITOR_NAME,
    letterSender: config.LETTER_SENDER.split('|').map((line) => line.trim()).filter(Boolean),
  };
  return Object.freeze({
    ...config,
    communications,
    letterProvider: config.LETTER_PROVIDER_URL ? { url: config.LETTER_PROVIDER_URL, token: config.LETTER_PROVIDER_TOKEN } : undefined,
    /** Stripe for autopay's off-session charges; without it an autopay installment is recorded as not charged. */
    stripe: stripeSettingsOf(config),
    agencyProvider: config.AGENCY_PROVIDER_URL ? { url: config.AGENCY_PROVIDER_URL, token: config.AGENCY_PROVIDER_TOKEN } : undefined,
    webhookDelivery: {
      firstRetryMs: config.WEBHOOK_RETRY_FIRST_SECONDS * 1000,
      maxRetryMs: Math.max(config.WEBHOOK_RETRY_FIRST_SECONDS, config.WEBHOOK_RETRY_MAX_SECONDS) * 1000,
      disableAfterMs: config.WEBHOOK_DISABLE_AFTER_SECONDS * 1000,
      pollMs: config.WEBHOOK_POLL_SECONDS * 1000,
      timeoutMs: config.WEBHOOK_TIMEOUT_SECONDS * 1000,
      batchSize: 50,
      allowPrivateUrls: config.WEBHOOK_ALLOW_PRIVATE_URLS,
    },
    skipTraceVendor: config.SKIP_TRACE_URL ? { url: config.SKIP_TRACE_URL, token: config.SKIP_TRACE_TOKEN } : undefined,
    outboxDir: path.resolve(config.DATA_DIR, 'outbox'),
    twilio:
      config.TWILIO_ACCOUNT_SID && config.TWILIO_AUTH_TOKEN && config.TWILIO_FROM
        ? {
            accountSid: config.TWILIO_ACCOUNT_SID,
            authToken: config.TWILIO_AUTH_TOKEN,
            from: config.TWILIO_FROM,
            ...(config.TWILIO_API_BASE ? { apiBase: config.TWILIO_API_BASE } : {}),
          }
        : undefined,
  });
}

/** WhatsApp goes through the same Twilio account with its own sender, when both are configured. */
export function whatsappTwilioSettings(config: WorkerConfig) {
  return config.twilio && config.TWILIO_WHATSAPP_FROM ? { ...config.twilio, from: whatsappAddress(config.TWILIO_WHATSAPP_FROM) } : undefined;
}
