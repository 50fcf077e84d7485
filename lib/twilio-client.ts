import twilio from "twilio";
import type RequestClient from "twilio/lib/base/RequestClient.js";

// Twilio's default is 30s; an SMS send should answer far sooner, and a stuck
// call must fail fast so the Temporal activity retry (with its own backoff) kicks in.
const DEFAULT_TIMEOUT_MS = 10_000;

export interface TwilioClientOptions {
  accountSid: string;
  authToken: string;
  /** e.g. http://127.0.0.1:4010 — every *.twilio.com request is sent here instead. */
  apiBase?: string;
  /** Per-request timeout; defaults to 10s. */
  timeoutMs?: number;
}

function isTwilioHost(hostname: string): boolean {
  return hostname === "twilio.com" || hostname.endsWith(".twilio.com");
}

/** Rewrites https://<x>.twilio.com/path?query to <apiBase>/path?query. */
export function redirectTwilioUrl(uri: string, apiBase: string): string {
  const target = new URL(uri);
  if (!isTwilioHost(target.hostname)) return uri;
  const base = new URL(apiBase);
  // Keep any path prefix of apiBase so a stand-in can be mounted under a sub-path.
  const prefix = base.pathname.replace(/\/+$/, "");
  return `${base.origin}${prefix}${target.pathname}${target.search}`;
}

/**
 * The SDK builds absolute https://api.twilio.com/... URIs (after applying
 * edge/region) and hands them to `httpClient.request`, so that is the one
 * place to swap the origin without touching globals.
 */
class RedirectingRequestClient extends twilio.RequestClient {
  readonly apiBase: string;

  constructor(apiBase: string, opts: RequestClient.RequestClientOptions) {
    super(opts);
    this.apiBase = apiBase;
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    return super.request<TData>({ ...opts, uri: redirectTwilioUrl(opts.uri, this.apiBase) });
  }
}

export function createTwilioClient({
  accountSid,
  authToken,
  apiBase,
  timeoutMs = DEFAULT_TIMEOUT_MS,
}: TwilioClientOptions): twilio.Twilio {
  // Retries belong to Temporal: an SDK-level retry would hide attempts from the
  // workflow history and could double-send. (The SDK only ever retries 429s, and
  // only when autoRetry is on, but say so explicitly.)
  const httpOpts: RequestClient.RequestClientOptions = { timeout: timeoutMs, autoRetry: false };
  const httpClient = apiBase
    ? new RedirectingRequestClient(apiBase, httpOpts)
    : new twilio.RequestClient(httpOpts);
  // With a custom httpClient the SDK ignores its own timeout/autoRetry options,
  // so they must live on the RequestClient above.
  return twilio(accountSid, authToken, { httpClient });
}
