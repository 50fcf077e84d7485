import { z } from 'zod';
import { Prisma } from '../../../generated/prisma/client.js';
import type { Db } from '../../../lib/db.js';
import { table, tableCsv, type SyncTable } from '../tables.js';
import { collectedByCase, num, ratio, recoveredPartsByCase, type AsOf } from './as-of.js';
import { reportSource, type ReportSource } from './report-source.js';
import { caseInScope, type ReportScope } from './scope.js';

/**
 * Recovery: amount collected over amount placed, grouped by any of strategy, strategy version,
 * champion/challenger arm, portfolio (client) and placement cohort (month), always per currency.
 * Placed is the account's placed balance; collected counts payments received by the as-of date
 * and not reversed by then. Collected splits into principal, interest and fees by what the
 * account ledger's payments took from each part (a case started before the ledger counts all of
 * it as principal); the three add up to `collected` less any overpayment left unapplied.
 */

export const recoveryDimensions = ['strategy', 'version', 'arm', 'portfolio', 'cohort'] as const;
export type RecoveryDimension = (typeof recoveryDimensions)[number];

const dimensionSql: Record<RecoveryDimension, Prisma.Sql> = {
  strategy: Prisma.sql`s."key"`,
  version: Prisma.sql`s."version"`,
  arm: Prisma.sql`c."arm"`,
  portfolio: Prisma.sql`a."portfolio"`,
  cohort: Prisma.sql`to_char(date_trunc('month', c."startedAt"), 'YYYY-MM')`,
};

/** The same dimensions over the groups the triggers keep (RecoveryGroup g, its strategy s). */
const aggregateDimensionSql: Record<RecoveryDimension, Prisma.Sql> = {
  strategy: Prisma.sql`s."key"`,
  version: Prisma.sql`s."version"`,
  arm: Prisma.sql`g."arm"`,
  portfolio: Prisma.sql`g."portfolio"`,
  cohort: Prisma.sql`g."cohort"`,
};

export const ZRecoveryRow = z.object({
  currency: z.string(),
  strategy: z.string().optional(),
  version: z.number().int().optional(),
  /** null: the case was not part of a champion/challenger split. */
  arm: z.string().nullable().optional(),
  portfolio: z.string().nullable().optional(),
  /** Placement month, YYYY-MM. */
  cohort: z.string().optional(),
  cases: z.number().int(),
  casesWithPayments: z.number().int(),
  placed: z.number().int(),
  collected: z.number().int(),
  /** What the payments paid of the principal, the interest and the fees. */
  collectedPrincipal: z.number().int(),
  collectedInterest: z.number().int(),
  collectedFees: z.number().int(),
  /** collected / placed, 4 decimals. */
  recoveryRate: z.number().nullable(),
});
export type TRecoveryRow = z.infer<typeof ZRecoveryRow>;

export const ZRecoveryReport = z.object({
  report: z.literal('recovery'),
  asOf: z.string(),
  groupBy: z.array(z.enum(recoveryDimensions)),
  rows: z.array(ZRecoveryRow),
  /** One line per currency over every group. */
  totals: z.array(ZRecoveryRow),
});
export type TRecoveryReport = z.infer<typeof ZRecoveryReport>;

interface RawRow {
  currency: string;
  strategy?: string;
  version?: number;
  arm?: string | null;
  portfolio?: string | null;
  cohort?: string;
  cases: bigint;
  paying: bigint;
  placed: bigint;
  collected: bigint;
  principal: bigint;
  interest: bigint;
  fees: bigint;
}

/** Per group, from the rows. */
function rowsFromRows(db: Db, at: AsOf, groupBy: readonly RecoveryDimension[], scope: ReportScope | undefined): Promise<RawRow[]> {
  const keys = [Prisma.sql`c."currency"`, ...groupBy.map((dimension) => dimensionSql[dimension])];
  const selected = [Prisma.sql`c."currency" AS "currency"`, ...groupBy.map((dimension) => Prisma.sql`${dimensionSql[dimension]} AS ${Prisma.raw(`"${dimension}"`)}`)];
  return db.$queryRaw<RawRow[]>`
    WITH collected AS (${collectedByCase(at.cutoff)}), parts AS (${recoveredPartsByCase(at.cutoff)})
    SELECT ${Prisma.join(selected)},
           COUNT(*)::bigint AS cases,
           COUNT(col.amount)::bigint AS paying,
           SUM(a."originalBalance")::bigint AS placed,
           COALESCE(SUM(col.amount), 0)::bigint AS collected,
           COALESCE(SUM(CASE WHEN pt."caseId" IS NULL THEN col.amount ELSE pt.principal END), 0)::bigint AS principal,
           COALESCE(SUM(pt.interest), 0)::bigint AS interest,
           COALESCE(SUM(pt.fees), 0)::bigint AS fees
    FROM "Case" c
    JOIN "Account" a ON a.id = c."accountId"
    JOIN "Strategy" s ON s.id = c."strategyId"
    LEFT JOIN collected col ON col."caseId" = c.id
    LEFT JOIN parts pt ON pt."caseId" = c.id
    WHERE c."startedAt" < ${at.cutoff} ${caseInScope(scope)}
    GROUP BY ${Prisma.join(keys)}
    ORDER BY ${Prisma.join(keys)}`;
}

