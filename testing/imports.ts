import type { Engine } from './engine.js';
import { eventually } from './eventually.js';

/** An import job's report as GET /api/v1/imports/:id answers it; tests read the rest field by field. */
export interface ImportReport {
  jobId: string;
  status: string;
  [field: string]: unknown;
}

/** Waits until import job `jobId` has ended (completed or failed) and answers its report. */
export function importFinished(engine: Pick<Engine, 'call'>, jobId: string, { timeoutMs = 180_000, everyMs }: { timeoutMs?: number; everyMs?: number } = {}) {
  return eventually(
    async () => {
      const report = (await engine.call('GET', `/api/v1/imports/${jobId}`)).body as ImportReport;
      return (report.status === 'completed' || report.status === 'failed') && report;
    },
    `import ${jobId} to finish`,
    timeoutMs,
    everyMs,
  );
}

/** Uploads an import file as the manager (refusing anything but 202 Accepted) and answers the job's report once it has ended. */
export async function importFile(engine: Pick<Engine, 'call'>, data: string, contentType = 'application/x-ndjson', wait: { timeoutMs?: number; everyMs?: number } = {}) {
  const accepted = await engine.call('POST', '/api/v1/accounts/import', { raw: { contentType, data } });
  if (accepted.status !== 202) throw new Error(`import not accepted: ${accepted.status} ${accepted.text}`);
  return importFinished(engine, (accepted.body as ImportReport).jobId, wait);
}
