import { Prisma } from '../../../generated/prisma/client.js';

/**
 * Whose cases a report counts: every case, or one team's (the caller's, from `caseScope` in
 * api/access.ts — a team-scoped key sees only its team's cases, in reports as in lists). Each
 * helper is an `AND ...` fragment to append to a WHERE clause, and nothing at all when the
 * report counts every case, so unscoped reports run the same queries as before.
 */

export interface ReportScope {
  team?: string;
}

/** The case aliased `c` in the query belongs to the scope. */
export function caseInScope(scope: ReportScope | undefined): Prisma.Sql {
  return scope?.team ? Prisma.sql`AND c."team" = ${scope.team}` : Prisma.empty;
}

/** `caseId` (a column of a table without the case joined) names a case of the scope; rows of no case are left out. */
export function caseIdInScope(caseId: Prisma.Sql, scope: ReportScope | undefined): Prisma.Sql {
  return scope?.team ? Prisma.sql`AND ${caseId} IN (SELECT sc.id FROM "Case" sc WHERE sc."team" = ${scope.team})` : Prisma.empty;
}
