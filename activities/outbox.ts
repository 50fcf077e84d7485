import { ApplicationFailure } from '@temporalio/activity';
import type { Db } from '../lib/db.js';
import type { MessageChannel } from '../domain/strategy.js';

/**
 * The communications table is the outbox: a row keyed by case, step and run is written before
 * the provider is called and checked on every retry, so a retried send does not go out twice.
 */

export interface RenderedMessage {
  channel: MessageChannel;
  template: string;
  recipient: string;
  subject?: string;
  body: string;
}

export interface SendResult {
  communicationId: string;
  providerId: string | null;
  /** True when an earlier attempt had already sent it. */
  duplicate: boolean;
}

export interface Delivery {
  provider: string;
  providerId: string;
}

/** Raised by a channel adapter when the address or number can never receive the message. */
export class PermanentDeliveryError extends Error {
  override name = 'PermanentDeliveryError';
}

export async function deliverOnce({
  db,
  caseId,
  stepId,
  idempotencyKey,
  message,
  deliver,
}: {
  db: Db;
  caseId: string;
  stepId: string;
  idempotencyKey: string;
  message: RenderedMessage;
  deliver: (communicationId: string) => Promise<Delivery>;
}): Promise<SendResult> {
  const row = await db.communication.upsert({
    where: { idempotencyKey },
    create: { caseId, stepId, idempotencyKey, ...message, status: 'pending' },
    update: {},
  });
  if (row.status === 'sent' || row.status === 'delivered') {
    return { communicationId: row.id, providerId: row.providerId, duplicate: true };
  }
  if (row.status === 'failed') {
    throw ApplicationFailure.nonRetryable(row.error ?? 'recipient rejected', 'InvalidRecipient');
  }
  try {
    const { provider, providerId } = await deliver(row.id);
    await db.communication.update({
      where: { id: row.id },
      data: { status: 'sent', provider, providerId, sentAt: new Date(), error: null },
    });
    return { communicationId: row.id, providerId, duplicate: false };
  } catch (error) {
    // Provider messages can quote the address; keep only what is safe to store in history.
    const reason = error instanceof Error ? error.message : String(error);
    if (error instanceof PermanentDeliveryError) {
      await db.communication.update({ where: { id: row.id }, data: { status: 'failed', error: reason } });
      throw ApplicationFailure.nonRetryable(reason, 'InvalidRecipient');
    }
    await db.communication.update({ where: { id: row.id }, data: { error: reason } });
    throw new Error(`${message.channel} provider unavailable: ${reason}`);
  }
}
