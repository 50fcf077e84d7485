import { ActivityFailure, condition, continueAsNew, proxyActivities, setHandler, TimeoutFailure, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { webhookOutboxSignal, type WebhookDeliveryInput } from './webhook-delivery-messages.js';

/**
 * Delivers one subscription's outbound events (activities/webhook-delivery.ts), in outbox order so
 * each case's events arrive in the order it recorded them. Temporal is the durable job: a receiver
 * that is down fails the delivery activity, which Temporal retries with exponential backoff (the
 * worker's policy) until it answers, across worker restarts; an outage longer than the policy's
 * `disableAfterMs` times the activity out, and the subscription is disabled with an alert.
 */

const setup = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: { maximumInterval: '1 minute' } });

/** Runs between continue-as-new: each is a few events of history. */
const runsPerHistory = 500;

export async function webhookDeliveryWorkflow({ subscriptionId }: WebhookDeliveryInput): Promise<'disabled' | 'gone'> {
  let woken = false;
  setHandler(webhookOutboxSignal, () => {
    woken = true;
  });
  const policy = await setup.webhookDeliveryPolicy();
  const delivery = proxyActivities<Activities>({
    // One run posts up to a batch, heartbeating after each: a killed worker is noticed in seconds.
    startToCloseTimeout: '5 minutes',
    heartbeatTimeout: '10 seconds',
    scheduleToCloseTimeout: policy.disableAfterMs,
    retry: { initialInterval: policy.firstRetryMs, backoffCoefficient: 2, maximumInterval: policy.maxRetryMs },
  });

  for (let run = 0; run < runsPerHistory && !workflowInfo().continueAsNewSuggested; run++) {
    woken = false;
    try {
      const result = await delivery.deliverWebhooks({ subscriptionId });
      if (result.gone) return 'gone';
      if (!result.more) await condition(() => woken, policy.pollMs);
    } catch (error) {
      // Retried for the whole allowance and never answered: the receiver has been down too long.
      // (The server reports the last attempt's failure with retry state TIMEOUT when no retry fits.)
      if (error instanceof ActivityFailure && (error.retryState === 'TIMEOUT' || error.cause instanceof TimeoutFailure)) {
        await setup.disableWebhookSubscription({ subscriptionId, failingForMs: policy.disableAfterMs });
        return 'disabled';
      }
      throw error;
    }
  }
  // Wake-ups that arrived during the last run are not lost: the next run reads the outbox first.
  return continueAsNew<typeof webhookDeliveryWorkflow>({ subscriptionId });
}
