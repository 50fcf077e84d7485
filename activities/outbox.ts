import { createHash } from 'node:crypto';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Db } from '../lib/db.js';
import type { MessageChannel } from '../domain/strategy.js';
import { leftUsStatuses } from '../domain/template-delivery.js';
import { claimAttempt, openCommunication, recordSent } from '../records/outbox-writes.js';
import { throwIfAbandoned } from './heartbeat.js';

/**
 * The communications table is the outbox: a row keyed by case, step and run is written before
 * the provider is called and checked on every retry, so a retried send does not go out twice.
 *
 * A worker can die after the provider accepted a message and before the row says so. To cover
 * that gap the row is marked `sending` before each provider call; a retry that finds it so asks
 * the provider first (`reconcile`) and only sends again when the provider has no such message.
 * Every step is kept as a CommunicationEvent.
 *
 * The database can also fail in that gap: the provider accepted the message and the `sent` record
 * cannot be written (PostgreSQL restarting). Then the record is retried with backoff within the
 * attempt's time, and the delivery is kept in this process until it is recorded, so a retry of the
 * activity records it instead of sending again — which matters most for email, as an SMTP server
 * cannot be asked what it received. What remains is a retry on another worker process after such
 * a loss, or a worker killed between the provider's answer and the record: then an email goes
 * again, with the same Message-ID (SECURITY.md). Likewise a worker taken for dead while alive (its
 * heartbeats did not reach the server for the heartbeat timeout, workflows/case/activities.ts)
 * during its provider call; before the call, an attempt the server gave up stops.
 */

export interface RenderedMessage {
  channel: MessageChannel;
  template: string;
  recipient: string;
  subject?: string | undefined;
  body: string;
  html?: string | null;
  templateLanguage?: string | null;
  templateVersion?: number | null;
}

export interface SendResult {
  communicationId: string;
  providerId: string | null;
  /** True when an earlier attempt had already sent it. */
  duplicate: boolean;
}

/** What the provider said, plus what is worth keeping about this send. */
export interface Delivery {
  provider: string;
  providerId: string;
  segments?: number | null;
  encoding?: string | null;
  price?: string | null;
  priceUnit?: string | null;
  documentPath?: string | null;
  documentSha256?: string | null;
}

/** The stored row as a channel adapter needs it. */
export interface OutboxRow {
  id: string;
  createdAt: Date;
  /** When the interrupted attempt began; set only when reconciling. */
  sendingAt: Date | null;
}

/** Raised by a channel adapter when the address or number can never receive the message. */
export class PermanentDeliveryError extends Error {
  override name = 'PermanentDeliveryError';
}

/** Failure types the workflow reacts to (ApplicationFailure.type). */
export const SendFailureType = {
  /** The address/number cannot receive: mark the contact invalid, run the fallback channel. */
  invalidRecipient: 'InvalidRecipient',
  /** The contact rules at send time forbid it (opt-out, no consent): skip, do not invalidate. */
  contactNotPermitted: 'ContactNotPermitted',
  /** The step cannot be rendered or sent as configured (no template, too long): skip and alert. */
  stepMisconfigured: 'StepMisconfigured',
  /** The rendered message lacks a required disclosure or opt-out, or threatens suit on a time-barred debt: not sent. */
  contentRefused: 'ContentRefused',
} as const;

/** Why a send must not go out, as `permit` answers it. */
export interface SendRefusal {
  reason: string;
  /** The address is known to be dead (a bounce recorded since the case decided to send). */
  invalid?: boolean;
  /** The message itself may not go out as rendered (domain/message-content.ts). */
  content?: boolean;
}

/**
 * The communication id a send will have, known before the row exists: derived from the
 * idempotency key (a UUID-shaped SHA-256), so links and addresses minted into the message body
 * (unsubscribe, reply token, Message-ID) are the same on every attempt.
 */
