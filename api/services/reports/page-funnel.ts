import { z } from 'zod';
import { Prisma } from '../../../generated/prisma/client.js';
import type { Db } from '../../../lib/db.js';
import { sentFromAggregates } from '../../../records/funnel-aggregates.js';
import { PageEvent } from '../debtor-page/events.js';
import { num, ratio } from './as-of.js';
import { sentStatuses } from './audit-vocabulary.js';
import { within, type Period } from './period.js';
import type { ReportSource } from './report-source.js';
import { caseIdInScope, caseInScope, type ReportScope } from './scope.js';

/**
 * The debtor page's part of the funnel, per strategy and champion/challenger arm: messages sent →
 * messages whose page link was opened → of those, identity confirmed → what the person did there
 * (paid, plan, promise, dispute). Page events carry the message that brought the person, its
 * strategy and arm (api/services/debtor-page/events.ts), so a manager sees which message earns money.
 */

export const ZPageFunnelRow = z.object({
  strategy: z.string(),
  /** Champion/challenger arm; null for cases without a split. */
  arm: z.string().nullable(),
  messagesSent: z.number().int(),
  /** Messages whose link was opened at least once. */
  linksOpened: z.number().int(),
  /** Messages whose visit confirmed the person's identity. */
  identityConfirmed: z.number().int(),
  paid: z.number().int(),
  plan: z.number().int(),
  promise: z.number().int(),
  dispute: z.number().int(),
  /** Links opened per message sent. */
  openRate: z.number().nullable(),
  /** Payments, plans and promises per link opened. */
  conversionRate: z.number().nullable(),
});
export type TPageFunnelRow = z.infer<typeof ZPageFunnelRow>;

const list = (values: readonly string[]) => Prisma.join(values.map((value) => Prisma.sql`${value}`));
const pageActions = [PageEvent.opened, PageEvent.identityConfirmed, PageEvent.paid, PageEvent.plan, PageEvent.promise, PageEvent.dispute] as const;

/** Messages sent per strategy and arm, from the funnel's aggregates (records/funnel-aggregates.ts) or the rows. */
export async function pageFunnel({ db, range, scope, source = 'rows' }: { db: Db; range: Period; scope?: ReportScope | undefined; source?: ReportSource }): Promise<TPageFunnelRow[]> {
  const [sent, events] = await Promise.all([
    source === 'aggregates'
      ? sentFromAggregates(db, range.start, range.cutoff, sentStatuses)
      : db.$queryRaw<{ strategy: string; arm: string | null; count: bigint }[]>`
      SELECT s.key AS strategy, c.arm AS arm, COUNT(*)::bigint AS count
      FROM "Communication" m JOIN "Case" c ON c.id = m."caseId" JOIN "Strategy" s ON s.id = c."strategyId"
      WHERE m.status IN (${list(sentStatuses)}) AND ${within(Prisma.sql`m."createdAt"`, range)} ${caseInScope(scope)}
      GROUP BY 1, 2`,
    db.$queryRaw<{ strategy: string | null; arm: string | null; action: string; messages: bigint; count: bigint }[]>`
      SELECT data ->> 'strategy' AS strategy, data ->> 'arm' AS arm, action,
             COUNT(DISTINCT data ->> 'communicationId')::bigint AS messages, COUNT(*)::bigint AS count
      FROM "AuditEvent"
      WHERE action IN (${list(pageActions)}) AND ${within(Prisma.sql`at`, range)} ${caseIdInScope(Prisma.sql`"caseId"`, scope)}
      GROUP BY 1, 2, 3`,
  ]);
  const rows = new Map<string, TPageFunnelRow>();
  const row = (strategy: string, arm: string | null) => {
    const key = JSON.stringify([strategy, arm]);
    let found = rows.get(key);
    if (!found) {
      found = { strategy, arm, messagesSent: 0, linksOpened: 0, identityConfirmed: 0, paid: 0, plan: 0, promise: 0, dispute: 0, openRate: null, conversionRate: null };
      rows.set(key, found);
    }
    return found;
  };
  for (const line of sent) row(line.strategy, line.arm).messagesSent += num(line.count);
  for (const line of events) {
    const target = row(line.strategy ?? 'unknown', line.arm);
    if (line.action === PageEvent.opened) target.linksOpened += num(line.messages);
    else if (line.action === PageEvent.identityConfirmed) target.identityConfirmed += num(line.messages);
    else if (line.action === PageEvent.paid) target.paid += num(line.count);
    else if (line.action === PageEvent.plan) target.plan += num(line.count);
    else if (line.action === PageEvent.promise) target.promise += num(line.count);
    else if (line.action === PageEvent.dispute) target.dispute += num(line.count);
  }
  return [...rows.values()]
    .map((line) => ({ ...line, openRate: ratio(line.linksOpened, line.messagesSent), conversionRate: ratio(line.paid + line.plan + line.promise, line.linksOpened) }))
    .sort((a, b) => a.strategy.localeCompare(b.strategy) || (a.arm ?? '').localeCompare(b.arm ?? ''));
}
