import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorOf } from '../auth.js';
import { errorResponses, ZErrorResponse } from '../schemas.js';
import type { ApiDeps } from '../deps.js';
import { cancelSimulation, listSimulations, requireSimulation, startSimulation, ZSimulationRequest, type SimulationView } from '../services/simulations.js';
import { simulationStatuses } from '../../workflows/simulation-messages.js';

/**
 * Strategy simulations: what a strategy version (or two, on the same simulated debtors and the
 * same random draws) would collect from a portfolio's or segment's open cases, run as a durable
 * job with progress and cancel, and its result with intervals over the runs.
 */

const writers = ['manager', 'admin'] as const;
const readers = ['manager', 'auditor', 'admin'] as const;

/** A figure across runs; null where it has no value (cost per dollar when nothing was collected). */
const ZEstimate = z.object({ mean: z.number().nullable(), low: z.number().nullable(), high: z.number().nullable() });

export const ZSimulationSummary = z.object({
  runs: z.number().int(),
  cases: z.number().int(),
  arms: z.array(
    z.object({
      label: z.string(),
      recoveryRate: ZEstimate,
      recovered: ZEstimate,
      recoveredBy: z.object({ d30: ZEstimate, d60: ZEstimate, d90: ZEstimate }),
      contactsPerCase: ZEstimate,
      costPerDollarCollected: ZEstimate,
      holds: z.record(z.string(), ZEstimate),
      endings: z.record(z.string(), ZEstimate),
      curve: z.array(ZEstimate.extend({ day: z.number().int() })),
    }),
  ),
  difference: ZEstimate.optional(),
});

const ZSimulationView = z.object({
  id: z.string(),
  status: z.enum(simulationStatuses as [string, ...string[]]),
  createdAt: z.string(),
  createdBy: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  error: z.string().nullable(),
  arms: z.array(z.object({ label: z.string(), strategy: z.object({ key: z.string(), version: z.number().int() }).nullable() })),
  scope: z.object({ portfolio: z.string().optional(), segment: z.string().optional(), strategy: z.string().optional() }),
  split: z.string().nullable(),
  runs: z.number().int(),
  horizonDays: z.number().int(),
  seed: z.number().int(),
  simulationStartsAt: z.string(),
  costs: z.record(z.string(), z.number()),
  model: z.object({ name: z.string(), version: z.number().int() }),
  cases: z.number().int(),
  progress: z.object({ chunksDone: z.number().int(), chunksTotal: z.number().int() }),
  summary: ZSimulationSummary.nullable(),
});

const view = (simulation: SimulationView) => ({
  id: simulation.id,
  status: simulation.status,
  createdAt: simulation.createdAt.toISOString(),
  createdBy: simulation.createdBy,
  startedAt: simulation.startedAt?.toISOString() ?? null,
  finishedAt: simulation.finishedAt?.toISOString() ?? null,
  error: simulation.error,
  arms: simulation.plan.arms.map(({ label, strategy }) => ({ label, strategy })),
  scope: simulation.plan.scope,
  split: simulation.plan.split ?? null,
  runs: simulation.plan.runs,
  horizonDays: simulation.plan.horizonDays,
  seed: simulation.plan.seed,
  simulationStartsAt: new Date(simulation.plan.startedAt).toISOString(),
  costs: simulation.plan.costs as Record<string, number>,
  model: simulation.plan.model,
  cases: simulation.cases,
  progress: { chunksDone: simulation.chunksDone, chunksTotal: simulation.chunksTotal },
  summary: simulation.summary as z.infer<typeof ZSimulationSummary> | null,
});

const ZIdParams = z.object({ id: z.uuid() });

export function simulationRoutes({ db, temporal }: ApiDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/v1/simulations',
      {
        config: { roles: writers },
        schema: {
          tags: ['simulations'],
          summary: 'Simulate one or two strategy versions on the open cases of a portfolio or segment (a durable job)',
          description:
            'Arms: `arms` (one or two: a stored `strategy` and `version`, its active version without one, or an unsaved `definition`) or `split` ' +
            '(the champion and challenger of a segment). Both arms meet the same simulated debtors with the same random draws. ' +
            'Answers 202 at once; `GET /api/v1/simulations/{id}` gives the progress and, when completed, the summary with 95% intervals over the runs.',
          body: ZSimulationRequest,
          response: { 202: ZSimulationView, 413: ZErrorResponse, 422: ZErrorResponse, ...errorResponses },
        },
      },
      async (request, reply) => reply.code(202).send(view(await startSimulation({ db, temporal, request: request.body, actor: actorOf(request) }))),
    );

    app.get(
      '/api/v1/simulations',
      {
        config: { roles: readers },
        schema: {
          tags: ['simulations'],
          summary: 'The newest simulations first',
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) }),
          response: { 200: z.object({ items: z.array(ZSimulationView) }), ...errorResponses },
        },
      },
      async (request) => ({ items: (await listSimulations(db, request.query)).map(view) }),
    );

    app.get(
      '/api/v1/simulations/:id',
      {
        config: { roles: readers },
        schema: { tags: ['simulations'], summary: 'A simulation: its progress, and its summary once completed', params: ZIdParams, response: { 200: ZSimulationView, ...errorResponses } },
      },
      async (request) => view(await requireSimulation(db, request.params.id)),
    );

    app.post(
      '/api/v1/simulations/:id/cancel',
      {
        config: { roles: writers },
        schema: {
          tags: ['simulations'],
          summary: 'Stop a simulation between chunks (it ends cancelled, without a summary)',
          params: ZIdParams,
          response: { 202: ZSimulationView, 409: ZErrorResponse, ...errorResponses },
        },
      },
      async (request, reply) => reply.code(202).send(view(await cancelSimulation({ db, temporal, id: request.params.id, actor: actorOf(request) }))),
    );
  };
}
