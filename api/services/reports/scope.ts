import type { FastifyRequest } from 'fastify';
import { Prisma } from '../../../generated/prisma/client.js';
import { caseScope } from '../../access.js';

/**
 * Whose cases a report counts: every case, or one team's (the caller's, from `caseScope` in
 * api/access.ts — a team-scoped key sees only its team's cases, in reports as in lists). Each
 * helper is an `AND ...` fragment to append to a WHERE clause, and nothing at all when the
 * report counts every case, so unscoped reports run the same queries as before. A key scoped to
 * a client (ApiKey.client) counts only the cases of accounts in that client's portfolios.
 */

export interface ReportScope {
  team?: string;
  /** A Client's key: only accounts whose portfolio that client defined. */
  client?: string;
}

/** The caller's report scope: its team (as in every case list) and its client. */
export function reportScopeOf(request: FastifyRequest): ReportScope {
  const client = request.principal?.client;
  return { ...caseScope(request), ...(client ? { client } : {}) };
}

/** The accounts of the scope's client, as a condition on an account id column. */
const accountOfClient = (accountId: Prisma.Sql, client: string) =>
  Prisma.sql`${accountId} IN (SELECT sa.id FROM "Account" sa JOIN "Portfolio" sp ON sp."key" = sa."portfolio" JOIN "Client" scl ON scl.id = sp."clientId" WHERE scl."key" = ${client})`;

/** The case aliased `c` in the query belongs to the scope. */
export function caseInScope(scope: ReportScope | undefined): Prisma.Sql {
  const team = scope?.team ? Prisma.sql`AND c."team" = ${scope.team}` : Prisma.empty;
  const client = scope?.client ? Prisma.sql`AND ${accountOfClient(Prisma.sql`c."accountId"`, scope.client)}` : Prisma.empty;
  return Prisma.sql`${team} ${client}`;
}

/** `caseId` (a column of a table without the case joined) names a case of the scope; rows of no case are left out. */
export function caseIdInScope(caseId: Prisma.Sql, scope: ReportScope | undefined): Prisma.Sql {
  if (!scope?.team && !scope?.client) return Prisma.empty;
  const team = scope.team ? Prisma.sql`AND sc."team" = ${scope.team}` : Prisma.empty;
  const client = scope.client ? Prisma.sql`AND ${accountOfClient(Prisma.sql`sc."accountId"`, scope.client)}` : Prisma.empty;
  return Prisma.sql`AND ${caseId} IN (SELECT sc.id FROM "Case" sc WHERE TRUE ${team} ${client})`;
}
