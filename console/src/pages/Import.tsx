import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { api, apiKey, ApiProblem, unwrap } from '../api/client';
import { DownloadButtons } from '../components/DownloadButtons';
import type { ImportJob } from '../api/types';
import { Problem } from '../components/Problem';
import { when } from '../format';

const xlsxType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Upload a CSV, JSON Lines or .xlsx file; the job is followed until it finishes; rejected rows download as CSV or .xlsx. */
export function ImportPage() {
  const [file, setFile] = useState<File | null>(null);
  const [strategy, setStrategy] = useState('');
  const [jobId, setJobId] = useState<string | null>(null);
  const [downloadError, setDownloadError] = useState<unknown>(null);

  const upload = useMutation({
    mutationFn: async (): Promise<ImportJob> => {
      if (!file) throw new Error('choose a file');
      const type = /\.(jsonl|ndjson)$/i.test(file.name) ? 'application/x-ndjson' : /\.xlsx$/i.test(file.name) ? xlsxType : 'text/csv';
      // The body is the file itself, streamed by the API; openapi-fetch would serialise it as JSON.
      const response = await fetch(`/api/v1/accounts/import${strategy ? `?strategy=${encodeURIComponent(strategy)}` : ''}`, {
        method: 'POST',
        headers: { 'content-type': type, authorization: `Bearer ${apiKey.get() ?? ''}` },
        body: file,
      });
      const body = (await response.json()) as ImportJob & { error?: { code: string; message: string; fields?: { path: string; message: string }[] } };
      if (!response.ok) throw new ApiProblem(response.status, body.error?.code ?? 'import_failed', body.error?.message ?? 'import failed', body.error?.fields ?? []);
      return body;
    },
    onSuccess: (job) => setJobId(job.jobId),
  });
  const job = useQuery({
    queryKey: ['import', jobId],
    queryFn: async () => unwrap(await api.GET('/api/v1/imports/{jobId}', { params: { path: { jobId: jobId ?? '' } } })),
    enabled: jobId !== null,
    refetchInterval: (query) => (query.state.data && ['completed', 'failed'].includes(query.state.data.status) ? false : 1000),
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    upload.mutate();
  }
  const j = job.data ?? upload.data;
  const total = j?.totalRows ?? null;
  return (
    <div className="single">
      <h1>Import accounts</h1>
      <form onSubmit={submit} className="row" aria-label="Upload accounts">
        <div className="field">
          <label htmlFor="import-file">File (CSV with a header row, JSON Lines, or an .xlsx workbook)</label>
          <input id="import-file" type="file" accept={`.csv,.jsonl,.ndjson,.xlsx,text/csv,${xlsxType}`} onChange={(event) => setFile(event.target.files?.[0] ?? null)} required />
        </div>
        <div className="field">
          <label htmlFor="import-strategy">Strategy for rows that name none</label>
          <input id="import-strategy" value={strategy} onChange={(event) => setStrategy(event.target.value)} />
        </div>
        <button type="submit" disabled={!file || upload.isPending}>
          {upload.isPending ? 'Uploading…' : 'Upload'}
        </button>
      </form>
      <p className="muted">
        Columns (CSV, or each sheet's first row in a workbook): externalId, strategy, currency, balance (minor units), daysPastDue, debtorName, email, phone, timeZone, smsConsent, whatsapp, whatsappOptIn, address fields, portfolio.
      </p>
      <Problem error={upload.error} />
      <Problem error={job.error} />
      {j && (
        <section aria-labelledby="job-title" className="panel">
          <h2 id="job-title">
            Import {j.status} <span className="muted">({j.format})</span>
          </h2>
          <progress max={total ?? undefined} value={j.processedRows} aria-label="Rows processed">
            {j.processedRows}
          </progress>
          <p aria-live="polite" data-testid="import-progress">
            {j.processedRows}
            {total !== null ? ` of ${total}` : ''} rows: {j.created} created, {j.updated} updated, {j.unchanged} unchanged, {j.rejected} rejected
          </p>
          {j.error && <p className="error">{j.error}</p>}
          <p className="muted">
            started {when(j.startedAt)}; finished {when(j.finishedAt)}
          </p>
          {j.rejected > 0 && (
            <DownloadButtons
              label="Download rejected rows"
              url={(format) => j.links.rejected.replace(/\.csv$/, `.${format}`)}
              filename={(format) => `import-${j.jobId}-rejected.${format}`}
              onError={setDownloadError}
            />
          )}
          <Problem error={downloadError} />
        </section>
      )}
    </div>
  );
}
