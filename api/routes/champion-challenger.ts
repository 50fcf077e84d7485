import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorOf } from '../auth.js';
import { downloadMediaTypes, sendTable } from '../downloads.js';
import { errorResponses, inMediaTypes, ZErrorResponse } from '../schemas.js';
import type { ApiDeps } from '../deps.js';
import { promoteChallenger } from '../services/challenger-promotion.js';
import { asOf, ZReportQuery } from '../services/reports/as-of.js';
import { championChallengerReport, championChallengerTable, ZChampionChallengerReport } from '../services/reports/champion-challenger.js';
import { reportScopeOf } from '../services/reports/scope.js';

/**
 * Champion/challenger with statistics (each arm's recovery rate with its interval, and whether
 * the difference is significant) and the one action that follows from it: promoting the challenger.
 */

const readers = ['manager', 'auditor', 'admin', 'officer'] as const;
const ZSegmentKey = z.string().trim().min(1).max(64);

export function championChallengerRoutes({ db }: ApiDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/reports/champion-challenger',
      {
        config: { roles: readers },
        schema: {
          tags: ['reports'],
          summary: 'Champion vs challenger per segment: recovery rate with its 95% interval per arm, and whether the difference is significant',
          description:
            'Recovery rate = collected / placed; its interval comes from the ratio estimator standard error, and the challenger − champion ' +
            'difference is tested by a two-sided z-test with unequal variances (Welch) at α = 0.05, with no verdict under 30 cases per arm. ' +
            'The share of cases paying is compared by a two-proportion z-test as a second view.',
          querystring: ZReportQuery.extend({ segment: ZSegmentKey.optional() }),
          response: { 200: inMediaTypes({ 'application/json': ZChampionChallengerReport, ...downloadMediaTypes }), ...errorResponses },
        },
      },
      async (request, reply) => {
        const { format, segment } = request.query;
        const report = await championChallengerReport({ db, at: asOf(request.query.asOf), scope: reportScopeOf(request), ...(segment ? { segment } : {}) });
        return format === 'json' ? report : sendTable(reply, { format, filename: `champion-challenger-${report.asOf}`, table: championChallengerTable(report) });
      },
    );

    app.post(
      '/api/v1/segments/:segmentId/promote',
      {
        config: { roles: ['manager', 'admin'] },
        schema: {
          tags: ['segments'],
          summary: "Promote a segment's challenger: it becomes the segment's strategy and the split ends (a new segment rules version, audited with the comparison)",
          params: z.object({ segmentId: ZSegmentKey }),
          body: z.object({ reason: z.string().trim().min(1).max(500).optional() }).strict().nullish(),
          response: {
            200: z.object({ version: z.number().int(), createdAt: z.string(), createdBy: z.string(), segments: z.array(z.record(z.string(), z.unknown())) }),
            409: ZErrorResponse,
            422: ZErrorResponse,
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const saved = await promoteChallenger({ db, segmentId: request.params.segmentId, actor: actorOf(request), reason: request.body?.reason });
        return { version: saved.version, createdAt: saved.createdAt.toISOString(), createdBy: saved.createdBy, segments: saved.rules.segments };
      },
    );
  };
}
