import { createDb } from '../lib/db.js';
import { requireDatabaseUrl } from '../lib/env.js';
import { connectTemporalClient } from '../lib/temporal-connection.js';
import { loadApiConfig } from './config.js';
import { buildApi } from './server.js';

/** `npm run api`: the HTTP API alone, against external Temporal and PostgreSQL. */
const config = loadApiConfig();
const db = createDb(requireDatabaseUrl(config));
const temporal = await connectTemporalClient(config);
const app = await buildApi({ deps: { db, temporal }, apiKeys: config.apiKeys, bodyLimit: config.BODY_LIMIT, logLevel: config.LOG_LEVEL });
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
