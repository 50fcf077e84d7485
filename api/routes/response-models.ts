import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ZResponseModel } from '../../domain/simulation/contract.js';
import { actorOf } from '../auth.js';
import { errorResponses, ZErrorResponse } from '../schemas.js';
import type { ApiDeps } from '../deps.js';
import { fitAndSaveResponseModel, findResponseModel, listResponseModels, responseModelVersions, saveResponseModel, ResponseModelSource, ZFitRequest, ZResponseModelBody, ZResponseModelName, type ResponseModelView } from '../services/response-models.js';
import { unprocessable } from '../errors.js';

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
            'Either edited by hand (`model`): base rates per contact, strata by step action, channel, balance band, days-past-due band and ' +
            'days-since-contact band, each set of rates adding up to at most 1 (the responses to one contact exclude each other); or fitted ' +
            "(`fit`) from the engine's own history of a period: each contact and the first thing that followed within the window, thin strata " +
            'shrunk toward the base rates by `priorStrength`.',
          body: z.object({ name: ZResponseModelName, model: ZResponseModelBody.optional(), fit: ZFitRequest.optional() }).strict(),
          // A model of many strata can pass the body limit (413).
          response: { 201: ZResponseModelView, 413: ZErrorResponse, 422: ZErrorResponse, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { name, model, fit } = request.body;
        if ((model === undefined) === (fit === undefined)) throw unprocessable('invalid_response_model', 'give `model` (edited by hand) or `fit` (from history), one of them', [{ path: 'body.model', message: 'give `model` or `fit`, one of them' }]);
        const actor = actorOf(request);
        const saved = model ? await saveResponseModel({ db, name, body: model, source: ResponseModelSource.manual, actor }) : await fitAndSaveResponseModel({ db, name, fit: fit!, actor });
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
