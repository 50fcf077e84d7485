import type { Prisma } from '../generated/prisma/client.js';
import { fitResponseModel, type FitOptions } from '../domain/simulation/fit.js';
import { observationsOf, type CaseHistory } from '../domain/simulation/history.js';
import type { TResponseModel } from '../domain/simulation/contract.js';

/**
 * The engine's history read from the read model for the simulator's response model: cases started
 * in a period with their contacts (communications sent, call tasks of the timeline), payments not
 * returned, replies (inbound messages), promises (arrangements of kind `promise` and how they
 * ended) and disputes (dispute holds), as domain/simulation/history.ts reads them.
 */

/** Statuses of a communication that never reached the debtor. */
const undelivered = ['bounced', 'undelivered', 'returned', 'failed'];
const batchSize = 1_000;

export async function readCaseHistories(db: Prisma.TransactionClient, { from, to, portfolio }: { from: Date; to: Date; portfolio?: string }): Promise<CaseHistory[]> {
  const cases = await db.case.findMany({
    where: { startedAt: { gte: from, lt: to }, ...(portfolio ? { account: { portfolio } } : {}) },
    select: { id: true, startedAt: true, closedAt: true, account: { select: { originalBalance: true, daysPastDue: true } } },
    orderBy: { startedAt: 'asc' },
  });
  const histories = new Map<string, CaseHistory>(
    cases.map((row) => [
      row.id,
      {
        balance: row.account.originalBalance,
        daysPastDue: row.account.daysPastDue,
        startedAt: row.startedAt.getTime(),
        endedAt: Math.min(to.getTime(), (row.closedAt ?? to).getTime()),
        contacts: [],
        payments: [],
        replies: [],
        promises: [],
        disputes: [],
      },
    ]),
  );
  const ids = [...histories.keys()];
  for (let start = 0; start < ids.length; start += batchSize) {
    const caseId = { in: ids.slice(start, start + batchSize) };
    const [communications, callTasks, payments, replies, events] = await Promise.all([
      db.communication.findMany({ where: { caseId, status: { notIn: ['pending', 'sending'] } }, select: { caseId: true, channel: true, createdAt: true, sentAt: true, status: true } }),
      db.task.findMany({ where: { caseId, kind: 'call', stepId: { not: null } }, select: { caseId: true, createdAt: true } }),
      db.payment.findMany({ where: { caseId, reversedAt: null }, select: { caseId: true, amount: true, receivedAt: true } }),
      db.inboundMessage.findMany({ where: { caseId, kind: { in: ['reply', 'keyword'] } }, select: { caseId: true, intent: true, receivedAt: true } }),
      db.auditEvent.findMany({
        where: { caseId, actor: 'workflow', action: { in: ['arrangement_made', 'arrangement_kept', 'arrangement_broken', 'arrangement_cancelled', 'hold_started'] } },
        select: { caseId: true, action: true, at: true, data: true },
        orderBy: { at: 'asc' },
      }),
    ]);
    for (const row of communications) {
      histories.get(row.caseId)?.contacts.push({ at: (row.sentAt ?? row.createdAt).getTime(), action: row.channel, bounced: undelivered.includes(row.status) });
    }
    for (const row of callTasks) if (row.caseId) histories.get(row.caseId)?.contacts.push({ at: row.createdAt.getTime(), action: 'call', bounced: false });
    for (const row of payments) histories.get(row.caseId)?.payments.push({ at: row.receivedAt.getTime(), amount: row.amount });
    for (const row of replies) if (row.caseId) histories.get(row.caseId)?.replies.push({ at: row.receivedAt.getTime(), intent: row.intent });
    // A promise is made, then kept or broken (or cancelled, which says neither).
    const openPromise = new Map<string, number>();
    for (const row of events) {
      const history = row.caseId ? histories.get(row.caseId) : undefined;
      const data = (row.data ?? {}) as { kind?: string };
      if (!history || !row.caseId) continue;
      if (row.action === 'hold_started' && data.kind === 'dispute') history.disputes.push({ at: row.at.getTime() });
      if (data.kind !== 'promise') continue;
      if (row.action === 'arrangement_made') openPromise.set(row.caseId, row.at.getTime());
      else {
        const madeAt = openPromise.get(row.caseId);
        openPromise.delete(row.caseId);
        if (madeAt !== undefined && row.action !== 'arrangement_cancelled') history.promises.push({ at: madeAt, kept: row.action === 'arrangement_kept' });
      }
    }
  }
  return [...histories.values()];
}

/** Reads a period's history and fits the response model from it. */
export async function fitFromHistory(
  db: Prisma.TransactionClient,
  { from, to, portfolio, ...options }: { from: Date; to: Date; portfolio?: string } & Omit<FitOptions, 'background' | 'fittedFrom'>,
): Promise<TResponseModel> {
  const histories = await readCaseHistories(db, { from, to, ...(portfolio ? { portfolio } : {}) });
  const { observations, background } = observationsOf(histories, options.responseWindowDays);
  return fitResponseModel(observations, { ...options, background, fittedFrom: { from: from.toISOString(), to: to.toISOString(), cases: histories.length } });
}
