import { ApplicationFailure, Context } from '@temporalio/activity';
import { Webhook } from 'standardwebhooks';
import type { Db } from '../lib/db.js';
import type { WebhookDeliveryPolicy, WebhookDeliveryRun } from '../workflows/webhook-delivery-messages.js';
import { privateTargetReason } from '../lib/public-address.js';

/**
 * Posting a subscription's outbound events (workflows/webhook-delivery.ts), signed by the
 * Standard Webhooks specification with the `standardwebhooks` library: `webhook-id` (the event's
 * id, the same on every attempt and replay, so a receiver drops repeats), `webhook-timestamp`,
 * `webhook-signature`. Pending deliveries go out in outbox order and a run stops at the first
 * one the receiver does not take (anything but 2xx), so a case's later events never overtake it.
 * Every attempt is written to the delivery log before the next.
 */

export interface WebhookDeliverySettings extends WebhookDeliveryPolicy {
  /** How long one POST may take. */
  timeoutMs: number;
  /** Deliveries one run posts before it hands back to the workflow. */
  batchSize: number;
  /** Receivers on loopback or private networks are posted to as well (WEBHOOK_ALLOW_PRIVATE_URLS). */
  allowPrivateUrls: boolean;
}

export const defaultWebhookDelivery: WebhookDeliverySettings = {
  firstRetryMs: 5_000,
  maxRetryMs: 3_600_000,
  disableAfterMs: 5 * 86_400_000,
  pollMs: 60_000,
  timeoutMs: 10_000,
  batchSize: 50,
  allowPrivateUrls: false,
};

/** The failure type of a delivery the receiver did not take; Temporal retries it with backoff. */
export const webhookDeliveryFailed = 'WebhookDeliveryFailed';

/** Headers of one signed delivery. */
export function signedHeaders(secret: string, eventId: string, body: string, at: Date): Record<string, string> {
  return {
    'content-type': 'application/json',
    'webhook-id': eventId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(eventId, at, body),
    'user-agent': 'dunning-engine-webhooks/1',
  };
}

