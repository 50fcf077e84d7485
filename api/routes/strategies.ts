import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorOf } from '../auth.js';
import { errorResponses, ZErrorResponse } from '../schemas.js';
import type { ApiDeps } from '../server.js';
import { createStrategyVersion, listStrategies, strategyVersions, type StrategyVersion } from '../services/strategies.js';

const ZStrategyVersion = z.object({
  id: z.string(),
  key: z.string(),
  version: z.number().int(),
  name: z.string(),
  status: z.string(),
  createdAt: z.string(),
  definition: z.record(z.string(), z.unknown()),
});

const view = (version: StrategyVersion) => ({ ...version, createdAt: version.createdAt.toISOString(), definition: version.definition as Record<string, unknown> });

export function strategyRoutes({ db }: ApiDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/v1/strategies',
      {
        config: { roles: ['manager', 'admin'] },
        schema: {
          tags: ['strategies'],
          summary: 'Create the next version of a strategy from its definition',
          // Validated by the strategy language itself so every problem is reported with its path.
          body: z.record(z.string(), z.unknown()),
          response: { 201: ZStrategyVersion, 422: ZErrorResponse, ...errorResponses },
        },
      },
      async (request, reply) => reply.code(201).send(view(await createStrategyVersion({ db, definition: request.body, actor: actorOf(request) }))),
    );

    app.get(
      '/api/v1/strategies',
      {
        config: { roles: ['manager', 'officer', 'auditor', 'admin'] },
        schema: { tags: ['strategies'], summary: 'The newest version of every strategy', response: { 200: z.object({ items: z.array(ZStrategyVersion) }), ...errorResponses } },
      },
      async () => ({ items: (await listStrategies(db)).map(view) }),
    );

    app.get(
      '/api/v1/strategies/:key',
      {
        config: { roles: ['manager', 'officer', 'auditor', 'admin'] },
        schema: {
          tags: ['strategies'],
          summary: 'Every version of a strategy, newest first',
          params: z.object({ key: z.string().min(1).max(64) }),
          response: { 200: z.object({ key: z.string(), versions: z.array(ZStrategyVersion) }), ...errorResponses },
        },
      },
      async (request) => ({ key: request.params.key, versions: (await strategyVersions(db, request.params.key)).map(view) }),
    );
  };
}
