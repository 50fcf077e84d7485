import { defineSignal } from '@temporalio/workflow';

/**
 * The import workflow's contract with the API (which starts it) and the worker that runs it:
 * task queue, id, input, signals and the job statuses. Side-effect free so the API can import it.
 */

/** Imports run on a queue of their own, so a large file never holds up the cases' activities. */
export const importTaskQueue = 'imports';

export const importWorkflowId = (jobId: string) => `import-${jobId}`;

export const ImportStatus = { receiving: 'receiving', queued: 'queued', running: 'running', completed: 'completed', failed: 'failed' } as const;
export type ImportStatus = (typeof ImportStatus)[keyof typeof ImportStatus];

/** The audit trail's actor for everything a job does; the job row says who uploaded it. */
export const importActor = (jobId: string) => `import:${jobId}`;

export interface ImportInput {
  jobId: string;
  /** Rows committed together with the cursor. */
  batchSize: number;
  /** Rows of the job in flight at once (enrollments and workflow starts). */
  concurrency: number;
  /** Set when continuing as new: the upload is stored and rows up to `cursor` are committed. */
  resume?: { cursor: number };
  /** A job the previous release's runner began: taken over once that runner's lease lapses. */
  adopt?: boolean;
}

/**
 * What a job's (otherwise unused) lease columns say once the workflow owns it: the previous
 * release's runner claims only jobs without an owner or with a lapsed lease, so it leaves these alone.
 */
export const workflowLease = { leaseOwner: 'workflow', leaseExpiresAt: new Date('9999-12-31T00:00:00Z') } as const;

/** What a slice of the job did: the committed cursor, and whether the file has no rows after it. */
export type ImportSlice = { status: 'running'; committedLine: number; done: boolean } | { status: 'failed' };

/** The API stored the upload (`queued`) or gave it up (`failed`, already recorded). */
export const uploadSettledSignal = defineSignal<[{ status: 'queued' | 'failed' }]>('uploadSettled');
/** The upload is still arriving (sent every few seconds while a large file streams in). */
export const uploadReceivingSignal = defineSignal('uploadReceiving');

/** How long the workflow waits for a sign of the upload before it takes the API for gone. */
export const uploadSilenceLimitMs = 2 * 60_000;
/** How often the API says the upload is still arriving. */
export const uploadKeepAliveMs = 20_000;
