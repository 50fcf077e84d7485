import { createHash } from 'node:crypto';
import { z } from 'zod';
import { Prisma } from '../../generated/prisma/client.js';
import { remitBy, ZRemittanceCycle } from '../../domain/portfolio.js';
import {
  carriedOutOf,
  commissionRateBp,
  ItemKind,
  periodBounds,
  recoveryTypeOf,
  statementLines,
  statementTotals,
  ZCommission,
  type RecoveryEvent,
  type RemittanceItem,
} from '../../domain/remittance.js';
import type { Db } from '../../lib/db.js';
import { ApiError } from '../errors.js';
import { requireClient } from './clients.js';

/**
 * Monthly remittance statements per client (domain/remittance.ts has the rules). A statement
 * not yet issued is a draft computed from the projection (the same answer for any past month as
 * long as nothing new arrives); issuing freezes it: the document is stored as issued and every
 * payment and return on it recorded (RemittanceItem), so anything learned later goes on the next
 * statement, once. Issued statements are answered from the stored document, byte for byte.
 */

const ZStatementLine = z.object({
  paymentId: z.string(),
  kind: z.enum([ItemKind.collected, ItemKind.reversal]),
  date: z.string(),
  paymentPeriod: z.string(),
  carried: z.boolean(),
  portfolio: z.string(),
  accountExternalId: z.string(),
  reference: z.string(),
  currency: z.string(),
  recoveryType: z.string(),
  daysPastDue: z.number().int(),
  ratePercent: z.number(),
  amount: z.number().int(),
  commission: z.number().int(),
  net: z.number().int(),
});

const ZStatementTotals = z.object({
  currency: z.string(),
  collected: z.number().int(),
  reversed: z.number().int(),
  commission: z.number().int(),
  net: z.number().int(),
  carriedIn: z.number().int(),
  netToRemit: z.number().int(),
  carriedOut: z.number().int(),
});

export const ZRemittanceStatement = z.object({
  version: z.literal(1),
  client: z.object({ key: z.string(), name: z.string() }),
  period: z.string(),
  status: z.enum(['draft', 'issued']),
  issuedAt: z.string().nullable(),
  issuedBy: z.string().nullable(),
  /** The issued statement whose negative balance this one nets, by period. */
  carriedFrom: z.string().nullable(),
  portfolios: z.array(z.object({ key: z.string(), name: z.string(), regime: z.string(), remitBy: z.string() })),
  lines: z.array(ZStatementLine),
  totals: z.array(ZStatementTotals),
});
export type TRemittanceStatement = z.infer<typeof ZRemittanceStatement>;

type PaymentRow = {
  id: string;
  caseId: string;
  reference: string;
  amount: number;
  currency: string;
  receivedAt: Date;
  reversedAt: Date | null;
  reversedAmount: number | null;
  externalId: string;
  portfolio: string;
  daysPastDue: number;
  commission: unknown;
};

