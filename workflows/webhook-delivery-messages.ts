import type { Client } from '@temporalio/client';
import { defineSignal } from '@temporalio/workflow';
import { taskQueue } from './case-messages.js';

/**
 * The webhook delivery workflow's contract with its clients (the projection wakes it, the API
 * starts it on a new subscription, a replay or re-enabling): id, input, signal, policy.
 * Side-effect free so the API and the activities can import it.
 */

export interface WebhookDeliveryInput {
  subscriptionId: string;
}

/** How deliveries are retried, and when a subscription is given up on (worker config `webhooks`). */
export interface WebhookDeliveryPolicy {
  /** First retry after a failed delivery, then doubling up to `maxRetryMs`. */
  firstRetryMs: number;
  maxRetryMs: number;
  /** A receiver failing for this long disables its subscription, with an alert. */
  disableAfterMs: number;
  /** A look at the outbox this often without a wake-up (a wake-up lost while Temporal was down). */
  pollMs: number;
}

/** One workflow per subscription: it alone delivers the subscription's events, in outbox order. */
export const webhookDeliveryWorkflowId = (subscriptionId: string) => `webhook-delivery-${subscriptionId}`;

/** New deliveries are waiting in the outbox. */
export const webhookOutboxSignal = defineSignal('webhookOutbox');

/** What one delivery run did: `gone` when the subscription was deleted or disabled meanwhile. */
export interface WebhookDeliveryRun {
  delivered: number;
  /** More pending deliveries than one run takes. */
  more: boolean;
  gone: boolean;
}

/**
 * Wakes each subscription's delivery workflow, starting it if it is not running. Best effort: a
 * wake-up that cannot reach Temporal is caught up by the workflow's own look at the outbox
 * (`pollMs`); `onFailure` hears of it.
 */
export async function wakeWebhookDelivery(temporal: Client, subscriptionIds: readonly string[], onFailure: (subscriptionId: string, error: Error) => void = () => undefined): Promise<void> {
  await Promise.all(
    subscriptionIds.map((subscriptionId) =>
      temporal.workflow
        .signalWithStart('webhookDeliveryWorkflow', {
          workflowId: webhookDeliveryWorkflowId(subscriptionId),
          taskQueue,
          args: [{ subscriptionId } satisfies WebhookDeliveryInput],
          signal: webhookOutboxSignal,
          signalArgs: [],
        })
        .then(
          () => undefined,
          (error: unknown) => onFailure(subscriptionId, error as Error),
        ),
    ),
  );
}
