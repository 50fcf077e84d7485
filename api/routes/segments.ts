import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorOf } from '../auth.js';
import { errorResponses, ZErrorResponse } from '../schemas.js';
import type { ApiDeps } from '../deps.js';
import { requireSegmentRules, saveSegmentRules, type SegmentRuleSetView } from '../services/segments.js';

const ZSegmentRuleSetView = z.object({
  version: z.number().int(),
  createdAt: z.string(),
  createdBy: z.string(),
  segments: z.array(z.record(z.string(), z.unknown())),
});

const view = (ruleSet: SegmentRuleSetView) => ({
  version: ruleSet.version,
  createdAt: ruleSet.createdAt.toISOString(),
  createdBy: ruleSet.createdBy,
  segments: ruleSet.rules.segments as Record<string, unknown>[],
});

export function segmentRoutes({ db }: ApiDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/segments',
      {
        config: { roles: ['manager', 'officer', 'auditor', 'admin'] },
        schema: { tags: ['segments'], summary: 'The active segment rules', response: { 200: ZSegmentRuleSetView, ...errorResponses } },
      },
      async () => view(await requireSegmentRules(db)),
    );

    app.put(
      '/api/v1/segments',
      {
        config: { roles: ['manager', 'admin'] },
        schema: {
          tags: ['segments'],
          summary: 'Replace the segment rules (a new version becomes active)',
          description:
            'Segments are tried in order; the first whose `match` holds chooses the strategy of an account enrolled without ' +
            'one. `challenger: { strategy, percent }` sends a stable, hash-assigned share of the segment to another strategy. ' +
            'Every strategy named must have an active version.',
          // Validated by domain/segments.ts so every problem comes back with its path (422).
          body: z.object({ segments: z.array(z.unknown()) }).passthrough(),
          response: { 200: ZSegmentRuleSetView, 422: ZErrorResponse, ...errorResponses },
        },
      },
      async (request) => view(await saveSegmentRules({ db, rules: request.body, actor: actorOf(request) })),
    );
  };
}
