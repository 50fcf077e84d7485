import type { Prisma } from '../generated/prisma/client.js';

/**
 * What was said on a case, as recorded: every message we sent with its delivery trail, and what
 * the debtor sent back. The communications export (API) and the case file (API and the agency
 * and legal activities) read it here.
 */

/** A case's communications with their status events, and its inbound messages, oldest first. */
export async function caseCommunications(db: Prisma.TransactionClient, caseId: string) {
  // One after the other, not Promise.all: inside a transaction the reads share one connection.
  const communications = await db.communication.findMany({
    where: { caseId },
    orderBy: { createdAt: 'asc' },
    include: { events: { orderBy: [{ at: 'asc' }, { id: 'asc' }] } },
  });
  const inbound = await db.inboundMessage.findMany({ where: { caseId }, orderBy: { receivedAt: 'asc' } });
  return { communications, inbound };
}
