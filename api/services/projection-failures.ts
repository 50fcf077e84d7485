import type { Db } from '../../lib/db.js';

/**
 * Reads of the `ProjectionFailure` table that activities/projection.ts keeps: one row per case
 * whose read model lags. Raw SQL: the table is newer than some generated clients.
 */

export interface ProjectionFailureView {
  caseId: string;
  firstFailedAt: string;
  lastFailedAt: string;
  failures: number;
  code: string | null;
  message: string;
}

export async function listProjectionFailures(db: Db, limit: number): Promise<ProjectionFailureView[]> {
  const rows = await db.$queryRaw<{ caseId: string; firstFailedAt: Date; lastFailedAt: Date; failures: number; code: string | null; message: string }[]>`
    SELECT "caseId", "firstFailedAt", "lastFailedAt", "failures", "code", "message" FROM "ProjectionFailure" ORDER BY "lastFailedAt" DESC LIMIT ${limit}`;
  return rows.map((row) => ({ ...row, firstFailedAt: row.firstFailedAt.toISOString(), lastFailedAt: row.lastFailedAt.toISOString() }));
}

/** How many cases' read models lag (for `GET /health`). */
export async function countProjectionFailures(db: Db): Promise<number> {
  const [row] = await db.$queryRaw<{ count: bigint }[]>`SELECT count(*) AS count FROM "ProjectionFailure"`;
  return Number(row?.count ?? 0);
}
