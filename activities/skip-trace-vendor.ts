import { ApplicationFailure } from '@temporalio/activity';
import { ZSkipTraceAnswer, type SkipTraceSubject } from '../domain/skip-trace.js';

/**
 * The skip-trace vendor's HTTP adapter (bearer token, like the agency's): one search per person
 * (`POST {url}/search`), or a CSV batch out (`POST {url}/batches`, text/csv) whose results CSV is
 * fetched back when ready (`GET {url}/batches/{id}`: 202 while it works, 200 with the CSV). Our
 * request id travels as the `Idempotency-Key` and the `reference`, so a retry after a lost answer
 * is recognised. A vendor that is down, slow, rate-limits or refuses the credentials is retried
 * by Temporal until it answers (the request is never lost); only an answer that a repeat cannot
 * change fails for good.
 */

export interface SkipTraceVendorSettings {
  url: string;
  token?: string | undefined;
}

export interface SkipTraceVendor {
  /** The vendor's findings for one person (unchecked: the caller validates each). */
  search(subject: SkipTraceSubject): Promise<unknown[]>;
  /** Sends a batch as CSV; answers the vendor's batch id. */
  submitBatch(batchId: string, csv: string): Promise<string>;
  /** The results CSV, or null while the vendor is still working. */
  fetchBatch(vendorBatchId: string): Promise<string | null>;
}

/** Answers that a repeat of the same request cannot change. */
const permanentRefusals: ReadonlySet<number> = new Set([400, 404, 405, 410, 413, 415, 422]);
/** Below the activity's start-to-close timeout, so a slow vendor is a retry, not a timeout. */
const requestTimeoutMs = 20_000;

export function createHttpSkipTraceVendor({ url, token }: SkipTraceVendorSettings): SkipTraceVendor {
  const base = url.replace(/\/+$/, '');
  async function call(path: string, init: { method: string; body?: string; contentType?: string; idempotencyKey?: string }): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method: init.method,
        ...(init.body !== undefined ? { body: init.body } : {}),
        headers: {
          ...(init.contentType ? { 'content-type': init.contentType } : {}),
          ...(init.idempotencyKey ? { 'idempotency-key': init.idempotencyKey } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
    } catch (error) {
      throw new Error(`skip-trace vendor unreachable: ${(error as Error).name}`);
    }
    if (permanentRefusals.has(response.status)) throw ApplicationFailure.nonRetryable(`skip-trace vendor refused the request (${response.status})`, 'SkipTraceRefused');
    if (!response.ok) throw new Error(`skip-trace vendor answered ${response.status}`);
    return response;
  }

  return {
    async search(subject) {
      const response = await call('/search', { method: 'POST', body: JSON.stringify(subject), contentType: 'application/json', idempotencyKey: subject.reference });
      const answer = ZSkipTraceAnswer.safeParse(await response.json().catch(() => null));
      if (!answer.success) throw ApplicationFailure.nonRetryable('skip-trace vendor answered something other than { results: [...] }', 'SkipTraceAnswerInvalid');
      return answer.data.results;
    },
    async submitBatch(batchId, csv) {
      const response = await call('/batches', { method: 'POST', body: csv, contentType: 'text/csv', idempotencyKey: batchId });
      const answer = (await response.json().catch(() => ({}))) as { id?: unknown };
      if (typeof answer.id !== 'string') throw ApplicationFailure.nonRetryable('skip-trace vendor did not name the batch it took', 'SkipTraceAnswerInvalid');
      return answer.id;
    },
    async fetchBatch(vendorBatchId) {
      const response = await call(`/batches/${encodeURIComponent(vendorBatchId)}`, { method: 'GET' });
      if (response.status === 202) return null;
      return response.text();
    },
  };
}
