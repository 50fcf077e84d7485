import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ApiDeps } from '../deps.js';
import { reachability } from '../services/health.js';

/** `GET /health`: can we reach Temporal and the database? 503 when either is down. */
export function healthRoutes({ db, temporal }: ApiDeps): FastifyPluginAsyncZod {
  return async (app) => {
    const ZHealth = z.object({ status: z.enum(['ok', 'degraded']), temporal: z.boolean(), database: z.boolean() });
    app.get('/health', { schema: { tags: ['health'], response: { 200: ZHealth, 503: ZHealth } } }, async (_request, reply) => {
      const { database, temporal: temporalUp } = await reachability({ db, temporal });
      const ok = database && temporalUp;
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', temporal: temporalUp, database });
    });
  };
}
