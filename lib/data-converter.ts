import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import type { TPayloadEnv } from './env.js';
import { EncryptionCodec, parseKeyring } from './payload-codec.js';

/** Failure messages and stack traces as encoded payloads, so the codec encrypts them too. */
export const failureConverterPath = fileURLToPath(new URL('./failure-converter.cjs', import.meta.url));

/**
 * The one data converter for the worker and every client (API, scripts, tests): with
 * PAYLOAD_KEYS set, every payload and failure is encrypted by {@link EncryptionCodec}. Both sides
 * must use the same keys. Without keys, Temporal's defaults (plain JSON): only for tests and
 * tools; `npm start` always configures a key and `npm run worker` / `npm run api` require one.
 */
export function dataConverter(config: Partial<TPayloadEnv>): DataConverter {
  const codec = payloadCodec(config);
  return codec ? { payloadCodecs: [codec], failureConverterPath } : {};
}

/** The codec alone (the Temporal UI codec endpoint), or undefined when no keys are configured. */
export function payloadCodec(config: Partial<TPayloadEnv>): EncryptionCodec | undefined {
  if (!config.PAYLOAD_KEYS) return undefined;
  try {
    return new EncryptionCodec(parseKeyring(config.PAYLOAD_KEYS, config.PAYLOAD_KEY_ID));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`invalid configuration:\n  ${message}`);
  }
}
