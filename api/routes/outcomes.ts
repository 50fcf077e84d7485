import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { outcomeSchema } from '../../domain/outcome-schema.js';
import type { ActorRole } from '../../domain/outcomes.js';
import { actorOf } from '../auth.js';
import { asLive, errorResponses, ZCaseIdParams, ZErrorResponse, ZLiveStatus } from '../schemas.js';
import type { ApiDeps } from '../deps.js';
import { previewOutcome, recordOutcome } from '../services/outcomes.js';

const negotiators = ['officer', 'manager', 'admin'] as const;

export function outcomeRoutes({ db, temporal }: ApiDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/v1/cases/:caseId/outcomes',
      {
        config: { roles: negotiators },
        schema: {
          tags: ['outcomes'],
          summary: "Record an officer's negotiated outcome; 422 with the policy reason when refused",
          params: ZCaseIdParams,
          body: outcomeSchema(),
          response: { 200: ZLiveStatus, 409: ZErrorResponse, 422: ZErrorResponse, ...errorResponses },
        },
      },
      async (request) =>
        asLive(await recordOutcome({ temporal, caseId: request.params.caseId, outcome: request.body, by: actorOf(request), role: request.principal?.role as ActorRole })),
    );

    app.post(
      '/api/v1/cases/:caseId/outcomes/preview',
      {
        config: { roles: negotiators },
        schema: {
          tags: ['outcomes'],
          summary: 'Check an outcome against the policy and show its schedule, without recording it',
          params: ZCaseIdParams,
          body: outcomeSchema(),
          response: {
            200: z.object({
              allowed: z.boolean(),
              needsApproval: z.boolean(),
              reason: z.string().nullable(),
              field: z.string().nullable(),
              schedule: z.array(z.object({ seq: z.number().int(), dueDate: z.string(), amount: z.number().int() })),
              policy: z.record(z.string(), z.unknown()),
            }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const { decision, policy } = await previewOutcome({ db, temporal, caseId: request.params.caseId, outcome: request.body, role: request.principal?.role as ActorRole });
        return decision.ok
          ? { allowed: true, needsApproval: decision.needsApproval, reason: null, field: null, schedule: decision.schedule ?? [], policy }
          : { allowed: false, needsApproval: false, reason: decision.reason, field: decision.field, schedule: [], policy };
      },
    );
  };
}
