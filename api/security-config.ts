import { z } from 'zod';
import { payloadCodec } from '../lib/data-converter.js';
import type { TPayloadEnv } from '../lib/env.js';

/** The API's limits and codec-endpoint settings (SECURITY.md), parsed as part of api/config.ts. */
export const ZApiSecurityEnv = z.object({
  /** Requests a minute per API key (per address for requests without a valid key); 429 beyond. */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(600),
  /** Browser origins (the Temporal UI) that may call the codec endpoint /codec/decode. */
  CODEC_CORS_ORIGINS: z
    .string()
    .default('http://127.0.0.1:8233,http://localhost:8233')
    .transform((value) => value.split(',').map((origin) => origin.trim()).filter(Boolean)),
});

/** The buildApi options that come from configuration: limits, the codec endpoint and its origins. */
export function apiOptions(config: z.infer<typeof ZApiSecurityEnv> & Partial<TPayloadEnv> & { BODY_LIMIT: number }) {
  const codec = payloadCodec(config);
  return {
    bodyLimit: config.BODY_LIMIT,
    rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
    codecOrigins: config.CODEC_CORS_ORIGINS,
    ...(codec ? { payloadCodec: codec } : {}),
  };
}
