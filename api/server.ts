import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyRateLimit from '@fastify/rate-limit';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { PayloadCodec } from '@temporalio/common';
import { createLogger, type Logger } from '../lib/logger.js';
import { registerAccessControl } from './access.js';
import type { ApiDeps } from './deps.js';
import { registerInputGuards } from './input-guards.js';
import { registerAuth, type Role } from './auth.js';
import { ApiError, clientErrorHandler, errorHandler, frameworkErrorHandler } from './errors.js';
import { maxPathParamLength, ZErrorResponse } from './schemas.js';
import { accountRoutes } from './routes/accounts.js';
import { assignmentRoutes } from './routes/assignments.js';
import { callbackRoutes } from './routes/callbacks.js';
import { caseNoteRoutes } from './routes/case-notes.js';
import { ownerRoutes } from './routes/owners.js';
import { caseRoutes } from './routes/cases.js';
import { callRoutes } from './routes/calls.js';
import { dialerRoutes } from './routes/dialer.js';
import { voiceWebhookRoutes } from './routes/voice-webhooks.js';
import { caseFileRoutes } from './routes/case-files.js';
import { codecRoutes } from './routes/codec.js';
import { debtorRoutes } from './routes/debtors.js';
import { debtorPageRoutes } from './routes/debtor-page.js';
import { consoleRoutes } from './routes/console.js';
import { healthRoutes } from './routes/health.js';
import { importRoutes } from './routes/imports.js';
import { letterReturnRoutes } from './routes/letter-returns.js';
import { reportRoutes } from './routes/reports.js';
import { segmentRoutes } from './routes/segments.js';
import { skipTraceRoutes } from './routes/skip-traces.js';
import { outcomeRoutes } from './routes/outcomes.js';
import { ledgerRoutes } from './routes/ledger.js';
import { paymentReversalRoutes } from './routes/payment-reversals.js';
import { projectionFailureRoutes } from './routes/projection-failures.js';
import { strategyRoutes } from './routes/strategies.js';
import { taskRoutes } from './routes/tasks.js';
import { communicationsExportRoutes } from './routes/communications-export.js';
import { templateRoutes } from './routes/templates.js';
import { unsubscribeRoutes } from './routes/unsubscribe.js';
import { webhookRoutes } from './routes/webhooks.js';
import { webhookSubscriptionRoutes } from './routes/webhook-subscriptions.js';
import { stripeWebhookRoutes } from './routes/stripe-webhooks.js';
import { cardPaymentRoutes } from './routes/card-payments.js';
import { clientRoutes } from './routes/clients.js';
import { remittanceRoutes } from './routes/remittance.js';
import { responseModelRoutes } from './routes/response-models.js';
import { simulationRoutes } from './routes/simulations.js';
import { championChallengerRoutes } from './routes/champion-challenger.js';

/**
 * Answers every route can give besides its own, said in its schema so the OpenAPI document is
 * whole: 429 past the key's rate limit, 503 while PostgreSQL or Temporal is unreachable
 * (api/unavailable.ts, with Retry-After), and 414 on a route with path parameters (a parameter over
 * the router's limit, api/errors.ts). A route's own declaration of a code wins.
 */
function withCommonAnswers<T extends { schema?: { params?: unknown; response?: unknown } }>(input: T): T {
  const { schema } = input;
  if (!schema?.response) return input;
  const common = { 429: ZErrorResponse, 503: ZErrorResponse, ...(schema.params ? { 414: ZErrorResponse } : {}) };
  return { ...input, schema: { ...schema, response: { ...common, ...schema.response } } };
}

