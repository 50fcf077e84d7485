import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ZPreviewRequest } from '../../domain/preview-input.js';
import { caseScope } from '../access.js';
import { actorOf } from '../auth.js';
import { errorResponses, ZErrorResponse } from '../schemas.js';
import type { ApiDeps } from '../deps.js';
import { migrateCases } from '../services/strategy-migrations.js';
import {
  activateVersion,
  createStrategyVersion,
  lintDefinition,
  listStrategies,
  previewVersion,
  retireVersion,
  saveDraft,
  strategyVersions,
  type StrategyVersion,
} from '../services/strategies.js';

const ZStrategyVersion = z.object({
  id: z.string(),
  key: z.string(),
  version: z.number().int(),
  name: z.string(),
  status: z.enum(['draft', 'active', 'retired']),
  createdAt: z.string(),
  activatedAt: z.string().nullable(),
  retiredAt: z.string().nullable(),
  definition: z.record(z.string(), z.unknown()),
});

const view = (version: StrategyVersion) => ({
  ...version,
  status: version.status as 'draft' | 'active' | 'retired',
  createdAt: version.createdAt.toISOString(),
  activatedAt: version.activatedAt?.toISOString() ?? null,
  retiredAt: version.retiredAt?.toISOString() ?? null,
  definition: version.definition as Record<string, unknown>,
});

const ZKeyParams = z.object({ key: z.string().min(1).max(64) });
const ZVersionBody = z.object({ version: z.number().int().positive().optional() }).strict().default({});
const managers = { roles: ['manager', 'admin'] as const };
const readers = { roles: ['manager', 'officer', 'auditor', 'admin'] as const };

const ZPreviewEntry = z.object({
  at: z.string(),
  stepId: z.string(),
  action: z.string(),
  outcome: z.enum(['run', 'skipped', 'held']),
  reason: z.string(),
  result: z.enum(['sent', 'skipped', 'failed', 'bounced']).optional(),
  until: z.string().optional(),
});

