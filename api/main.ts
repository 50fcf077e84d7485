import { createDb } from '../lib/db.js';
import { requireDatabaseUrl, requirePayloadKeys } from '../lib/env.js';
import { connectTemporalClient } from '../lib/temporal-connection.js';
import { createStripeProcessor } from '../payments/stripe-processor.js';
import { loadApiConfig } from './config.js';
import { apiOptions } from './security-config.js';
import { buildApi } from './server.js';

/** `npm run api`: the HTTP API alone, against external Temporal and PostgreSQL. */
const config = loadApiConfig();
requirePayloadKeys(config);
const db = createDb(requireDatabaseUrl(config), { poolSize: config.DATABASE_POOL_SIZE });
const temporal = await connectTemporalClient(config);
const app = await buildApi({ deps: { db, temporal, communications: config.communications, voice: config.voice, ...(config.stripe ? { payments: createStripeProcessor(config.stripe) } : {}), imports: { dataDir: config.DATA_DIR }, allowPrivateWebhookUrls: config.WEBHOOK_ALLOW_PRIVATE_URLS }, apiKeys: config.apiKeys, ...apiOptions(config), logLevel: config.LOG_LEVEL });
await app.listen({ port: config.PORT, host: config.HOST });

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void (async () => {
      await app.close();
      await temporal.connection.close();
      await db.$disconnect();
    })();
  });
}
