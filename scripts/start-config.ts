import { z } from 'zod';
import { parseApiKeys } from '../api/auth.js';
import { ZApiEnv } from '../api/config.js';
import { payloadCodec } from '../lib/data-converter.js';
import { parseEnv, ZEmbeddedPostgresEnv, ZStorageEnv, ZTemporalEnv, type Env } from '../lib/env.js';
import { ZWorkerEnv } from '../worker/config.js';

/** `npm start`'s own settings: where the embedded servers listen, and the demo data. */
export const ZStartEnv = ZTemporalEnv.extend(ZStorageEnv.shape)
  .extend(ZEmbeddedPostgresEnv.shape)
  .extend({
    TEMPORAL_PORT: z.coerce.number().int().min(1).max(65535).default(7233),
    TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
    SEED_DEMO: z.enum(['true', 'false']).default('true'),
    /** Where the embedded Stripe stand-in (localstripe) listens when STRIPE_SECRET_KEY is unset. */
    LOCALSTRIPE_PORT: z.coerce.number().int().min(1).max(65535).default(8420),
  });
export type TStartEnv = z.infer<typeof ZStartEnv>;

/** Stands in for the dev keys `npm start` makes when API_KEYS is unset, so the API's schema can be checked first. */
const devKeysPlaceholder = 'start-config-check-only:manager';

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error)).replace(/^invalid configuration:\n\s*/, '');

/**
 * Checks the configuration of every process `npm start` runs — its own, the worker's and the
 * API's, with their cross-variable rules (TWILIO_* all or none, API_KEYS, PAYLOAD_KEY_ID) — before
 * anything starts, and names every bad variable with its reason in one error. The worker and API
 * parse the same variables again when they start; this only moves the failure to the front.
 */
export function checkStartConfig(env: Env): Readonly<TStartEnv> {
  const asStarted = { ...env, API_KEYS: env.API_KEYS ?? devKeysPlaceholder };
  const problems = new Set<string>();
  for (const schema of [ZStartEnv, ZWorkerEnv, ZApiEnv]) {
    const result = schema.safeParse(asStarted);
    if (!result.success) for (const issue of result.error.issues) problems.add(`${issue.path.join('.')}: ${issue.message}`);
  }
  const checks = [
    () => env.API_KEYS && parseApiKeys(env.API_KEYS),
    () => payloadCodec({ PAYLOAD_KEYS: env.PAYLOAD_KEYS || undefined, PAYLOAD_KEY_ID: env.PAYLOAD_KEY_ID || undefined }),
  ];
  for (const check of checks) {
    try {
      check();
    } catch (error) {
      problems.add(reasonOf(error));
    }
  }
  if (problems.size > 0) throw new Error(`invalid configuration:\n${[...problems].map((problem) => `  ${problem}`).join('\n')}`);
  return parseEnv(ZStartEnv, env);
}
