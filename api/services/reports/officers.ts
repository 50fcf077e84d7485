import { z } from 'zod';
import { Prisma } from '../../../generated/prisma/client.js';
import type { Db } from '../../../lib/db.js';
import { table, tableCsv, type SyncTable } from '../tables.js';
import { num, ratio } from './as-of.js';
import { arrangementOutcomeKinds, auditAction, rightPartyOutcomes } from './audit-vocabulary.js';
import { within, type Period } from './period.js';
import { caseIdInScope, type ReportScope } from './scope.js';

/**
 * Officer performance over a period: tasks worked and their call outcomes (Task.assignee,
 * Task.outcome), negotiated outcomes by kind (outcome_recorded, data.by), and for the promises,
 * plans and settlements an officer agreed: how many were kept or broken, and the money collected
 * on them. A payment is credited to the officer whose arrangement was the latest on the case
 * before it, while that arrangement had not yet ended; reversed payments do not count.
 */

const ZKindCount = z.record(z.string(), z.number().int());

export const ZOfficerRow = z.object({
  officer: z.string(),
  tasksWorked: z.number().int(),
  rightPartyContacts: z.number().int(),
  callOutcomes: ZKindCount,
  outcomes: ZKindCount,
  arrangementsMade: z.number().int(),
  arrangementsKept: z.number().int(),
  arrangementsBroken: z.number().int(),
  /** kept / (kept + broken), 4 decimals. */
  keptRate: z.number().nullable(),
  /** Minor units, per currency. */
  collectedOnArrangements: z.record(z.string(), z.number().int()),
});
export type TOfficerRow = z.infer<typeof ZOfficerRow>;

export const ZOfficerReport = z.object({
  report: z.literal('officers'),
  asOf: z.string(),
  from: z.string().nullable(),
  rows: z.array(ZOfficerRow),
});
export type TOfficerReport = z.infer<typeof ZOfficerReport>;

const list = (values: readonly string[]) => Prisma.join(values.map((value) => Prisma.sql`${value}`));

/**
 * Arrangement outcomes up to the cut-off: who agreed which promise, plan or settlement, when. The
 * reports pair each later event (a payment, a kept or broken arrangement) with the latest of these
 * on its case, by a hash join and DISTINCT ON rather than a lookup per event.
 */
function arrangementOutcomes(range: Period): Prisma.Sql {
  return Prisma.sql`
    SELECT o.id, o."caseId", o.at, o.data ->> 'by' AS officer
    FROM "AuditEvent" o
    WHERE o.action = ${auditAction.outcomeRecorded} AND o.data ->> 'kind' IN (${list(arrangementOutcomeKinds)}) AND o.at < ${range.cutoff}`;
}

