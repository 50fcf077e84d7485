import Fastify, { type FastifyInstance } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Client } from '@temporalio/client';
import type { Db } from '../lib/db.js';
import { redactedPaths } from '../lib/logger.js';
import { registerAuth, type Role } from './auth.js';
import { errorHandler } from './errors.js';
import { accountRoutes } from './routes/accounts.js';
import { caseRoutes } from './routes/cases.js';
import { healthRoutes } from './routes/health.js';
import { strategyRoutes } from './routes/strategies.js';

export interface ApiDeps {
  db: Db;
  temporal: Client;
}

/** The HTTP API: zod-typed routes, bearer keys with roles, OpenAPI at /openapi.json, docs at /docs. */
export async function buildApi({
  deps,
  apiKeys,
  bodyLimit = 1_048_576,
  logLevel = 'info',
}: {
  deps: ApiDeps;
  apiKeys: Map<string, Role>;
  bodyLimit?: number;
  logLevel?: string;
}): Promise<FastifyInstance> {
  const app = Fastify({ bodyLimit, logger: { name: 'api', level: logLevel, redact: { paths: redactedPaths, censor: '[redacted]' } } });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: { code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` } }),
  );

  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Dunning engine API', version: '1.0.0', description: 'Debt-collection strategies as durable Temporal workflows.' },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
      security: [{ apiKey: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  registerAuth(app, apiKeys);

  await app.register(healthRoutes(deps));
  await app.register(strategyRoutes(deps));
  await app.register(accountRoutes(deps));
  await app.register(caseRoutes(deps));
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
