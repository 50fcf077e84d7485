import { z } from 'zod';
import { Prisma } from '../../../generated/prisma/client.js';
import type { Db } from '../../../lib/db.js';
import { channelsFromAggregates } from '../../../records/funnel-aggregates.js';
import { table, tableCsv, type SyncTable } from '../tables.js';
import { num, ratio } from './as-of.js';
import { auditAction, failedStatuses, rightPartyOutcomes, sentStatuses } from './audit-vocabulary.js';
import { pageFunnel, ZPageFunnelRow } from './page-funnel.js';
import { within, type Period } from './period.js';
import { scopedSource, type ReportSource } from './report-source.js';
import { caseIdInScope, type ReportScope } from './scope.js';

/**
 * The contact and outcome funnel over a period: attempts by channel and what became of them,
 * calls worked and right-party contacts, replies, arrangements made and kept, disputes, opt-outs,
 * holds and the steps the contact rules ruled out. Communications come from their daily
 * aggregates (records/funnel-aggregates.ts), or their rows for a team or client scope; tasks from
 * their table; everything negotiated from the audit trail (see audit-vocabulary.ts).
 */

const ZCount = z.object({ key: z.string(), count: z.number().int() });

export const ZFunnelReport = z.object({
  report: z.literal('funnel'),
  asOf: z.string(),
  from: z.string().nullable(),
  channels: z.array(z.object({ channel: z.string(), attempts: z.number().int(), sent: z.number().int(), delivered: z.number().int(), failed: z.number().int() })),
  calls: z.object({ tasksCreated: z.number().int(), tasksWorked: z.number().int(), rightPartyContacts: z.number().int() }),
  replies: z.array(ZCount),
  promises: z.object({ made: z.number().int(), kept: z.number().int(), broken: z.number().int(), keptRate: z.number().nullable() }),
  plans: z.object({ started: z.number().int(), completed: z.number().int(), broken: z.number().int(), completedRate: z.number().nullable() }),
  settlements: z.object({ made: z.number().int(), kept: z.number().int(), broken: z.number().int() }),
  disputes: z.number().int(),
  optOuts: z.array(ZCount),
  /** Holds started, by kind (dispute, hardship, legal, wrong party). */
  holds: z.array(ZCount),
  /** Steps skipped, by the rule's reason (numbers replaced by N). */
  skippedByRule: z.array(ZCount),
  /** The debtor page, per strategy and arm: messages sent → links opened → identity confirmed → paid / plan / promise / dispute. */
  page: z.array(ZPageFunnelRow),
});
export type TFunnelReport = z.infer<typeof ZFunnelReport>;

const list = (values: readonly string[]) => Prisma.join(values.map((value) => Prisma.sql`${value}`));

function channelsFromRows(db: Db, range: Period, scope: ReportScope | undefined) {
  return db.$queryRaw<{ channel: string; attempts: bigint; sent: bigint; delivered: bigint; failed: bigint }[]>`
      SELECT channel,
             COUNT(*)::bigint AS attempts,
             COUNT(*) FILTER (WHERE status IN (${list(sentStatuses)}))::bigint AS sent,
             COUNT(*) FILTER (WHERE status = 'delivered')::bigint AS delivered,
             COUNT(*) FILTER (WHERE status IN (${list(failedStatuses)}))::bigint AS failed
      FROM "Communication"
      WHERE ${within(Prisma.sql`"createdAt"`, range)} ${caseIdInScope(Prisma.sql`"caseId"`, scope)}
      GROUP BY channel ORDER BY channel`;
}

