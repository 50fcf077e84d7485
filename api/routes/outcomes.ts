import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { outcomeSchema, type ActorRole } from '../../domain/outcomes.js';
import { actorOf } from '../auth.js';
import { errorResponses, ZCaseIdParams, ZErrorResponse } from '../schemas.js';
import type { CaseStatus } from '../../workflows/case-messages.js';
import type { ApiDeps } from '../server.js';
import { previewOutcome, recordOutcome } from '../services/outcomes.js';

/** The case's live status as the workflow answers it after an outcome. */
export const ZLiveStatus = z.looseObject({
  caseId: z.string(),
  status: z.enum(['open', 'paused', 'closed']),
  closeReason: z.string().nullable(),
  balance: z.number().int(),
  currency: z.string(),
  nextActionAt: z.string().nullable(),
  nextActionWhy: z.string().nullable(),
  arrangement: z.unknown(),
  hold: z.unknown(),
  placement: z.unknown(),
});

/** The workflow's status interface, seen through the looser response schema. */
export const asLive = (status: CaseStatus) => status as unknown as z.infer<typeof ZLiveStatus>;

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
