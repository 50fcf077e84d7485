import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ZAssignmentRule } from '../../domain/assignment-rules.js';
import { caseScope } from '../access.js';
import { actorOf, type Role } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { errorResponses, ZCaseId, ZCaseIdParams, ZCaseView, ZErrorResponse } from '../schemas.js';
import { listCases } from '../services/cases.js';
import { assignOwner, latestAssignmentRules, officerDirectory, reapplyAssignmentRules, saveAssignmentRules } from '../services/owners.js';

/**
 * Case owners: the manager's assignment rules (applied at enrollment and import, and again on
 * demand), a manager's reassignment of one case, and an officer's own cases. Every owner change is
 * an audit event of the case (`owner_assigned`).
 */

const ZRulesView = z.object({ version: z.number().int(), createdAt: z.string(), createdBy: z.string(), rules: z.array(ZAssignmentRule) });

export function ownerRoutes({ db }: Pick<ApiDeps, 'db'>, envKeys: ReadonlyMap<string, Role>): FastifyPluginAsyncZod {
  const directory = officerDirectory({ db, envKeys });
  return async (app) => {
    app.get(
      '/api/v1/assignment-rules',
      {
        config: { roles: ['manager', 'admin', 'auditor'] },
        schema: { tags: ['caseload'], summary: 'The assignment rules in force (the latest version)', response: { 200: ZRulesView, ...errorResponses } },
      },
      async () => {
        const rules = await latestAssignmentRules(db);
        if (!rules) return { version: 0, createdAt: new Date(0).toISOString(), createdBy: 'none', rules: [] };
        const { set: _set, ...view } = rules;
        return view;
      },
    );

    app.put(
      '/api/v1/assignment-rules',
      {
        config: { roles: ['manager', 'admin'] },
        schema: {
          tags: ['caseload'],
          summary: 'Set the assignment rules (a new version): the first rule whose `when` matches a case gives its owner',
          description:
            '`when`: `team`, `segment` (the segment that chose the strategy), `balance` band in minor units (`min` included, `max` excluded), `currency`. ' +
            '`assign`: `{ officer: keyId }`, or `{ roundRobin: { officers?: [keyId...] } }` dealing in turn among the listed officers, else every active ' +
            "officer key of the matched team. Applied to cases enrolled or imported from now on; `POST /api/v1/assignment-rules/apply` applies them to open cases.",
          body: z.object({ rules: z.array(z.unknown()).max(500) }).strict(),
          response: { 200: ZRulesView, 422: ZErrorResponse, ...errorResponses },
        },
      },
      async (request) => saveAssignmentRules({ db, rules: request.body, actor: actorOf(request), directory }),
    );

    app.post(
      '/api/v1/assignment-rules/apply',
      {
        config: { roles: ['manager', 'admin'] },
        schema: {
          tags: ['caseload'],
          summary: "Apply the assignment rules again to open cases (the caller's team only); an owner the rules would keep stays",
          body: z.object({ caseIds: z.array(ZCaseId).min(1).max(1000).optional(), onlyUnowned: z.boolean().default(false) }).strict(),
          response: {
            200: z.object({ version: z.number().int(), examined: z.number().int(), changed: z.number().int(), unchanged: z.number().int(), unmatched: z.number().int() }),
            ...errorResponses,
          },
        },
      },
      async (request) =>
        reapplyAssignmentRules({ db, actor: actorOf(request), scope: caseScope(request), onlyUnowned: request.body.onlyUnowned, ...(request.body.caseIds ? { caseIds: request.body.caseIds } : {}) }),
    );

    app.put(
      '/api/v1/cases/:caseId/owner',
      {
        config: { roles: ['manager', 'admin'] },
        schema: {
          tags: ['caseload'],
          summary: "Give the case to an officer (their API key's id; null: no owner). Officers may not reassign",
          params: ZCaseIdParams,
          body: z.object({ officer: z.string().trim().min(1).max(100).nullable(), reason: z.string().trim().min(1).max(500).optional() }).strict(),
          response: { 200: z.object({ caseId: z.string(), officer: z.string().nullable(), team: z.string().nullable() }), 422: ZErrorResponse, ...errorResponses },
        },
      },
      async (request) =>
        assignOwner({ db, caseId: request.params.caseId, officer: request.body.officer, actor: actorOf(request), directory, ...(request.body.reason ? { reason: request.body.reason } : {}) }),
    );

    app.get(
      '/api/v1/my/cases',
      {
        config: { roles: ['officer', 'manager'] },
        schema: {
          tags: ['caseload'],
          summary: 'The cases the calling key owns, a page at a time',
          querystring: z
            .object({ status: z.enum(['open', 'paused', 'closed']).optional(), limit: z.coerce.number().int().min(1).max(200).default(50), cursor: z.string().max(200).optional() })
            .strict(),
          response: { 200: z.object({ officer: z.string(), items: z.array(ZCaseView), nextCursor: z.string().nullable() }), ...errorResponses },
        },
      },
      async (request) => {
        const officer = request.principal?.keyId ?? '';
        const { limit, cursor, status } = request.query;
        const page = await listCases({ db, filter: { officer, ...(status ? { status } : {}) }, limit, scope: caseScope(request), ...(cursor ? { cursor } : {}) });
        return { officer, ...page };
      },
    );
  };
}
