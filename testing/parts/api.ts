import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { ImportSettings } from '../../api/services/imports.js';
import { apiOptions } from '../../api/security-config.js';
import { buildApi } from '../../api/server.js';
import type { ApiCommunicationSettings } from '../../api/services/communication-settings.js';
import { voiceSettingsFromEnv } from '../../api/services/voice-settings.js';
import type { Db } from '../../lib/db.js';
import type { Logger } from '../../lib/logger.js';
import type { PaymentProcessor } from '../../payments/processor.js';
import { testApiKeys } from '../api-client.js';
import type { StopStack } from '../stop-stack.js';

export interface ApiPartOptions {
  db: Db;
  temporal: Client;
  /** Listens here (the public URL the worker was told); 0 for any free port. */
  port: number;
  dataDir: string;
  env: Record<string, string>;
  communications: ApiCommunicationSettings;
  /** The payment processor (localstripe's) for card payments and its webhooks. */
  payments?: PaymentProcessor;
  imports?: Partial<ImportSettings>;
  rateLimitPerMinute: number;
  logger?: Logger;
}

/** The API on loopback with {@link testApiKeys}; it can be rebuilt in place (same parts, same port), as a deploy would. */
export async function startApi(stops: StopStack, options: ApiPartOptions) {
  let app: FastifyInstance | undefined;
  let port = options.port;
  const open = async (imports: Partial<ImportSettings>) => {
    app = await buildApi({
      deps: { db: options.db, temporal: options.temporal, communications: options.communications, voice: voiceSettingsFromEnv({ ...options.env, TWILIO_AUTH_TOKEN: options.communications.twilioAuthToken }), ...(options.payments ? { payments: options.payments } : {}), imports: { dataDir: options.dataDir, ...options.imports, ...imports }, allowPrivateWebhookUrls: options.env.WEBHOOK_ALLOW_PRIVATE_URLS === 'true' },
      apiKeys: testApiKeys,
      ...apiOptions({ BODY_LIMIT: 1_048_576, RATE_LIMIT_PER_MINUTE: options.rateLimitPerMinute, CODEC_CORS_ORIGINS: ['http://127.0.0.1:8233'], ...options.env }),
      ...(options.logger ? { logger: options.logger } : { logLevel: 'silent' }),
    });
    await app.listen({ port, host: '127.0.0.1' });
    port = (app.server.address() as { port: number }).port;
  };
  await open({});
  stops.push('api', () => app?.close());
  return {
    baseUrl: () => `http://127.0.0.1:${port}`,
    app: () => {
      if (!app) throw new Error('the API is not running');
      return app;
    },
    /** Closes the API and builds a new one on the same parts (imports go on in their workflows). */
    async restart(imports: Partial<ImportSettings> = {}) {
      await app?.close();
      app = undefined;
      await open(imports);
    },
  };
}
