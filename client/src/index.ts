import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { paths } from './generated/openapi.js';

/**
 * The dunning engine's API, typed from its own OpenAPI document (src/generated/openapi.ts): every
 * path, parameter, body and answer is checked by the compiler. The calls are openapi-fetch's
 * (`GET`, `POST`, ...), which answer `{ data }` or `{ error }` as values; this file adds only the
 * key and a typed error for callers who prefer to throw.
 */

export type { paths };

/** The client: `dunning.POST('/api/v1/accounts', { body })` and so on, one method per HTTP verb. */
export type DunningClient = Client<paths>;

export interface DunningClientOptions extends Omit<ClientOptions, 'baseUrl'> {
  /** Where the API listens, e.g. `https://dunning.example.com` (no `/api/v1`: the paths carry it). */
  baseUrl: string;
  /** An API key (`npm start` prints one per role); sent as `Authorization: Bearer <key>`. */
  apiKey: string;
}

export function createDunningClient({ apiKey, ...options }: DunningClientOptions): DunningClient {
  const client = createClient<paths>(options);
  // On every request, so a caller's own headers (default or per call) never drop the key.
  client.use({
    onRequest({ request }) {
      request.headers.set('authorization', `Bearer ${apiKey}`);
      return request;
    },
  });
  return client;
}

/** A field the API refused, and why (`path` is dotted from the request part: `body.debtor.email`). */
export interface FieldProblem {
  path: string;
  message: string;
}

/** Every refusal the API answers has this body, with a 4xx status. */
export interface ApiErrorBody {
  error: { code: string; message: string; fields?: FieldProblem[] };
}

/** A refusal as an error: the HTTP status, the API's code (`validation_failed`, `payment_conflict`, ...), its sentence and the fields it names. */
export class DunningApiError extends Error {
  override readonly name = 'DunningApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: FieldProblem[] = [],
  ) {
    super(message);
  }
}

function isApiErrorBody(value: unknown): value is ApiErrorBody {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const { error } = value;
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' && 'message' in error && typeof error.message === 'string';
}

/** The refusal in an openapi-fetch answer as a {@link DunningApiError}, or undefined when the call succeeded. */
export function problemOf(result: { error?: unknown; response: Response }): DunningApiError | undefined {
  if (result.error === undefined && result.response.ok) return undefined;
  const { status, statusText } = result.response;
  if (isApiErrorBody(result.error)) return new DunningApiError(status, result.error.error.code, result.error.error.message, result.error.error.fields ?? []);
  // Not the API's own words: a proxy or load balancer in between answered.
  return new DunningApiError(status, 'http_error', `${status} ${statusText}`.trim());
}

/**
 * The data of an openapi-fetch answer, or a thrown {@link DunningApiError}.
 *
 * @example const created = orThrow(await dunning.POST('/api/v1/accounts', { body }));
 */
export function orThrow<T>(result: { data?: T; error?: unknown; response: Response }): T {
  const problem = problemOf(result);
  if (problem) throw problem;
  return result.data as T;
}