export async function officerReport({ db, range, scope }: { db: Db; range: Period; scope?: ReportScope }): Promise<TOfficerReport> {
  const [tasks, outcomes, resolved, collected] = await Promise.all([
    // The call outcome column arrives with the officer work queue; read it without depending on it.
    db.$queryRaw<{ officer: string; outcome: string | null; count: bigint }[]>`
      SELECT t.assignee AS officer, to_jsonb(t) ->> 'outcome' AS outcome, COUNT(*)::bigint AS count
      FROM "Task" t
      WHERE t.assignee IS NOT NULL AND ${within(Prisma.sql`t."completedAt"`, range)} ${caseIdInScope(Prisma.sql`t."caseId"`, scope)}
      GROUP BY 1, 2`,
    db.$queryRaw<{ officer: string; kind: string; count: bigint }[]>`
      SELECT data ->> 'by' AS officer, data ->> 'kind' AS kind, COUNT(*)::bigint AS count
      FROM "AuditEvent"
      WHERE action = ${auditAction.outcomeRecorded} AND data ->> 'by' IS NOT NULL AND ${within(Prisma.sql`at`, range)} ${caseIdInScope(Prisma.sql`"caseId"`, scope)}
      GROUP BY 1, 2`,
    db.$queryRaw<{ officer: string; action: string; count: bigint }[]>`
      WITH arrangements AS (${arrangementOutcomes(range)}),
      owned AS (
        SELECT DISTINCT ON (e.id) e.action, a.officer
        FROM "AuditEvent" e
        JOIN arrangements a ON a."caseId" = e."caseId" AND a.at <= e.at
        WHERE e.action IN (${list([auditAction.arrangementKept, auditAction.arrangementBroken])}) AND ${within(Prisma.sql`e.at`, range)} ${caseIdInScope(Prisma.sql`e."caseId"`, scope)}
        ORDER BY e.id, a.at DESC, a.id DESC)
      SELECT officer, action, COUNT(*)::bigint AS count FROM owned GROUP BY 1, 2`,
    db.$queryRaw<{ officer: string; currency: string; amount: bigint }[]>`
      WITH arrangements AS (${arrangementOutcomes(range)}),
      owned AS (
        SELECT DISTINCT ON (p.id) p."caseId", p.currency, p.amount, p."receivedAt", a.officer, a.at
        FROM "Payment" p
        JOIN arrangements a ON a."caseId" = p."caseId" AND a.at <= p."receivedAt"
        WHERE ${within(Prisma.sql`p."receivedAt"`, range)} AND (p."reversedAt" IS NULL OR p."reversedAt" >= ${range.cutoff}) ${caseIdInScope(Prisma.sql`p."caseId"`, scope)}
        ORDER BY p.id, a.at DESC, a.id DESC)
      SELECT o.officer, o.currency, SUM(o.amount)::bigint AS amount
      FROM owned o
      WHERE NOT EXISTS (
        SELECT 1 FROM "AuditEvent" ended
        WHERE ended."caseId" = o."caseId"
          AND ended.action IN (${list([auditAction.arrangementKept, auditAction.arrangementBroken, auditAction.arrangementCancelled])})
          AND ended.at > o.at AND ended.at < o."receivedAt")
      GROUP BY 1, 2`,
  ]);

  const officers = new Map<string, TOfficerRow>();
  const row = (officer: string): TOfficerRow => {
    let found = officers.get(officer);
    if (!found) {
      found = { officer, tasksWorked: 0, rightPartyContacts: 0, callOutcomes: {}, outcomes: {}, arrangementsMade: 0, arrangementsKept: 0, arrangementsBroken: 0, keptRate: null, collectedOnArrangements: {} };
      officers.set(officer, found);
    }
    return found;
  };
  for (const task of tasks) {
    const target = row(task.officer);
    const outcome = task.outcome ?? 'none';
    target.tasksWorked += num(task.count);
    target.callOutcomes[outcome] = (target.callOutcomes[outcome] ?? 0) + num(task.count);
    if ((rightPartyOutcomes as readonly string[]).includes(outcome)) target.rightPartyContacts += num(task.count);
  }
  for (const outcome of outcomes) {
    const target = row(outcome.officer);
    target.outcomes[outcome.kind] = num(outcome.count);
    if ((arrangementOutcomeKinds as readonly string[]).includes(outcome.kind)) target.arrangementsMade += num(outcome.count);
  }
  for (const end of resolved) {
    const target = row(end.officer);
    if (end.action === auditAction.arrangementKept) target.arrangementsKept += num(end.count);
    else target.arrangementsBroken += num(end.count);
  }
  for (const payment of collected) row(payment.officer).collectedOnArrangements[payment.currency] = num(payment.amount);
  for (const target of officers.values()) target.keptRate = ratio(target.arrangementsKept, target.arrangementsKept + target.arrangementsBroken);

  return { report: 'officers', asOf: range.date, from: range.from, rows: [...officers.values()].sort((a, b) => a.officer.localeCompare(b.officer)) };
}

export function officerTable(report: TOfficerReport): SyncTable {
  const kinds = (pick: (row: TOfficerRow) => Record<string, number>) => [...new Set(report.rows.flatMap((row) => Object.keys(pick(row))))].sort();
  const callKinds = kinds((row) => row.callOutcomes);
  const outcomeKinds = kinds((row) => row.outcomes);
  const currencies = kinds((row) => row.collectedOnArrangements);
  return table(
    'Officers',
    [
      'officer',
      'tasksWorked',
      'rightPartyContacts',
      ...callKinds.map((kind) => `call:${kind}`),
      ...outcomeKinds.map((kind) => `outcome:${kind}`),
      'arrangementsMade',
      'arrangementsKept',
      'arrangementsBroken',
      'keptRate',
      ...currencies.map((currency) => `collected:${currency}`),
    ],
    report.rows.map((row) => [
      row.officer,
      row.tasksWorked,
      row.rightPartyContacts,
      ...callKinds.map((kind) => row.callOutcomes[kind] ?? 0),
      ...outcomeKinds.map((kind) => row.outcomes[kind] ?? 0),
      row.arrangementsMade,
      row.arrangementsKept,
      row.arrangementsBroken,
      row.keptRate,
      ...currencies.map((currency) => row.collectedOnArrangements[currency] ?? 0),
    ]),
  );
}

export const officerCsv = (report: TOfficerReport): string => tableCsv(officerTable(report));
