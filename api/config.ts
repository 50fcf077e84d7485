import { z } from 'zod';
import { parseEnv, ZLogEnv, ZStorageEnv, ZTemporalEnv, type Env } from '../lib/env.js';
import { parseApiKeys } from './auth.js';

export const ZApiEnv = ZTemporalEnv.extend(ZStorageEnv.shape)
  .extend(ZLogEnv.shape)
  .extend({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().default('127.0.0.1'),
    /** `key:role,key:role`; roles: manager, officer, integration, auditor, admin. */
    API_KEYS: z.string().min(1, 'set API_KEYS (key:role,key:role); `npm start` makes dev keys for you'),
    /** Largest request body accepted, in bytes. */
    BODY_LIMIT: z.coerce.number().int().positive().default(1_048_576),
  });

export type ApiConfig = ReturnType<typeof loadApiConfig>;

export function loadApiConfig(env: Env = process.env) {
  const config = parseEnv(ZApiEnv, env);
  return Object.freeze({ ...config, apiKeys: parseApiKeys(config.API_KEYS) });
}
