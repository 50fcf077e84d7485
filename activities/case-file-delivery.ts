import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';

/**
 * Hands a case file to the collection agency. By default the agency outbox folder: the agency (or
 * an SFTP job) collects `<packageId>.json` and `<packageId>.pdf`. With AGENCY_PROVIDER_URL set, an
 * HTTP endpoint receives both in one multipart POST. Delivering the same package again is
 * harmless either way: the outbox keeps the files it already has, and the HTTP call carries the
 * package id as its idempotency key.
 */

export interface OutgoingCaseFile {
  packageId: string;
  caseId: string;
  purpose: string;
  /** The JSON document, exactly as stored. */
  json: string;
  sha256: string;
  pdf: Buffer;
  pdfSha256: string;
}

export interface CaseFileDelivery {
  /** Returns where the package went: the outbox files or the provider's id. */
  deliver(file: OutgoingCaseFile): Promise<{ location: string }>;
}

export interface AgencyProviderSettings {
  /** Receives a multipart POST: `metadata` (JSON: id, caseId, purpose, hashes), `document` (the JSON) and `file` (the PDF). */
  url: string;
  /** Sent as `Authorization: Bearer <token>` when set. */
  token?: string | undefined;
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** Writes a file unless it is already there with the same content; a crash never leaves half a file under the final name. */
async function writeOnce(target: string, content: string | Buffer): Promise<void> {
  const existing = await readFile(target).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (existing && sha256(existing) === sha256(content)) return;
  const temporary = `${target}.${randomUUID()}.tmp`;
  await writeFile(temporary, content);
  await rename(temporary, target);
}

export function createOutboxCaseFileDelivery({ outboxDir }: { outboxDir: string }): CaseFileDelivery {
  return {
    async deliver({ packageId, json, pdf }) {
      await mkdir(outboxDir, { recursive: true });
      const jsonPath = path.join(outboxDir, `${packageId}.json`);
      const pdfPath = path.join(outboxDir, `${packageId}.pdf`);
      // The PDF first: a collector that waits for the JSON then finds both.
      await writeOnce(pdfPath, pdf);
      await writeOnce(jsonPath, json);
      return { location: jsonPath };
    },
  };
}

/** Answers that a repeat of the same request cannot change. */
const permanentRefusals: ReadonlySet<number> = new Set([400, 404, 405, 410, 413, 415, 422]);

export function createHttpCaseFileDelivery({ provider }: { provider: AgencyProviderSettings }): CaseFileDelivery {
  return {
    async deliver({ packageId, caseId, purpose, json, sha256: jsonSha256, pdf, pdfSha256 }) {
      const form = new FormData();
      form.set('metadata', JSON.stringify({ id: packageId, caseId, purpose, sha256: jsonSha256, pdfSha256 }));
      form.set('document', new Blob([json], { type: 'application/json' }), `${packageId}.json`);
      form.set('file', new Blob([pdf], { type: 'application/pdf' }), `${packageId}.pdf`);
      let response: Response;
      try {
        response = await fetch(provider.url, {
          method: 'POST',
          body: form,
          // A retry after a lost answer is recognised by the agency instead of placing twice.
          headers: { 'Idempotency-Key': packageId, ...(provider.token ? { authorization: `Bearer ${provider.token}` } : {}) },
          // Below the activity's 30 s start-to-close timeout, so a slow agency is a retry, not a timeout.
          signal: AbortSignal.timeout(20_000),
        });
      } catch (error) {
        throw new Error(`agency provider unreachable: ${(error as Error).name}`);
      }
      // A request the agency will never take (bad request, gone, unprocessable) fails for good, and
      // the case asks a person to place it. Anything else (outage, rate limit, credentials) retries
      // with backoff, so the referral is not lost; after an hour an officer is told (agency.ts).
      if (permanentRefusals.has(response.status)) {
        throw ApplicationFailure.nonRetryable(`agency provider refused the referral (${response.status})`, 'ReferralRefused');
      }
      if (!response.ok) throw new Error(`agency provider answered ${response.status}`);
      const answer = (await response.json().catch(() => ({}))) as { id?: unknown };
      return { location: `agency-http:${typeof answer.id === 'string' ? answer.id : packageId}` };
    },
  };
}

/** The HTTP provider when configured, else the outbox folder. */
export function createCaseFileDelivery({ outboxDir, provider }: { outboxDir: string; provider?: AgencyProviderSettings | undefined }): CaseFileDelivery {
  return provider ? createHttpCaseFileDelivery({ provider }) : createOutboxCaseFileDelivery({ outboxDir });
}
