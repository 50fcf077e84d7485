import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorOf } from '../auth.js';
import { errorResponses, ZCaseIdParams, ZTeam } from '../schemas.js';
import type { ApiDeps } from '../deps.js';
import { assignTeam } from '../services/assignments.js';

/** `PUT /api/v1/cases/:caseId/team`: which officers' team works a case (and so who may see it). */

export function assignmentRoutes({ db }: Pick<ApiDeps, 'db'>): FastifyPluginAsyncZod {
  return async (app) => {
    app.put(
      '/api/v1/cases/:caseId/team',
      {
        config: { roles: ['manager', 'admin'] },
        schema: {
          tags: ['cases'],
          summary: "Assign the case to an officers' team (null: unassigned, seen only by keys without a team)",
          params: ZCaseIdParams,
          body: z.object({ team: ZTeam.nullable() }).strict(),
          response: { 200: z.object({ caseId: z.string(), team: z.string().nullable() }), ...errorResponses },
        },
      },
      async (request) => {
        const { caseId } = request.params;
        return assignTeam({ db, caseId, team: request.body.team, actor: actorOf(request) });
      },
    );
  };
}
