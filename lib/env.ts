import { z } from 'zod';
import { parseKeyring } from './payload-codec.js';

/**
 * Configuration pieces shared by the worker, the API and `npm start`. Each process parses its own
 * frozen config from these; nothing else reads `process.env`.
 */

export type Env = Record<string, string | undefined>;

const ZOptionalString = z
  .string()
  .optional()
  .transform((value) => (value === '' ? undefined : value));

/**
 * Keys of the payload codec (lib/payload-codec.ts) that encrypts what Temporal stores: worker and
 * clients must share them. `PAYLOAD_KEYS` is `id:base64key,...` (32-byte keys); `PAYLOAD_KEY_ID`
 * names the one new payloads use (optional with a single key). Keep retired keys listed as long
 * as histories written with them may be read.
 */
export const ZPayloadEnv = z.object({
  PAYLOAD_KEYS: ZOptionalString.superRefine((value, ctx) => {
    if (value === undefined) return;
    try {
      parseKeyring(value);
    } catch (error) {
      // A missing PAYLOAD_KEY_ID is reported against that variable by dataConverter().
      const message = error instanceof Error ? error.message.replace(/^PAYLOAD_KEYS: /, '') : String(error);
      if (!message.startsWith('PAYLOAD_KEY_ID')) ctx.addIssue({ code: 'custom', message });
    }
  }),
  PAYLOAD_KEY_ID: ZOptionalString,
});
export type TPayloadEnv = z.infer<typeof ZPayloadEnv>;

/**
 * Outbound webhooks go only to public addresses (lib/public-address.ts); `true` lets them reach
 * loopback and private networks too: tests, and receivers inside your own network on purpose.
 */
export const ZWebhookReceiverEnv = z.object({
  WEBHOOK_ALLOW_PRIVATE_URLS: z.enum(['true', 'false']).optional().transform((value) => value === 'true'),
});

export const ZTemporalEnv = z.object({
  /** host:port of a Temporal frontend; unset means the embedded dev server (`npm start`). */
  TEMPORAL_ADDRESS: ZOptionalString,
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_API_KEY: ZOptionalString,
  TEMPORAL_TLS: z.enum(['true', 'false']).optional().transform((value) => value === 'true'),
  TEMPORAL_TLS_CERT_PATH: ZOptionalString,
  TEMPORAL_TLS_KEY_PATH: ZOptionalString,
  TEMPORAL_TLS_CA_PATH: ZOptionalString,
  TEMPORAL_TLS_SERVER_NAME: ZOptionalString,
  ...ZPayloadEnv.shape,
});
export type TTemporalEnv = z.infer<typeof ZTemporalEnv>;

export const ZStorageEnv = z.object({
  /** Any PostgreSQL; unset means the embedded one (`npm start`). */
  DATABASE_URL: ZOptionalString,
  /**
   * Connections each process holds. Unset: the API takes 10, the worker 25, so its projections
   * and send records (up to 100 activities at once) do not queue past Prisma's 2-second wait.
   */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(500).optional(),
  /** Embedded databases and the outbox folders. */
  DATA_DIR: z.string().min(1).default('.data'),
});

/** `npm start`'s embedded PostgreSQL, which `npm run api-keys` also finds when DATABASE_URL is unset. */
export const ZEmbeddedPostgresEnv = z.object({
  EMBEDDED_POSTGRES_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
});

export const ZLogEnv = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** Parses `env` with `schema`, naming every bad variable in one error. */
export function parseEnv<T extends z.ZodType>(schema: T, env: Env): Readonly<z.infer<T>> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n');
    throw new Error(`invalid configuration:\n${problems}`);
  }
  return Object.freeze(result.data);
}

/** Requires DATABASE_URL, which only `npm start` may leave unset (it starts its own). */
export function requireDatabaseUrl(config: { DATABASE_URL?: string | undefined }): string {
  if (!config.DATABASE_URL) throw new Error('invalid configuration:\n  DATABASE_URL: required when running this process alone');
  return config.DATABASE_URL;
}

/** Requires PAYLOAD_KEYS in processes that run alone: debtor data must not reach Temporal in clear. */
export function requirePayloadKeys(config: TPayloadEnv): string {
  if (!config.PAYLOAD_KEYS) {
    throw new Error('invalid configuration:\n  PAYLOAD_KEYS: required (id:base64key,...; e.g. PAYLOAD_KEYS=k1:$(openssl rand -base64 32))');
  }
  return config.PAYLOAD_KEYS;
}
