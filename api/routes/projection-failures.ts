import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses } from '../schemas.js';
import type { ApiDeps } from '../deps.js';
import { listProjectionFailures } from '../services/projection-failures.js';

const ZProjectionFailure = z.object({
  caseId: z.string(),
  firstFailedAt: z.string(),
  lastFailedAt: z.string(),
  failures: z.number().int(),
  code: z.string().nullable(),
  message: z.string(),
});

/**
 * `GET /api/v1/admin/projection-failures`: cases whose read model lags behind the live case
 * (activities/projection.ts could not write it). The cases go on; each catches up by itself once
 * the cause is fixed, and its row then goes away.
 */
export function projectionFailureRoutes({ db }: ApiDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/admin/projection-failures',
      {
        config: { roles: ['admin'] },
        schema: {
          tags: ['health'],
          summary: 'Cases whose read model could not be written (most recent first); each catches up by itself',
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }),
          response: { 200: z.object({ items: z.array(ZProjectionFailure) }), ...errorResponses },
        },
      },
      async (request) => ({ items: await listProjectionFailures(db, request.query.limit) }),
    );
  };
}