export function communicationIdFor(idempotencyKey: string): string {
  const bytes = createHash('sha256').update(`communication:${idempotencyKey}`).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80; // version 8: custom
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Deliveries a provider accepted whose `sent` is not recorded yet, by communication id (this process only). */
const acceptedUnrecorded = new Map<string, Delivery>();

/** Until when an attempt may keep retrying its record: its start-to-close timeout less a margin, else 30 s. */
function recordDeadline(startedAt: number): number {
  let timeoutMs = 40_000;
  try {
    timeoutMs = Context.current().info.startToCloseTimeoutMs;
  } catch {
    // Not running as an activity (tests, scripts).
  }
  return startedAt + Math.max(timeoutMs - 10_000, 5_000);
}

/** Runs `write` until it succeeds or the deadline passes (backoff from 250 ms to 4 s), then rethrows. */
async function untilRecorded(write: () => Promise<void>, deadline: number): Promise<void> {
  for (let delayMs = 250; ; delayMs = Math.min(delayMs * 2, 4_000)) {
    try {
      await write();
      return;
    } catch (error) {
      if (Date.now() + delayMs > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

export async function deliverOnce({
  db,
  caseId,
  stepId,
  idempotencyKey,
  message,
  note,
  permit,
  reconcile,
  deliver,
}: {
  db: Db;
  caseId: string;
  stepId: string;
  idempotencyKey: string;
  message: RenderedMessage;
  /** Said about this send in its `sending` event (e.g. that the SMS was shortened). */
  note?: string | undefined;
  /** Why the message must not go out now, or null; asked before every provider call. */
  permit?: () => Promise<SendRefusal | null>;
  /** Looks for the message at the provider after an interrupted attempt; null when absent. */
  reconcile?: (row: OutboxRow) => Promise<Delivery | null>;
  deliver: (row: OutboxRow) => Promise<Delivery>;
}): Promise<SendResult> {
  const startedAt = Date.now();
  const row = await openCommunication(db, { id: communicationIdFor(idempotencyKey), caseId, stepId, idempotencyKey, ...message });
  const event = (status: string, detail: string) => db.communicationEvent.create({ data: { communicationId: row.id, status, detail } });
  // One statement (records/outbox-writes.ts); the provider's own report ("delivered") can arrive before it: never moved back.
  const markSent = (delivery: Delivery, status: string, detail: string) => recordSent(db, row.id, delivery, { status, detail });

  if (row.sentAt || leftUsStatuses.includes(row.status)) {
    return { communicationId: row.id, providerId: row.providerId, duplicate: true };
  }
  if (row.status === 'failed') throw ApplicationFailure.nonRetryable(row.error ?? 'recipient rejected', SendFailureType.invalidRecipient);

  // An earlier attempt in this process got the provider's answer but could not record it.
  const unrecorded = row.status === 'sending' ? acceptedUnrecorded.get(row.id) : undefined;
  if (unrecorded) {
    await markSent(unrecorded, 'reconciled', `accepted by ${unrecorded.provider} in an earlier attempt that could not record it; not sent again`);
    acceptedUnrecorded.delete(row.id);
    return { communicationId: row.id, providerId: unrecorded.providerId, duplicate: true };
  }

  if (row.status === 'sending' && reconcile) {
    const found = await reconcile({ id: row.id, createdAt: row.createdAt, sendingAt: row.sendingAt });
    if (found) {
      await markSent(found, 'reconciled', 'an interrupted attempt had reached the provider; not sent again');
      return { communicationId: row.id, providerId: found.providerId, duplicate: true };
    }
  }

  const refusal = permit ? await permit() : null;
  if (refusal) {
    const status = refusal.invalid ? 'failed' : refusal.content ? 'refused' : 'suppressed';
    await db.$transaction([
      db.communication.update({ where: { id: row.id }, data: { status, error: refusal.reason } }),
      event(status, refusal.reason),
    ]);
    const type = refusal.invalid ? SendFailureType.invalidRecipient : refusal.content ? SendFailureType.contentRefused : SendFailureType.contactNotPermitted;
    throw ApplicationFailure.nonRetryable(refusal.reason, type);
  }

  // Claim this attempt with its `sending` event; a concurrent attempt (a worker presumed dead) loses and retries later.
  const after = row.status === 'sending' ? (reconcile ? ' after an interrupted attempt the provider has no record of' : ' after an interrupted attempt') : '';
  const claimed = await claimAttempt(db, { id: row.id, attempts: row.attempts, detail: `attempt ${row.attempts + 1}${after}${note ? `; ${note}` : ''}` });
  if (!claimed) throw new Error(`${message.channel} send is being attempted elsewhere; retrying`);

  // An attempt the server timed out (a stalled worker) stops here; its retry reconciles the row.
  throwIfAbandoned();
  let delivery: Delivery;
  try {
    delivery = await deliver({ id: row.id, createdAt: row.createdAt, sendingAt: null });
  } catch (error) {
    // Provider messages can quote the address; keep only what is safe to store in history.
    const reason = error instanceof Error ? error.message : String(error);
    if (error instanceof PermanentDeliveryError) {
      await db.$transaction([db.communication.update({ where: { id: row.id }, data: { status: 'failed', error: reason } }), event('failed', reason)]);
      throw ApplicationFailure.nonRetryable(reason, SendFailureType.invalidRecipient);
    }
    if (error instanceof ApplicationFailure && error.nonRetryable) {
      await db.$transaction([db.communication.update({ where: { id: row.id }, data: { status: 'failed', error: reason } }), event('failed', reason)]);
      throw error;
    }
    // The outcome may be unknown (timeout, reset): the row stays `sending` so the retry reconciles.
    await db.$transaction([db.communication.update({ where: { id: row.id }, data: { error: reason } }), event('attempt_failed', reason)]);
    throw new Error(`${message.channel} provider unavailable: ${reason}`);
  }

  // Sent: from here on nothing may send it again. Remember the answer until the record holds.
  acceptedUnrecorded.set(row.id, delivery);
  try {
    await untilRecorded(() => markSent(delivery, 'sent', `accepted by ${delivery.provider}`), recordDeadline(startedAt));
  } catch (error) {
    // The driver's last line says why (Prisma's first lines quote our source).
    const reason = (error instanceof Error ? error.message : String(error)).trim().split('\n').at(-1);
    throw new Error(`${message.channel} accepted by ${delivery.provider} but not recorded (${reason}); a retry records it without sending again`);
  }
  acceptedUnrecorded.delete(row.id);
  return { communicationId: row.id, providerId: delivery.providerId, duplicate: false };
}