export async function funnelReport({ db, range, scope, source }: { db: Db; range: Period; scope?: ReportScope; source?: ReportSource }): Promise<TFunnelReport> {
  const from = source ?? scopedSource(scope);
  const [channels, [tasks], events, skipped, page] = await Promise.all([
    from === 'aggregates' ? channelsFromAggregates(db, range.start, range.cutoff, { sent: sentStatuses, failed: failedStatuses }) : channelsFromRows(db, range, scope),
    db.$queryRaw<{ created: bigint; worked: bigint; rpc: bigint }[]>`
      SELECT COUNT(*) FILTER (WHERE t.kind = 'call' AND ${within(Prisma.sql`t."createdAt"`, range)})::bigint AS created,
             COUNT(*) FILTER (WHERE ${within(Prisma.sql`t."completedAt"`, range)})::bigint AS worked,
             COUNT(*) FILTER (WHERE ${within(Prisma.sql`t."completedAt"`, range)} AND t."outcome" IN (${list(rightPartyOutcomes)}))::bigint AS rpc
      FROM "Task" t
      WHERE TRUE ${caseIdInScope(Prisma.sql`t."caseId"`, scope)}`,
    db.$queryRaw<{ action: string; kind: string | null; channel: string | null; intent: string | null; count: bigint }[]>`
      SELECT action, data ->> 'kind' AS kind, data ->> 'channel' AS channel, data ->> 'intent' AS intent, COUNT(*)::bigint AS count
      FROM "AuditEvent"
      WHERE action IN (${list([
        auditAction.arrangementMade,
        auditAction.arrangementKept,
        auditAction.arrangementBroken,
        auditAction.holdStarted,
        auditAction.optedOut,
        auditAction.replyReceived,
      ])}) AND ${within(Prisma.sql`at`, range)} ${caseIdInScope(Prisma.sql`"caseId"`, scope)}
        -- A manager approving a pending settlement puts the same arrangement in force again.
        AND NOT (action = ${auditAction.arrangementMade} AND data ? 'approvedBy')
      GROUP BY 1, 2, 3, 4`,
    db.$queryRaw<{ reason: string | null; count: bigint }[]>`
      SELECT regexp_replace(substring(data ->> 'detail' from 'skipped: (.*)$'), '[0-9]+', 'N', 'g') AS reason, COUNT(*)::bigint AS count
      FROM "AuditEvent"
      WHERE action = ${auditAction.stepSkipped} AND ${within(Prisma.sql`at`, range)} ${caseIdInScope(Prisma.sql`"caseId"`, scope)}
      GROUP BY 1 ORDER BY 2 DESC, 1`,
    pageFunnel({ db, range, scope, source: from }),
  ]);

  const count = (action: string, test: (row: (typeof events)[number]) => boolean = () => true) =>
    events.filter((row) => row.action === action && test(row)).reduce((sum, row) => sum + num(row.count), 0);
  const byField = (action: string, field: 'kind' | 'channel' | 'intent') => {
    const totals = new Map<string, number>();
    for (const row of events.filter((candidate) => candidate.action === action)) {
      const key = row[field] ?? 'unknown';
      totals.set(key, (totals.get(key) ?? 0) + num(row.count));
    }
    return [...totals].map(([key, value]) => ({ key, count: value })).sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
  };
  const arrangement = (kind: string) => ({
    made: count(auditAction.arrangementMade, (row) => row.kind === kind),
    kept: count(auditAction.arrangementKept, (row) => row.kind === kind),
    broken: count(auditAction.arrangementBroken, (row) => row.kind === kind),
  });
  const promises = arrangement('promise');
  const plans = arrangement('plan');

  return {
    report: 'funnel',
    asOf: range.date,
    from: range.from,
    channels: channels.map((row) => ({ channel: row.channel, attempts: num(row.attempts), sent: num(row.sent), delivered: num(row.delivered), failed: num(row.failed) })),
    calls: { tasksCreated: num(tasks?.created), tasksWorked: num(tasks?.worked), rightPartyContacts: num(tasks?.rpc) },
    replies: byField(auditAction.replyReceived, 'intent'),
    promises: { ...promises, keptRate: ratio(promises.kept, promises.kept + promises.broken) },
    plans: { started: plans.made, completed: plans.kept, broken: plans.broken, completedRate: ratio(plans.kept, plans.kept + plans.broken) },
    settlements: arrangement('settlement'),
    disputes: count(auditAction.holdStarted, (row) => row.kind === 'dispute'),
    optOuts: byField(auditAction.optedOut, 'channel'),
    holds: byField(auditAction.holdStarted, 'kind'),
    skippedByRule: skipped.map((row) => ({ key: row.reason ?? 'unknown', count: num(row.count) })),
    page,
  };
}

/** One line per figure: section, key, metric, value. */
export function funnelTable(report: TFunnelReport): SyncTable {
  const rows: unknown[][] = [];
  for (const channel of report.channels) {
    for (const metric of ['attempts', 'sent', 'delivered', 'failed'] as const) rows.push(['channels', channel.channel, metric, channel[metric]]);
  }
  for (const [metric, value] of Object.entries(report.calls)) rows.push(['calls', '', metric, value]);
  for (const section of ['promises', 'plans', 'settlements'] as const) {
    for (const [metric, value] of Object.entries(report[section])) rows.push([section, '', metric, value]);
  }
  rows.push(['disputes', '', 'count', report.disputes]);
  for (const section of ['replies', 'optOuts', 'holds', 'skippedByRule'] as const) {
    for (const row of report[section]) rows.push([section, row.key, 'count', row.count]);
  }
  for (const row of report.page) {
    const key = row.arm ? `${row.strategy}/${row.arm}` : row.strategy;
    for (const metric of ['messagesSent', 'linksOpened', 'identityConfirmed', 'paid', 'plan', 'promise', 'dispute'] as const) rows.push(['page', key, metric, row[metric]]);
  }
  return table('Funnel', ['section', 'key', 'metric', 'value'], rows);
}

export const funnelCsv = (report: TFunnelReport): string => tableCsv(funnelTable(report));
