import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { SkipTraceInput, SkipTraceOutcome } from './skip-trace-messages.js';

/**
 * A skip trace: a task's or a manager's request to a vendor for people's current contacts
 * (activities/skip-trace.ts). Temporal is the durable job: a vendor that fails is retried with
 * backoff until it answers, across worker restarts, so no request is lost; one the vendor refuses
 * for good ends failed with the reason. HTTP asks person by person (a few at a time); CSV sends
 * the batch as one file and looks for the results file until the vendor has it.
 */

const vendor = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/**
 * Looking for a CSV batch's results: the activity fails while the vendor is still working and
 * Temporal retries it, further apart each time (polling by retries keeps the history small).
 */
const batchResults = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/** People asked at once over HTTP. */
const concurrent = 4;

export async function skipTraceWorkflow({ batchId, requestIds, mode }: SkipTraceInput): Promise<SkipTraceOutcome[]> {
  if (mode === 'csv') {
    const vendorBatchId = await vendor.submitSkipTraceBatch({ batchId, requestIds });
    if (vendorBatchId === null) return requestIds.map((requestId) => ({ requestId, status: 'failed', found: 0 }));
    return batchResults.collectSkipTraceBatch({ batchId, vendorBatchId, requestIds });
  }
  const outcomes: SkipTraceOutcome[] = [];
  for (let start = 0; start < requestIds.length; start += concurrent) {
    outcomes.push(...(await Promise.all(requestIds.slice(start, start + concurrent).map((requestId) => vendor.runSkipTrace({ requestId })))));
  }
  return outcomes;
}
