import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ZAccountEnrollment } from '../../domain/account.js';
import { actorOf } from '../auth.js';
import { errorResponses, ZCaseDetail, ZErrorResponse } from '../schemas.js';
import type { ApiDeps } from '../server.js';
import { getCase } from '../services/cases.js';
import { enrollAccount } from '../services/enrollment.js';

export function accountRoutes({ db, temporal }: ApiDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/v1/accounts',
      {
        config: { roles: ['manager', 'integration', 'admin'] },
        schema: {
          tags: ['accounts'],
          summary: 'Create an account with its debtor and enroll it in a strategy (idempotent by externalId)',
          body: ZAccountEnrollment,
          response: { 200: ZCaseDetail, 201: ZCaseDetail, 422: ZErrorResponse, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { created, caseId } = await enrollAccount({ db, temporal, input: request.body, actor: actorOf(request) });
        return reply.code(created ? 201 : 200).send(await getCase({ db, temporal, caseId }));
      },
    );
  };
}