export function strategyRoutes({ db, temporal }: ApiDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/v1/strategies',
      {
        config: managers,
        schema: {
          tags: ['strategies'],
          summary: 'Create the next version of a strategy from its definition (active at once unless activate=false)',
          description:
            'The definition (JSON; YAML files go through the CLI) is validated by the strategy language and its lint rules, ' +
            'every problem reported with its path. `?activate=false` (or `"activate": false` in the body) saves it as the ' +
            "key's one draft instead; without it the version is active at once and the previous active version retires.",
          querystring: z.object({ activate: z.enum(['true', 'false']).optional() }),
          // Validated by the strategy language itself so every problem is reported with its path.
          body: z.record(z.string(), z.unknown()),
          response: { 201: ZStrategyVersion, 409: ZErrorResponse, 422: ZErrorResponse, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { activate: bodyActivate, ...definition } = request.body;
        if (bodyActivate !== undefined && typeof bodyActivate !== 'boolean') {
          return reply.code(400).send({ error: { code: 'invalid_request', message: 'body.activate must be true or false', fields: [{ path: 'body.activate', message: 'must be a boolean' }] } });
        }
        const activate = request.query.activate !== undefined ? request.query.activate === 'true' : (bodyActivate ?? true);
        return reply.code(201).send(view(await createStrategyVersion({ db, definition, actor: actorOf(request), activate })));
      },
    );

    app.post(
      '/api/v1/strategies/lint',
      {
        config: managers,
        schema: {
          tags: ['strategies'],
          summary: 'Check a definition without saving it: every problem of the language and its lint rules, with its path',
          description: 'The console calls this as the manager types; the same checks run when a version is saved.',
          body: z.record(z.string(), z.unknown()),
          response: { 200: z.object({ ok: z.boolean(), problems: z.array(z.object({ path: z.string(), message: z.string() })) }), ...errorResponses },
        },
      },
      async (request) => lintDefinition(request.body),
    );

    app.get(
      '/api/v1/strategies',
      {
        config: readers,
        schema: { tags: ['strategies'], summary: 'The newest version of every strategy', response: { 200: z.object({ items: z.array(ZStrategyVersion) }), ...errorResponses } },
      },
      async () => ({ items: (await listStrategies(db)).map(view) }),
    );

    app.get(
      '/api/v1/strategies/:key',
      {
        config: readers,
        schema: {
          tags: ['strategies'],
          summary: 'Every version of a strategy, newest first',
          params: ZKeyParams,
          response: { 200: z.object({ key: z.string(), versions: z.array(ZStrategyVersion) }), ...errorResponses },
        },
      },
      async (request) => ({ key: request.params.key, versions: (await strategyVersions(db, request.params.key)).map(view) }),
    );

    app.put(
      '/api/v1/strategies/:key/draft',
      {
        config: managers,
        schema: {
          tags: ['strategies'],
          summary: "Create or replace the strategy's draft (active and retired versions never change)",
          params: ZKeyParams,
          body: z.record(z.string(), z.unknown()),
          response: { 200: ZStrategyVersion, 201: ZStrategyVersion, 422: ZErrorResponse, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { created, version } = await saveDraft({ db, key: request.params.key, definition: request.body, actor: actorOf(request) });
        return reply.code(created ? 201 : 200).send(view(version));
      },
    );

    app.post(
      '/api/v1/strategies/:key/activate',
      {
        config: managers,
        schema: {
          tags: ['strategies'],
          summary: 'Activate a version (the draft when none is named); the active one before it retires',
          description: 'New accounts start on the active version. Running cases keep theirs until moved with /migrate.',
          params: ZKeyParams,
          body: ZVersionBody,
          response: { 200: ZStrategyVersion, 409: ZErrorResponse, 422: ZErrorResponse, ...errorResponses },
        },
      },
      async (request) => view(await activateVersion({ db, key: request.params.key, version: request.body.version, actor: actorOf(request) })),
    );

    app.post(
      '/api/v1/strategies/:key/retire',
      {
        config: managers,
        schema: {
          tags: ['strategies'],
          summary: 'Retire the active version: no new account starts on the strategy; running cases go on',
          params: ZKeyParams,
          body: ZVersionBody,
          response: { 200: ZStrategyVersion, 409: ZErrorResponse, ...errorResponses },
        },
      },
      async (request) => view(await retireVersion({ db, key: request.params.key, version: request.body.version, actor: actorOf(request) })),
    );

    app.post(
      '/api/v1/strategies/:key/preview',
      {
        config: readers,
        schema: {
          tags: ['strategies'],
          summary: 'Dry-run the timeline for a sample account: what would happen when, and why',
          description:
            'Runs the same timeline code as the case workflow over a simulated clock. Entries are `run`, `skipped` (by a ' +
            'condition, an unavailable channel) or `held` (by the contact rules, with `until`). `events` and `failures` ' +
            'show what payments, replies, contact changes and failed sends do.',
          params: ZKeyParams,
          body: ZPreviewRequest,
          response: {
            200: z.object({
              strategy: z.object({ key: z.string(), version: z.number().int(), status: z.string() }),
              startedAt: z.string(),
              entries: z.array(ZPreviewEntry),
              end: z.object({ at: z.string(), reason: z.enum(['placed', 'timeline_complete', 'paid', 'horizon']) }),
            }),
            ...errorResponses,
          },
        },
      },
      async (request) => previewVersion({ db, key: request.params.key, request: request.body }),
    );

    app.post(
      '/api/v1/strategies/:key/migrate',
      {
        config: managers,
        schema: {
          tags: ['strategies'],
          summary: 'Move chosen open cases to the active version of their strategy',
          description:
            'Every case is checked first; if any cannot move (unknown, closed, another strategy) nothing moves and each is ' +
            'named. Each workflow is told (signal `strategyVersionChanged`) and continues by step id, else by offset; each ' +
            'move is an audit event. Repeating the request is safe.',
          params: ZKeyParams,
          body: z
            .object({
              caseIds: z.array(z.string().min(1).max(200)).min(1).max(500),
              toVersion: z.number().int().positive(),
              reason: z.string().trim().min(1).max(500),
            })
            .strict(),
          response: {
            200: z.object({
              results: z.array(
                z.object({ caseId: z.string(), outcome: z.enum(['migrated', 'unchanged', 'not_running']), fromVersion: z.number().int(), toVersion: z.number().int() }),
              ),
            }),
            422: ZErrorResponse,
            ...errorResponses,
          },
        },
      },
      async (request) => ({
        results: await migrateCases({
          db,
          temporal,
          key: request.params.key,
          ...request.body,
          actor: actorOf(request),
          scope: caseScope(request),
        }),
      }),
    );
  };
}