/** The HTTP API: zod-typed routes, bearer keys with roles, OpenAPI at /openapi.json, docs at /docs. */
export async function buildApi({
  deps,
  apiKeys,
  bodyLimit = 1_048_576,
  logLevel = 'info',
  logger = createLogger({ level: logLevel, name: 'api' }),
  payloadCodec,
  codecOrigins = ['http://127.0.0.1:8233', 'http://localhost:8233'],
  rateLimitPerMinute = 600,
}: {
  deps: ApiDeps;
  apiKeys: Map<string, Role>;
  bodyLimit?: number;
  logLevel?: string;
  /** A pino logger made by lib/logger.ts (its redaction rules); tests pass one that captures. */
  logger?: Logger;
  /** Serves the Temporal codec endpoint (/codec/decode, /codec/encode) when set. */
  payloadCodec?: PayloadCodec;
  /** Browser origins (the Temporal UI) allowed to call the codec endpoint. */
  codecOrigins?: readonly string[];
  /** Requests per minute per API key (per address without a valid key). */
  rateLimitPerMinute?: number;
}): Promise<FastifyInstance> {
  const loggerInstance: FastifyBaseLogger = logger;
  // The router's own refusals (a path parameter too long, bad percent-encoding) and the HTTP
  // parser's (malformed request, headers too large) answer in our error shape too.
  const app = Fastify({ bodyLimit, loggerInstance, routerOptions: { maxParamLength: maxPathParamLength }, frameworkErrors: frameworkErrorHandler, clientErrorHandler });
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
    // Each operation lists the roles it allows (`x-roles`); public ones say they need no key.
    transform: (input) => {
      const transformed = jsonSchemaTransform(withCommonAnswers(input));
      const allowed = input.route.config?.roles;
      return { ...transformed, schema: { ...transformed.schema, ...(allowed ? { 'x-roles': [...allowed] } : { security: [] }) } };
    },
  });
  registerAuth(app, apiKeys, { db: deps.db });
  // After authentication resolved the key, so the count is per key (per address without one).
  await app.register(fastifyRateLimit, {
    max: rateLimitPerMinute,
    timeWindow: 60_000,
    keyGenerator: (request) => (request.principal ? `key:${request.principal.keyId}` : `ip:${request.ip}`),
    errorResponseBuilder: (_request, context) =>
      new ApiError(context.statusCode, 'rate_limited', `too many requests: at most ${context.max} a minute; retry in ${context.after}`),
  });
  // After the rate limit, whose onRoute hook only sees routes added later: /docs is counted too.
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  registerAccessControl(app, deps.db);
  registerInputGuards(app);
  await app.register(codecRoutes({ codec: payloadCodec, corsOrigins: codecOrigins, db: deps.db }));

  await app.register(healthRoutes(deps));
  await app.register(projectionFailureRoutes(deps));
  await app.register(strategyRoutes(deps));
  // Segment rules choose strategies for new accounts: they live beside the strategies they name.
  await app.register(segmentRoutes(deps));
  await app.register(accountRoutes(deps));
  await app.register(caseRoutes(deps));
  await app.register(caseFileRoutes(deps));
  await app.register(importRoutes(deps));
  await app.register(reportRoutes(deps));
  await app.register(responseModelRoutes(deps));
  await app.register(simulationRoutes(deps));
  await app.register(championChallengerRoutes(deps));
  await app.register(clientRoutes(deps));
  await app.register(remittanceRoutes(deps));
  await app.register(outcomeRoutes(deps));
  await app.register(ledgerRoutes(deps));
  await app.register(paymentReversalRoutes(deps));
  await app.register(skipTraceRoutes(deps));
  await app.register(taskRoutes(deps));
  await app.register(debtorRoutes(deps));
  await app.register(assignmentRoutes(deps));
  await app.register(ownerRoutes(deps, apiKeys));
  await app.register(callbackRoutes(deps));
  await app.register(caseNoteRoutes(deps));
  await app.register(templateRoutes(deps, { maxSmsSegments: deps.communications?.smsMaxSegments ?? 3 }));
  await app.register(communicationsExportRoutes(deps));
  await app.register(letterReturnRoutes(deps));
  await app.register(webhookRoutes(deps, deps.communications));
  await app.register(webhookSubscriptionRoutes(deps));
  await app.register(callRoutes(deps));
  await app.register(dialerRoutes(deps));
  await app.register(voiceWebhookRoutes(deps));
  await app.register(stripeWebhookRoutes(deps));
  await app.register(cardPaymentRoutes(deps));
  await app.register(unsubscribeRoutes(deps, deps.communications));
  await app.register(debtorPageRoutes(deps));
  await app.register(consoleRoutes({ payments: deps.payments?.browserConfig().origins }));
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
