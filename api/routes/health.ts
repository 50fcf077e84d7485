import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ApiDeps } from '../deps.js';
import { reachability } from '../services/health.js';
import { countProjectionFailures } from '../services/projection-failures.js';

/**
 * `GET /health`: can we reach Temporal and the database? 503 when either is down. Also how many
 * cases' read models lag behind them (`GET /api/v1/admin/projection-failures` lists them).
 */
export function healthRoutes({ db, temporal }: ApiDeps): FastifyPluginAsyncZod {
  return async (app) => {
    const ZHealth = z.object({
      status: z.enum(['ok', 'degraded']),
      temporal: z.boolean(),
      database: z.boolean(),
      laggingCases: z.number().int().nullable().describe('cases whose read model could not be written (null: the database is unreachable)'),
    });
    app.get('/health', { schema: { tags: ['health'], response: { 200: ZHealth, 503: ZHealth } } }, async (_request, reply) => {
      const { database, temporal: temporalUp } = await reachability({ db, temporal });
      const ok = database && temporalUp;
      const laggingCases = database ? await countProjectionFailures(db).catch(() => null) : null;
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', temporal: temporalUp, database, laggingCases });
    });
  };
}
