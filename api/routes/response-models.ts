import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ZResponseModel } from '../../domain/simulation/contract.js';
import { actorOf } from '../auth.js';
import { errorResponses, ZErrorResponse } from '../schemas.js';
import type { ApiDeps } from '../deps.js';
import { findResponseModel, listResponseModels, responseModelVersions, saveResponseModel, ResponseModelSource, ZResponseModelBody, ZResponseModelName, type ResponseModelView } from '../services/response-models.js';

/**
 * The simulator's response models (what debtors do when contacted): saved by hand or fitted from
 * history, each save the next version of its name, read back by name and version.
 */

const writers = ['manager', 'admin'] as const;
const readers = ['manager', 'auditor', 'admin'] as const;

const ZResponseModelView = z.object({
  id: z.string(),
  name: z.string(),
  version: z.number().int(),
  source: z.enum([ResponseModelSource.fitted, ResponseModelSource.manual]),
  createdAt: z.string(),
  createdBy: z.string(),
  model: ZResponseModel,
});

const view = (saved: ResponseModelView) => ({ ...saved, source: saved.source as ResponseModelSource, createdAt: saved.createdAt.toISOString() });

const ZNameParams = z.object({ name: ZResponseModelName });
const ZVersionParams = ZNameParams.extend({ version: z.coerce.number().int().min(1).max(2_147_483_647) });

export function responseModelRoutes({ db }: ApiDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/v1/response-models',
      {
        config: { roles: writers },
        schema: {
          tags: ['simulations'],
          summary: 'Save a response model as the next version of its name',
          description:
            'The body is edited by hand (`model`): base rates per contact, strata by step action, channel, balance band, days-past-due band and ' +
            'days-since-contact band, each set of rates adding up to at most 1 (the responses to one contact exclude each other).',
          body: z.object({ name: ZResponseModelName, model: ZResponseModelBody }).strict(),
          response: { 201: ZResponseModelView, 422: ZErrorResponse, ...errorResponses },
        },
      },
      async (request, reply) => {
        const saved = await saveResponseModel({ db, name: request.body.name, body: request.body.model, source: ResponseModelSource.manual, actor: actorOf(request) });
        return reply.code(201).send(view(saved));
      },
    );

    app.get(
      '/api/v1/response-models',
      {
        config: { roles: readers },
        schema: { tags: ['simulations'], summary: 'The newest version of every response model', response: { 200: z.object({ items: z.array(ZResponseModelView) }), ...errorResponses } },
      },
      async () => ({ items: (await listResponseModels(db)).map(view) }),
    );

    app.get(
      '/api/v1/response-models/:name',
      {
        config: { roles: readers },
        schema: { tags: ['simulations'], summary: 'Every version of a response model, newest first', params: ZNameParams, response: { 200: z.object({ items: z.array(ZResponseModelView) }), ...errorResponses } },
      },
      async (request) => ({ items: (await responseModelVersions(db, request.params.name)).map(view) }),
    );

    app.get(
      '/api/v1/response-models/:name/:version',
      {
        config: { roles: readers },
        schema: { tags: ['simulations'], summary: 'One version of a response model', params: ZVersionParams, response: { 200: ZResponseModelView, ...errorResponses } },
      },
      async (request) => view(await findResponseModel(db, request.params)),
    );
  };
}
