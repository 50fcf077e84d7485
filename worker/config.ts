import path from 'node:path';
import { z } from 'zod';
import { parseEnv, ZLogEnv, ZStorageEnv, ZTemporalEnv, type Env } from '../lib/env.js';

const ZOptional = z
  .string()
  .optional()
  .transform((value) => (value === '' ? undefined : value));

export const ZWorkerEnv = ZTemporalEnv.extend(ZStorageEnv.shape)
  .extend(ZLogEnv.shape)
  .extend({
    /** e.g. smtps://user:pass@smtp.example.com:465; unset writes .eml files to the outbox. */
    SMTP_URL: ZOptional,
    MAIL_FROM: z.string().min(3).default('Collections <collections@dunning.local>'),
    /** Domain of the Message-IDs we mint. */
    MAIL_DOMAIN: z.string().min(1).default('dunning.local'),
    TWILIO_ACCOUNT_SID: ZOptional,
    TWILIO_AUTH_TOKEN: ZOptional,
    TWILIO_FROM: ZOptional,
    /** Base URL replacing https://api.twilio.com, for a local stand-in. */
    TWILIO_API_BASE: z.url().optional(),
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
  return Object.freeze({
    ...config,
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