/** Per group, from the groups the triggers keep (migrations report_aggregates, aggregate_triggers_key_order): a few hundred rows, not every case. */
function rowsFromAggregates(db: Db, groupBy: readonly RecoveryDimension[]): Promise<RawRow[]> {
  const keys = [Prisma.sql`g."currency"`, ...groupBy.map((dimension) => aggregateDimensionSql[dimension])];
  const selected = [Prisma.sql`g."currency" AS "currency"`, ...groupBy.map((dimension) => Prisma.sql`${aggregateDimensionSql[dimension]} AS ${Prisma.raw(`"${dimension}"`)}`)];
  return db.$queryRaw<RawRow[]>`
    SELECT ${Prisma.join(selected)},
           SUM(g."cases")::bigint AS cases, SUM(g."paying")::bigint AS paying, SUM(g."placed")::bigint AS placed, SUM(g."collected")::bigint AS collected,
           SUM(g."principal")::bigint AS principal, SUM(g."interest")::bigint AS interest, SUM(g."fees")::bigint AS fees
    FROM "RecoveryGroup" g
    JOIN "Strategy" s ON s.id = g."strategyId"
    WHERE g."cases" > 0
    GROUP BY ${Prisma.join(keys)}
    ORDER BY ${Prisma.join(keys)}`;
}

async function recoveryRows(db: Db, at: AsOf, groupBy: readonly RecoveryDimension[], scope: ReportScope | undefined, source: ReportSource): Promise<TRecoveryRow[]> {
  const rows = source === 'aggregates' ? await rowsFromAggregates(db, groupBy) : await rowsFromRows(db, at, groupBy, scope);
  return rows.map(({ cases, paying, placed, collected, principal, interest, fees, ...dimensions }) => ({
    ...dimensions,
    cases: num(cases),
    casesWithPayments: num(paying),
    placed: num(placed),
    collected: num(collected),
    collectedPrincipal: num(principal),
    collectedInterest: num(interest),
    collectedFees: num(fees),
    recoveryRate: ratio(num(collected), num(placed)),
  }));
}

export async function recoveryReport({ db, at, groupBy, scope, source }: { db: Db; at: AsOf; groupBy: readonly RecoveryDimension[]; scope?: ReportScope; source?: ReportSource }): Promise<TRecoveryReport> {
  // A version means nothing without its strategy.
  const dimensions = recoveryDimensions.filter((dimension) => groupBy.includes(dimension) || (dimension === 'strategy' && groupBy.includes('version')));
  const rows = await recoveryRows(db, at, dimensions, scope, source ?? (await reportSource(db, at, scope)));
  const totals = new Map<string, TRecoveryRow>();
  for (const row of rows) {
    const total = totals.get(row.currency) ?? { currency: row.currency, cases: 0, casesWithPayments: 0, placed: 0, collected: 0, collectedPrincipal: 0, collectedInterest: 0, collectedFees: 0, recoveryRate: null };
    total.cases += row.cases;
    total.casesWithPayments += row.casesWithPayments;
    total.placed += row.placed;
    total.collected += row.collected;
    total.collectedPrincipal += row.collectedPrincipal;
    total.collectedInterest += row.collectedInterest;
    total.collectedFees += row.collectedFees;
    total.recoveryRate = ratio(total.collected, total.placed);
    totals.set(row.currency, total);
  }
  return { report: 'recovery', asOf: at.date, groupBy: dimensions, rows, totals: [...totals.values()] };
}

export function recoveryTable(report: TRecoveryReport): SyncTable {
  const header = ['currency', ...report.groupBy, 'cases', 'casesWithPayments', 'placed', 'collected', 'collectedPrincipal', 'collectedInterest', 'collectedFees', 'recoveryRate'];
  return table(
    'Recovery',
    header,
    report.rows.map((row) => header.map((column) => row[column as keyof TRecoveryRow])),
  );
}

export const recoveryCsv = (report: TRecoveryReport): string => tableCsv(recoveryTable(report));
