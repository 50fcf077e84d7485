import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../lib/db.js';
import { actorOf, type Role } from './auth.js';
import { ApiError, notFound } from './errors.js';

/**
 * Object- and property-level access (OWASP API1, API3), in one place:
 *
 * - a key with a team sees and acts on that team's cases only; every case-scoped route goes
 *   through {@link assertCaseAccess}, and lists through {@link caseScope}. Another team's case
 *   answers 404, as if it did not exist, so ids cannot be probed;
 * - full contact details (addresses, numbers, message content) are shown only to the roles that
 *   contact debtors; the others get them masked, and every full read is an audit event;
 * - every change made through the API is an audit event naming the key that made it.
 */

/** Refuses (404) a case outside the caller's team. */
export function assertCaseAccess(request: FastifyRequest, caseRow: { id: string; team: string | null }): void {
  const team = request.principal?.team;
  if (team && caseRow.team !== team) throw notFound(`case "${caseRow.id}"`);
}

/**
 * Routes a key scoped to a client (ApiKey.client) may use besides those of one case: its client,
 * portfolios and statements, and the reports (scoped by api/services/reports/scope.ts). Lists
 * that do not know clients yet refuse such a key rather than show another client's cases.
 */
const clientScopedPrefixes = ['/api/v1/clients', '/api/v1/reports/', '/api/v1/session'];

function assertClientScopedRoute(request: FastifyRequest): void {
  const url = request.routeOptions.url ?? '';
  if (!request.routeOptions.config.roles || clientScopedPrefixes.some((prefix) => url.startsWith(prefix))) return;
  throw new ApiError(403, 'client_scoped_key', `a key scoped to client "${request.principal?.client}" may read its client's portfolios, statements, reports and cases, not ${url}`);
}

/** The `where` fragment that limits a case query to the caller's team. */
export function caseScope(request: FastifyRequest): { team?: string } {
  const team = request.principal?.team;
  return team ? { team } : {};
}

/** Roles that contact debtors and so may see where and what we send. */
const contactRoles: readonly Role[] = ['officer', 'manager', 'admin'];

export function seesContactDetails(request: FastifyRequest): boolean {
  const role = request.principal?.role;
  return role !== undefined && contactRoles.includes(role);
}

/** `a***@example.com`, `+*******0100`, or the first characters of anything else. */
export function maskContact(value: string): string {
  const at = value.indexOf('@');
  if (at > 0) return `${value.slice(0, 1)}***${value.slice(at)}`;
  if (/^\+?[\d\s().-]{6,}$/.test(value)) return `${value.startsWith('+') ? '+' : ''}${'*'.repeat(6)}${value.replace(/\D/g, '').slice(-4)}`;
  return value.length <= 2 ? '***' : `${value.slice(0, 2)}***`;
}

/** Appends the audit event "this key read these contact details". */
export async function recordContactRead(db: Db, request: FastifyRequest, caseId: string, what: string): Promise<void> {
  await db.auditEvent.create({
    data: { caseId, actor: actorOf(request), action: 'contact_details_read', data: { what, route: request.routeOptions.url ?? request.url } },
  });
}

const readOnlyMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Case access for every route with a `:caseId` parameter, whoever wrote it, and the audit event
 * of every change made through the API (method, route, answer; never the body).
 */
export function registerAccessControl(app: FastifyInstance, db: Db): void {
  app.addHook('preHandler', async (request) => {
    const caseId = (request.params as { caseId?: unknown } | undefined)?.caseId;
    const client = request.principal?.client ?? null;
    if (client !== null && typeof caseId !== 'string') assertClientScopedRoute(request);
    if ((!request.principal?.team && client === null) || typeof caseId !== 'string') return;
    const row = await db.case.findUnique({ where: { id: caseId }, select: { id: true, team: true, account: { select: { portfolio: true } } } });
    // A missing case is the route's own 404.
    if (!row) return;
    assertCaseAccess(request, row);
    if (client !== null) {
      const portfolio = row.account.portfolio === null ? null : await db.portfolio.findUnique({ where: { key: row.account.portfolio }, select: { client: { select: { key: true } } } });
      if (portfolio?.client.key !== client) throw notFound(`case "${row.id}"`);
    }
  });

  app.addHook('onResponse', async (request, reply) => {
    if (!request.principal || readOnlyMethods.has(request.method) || reply.statusCode >= 400) return;
    // The codec endpoint changes nothing; its reads are not contact-detail reads of a case.
    if (request.routeOptions.url?.startsWith('/codec/')) return;
    const caseId = (request.params as { caseId?: unknown } | undefined)?.caseId;
    try {
      const exists = typeof caseId === 'string' && (await db.case.count({ where: { id: caseId } })) > 0;
      await db.auditEvent.create({
        data: {
          ...(exists ? { caseId } : {}),
          actor: actorOf(request),
          action: 'api_change',
          data: { method: request.method, route: request.routeOptions.url ?? null, status: reply.statusCode, requestId: request.id },
        },
      });
    } catch (error) {
      request.log.error({ err: error }, 'could not write the audit event of a change');
    }
  });
}
