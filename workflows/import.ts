import { condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { ImportActivities } from '../api/services/import-slices.js';
import { uploadReceivingSignal, uploadSettledSignal, uploadSilenceLimitMs, type ImportInput } from './import-messages.js';

/**
 * A bulk import (POST /api/v1/accounts/import), one workflow per job. Temporal is the durable
 * job: it waits for the API to store the upload, then runs slices of the file (api/services/import-slices.ts)
 * until the end, each slice reading batches after the cursor, enrolling their rows and committing
 * each batch's outcomes, rejections and cursor in one transaction. A worker that dies mid-slice
 * is noticed by its heartbeat and the slice retried elsewhere from the committed cursor: rows
 * are enrolled idempotently by external id, so a replayed batch changes nothing twice.
 */

const rows = proxyActivities<ImportActivities>({
  // A slice returns after ~20 s of batches; the timeout only bounds a stuck one.
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

// Also the wait for a previous runner's lease to lapse: the adoption fails until then.
const jobs = proxyActivities<ImportActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export async function importWorkflow(input: ImportInput): Promise<void> {
  const { jobId, batchSize, concurrency } = input;
  if (input.adopt) {
    if ((await jobs.adoptRunnerJob({ jobId })) === 'ended') return;
  } else if (!input.resume && (await uploadSettled(jobId)) === 'failed') {
    return;
  }

  let cursor = input.resume?.cursor ?? 0;
  for (;;) {
    const slice = await rows.importSlice({ jobId, afterLine: cursor, batchSize, concurrency });
    if (slice.status === 'failed') return;
    cursor = slice.committedLine;
    if (slice.done) break;
    if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof importWorkflow>({ jobId, batchSize, concurrency, resume: { cursor } });
  }
  await jobs.finishImport({ jobId });
}

/**
 * Waits while the upload streams into the API. When the API falls silent (it died mid-upload),
 * the job's row decides: stored means go on, still receiving means the upload is given up.
 */
async function uploadSettled(jobId: string): Promise<'queued' | 'failed'> {
  let settled: 'queued' | 'failed' | undefined;
  let signs = 0;
  setHandler(uploadSettledSignal, ({ status }) => void (settled = status));
  setHandler(uploadReceivingSignal, () => void signs++);
  while (settled === undefined) {
    const seen = signs;
    if (!(await condition(() => settled !== undefined || signs !== seen, uploadSilenceLimitMs))) settled = await jobs.settleUpload({ jobId });
  }
  return settled;
}
