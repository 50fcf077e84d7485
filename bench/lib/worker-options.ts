import type { CaseWorkerOptions } from '../../worker/create-worker.js';

/**
 * Worker settings the bench can vary, from the command line: the product's worker
 * (worker/create-worker.ts) takes each of them, so a run shows what a change of default would bring.
 */
export interface WorkerTuning {
  maxCachedWorkflows?: number;
  maxConcurrentWorkflowTaskExecutions?: number;
  maxConcurrentActivityTaskExecutions?: number;
  /** Simple-maximum pollers per task type. */
  workflowTaskPollers?: number;
  activityTaskPollers?: number;
}

export const tuningKeys = [
  'maxCachedWorkflows',
  'maxConcurrentWorkflowTaskExecutions',
  'maxConcurrentActivityTaskExecutions',
  'workflowTaskPollers',
  'activityTaskPollers',
] as const satisfies readonly (keyof WorkerTuning)[];

/** The tuning as the case worker's options (unset knobs keep the SDK's defaults). */
export function caseWorkerOptions(tuning: WorkerTuning): CaseWorkerOptions {
  const { workflowTaskPollers, activityTaskPollers, ...counts } = tuning;
  return {
    ...counts,
    ...(workflowTaskPollers !== undefined ? { workflowTaskPollerBehavior: { type: 'simple-maximum' as const, maximum: workflowTaskPollers } } : {}),
    ...(activityTaskPollers !== undefined ? { activityTaskPollerBehavior: { type: 'simple-maximum' as const, maximum: activityTaskPollers } } : {}),
  };
}

/** `key=value,key=value` from the command line. */
export function parseTuning(text: string | undefined): WorkerTuning {
  const tuning: WorkerTuning = {};
  for (const part of (text ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const [key, value] = part.split('=');
    if (!key || !(tuningKeys as readonly string[]).includes(key) || !/^\d+$/.test(value ?? '')) {
      throw new Error(`--worker: "${part}" must be key=integer with key one of ${tuningKeys.join(', ')}`);
    }
    tuning[key as keyof WorkerTuning] = Number(value);
  }
  return tuning;
}

export function describeTuning(tuning: WorkerTuning): string {
  const parts = tuningKeys.filter((key) => tuning[key] !== undefined).map((key) => `${key}=${tuning[key]}`);
  return parts.length > 0 ? parts.join(', ') : 'defaults (cache sized at start from the working set and WORKER_MEMORY_MB)';
}
