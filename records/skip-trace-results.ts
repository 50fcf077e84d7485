import { storedFinding, type SkipTraceSubject } from '../domain/skip-trace.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { Db } from '../lib/db.js';
import { rescoreDebtorTasks } from './task-queue.js';

/**
 * What a skip trace asks and what it leaves behind: the subject sent to the vendor, and the
 * vendor's findings stored as the person's new contacts (source `skip_trace`, the vendor's
 * confidence, unverified until used successfully or confirmed by an officer), in one transaction
 * with the request's completion, its audit event, the task that asked for it closing itself when
 * something was found, and the person's tasks rescored. A request already completed is left as
 * it is, so a retried activity stores nothing twice.
 */

export interface SkipTraceSummary {
  requestId: string;
  status: 'completed' | 'failed';
  found: number;
}

/** The person the request is about, following a merge to the person that holds the contacts now. */
async function personOf(tx: Prisma.TransactionClient, debtorId: string) {
  const debtor = await tx.debtor.findUniqueOrThrow({ where: { id: debtorId }, select: { id: true, name: true, mergedIntoId: true } });
  return debtor.mergedIntoId ? tx.debtor.findUniqueOrThrow({ where: { id: debtor.mergedIntoId }, select: { id: true, name: true, mergedIntoId: true } }) : debtor;
}

export async function skipTraceSubject(db: Db, requestId: string): Promise<SkipTraceSubject> {
  const request = await db.skipTraceRequest.findUniqueOrThrow({ where: { id: requestId } });
  const person = await personOf(db, request.debtorId);
  const contacts = await db.contact.findMany({ where: { debtorId: person.id, retiredAt: null }, orderBy: { createdAt: 'asc' } });
  const values = (...channels: string[]) => contacts.filter((contact) => channels.includes(contact.channel)).map((contact) => contact.value);
  return { reference: request.id, name: person.name, phones: [...new Set(values('sms', 'phone'))], emails: values('email'), addresses: values('letter') };
}

export async function completeSkipTrace(db: Db, requestId: string, findings: unknown[]): Promise<SkipTraceSummary> {
  return db.$transaction(async (tx) => {
    const request = await tx.skipTraceRequest.findUniqueOrThrow({ where: { id: requestId } });
    if (request.status !== 'pending') return { requestId, status: request.status as SkipTraceSummary['status'], found: request.found };
    const person = await personOf(tx, request.debtorId);
    let found = 0;
    let known = 0;
    const rejected: string[] = [];
    for (const raw of findings) {
      const finding = storedFinding(raw, person.name);
      if (!finding.ok) {
        rejected.push(finding.reason);
        continue;
      }
      const where = { debtorId_channel_value: { debtorId: person.id, channel: finding.channel, value: finding.value } };
      if (await tx.contact.findUnique({ where, select: { id: true } })) {
        known++;
        continue;
      }
      await tx.contact.create({ data: { debtorId: person.id, channel: finding.channel, value: finding.value, source: 'skip_trace', confidence: finding.confidence, skipTraceId: request.id } });
      found++;
    }
    await tx.skipTraceRequest.update({ where: { id: requestId }, data: { status: 'completed', found, completedAt: new Date() } });
    // The values are the person's data: the trail keeps the counts and why findings were left out.
    await tx.auditEvent.create({
      data: { debtorId: person.id, caseId: request.caseId, actor: 'workflow', action: 'skip_trace_completed', data: { requestId, batchId: request.batchId, mode: request.mode, found, known, rejected } },
    });
    if (request.taskId && found > 0) {
      const reason = `skip trace found ${found} new contact${found === 1 ? '' : 's'}`;
      const closed = await tx.task.updateMany({ where: { id: request.taskId, status: { in: ['open', 'claimed'] } }, data: { status: 'cancelled', closedReason: reason, completedAt: new Date() } });
      if (closed.count > 0) await tx.auditEvent.create({ data: { caseId: request.caseId, actor: 'workflow', action: 'task_closed', data: { taskId: request.taskId, kind: 'skip_trace', reason } } });
    }
    if (found > 0) await rescoreDebtorTasks(tx, person.id);
    return { requestId, status: 'completed' as const, found };
  });
}

export async function failSkipTrace(db: Db, requestId: string, error: string): Promise<SkipTraceSummary> {
  await db.skipTraceRequest.updateMany({ where: { id: requestId, status: 'pending' }, data: { status: 'failed', error: error.slice(0, 500), completedAt: new Date() } });
  const request = await db.skipTraceRequest.findUniqueOrThrow({ where: { id: requestId } });
  await db.auditEvent.create({ data: { debtorId: request.debtorId, caseId: request.caseId, actor: 'workflow', action: 'skip_trace_failed', data: { requestId, error: request.error } } });
  return { requestId, status: request.status as SkipTraceSummary['status'], found: request.found };
}

/**
 * A skip-traced contact a message went to and the provider took (the case's `step_done`) was used
 * successfully: it counts as verified from then on. One statement, by the communications' ids.
 */
export async function verifyContactsUsed(tx: Prisma.TransactionClient, caseId: string, communicationIds: string[]): Promise<number> {
  if (communicationIds.length === 0) return 0;
  return tx.$executeRaw`
    UPDATE "Contact" c SET "verifiedAt" = now()
    FROM "Communication" m, "Case" k, "Account" a
    WHERE m.id = ANY(${communicationIds}) AND m."caseId" = ${caseId} AND m.status IN ('sent', 'delivered')
      AND k.id = m."caseId" AND a.id = k."accountId" AND c."debtorId" = a."debtorId"
      AND c.value = m.recipient AND c.source = 'skip_trace' AND c."verifiedAt" IS NULL AND c."retiredAt" IS NULL`;
}
