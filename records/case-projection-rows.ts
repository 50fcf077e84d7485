import { Prisma } from '../generated/prisma/client.js';
import type { CaseState } from '../workflows/case-messages.js';

/**
 * The case and account rows of the projection (activities/projection.ts), read in one statement
 * and written in one: Prisma took two for each (an include reads a table at a time), and a burst
 * of due steps writes a projection per step.
 */

/** What the projection needs of the case before it writes. */
export interface ProjectedCase {
  id: string;
  accountId: string;
  projectedSeq: number;
  closedAt: Date | null;
  team: string | null;
  currency: string;
  account: { id: string; externalId: string; portfolio: string | null; debtorId: string };
  /** Whether the debtor has a skip-traced contact not yet verified (only those a send can verify). */
  unverifiedSkipTrace: boolean;
}

type Row = Omit<ProjectedCase, 'account'> & { externalId: string; portfolio: string | null; debtorId: string };

/** The case with its account; a missing case fails as Prisma's `findUniqueOrThrow` does (P2025, a permanent failure). */
export async function readProjectedCase(tx: Prisma.TransactionClient, caseId: string): Promise<ProjectedCase> {
  const rows = await tx.$queryRaw<Row[]>`
    SELECT k."id", k."accountId", k."projectedSeq", k."closedAt", k."team", k."currency", a."externalId", a."portfolio", a."debtorId",
      EXISTS (SELECT 1 FROM "Contact" c WHERE c."debtorId" = a."debtorId" AND c."source" = 'skip_trace' AND c."verifiedAt" IS NULL AND c."retiredAt" IS NULL) AS "unverifiedSkipTrace"
    FROM "Case" k JOIN "Account" a ON a."id" = k."accountId"
    WHERE k."id" = ${caseId}`;
  const row = rows[0];
  if (!row) {
    await tx.case.findUniqueOrThrow({ where: { id: caseId }, select: { id: true } });
    throw new Error(`case ${caseId} has no account row`);
  }
  const { externalId, portfolio, debtorId, ...rest } = row;
  return { ...rest, account: { id: row.accountId, externalId, portfolio, debtorId } };
}

/** Writes the case's state, and its balance on the account, as of history position `seq`. */
export async function writeCaseState(
  tx: Prisma.TransactionClient,
  current: ProjectedCase,
  seq: number,
  state: Pick<CaseState, 'status' | 'closeReason' | 'balance' | 'currentStep' | 'nextActionAt' | 'nextActionWhy'>,
): Promise<void> {
  const now = new Date();
  const closedAt = state.status === 'closed' ? (current.closedAt ?? now) : null;
  const nextActionAt = state.nextActionAt ? new Date(state.nextActionAt) : null;
  // A field the state leaves out (an older case's) keeps its value, as Prisma's update left it.
  const optional = Object.entries({ closeReason: state.closeReason, currentStep: state.currentStep, nextActionAt, nextActionWhy: state.nextActionWhy })
    .filter(([, value]) => value !== undefined)
    .map(([column, value]) => Prisma.sql`${Prisma.raw(`"${column}"`)} = ${value}, `);
  await tx.$executeRaw`
    WITH k AS (
      UPDATE "Case" SET "status" = ${state.status}, "balance" = ${state.balance}, ${optional.length > 0 ? Prisma.join(optional, '') : Prisma.empty}"projectedSeq" = ${seq}, "closedAt" = ${closedAt}, "updatedAt" = ${now}
      WHERE "id" = ${current.id}
      RETURNING "accountId")
    UPDATE "Account" a SET "balance" = ${state.balance}, "updatedAt" = ${now} FROM k WHERE a."id" = k."accountId"`;
}