/** Payments and returns of the client's portfolios up to `end`, not yet on an issued statement. */
async function pendingItems(db: Prisma.TransactionClient, clientId: string, end: Date): Promise<RemittanceItem[]> {
  const rows = await db.$queryRaw<PaymentRow[]>`
    SELECT p.id, p."caseId", p.reference, p.amount, p.currency, p."receivedAt", p."reversedAt",
           (SELECT CASE WHEN e.data->>'amount' ~ '^[0-9]{1,9}$' THEN (e.data->>'amount')::int END FROM "AuditEvent" e
             WHERE e."caseId" = p."caseId" AND e.action = 'payment_reversed' AND e.data->>'reference' = p.reference
             ORDER BY e.at, e.id LIMIT 1) AS "reversedAmount",
           a."externalId", a.portfolio, a."daysPastDue", pf.commission
    FROM "Payment" p
    JOIN "Case" c ON c.id = p."caseId"
    JOIN "Account" a ON a.id = c."accountId"
    JOIN "Portfolio" pf ON pf.key = a.portfolio
    WHERE pf."clientId" = ${clientId}
      AND (p."receivedAt" < ${end} OR p."reversedAt" < ${end})
      AND NOT (EXISTS (SELECT 1 FROM "RemittanceItem" ri WHERE ri."paymentId" = p.id AND ri.kind = 'collected')
               AND (p."reversedAt" IS NULL OR EXISTS (SELECT 1 FROM "RemittanceItem" ri WHERE ri."paymentId" = p.id AND ri.kind = 'reversal')))`;
  if (rows.length === 0) return [];
  const done = new Set(
    (await db.remittanceItem.findMany({ where: { paymentId: { in: rows.map((row) => row.id) } }, select: { paymentId: true, kind: true } })).map((item) => `${item.paymentId}:${item.kind}`),
  );
  const events = await recoveryEvents(db, [...new Set(rows.map((row) => row.caseId))]);

  return rows.flatMap((row) => {
    const recoveryType = recoveryTypeOf(events.get(row.caseId) ?? [], row.reference);
    const rateBp = commissionRateBp(ZCommission.parse(row.commission), { daysPastDue: row.daysPastDue, recoveryType });
    const common = { paymentId: row.id, currency: row.currency, portfolio: row.portfolio, accountExternalId: row.externalId, reference: row.reference, paymentAt: row.receivedAt, rateBp, recoveryType, daysPastDue: row.daysPastDue };
    const items: RemittanceItem[] = [];
    if (row.receivedAt < end && !done.has(`${row.id}:collected`)) items.push({ ...common, kind: ItemKind.collected, at: row.receivedAt, amount: row.amount });
    if (row.reversedAt && row.reversedAt < end && !done.has(`${row.id}:reversal`)) {
      // The case's own record of the return says how much; a whole payment when it says nothing.
      items.push({ ...common, kind: ItemKind.reversal, at: row.reversedAt, amount: Math.min(row.reversedAmount ?? row.amount, row.amount) });
    }
    return items;
  });
}

/** The events that decide a payment's recovery type, per case, in the order the case recorded them. */
async function recoveryEvents(db: Prisma.TransactionClient, caseIds: string[]): Promise<Map<string, RecoveryEvent[]>> {
  const rows = await db.$queryRaw<{ caseId: string; action: string; kind: string | null; needsApproval: boolean | null; reference: string | null }[]>`
    SELECT "caseId", action, data->>'kind' AS kind, (data->>'needsApproval' = 'true') AS "needsApproval", data->>'reference' AS reference
    FROM "AuditEvent"
    WHERE "caseId" IN (${Prisma.join(caseIds)})
      AND action IN ('payment_applied', 'arrangement_made', 'arrangement_kept', 'arrangement_broken', 'arrangement_cancelled', 'placed', 'recalled')
    ORDER BY "caseId", at, CASE WHEN data->>'seq' ~ '^[0-9]{1,9}$' THEN (data->>'seq')::int END NULLS LAST, id`;
  const byCase = new Map<string, RecoveryEvent[]>();
  for (const row of rows) {
    const list = byCase.get(row.caseId) ?? [];
    list.push({ action: row.action, kind: row.kind ?? undefined, needsApproval: row.needsApproval ?? undefined, reference: row.reference ?? undefined });
    byCase.set(row.caseId, list);
  }
  return byCase;
}

/** Builds `period`'s statement from what is not yet on an issued one; with the items it holds. */
async function buildStatement(db: Prisma.TransactionClient, client: { id: string; key: string; name: string }, period: string) {
  const { end } = periodBounds(period);
  const issuedRows = await db.remittanceStatement.findMany({ where: { clientId: client.id }, select: { id: true, period: true, document: true, carriedFromId: true } });
  const issued = new Set(issuedRows.map((row) => row.period));
  const items = await pendingItems(db, client.id, end);
  const lines = statementLines(items, period, issued);

  // The latest issued statement before this month carries its negative balance here, unless a later one already netted it.
  const previous = issuedRows.filter((row) => row.period < period).sort((a, b) => b.period.localeCompare(a.period))[0];
  const previousCarry = previous && !issuedRows.some((row) => row.carriedFromId === previous.id) ? carriedOutOf((JSON.parse(previous.document) as TRemittanceStatement).totals) : {};
  const carriedFrom = previous && Object.keys(previousCarry).length > 0 ? previous : null;
  const totals = statementTotals(lines, carriedFrom ? previousCarry : {});

  const portfolios = await db.portfolio.findMany({ where: { clientId: client.id }, orderBy: { key: 'asc' }, select: { key: true, name: true, regime: true, remittance: true } });
  const document: TRemittanceStatement = {
    version: 1,
    client: { key: client.key, name: client.name },
    period,
    status: 'draft',
    issuedAt: null,
    issuedBy: null,
    carriedFrom: carriedFrom?.period ?? null,
    portfolios: portfolios.map((portfolio) => ({ key: portfolio.key, name: portfolio.name, regime: portfolio.regime, remitBy: remitBy(period, ZRemittanceCycle.parse(portfolio.remittance)) })),
    lines,
    totals,
  };
  return { document, carriedFromId: carriedFrom?.id ?? null };
}

