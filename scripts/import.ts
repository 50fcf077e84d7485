// `npm run import -- accounts.csv [--strategy key] [--rejected rejected.csv]`: uploads a CSV,
// JSON Lines or .xlsx file to a running API (streamed, never read whole), then follows the import job with
// a progress bar until it ends. API_URL and API_KEY say where and as whom; with `npm start`
// running they default to its address and its dev manager key.
import { createReadStream, existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { z } from 'zod';

const ZImportCliEnv = z.object({
  API_URL: z.url().default('http://127.0.0.1:3000'),
  API_KEY: z.string().min(16).optional(),
  DATA_DIR: z.string().min(1).default('.data'),
});

interface Job {
  jobId: string;
  status: string;
  totalRows: number | null;
  processedRows: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  error: string | null;
  links: { rejected: string };
}

const out = process.stdout;
const fail = (message: string): never => {
  process.stderr.write(`import: ${message}\n`);
  process.exit(1);
};

/** The dev key `npm start` wrote, so a newcomer needs no setup. */
async function devKey(dataDir: string): Promise<string | undefined> {
  const file = path.join(dataDir, 'dev-api-keys.json');
  if (!existsSync(file)) return undefined;
  const { API_KEYS } = JSON.parse(await readFile(file, 'utf8')) as { API_KEYS?: string };
  const entries = (API_KEYS ?? '').split(',').map((entry) => entry.split(/:(?=[a-z]+$)/));
  return (entries.find(([, role]) => role === 'manager') ?? entries.find(([, role]) => role === 'integration'))?.[0];
}

function bar(job: Job): string {
  const total = job.totalRows ?? 0;
  const share = total > 0 ? Math.min(1, job.processedRows / total) : 0;
  const width = 30;
  const filled = Math.round(share * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)}% ${job.processedRows.toLocaleString('en-US')}/${total.toLocaleString('en-US')} rows · ${job.created} created · ${job.updated} updated · ${job.rejected} rejected`;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { strategy: { type: 'string' }, rejected: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const file = positionals[0];
  if (values.help || !file) {
    out.write('usage: npm run import -- <accounts.csv|accounts.jsonl|accounts.xlsx> [--strategy <key>] [--rejected <out.csv>]\n');
    process.exit(file ? 0 : 1);
  }
  // This process's whole configuration (kept free of the server's modules so the CLI starts fast).
  const parsed = ZImportCliEnv.safeParse(process.env);
  if (!parsed.success) fail(`invalid configuration: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  const env = parsed.data as z.infer<typeof ZImportCliEnv>;
  const key = env.API_KEY ?? (await devKey(env.DATA_DIR)) ?? fail('set API_KEY (a manager or integration key), or run `npm start` first');
  const size = (await stat(file).catch(() => fail(`cannot read ${file}`))).size;
  const contentType = /\.(jsonl|ndjson)$/i.test(file)
    ? 'application/x-ndjson'
    : /\.xlsx$/i.test(file)
      ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
      : 'text/csv';
  const headers = { authorization: `Bearer ${key}` };

  // Stream the file and show how much of it has gone.
  let sent = 0;
  const source = createReadStream(file);
  source.on('data', (chunk) => {
    sent += chunk.length;
    if (out.isTTY) out.write(`\ruploading ${Math.round((sent / Math.max(1, size)) * 100)}% of ${(size / 1024).toFixed(0)} KiB`);
  });
  const query = values.strategy ? `?strategy=${encodeURIComponent(values.strategy)}` : '';
  const response = await fetch(`${env.API_URL}/api/v1/accounts/import${query}`, {
    method: 'POST',
    headers: { ...headers, 'content-type': contentType },
    body: Readable.toWeb(source) as ReadableStream,
    duplex: 'half',
  }).catch((error: unknown) => fail(`cannot reach ${env.API_URL}: ${(error as Error).message}`));
  if (out.isTTY) out.write('\n');
  const accepted = (await response.json()) as Job & { error?: { message: string; fields?: { path: string; message: string }[] } };
  if (response.status !== 202) {
    const problem = accepted.error as { message: string; fields?: { path: string; message: string }[] } | undefined;
    const fields = (problem?.fields ?? []).map((field) => `\n  ${field.path.replace(/^body\./, '')}: ${field.message}`).join('');
    fail(`the API refused the file (${response.status}): ${problem?.message ?? 'unknown error'}${fields}`);
  }

  let job: Job = accepted;
  let lastLine = 0;
  while (job.status !== 'completed' && job.status !== 'failed') {
    if (out.isTTY) out.write(`\r${bar(job)}`);
    else if (Date.now() - lastLine > 5_000) {
      out.write(`${bar(job)}\n`);
      lastLine = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    const poll = await fetch(`${env.API_URL}/api/v1/imports/${job.jobId}`, { headers });
    job = (await poll.json()) as Job;
  }
  out.write(`${out.isTTY ? '\r' : ''}${bar(job)}\n`);
  if (job.status === 'failed') fail(`import ${job.jobId} failed: ${job.error ?? 'unknown error'}`);
  out.write(`import ${job.jobId} completed: ${job.created} created, ${job.updated} updated, ${job.unchanged} unchanged, ${job.rejected} rejected\n`);
  if (job.rejected > 0) {
    const target = values.rejected ?? `${file.replace(/\.[^.]+$/, '')}.rejected.csv`;
    const rejected = await fetch(`${env.API_URL}${job.links.rejected}`, { headers });
    await writeFile(target, Buffer.from(await rejected.arrayBuffer()));
    out.write(`rejected rows (line, externalId, field, reason): ${target}\n`);
  }
}

main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
