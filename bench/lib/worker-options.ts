/**
 * Worker settings the bench can vary. The product's worker (worker/create-worker.ts) takes only
 * `maxCachedWorkflows`; the other knobs exist here so a run can show what they would change.
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

/** True when a setting other than the cache size is asked for (createCaseWorker cannot take it). */
export function needsTunedWorker(tuning: WorkerTuning): boolean {
  return tuningKeys.some((key) => key !== 'maxCachedWorkflows' && tuning[key] !== undefined);
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
  return parts.length > 0 ? parts.join(', ') : 'SDK defaults';
}
