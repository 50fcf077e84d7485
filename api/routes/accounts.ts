import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ZAccountEnrollment } from '../../domain/account.js';
import { actorOf } from '../auth.js';
import { errorResponses, ZCaseDetail, ZErrorResponse } from '../schemas.js';
import type { ApiDeps } from '../deps.js';
import { getCase } from '../services/cases.js';
import { enrollAccount } from '../services/enrollment.js';

export function accountRoutes({ db, temporal, communications }: ApiDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/v1/accounts',
      {
        config: { roles: ['manager', 'integration', 'admin'] },
        schema: {
          tags: ['accounts'],
          summary: 'Create an account with its debtor and enroll it in a strategy (idempotent by externalId)',
          description:
            'A new case is answered as enrolled, from the database (`live: false`): `GET /api/v1/cases/{caseId}` reads it live. ' +
            "`team` puts the new case in an officers' team (team-scoped keys see only their team's cases); a key with a team " +
            'enrolls into its own team only. A repeated enrollment leaves the team as it is (PUT /api/v1/cases/{caseId}/team moves a case).',
          body: ZAccountEnrollment,
          response: { 200: ZCaseDetail, 201: ZCaseDetail, 409: ZErrorResponse, 422: ZErrorResponse, ...errorResponses },
        },
      },
      async (request, reply) => {
        // Object-level access (api/access.ts): a team-scoped key creates and sees its own team's cases only.
        const { created, caseId } = await enrollAccount({ db, temporal, input: request.body, actor: actorOf(request), callerTeam: request.principal?.team ?? null, identitySecret: communications?.linkSecret });
        // A new case answers from the rows just written: asking the workflow would wait for its
        // first task, most of an enrollment's time under load (bench/README.md).
        const view = await getCase({ db, temporal, caseId, live: !created });
        return reply.code(created ? 201 : 200).send(view);
      },
    );
  };
}
