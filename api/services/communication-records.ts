import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { SignalDefinition } from '@temporalio/common';
import type { ContactChannel } from '../../domain/case-facts.js';
import { statusMayAdvance } from '../../domain/template-delivery.js';
import type { Db } from '../../lib/db.js';

/**
 * What the webhooks write: communication status events (stored once per provider callback),
 * contact standing, case audit lines, and signals to the case. Shared by the inbound services.
 */

/** Stores a status event once (by `idempotencyKey`); moves the communication's status forward only. */
export async function recordCommunicationStatus(
  db: Db,
  {
    communicationId,
    status,
    newStatus,
    detail,
    source,
    data,
    idempotencyKey,
    fields = {},
  }: {
    communicationId: string;
    /** The event as the provider named it (e.g. Twilio's `queued`). */
    status: string;
    /** Our status it implies, when it implies one. */
    newStatus: string | null;
    detail: string;
    source: string;
    data?: object;
    idempotencyKey: string;
    fields?: { providerId?: string; price?: string; priceUnit?: string; deliveredAt?: Date };
  },
): Promise<{ recorded: boolean; advanced: boolean }> {
  return db.$transaction(async (tx) => {
    const created = await tx.communicationEvent.createMany({
      data: [{ communicationId, status, detail, source, idempotencyKey, ...(data ? { data } : {}) }],
      skipDuplicates: true,
    });
    if (created.count === 0) return { recorded: false, advanced: false };
    const current = await tx.communication.findUniqueOrThrow({ where: { id: communicationId }, select: { status: true, providerId: true } });
    const advanced = newStatus !== null && statusMayAdvance(current.status, newStatus);
    const update = {
      ...(advanced ? { status: newStatus } : {}),
      ...(fields.providerId && !current.providerId ? { providerId: fields.providerId } : {}),
      ...(fields.price ? { price: fields.price, priceUnit: fields.priceUnit ?? null } : {}),
      ...(advanced && fields.deliveredAt ? { deliveredAt: fields.deliveredAt } : {}),
    };
    if (Object.keys(update).length > 0) await tx.communication.update({ where: { id: communicationId }, data: update });
    return { recorded: true, advanced };
  });
}

/** The case a communication belongs to, with its debtor. */
export async function communicationCase(db: Db, communicationId: string) {
  return db.communication.findUnique({
    where: { id: communicationId },
    select: { id: true, caseId: true, channel: true, recipient: true, status: true, case: { select: { account: { select: { debtorId: true } } } } },
  });
}

export type CommunicationWithCase = NonNullable<Awaited<ReturnType<typeof communicationCase>>>;

/** Marks the debtor's contact at `address` on `channel` invalid (bounce, unknown number). */
export async function markContactInvalid(db: Db, { debtorId, channel, address }: { debtorId: string; channel: ContactChannel; address: string }) {
  await db.contact.updateMany({ where: { debtorId, channel, value: address }, data: { status: 'invalid' } });
}

/** Records an opt-out (or its withdrawal) on every contact with this address on the channel. */
export async function setOptOut(db: Db, { channel, address, optedOut, source, debtorId }: { channel: ContactChannel; address: string; optedOut: boolean; source: string; debtorId?: string }) {
  const where = { channel, value: address, ...(debtorId ? { debtorId } : {}) };
  if (optedOut) {
    await db.contact.updateMany({ where: { ...where, optedOutAt: null }, data: { optedOutAt: new Date(), optOutSource: source } });
  } else {
    await db.contact.updateMany({ where, data: { optedOutAt: null, optOutSource: null } });
  }
}

export async function auditCase(db: Db, { caseId, actor, action, detail, data, idempotencyKey }: { caseId: string; actor: string; action: string; detail: string; data?: object; idempotencyKey?: string }) {
  await db.auditEvent.createMany({
    data: [{ caseId, actor, action, data: { detail, ...data }, ...(idempotencyKey ? { idempotencyKey } : {}) }],
    skipDuplicates: true,
  });
}

/**
 * Signals a case; false when its workflow has ended (the database record still stands, and a
 * closed case has nothing left to send).
 */
export async function signalCaseIfOpen<Arg>(temporal: Client, caseId: string, signal: SignalDefinition<[Arg]>, arg: Arg): Promise<boolean> {
  try {
    await temporal.workflow.getHandle(caseId).signal(signal, arg);
    return true;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}
