import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/**
 * An integration's webhook endpoint on loopback, for tests over real HTTP: it verifies each
 * request with the `standardwebhooks` library (as any receiver would, with the subscription's
 * secret), keeps every request it saw, and can go down (503, as a receiver behind a failing load
 * balancer) and come back. `accepted` is what a receiver would process: each valid `webhook-id`
 * once, in arrival order.
 */

export interface ReceivedWebhook {
  /** The URL path it was posted to (one receiver can stand for several subscriptions). */
  path: string;
  id: string;
  type: string;
  caseId: string;
  caseSeq: number;
  data: Record<string, unknown>;
  validSignature: boolean;
  status: number;
}

export interface WebhookReceiver {
  url: string;
  /** Set once the subscription is made: requests are verified with it. */
  secret: string | null;
  /** Secrets of other subscriptions, by the URL path they post to. */
  secrets: Map<string, string>;
  /** Every request, in order, with the status it was answered. */
  requests: ReceivedWebhook[];
  /** The first valid, taken delivery of each event id, in arrival order (at `path` only, when given). */
  accepted(path?: string): ReceivedWebhook[];
  down(): void;
  up(): void;
  stop(): Promise<void>;
}

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  let isDown = false;
  const requests: ReceivedWebhook[] = [];
  const receiver: WebhookReceiver = {
    url: '',
    secret: null,
    secrets: new Map(),
    requests,
    accepted(path) {
      const seen = new Set<string>();
      return requests.filter((request) => (path === undefined || request.path === path) && request.status === 204 && request.validSignature && !seen.has(request.id) && Boolean(seen.add(request.id)));
    },
    down: () => (isDown = true),
    up: () => (isDown = false),
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = createServer((request, response) => {
    void (async () => {
      const body = await bodyOf(request);
      let validSignature = false;
      const path = (request.url ?? '').split('?')[0] ?? '';
      const secret = receiver.secrets.get(path) ?? receiver.secret;
      try {
        if (secret) {
          new Webhook(secret).verify(body, request.headers as Record<string, string>);
          validSignature = true;
        }
      } catch {
        validSignature = false;
      }
      const parsed = JSON.parse(body) as { type: string; data: Record<string, unknown> & { caseId: string; caseSeq: number } };
      const status = isDown ? 503 : validSignature ? 204 : 401;
      requests.push({ path, id: String(request.headers['webhook-id']), type: parsed.type, caseId: parsed.data.caseId, caseSeq: parsed.data.caseSeq, data: parsed.data, validSignature, status });
      response.writeHead(status).end();
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return receiver;
}
