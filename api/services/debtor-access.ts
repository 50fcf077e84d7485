import type { Prisma } from '../../generated/prisma/client.js';
import { ApiError } from '../errors.js';

/**
 * Object-level access to persons (api/access.ts's rule for cases, applied to the person): a key
 * with a team sees a person only when one of the person's accounts has its case in that team;
 * any other person answers 404, as if it did not exist, so ids cannot be probed.
 */

export interface PersonScope {
  team?: string;
}

/** The `where` fragment that limits a Debtor query to the caller's team. */
export function personWhere(scope: PersonScope): Prisma.DebtorWhereInput {
  return scope.team ? { accounts: { some: { cases: { some: { team: scope.team } } } } } : {};
}

/** The person, or 404 (unknown, or outside the caller's team); `path` names the field that held the id. */
export async function findPerson(db: Prisma.TransactionClient, debtorId: string, scope: PersonScope, path = 'params.debtorId') {
  const row = await db.debtor.findFirst({ where: { id: debtorId, ...personWhere(scope) } });
  if (!row) throw new ApiError(404, 'not_found', `debtor "${debtorId}" not found`, [{ path, message: 'no such debtor' }]);
  return row;
}

export type PersonRow = Awaited<ReturnType<typeof findPerson>>;

/** A person merged into another is read-only: its accounts and contacts live with the survivor. */
export function assertNotMerged(person: PersonRow, path = 'params.debtorId'): void {
  if (person.mergedIntoId) {
    throw new ApiError(409, 'debtor_merged', `debtor "${person.id}" was merged into "${person.mergedIntoId}"; change that one (or undo the merge)`, [
      { path, message: `merged into debtor "${person.mergedIntoId}"` },
    ]);
  }
}