export interface StatementAnswer {
  document: TRemittanceStatement;
  /** The JSON text: as stored for an issued statement. */
  json: string;
  sha256: string;
}

const answer = (json: string): StatementAnswer => ({ document: JSON.parse(json) as TRemittanceStatement, json, sha256: createHash('sha256').update(json).digest('hex') });

/** `period`'s statement: as issued, or the draft it would be if issued now. */
export async function getStatement({ db, clientKey, period, scope }: { db: Db; clientKey: string; period: string; scope: string | null }): Promise<StatementAnswer> {
  const client = await requireClient(db, clientKey, scope);
  const stored = await db.remittanceStatement.findUnique({ where: { clientId_period: { clientId: client.id, period } } });
  if (stored) return answer(stored.document);
  const { document } = await buildStatement(db, client, period);
  return answer(JSON.stringify(document));
}

/**
 * Issues `period`'s statement once the month is over: stores it and records its items, in one
 * transaction under a lock on the client, so two issues cannot share an item. Issuing again
 * answers the statement as first issued.
 */
export async function issueStatement({
  db,
  clientKey,
  period,
  actor,
  scope,
  now = new Date(),
}: {
  db: Db;
  clientKey: string;
  period: string;
  actor: string;
  scope: string | null;
  now?: Date;
}): Promise<StatementAnswer & { created: boolean }> {
  const client = await requireClient(db, clientKey, scope);
  if (periodBounds(period).end > now) {
    throw new ApiError(409, 'period_open', `${period} is not over yet (it ends ${periodBounds(period).end.toISOString()}); a statement is issued after its month`, [
      { path: 'params.period', message: 'the month is not over' },
    ]);
  }
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "Client" WHERE id = ${client.id} FOR UPDATE`;
    const existing = await tx.remittanceStatement.findUnique({ where: { clientId_period: { clientId: client.id, period } } });
    if (existing) return { ...answer(existing.document), created: false };
    const { document, carriedFromId } = await buildStatement(tx, client, period);
    const issued: TRemittanceStatement = { ...document, status: 'issued', issuedAt: now.toISOString(), issuedBy: actor };
    const json = JSON.stringify(issued);
    const result = answer(json);
    const row = await tx.remittanceStatement.create({ data: { clientId: client.id, period, document: json, sha256: result.sha256, issuedAt: now, issuedBy: actor, carriedFromId } });
    await tx.remittanceItem.createMany({ data: issued.lines.map((line) => ({ paymentId: line.paymentId, kind: line.kind, statementId: row.id })) });
    await tx.auditEvent.create({
      data: { actor, action: 'remittance_statement_issued', data: { client: clientKey, period, statementId: row.id, sha256: result.sha256, lines: issued.lines.length, totals: issued.totals } },
    });
    return { ...result, created: true };
  });
}

/** Issued statements of a client, newest first, with their totals. */
export async function listStatements({ db, clientKey, scope }: { db: Db; clientKey: string; scope: string | null }) {
  const client = await requireClient(db, clientKey, scope);
  const rows = await db.remittanceStatement.findMany({ where: { clientId: client.id }, orderBy: { period: 'desc' } });
  return rows.map((row) => ({
    period: row.period,
    issuedAt: row.issuedAt.toISOString(),
    issuedBy: row.issuedBy,
    sha256: row.sha256,
    totals: (JSON.parse(row.document) as TRemittanceStatement).totals,
  }));
}