/** What a receiver answered, or why it did not: the status, and a short reason for the log. */
async function post(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<{ status: number | null; error: string | null }> {
  try {
    // No redirects: a receiver that moved must be re-subscribed, not followed blindly.
    const response = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel().catch(() => undefined);
    return { status: response.status, error: response.ok ? null : `receiver answered ${response.status}` };
  } catch (error) {
    const cause = (error as { cause?: { code?: unknown } }).cause;
    const code = typeof cause?.code === 'string' ? cause.code : (error as Error).name;
    return { status: null, error: `no answer (${code})` };
  }
}

/**
 * Outbox order, except that each case's events take its own order among the slots they hold: two
 * projection writes of one case that committed out of order (a side effect's write racing the main
 * loop's) still go out in the case's order while both wait.
 */
export function inCaseOrder<T extends { position: bigint; event: { caseId: string; caseSeq: number } }>(pending: readonly T[]): T[] {
  const byCase = new Map<string, T[]>();
  for (const delivery of pending) byCase.set(delivery.event.caseId, [...(byCase.get(delivery.event.caseId) ?? []), delivery]);
  for (const list of byCase.values()) list.sort((a, b) => a.event.caseSeq - b.event.caseSeq || (a.position < b.position ? -1 : 1));
  return pending.map((delivery) => byCase.get(delivery.event.caseId)!.shift()!);
}

export function createWebhookDeliveryActivities({ db, settings = defaultWebhookDelivery }: { db: Db; settings?: WebhookDeliverySettings | undefined }) {
  return {
    /** The retry and disabling policy, read once by each workflow run. */
    async webhookDeliveryPolicy(): Promise<WebhookDeliveryPolicy> {
      const { firstRetryMs, maxRetryMs, disableAfterMs, pollMs } = settings;
      return { firstRetryMs, maxRetryMs, disableAfterMs, pollMs };
    },

    /** Posts the subscription's pending deliveries in order; fails (to be retried) at the first the receiver refuses. */
    async deliverWebhooks({ subscriptionId }: { subscriptionId: string }): Promise<WebhookDeliveryRun> {
      const subscription = await db.webhookSubscription.findUnique({ where: { id: subscriptionId } });
      if (!subscription || subscription.status !== 'active') return { delivered: 0, more: false, gone: true };
      const pending = await db.webhookDelivery.findMany({
        where: { subscriptionId, status: 'pending' },
        orderBy: { position: 'asc' },
        take: settings.batchSize,
        include: { event: { select: { payload: true, caseId: true, caseSeq: true } } },
      });
      let delivered = 0;
      // Checked before every run: the receiver's name may point elsewhere since it was saved.
      const refused = settings.allowPrivateUrls || pending.length === 0 ? null : await privateTargetReason(subscription.url);
      for (const delivery of inCaseOrder(pending)) {
        Context.current().heartbeat(delivered);
        const body = JSON.stringify(delivery.event.payload);
        const at = new Date();
        const answer = refused ? { status: null, error: `not sent: ${refused}` } : await post(subscription.url, signedHeaders(subscription.secret, delivery.eventId, body, at), body, settings.timeoutMs);
        const ok = answer.error === null;
        await db.webhookDelivery.update({
          where: { id: delivery.id },
          data: { attempts: { increment: 1 }, lastAttemptAt: at, lastStatus: answer.status, lastError: answer.error, ...(ok ? { status: 'delivered', deliveredAt: new Date() } : {}) },
        });
        if (!ok) {
          await db.webhookSubscription.updateMany({ where: { id: subscriptionId, failingSince: null }, data: { failingSince: at } });
          throw ApplicationFailure.retryable(`delivery of ${delivery.eventId} failed: ${answer.error}`, webhookDeliveryFailed);
        }
        delivered += 1;
      }
      if (subscription.failingSince) await db.webhookSubscription.update({ where: { id: subscriptionId }, data: { failingSince: null } });
      return { delivered, more: pending.length === settings.batchSize, gone: false };
    },

    /**
     * Gives up on a receiver down for too long: the subscription is disabled (its events stop
     * queueing; a replay after re-enabling sends what it missed), with an audit event and a task
     * for a manager. Safe to retry: the task is keyed by the outage's start.
     */
    async disableWebhookSubscription({ subscriptionId, failingForMs }: { subscriptionId: string; failingForMs: number }): Promise<void> {
      const subscription = await db.webhookSubscription.findUnique({ where: { id: subscriptionId } });
      if (!subscription) return;
      const since = subscription.failingSince ?? new Date(Date.now() - failingForMs);
      const pending = await db.webhookDelivery.count({ where: { subscriptionId, status: 'pending' } });
      const hours = Math.round(failingForMs / 360_000) / 10;
      const reason = `no delivery to ${new URL(subscription.url).host} succeeded since ${since.toISOString()} (${hours} h); ${pending} event(s) undelivered`;
      const key = `webhook-disabled:${subscriptionId}:${since.toISOString()}`;
      await db.$transaction([
        db.webhookSubscription.update({ where: { id: subscriptionId }, data: { status: 'disabled', disabledAt: subscription.disabledAt ?? new Date(), disabledReason: reason } }),
        db.auditEvent.upsert({
          where: { idempotencyKey: key },
          create: { actor: 'system', action: 'webhook_subscription_disabled', idempotencyKey: key, data: { subscriptionId, ownerKeyId: subscription.ownerKeyId, failingSince: since.toISOString(), pending } },
          update: {},
        }),
        db.task.upsert({
          where: { idempotencyKey: key },
          create: { kind: 'webhook_disabled', reason: `webhook subscription ${subscriptionId} disabled: ${reason}; fix the receiver, enable it and replay what it missed`, idempotencyKey: key, priority: 100 },
          update: {},
        }),
      ]);
    },
  };
}
