import type { Role } from '../api/auth.js';

/** One API key per role, plus a second officer (for races between two officers). */
export const testKeys = {
  manager: 'test-manager-key-0123456789abcdef',
  officer: 'test-officer-key-0123456789abcdef',
  officer2: 'test-officer2-key-0123456789abcdef',
  integration: 'test-integration-key-0123456789abcdef',
  auditor: 'test-auditor-key-0123456789abcdef',
  admin: 'test-admin-key-0123456789abcdef',
} as const satisfies Record<Role | 'officer2', string>;

/** The API keys map buildApi takes, for {@link testKeys}. */
export const testApiKeys = new Map<string, Role>(Object.entries(testKeys).map(([name, key]) => [key, name === 'officer2' ? 'officer' : (name as Role)]));

export interface CallOptions {
  /** JSON unless a string (sent as it is). */
  body?: unknown;
  /** The key to send; null sends none. Default: the manager's. */
  key?: string | null;
  headers?: Record<string, string>;
  /** A body of another type, e.g. CSV. */
  raw?: { contentType: string; data: string | Uint8Array };
}

export interface CallResult {
  status: number;
  /** Parsed JSON when the answer is JSON, else its text (null when empty). Read field by field in tests. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests probe answers freely
  body: any;
  text: string;
  headers: Headers;
}

/** Calls the API at `baseUrl()` with a key; `baseUrl` is a function because the API can restart on another port. */
export function apiClient(baseUrl: () => string) {
  return async function call(method: string, url: string, { body: sentBody, key = testKeys.manager, headers = {}, raw }: CallOptions = {}): Promise<CallResult> {
    let payload: string | Uint8Array | undefined;
    const sent: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
    if (raw) {
      sent['content-type'] = raw.contentType;
      payload = raw.data;
    } else if (sentBody !== undefined) {
      sent['content-type'] = 'application/json';
      payload = typeof sentBody === 'string' ? sentBody : JSON.stringify(sentBody);
    }
    const response = await fetch(`${baseUrl()}${url}`, { method, headers: { ...sent, ...headers }, ...(payload === undefined ? {} : { body: payload }) });
    const text = await response.text();
    const json = (response.headers.get('content-type') ?? '').includes('json') && text !== '';
    const body: unknown = json ? JSON.parse(text) : text === '' ? null : text;
    return { status: response.status, body, text, headers: response.headers };
  };
}
