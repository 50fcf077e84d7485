/**
 * The skip-trace workflow's contract with its clients (the API starts it): id, input, result.
 * Side-effect free so the API can import it.
 */

export const SkipTraceMode = { http: 'http', csv: 'csv' } as const;
export type SkipTraceMode = (typeof SkipTraceMode)[keyof typeof SkipTraceMode];

export interface SkipTraceInput {
  batchId: string;
  /** SkipTraceRequest rows, written before the workflow starts. */
  requestIds: string[];
  mode: SkipTraceMode;
}

export interface SkipTraceOutcome {
  requestId: string;
  status: 'completed' | 'failed';
  found: number;
}

export const skipTraceWorkflowId = (batchId: string) => `skip-trace-${batchId}`;
