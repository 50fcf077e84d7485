import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { caseScope } from '../access.js';
import { actorOf } from '../auth.js';
import { errorResponses, ZCaseId, ZErrorResponse } from '../schemas.js';
import type { ApiDeps } from '../deps.js';
import { getSkipTraceBatch, requestSkipTraces, requestTaskSkipTrace } from '../services/skip-traces.js';

const ZMode = z.enum(['http', 'csv']).default('http').describe('http: one search per person; csv: one batch file out, a results file back');
const ZId = z.string().trim().min(1).max(100);

const ZBatchStarted = z.object({
  batchId: z.string(),
  mode: z.string(),
  requests: z.array(z.object({ requestId: z.string(), debtorId: z.string(), caseId: z.string().nullable() })),
});

export function skipTraceRoutes({ db, temporal }: ApiDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/v1/skip-traces',
      {
        config: { roles: ['manager', 'admin'] },
        schema: {
          tags: ['skip tracing'],
          summary: "A manager's bulk skip trace: ask the vendor for the current contacts of the named debtors and of the named cases' debtors",
          description: 'All or nothing: an unknown debtor or case is 422 naming its place in the list, and no request starts. Results arrive as new contacts (source `skip_trace`, with the vendor\'s confidence), unverified.',
          body: z
            .object({ debtorIds: z.array(ZId).max(500).optional(), caseIds: z.array(ZCaseId).max(500).optional(), mode: ZMode })
            .strict()
            .refine((body) => (body.debtorIds?.length ?? 0) + (body.caseIds?.length ?? 0) > 0, { message: 'name at least one debtor or case', path: ['debtorIds'] }),
          response: { 202: ZBatchStarted, 422: ZErrorResponse, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { debtorIds, caseIds, mode } = request.body;
        return reply.code(202).send(await requestSkipTraces({ db, temporal, debtorIds, caseIds, mode, requestedBy: actorOf(request), scope: caseScope(request) }));
      },
    );

    app.post(
      '/api/v1/tasks/:id/skip-trace',
      {
        config: { roles: ['officer', 'manager', 'admin'] },
        schema: {
          tags: ['skip tracing'],
          summary: "Skip-trace the debtor of a task's case; the task closes itself when new contacts are found",
          params: z.object({ id: ZId }),
          body: z.object({ mode: ZMode }).strict().default({ mode: 'http' }),
          response: { 202: ZBatchStarted, 409: ZErrorResponse, ...errorResponses },
        },
      },
      async (request, reply) =>
        reply.code(202).send(await requestTaskSkipTrace({ db, temporal, taskId: request.params.id, mode: request.body.mode, requestedBy: actorOf(request), scope: caseScope(request) })),
    );

    app.get(
      '/api/v1/skip-traces/:batchId',
      {
        config: { roles: ['manager', 'officer', 'admin', 'auditor'] },
        schema: {
          tags: ['skip tracing'],
          summary: "A skip-trace batch's requests: pending, completed (how many new contacts) or failed (why)",
          params: z.object({ batchId: ZId }),
          response: {
            200: z.object({
              batchId: z.string(),
              requests: z.array(
                z.object({
                  requestId: z.string(),
                  debtorId: z.string(),
                  caseId: z.string().nullable(),
                  taskId: z.string().nullable(),
                  mode: z.string(),
                  status: z.string(),
                  found: z.number().int(),
                  error: z.string().nullable(),
                  createdAt: z.string(),
                  completedAt: z.string().nullable(),
                }),
              ),
            }),
            ...errorResponses,
          },
        },
      },
      async (request) => getSkipTraceBatch({ db, batchId: request.params.batchId }),
    );
  };
}
