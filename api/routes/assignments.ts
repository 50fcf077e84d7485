import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorOf } from '../auth.js';
import { notFound } from '../errors.js';
import { errorResponses, ZCaseIdParams } from '../schemas.js';
import type { ApiDeps } from '../server.js';

/** `PUT /api/v1/cases/:caseId/team`: which officers' team works a case (and so who may see it). */

export const ZTeam = z.string().trim().min(1).max(64).regex(/^[\w.-]+$/, 'letters, digits, _ . - only');

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
        const { team } = request.body;
        return db.$transaction(async (tx) => {
          const before = await tx.case.findUnique({ where: { id: caseId }, select: { team: true } });
          if (!before) throw notFound(`case "${caseId}"`);
          await tx.case.update({ where: { id: caseId }, data: { team } });
          await tx.auditEvent.create({ data: { caseId, actor: actorOf(request), action: 'team_assigned', before: { team: before.team }, after: { team } } });
          return { caseId, team };
        });
      },
    );
  };
}
