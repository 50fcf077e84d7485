import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { outcomeSchema } from '../../domain/outcome-schema.js';
import type { ActorRole } from '../../domain/outcomes.js';
import { caseScope } from '../access.js';
import { actorOf } from '../auth.js';
import { asLive, errorResponses, ZErrorResponse, ZLiveStatus } from '../schemas.js';
import type { ApiDeps } from '../deps.js';
import { CallOutcome, claimTask, completeTask, listTasks } from '../services/tasks.js';

const ZTask = z.object({
  id: z.string(),
  caseId: z.string(),
  kind: z.string(),
  status: z.string(),
  assignee: z.string().nullable(),
  reason: z.string().nullable(),
  priority: z.number().int(),
  priorityReasons: z.array(z.string()),
  createdAt: z.string(),
  claimedAt: z.string().nullable(),
  /** Why the task closed itself (status cancelled): what it asked for was done elsewhere. */
  closedReason: z.string().nullable(),
  case: z.object({ balance: z.number().int(), currency: z.string(), status: z.string(), externalId: z.string() }),
});
const ZTaskIdParams = z.object({ id: z.string().min(1).max(100) });

export function taskRoutes({ db, temporal }: ApiDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/tasks',
      {
        config: { roles: ['officer', 'manager', 'admin', 'auditor'] },
        schema: {
          tags: ['tasks'],
          summary: 'The officer work queue, highest priority first, each with the reasons for its score',
          querystring: z
            .object({
              status: z.enum(['open', 'claimed', 'done', 'cancelled']).default('open'),
              kind: z.string().max(50).optional(),
              limit: z.coerce.number().int().min(1).max(200).default(50),
              offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
            })
            .strict(),
          response: { 200: z.object({ total: z.number().int(), items: z.array(ZTask) }), ...errorResponses },
        },
      },
      async (request) => listTasks({ db, ...request.query, scope: caseScope(request) }),
    );

    app.post(
      '/api/v1/tasks/:id/claim',
      {
        config: { roles: ['officer', 'manager', 'admin'] },
        schema: {
          tags: ['tasks'],
          summary: 'Claim a task; a task another officer holds answers 409',
          params: ZTaskIdParams,
          response: { 200: z.object({ id: z.string(), status: z.string(), assignee: z.string().nullable() }), 409: ZErrorResponse, ...errorResponses },
        },
      },
      async (request) => {
        const task = await claimTask({ db, id: request.params.id, actor: actorOf(request), scope: caseScope(request) });
        return { id: task.id, status: task.status, assignee: task.assignee };
      },
    );

    app.post(
      '/api/v1/tasks/:id/complete',
      {
        config: { roles: ['officer', 'manager', 'admin'] },
        schema: {
          tags: ['tasks'],
          summary: "Complete a claimed task with the call's outcome and, optionally, what was negotiated",
          params: ZTaskIdParams,
          body: z.object({ outcome: z.enum(CallOutcome), note: z.string().max(2000).optional(), negotiated: outcomeSchema().optional() }).strict(),
          response: {
            200: z.object({ taskId: z.string(), caseId: z.string(), outcome: z.string(), case: ZLiveStatus.nullable() }),
            409: ZErrorResponse,
            422: ZErrorResponse,
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const done = await completeTask({
          db,
          temporal,
          id: request.params.id,
          actor: actorOf(request),
          role: request.principal?.role as ActorRole,
          scope: caseScope(request),
          ...request.body,
        });
        return { ...done, case: done.case && asLive(done.case) };
      },
    );
  };
}
