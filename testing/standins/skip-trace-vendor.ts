import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'csv-parse/sync';
import { plainCsvLine, skipTraceResultsHeader, type SkipTraceSubject } from '../../domain/skip-trace.js';

/**
 * A skip-trace vendor on loopback, for tests over real HTTP: bearer-token auth, `POST /search`
 * (JSON), `POST /batches` (CSV out) and `GET /batches/{id}` (202 while "working", then the
 * results CSV). It can fail its first requests with 503 (an outage the worker must ride out) and
 * records every request that reached it, so a test counts what the vendor saw.
 */

export interface VendorFinding {
  channel: 'phone' | 'email' | 'letter';
  /** A string (or a postal address object over HTTP; the CSV carries strings). */
  value: string | Record<string, string>;
  confidence: number | string;
}

export interface SkipTraceVendorStandIn {
  url: string;
  token: string;
  /** Every request, in order, with the status it was answered. */
  requests: { method: string; path: string; status: number; authorized: boolean; idempotencyKey: string | null; body: string }[];
  /** Fail the next `count` requests with 503. */
  failNext(count: number): void;
  stop(): Promise<void>;
}

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startSkipTraceVendor({
  findings,
  pendingPolls = 1,
  refuses,
}: {
  /** What the vendor finds for a subject (by our reference and the name). */
  findings: (subject: { reference: string; name: string }) => VendorFinding[];
  /** How many looks at a batch answer 202 before its results are ready. */
  pendingPolls?: number;
  /** Subjects the vendor refuses for good (422): a repeat cannot change that. */
  refuses?: (subject: { reference: string; name: string }) => boolean;
}): Promise<SkipTraceVendorStandIn> {
  const token = `vendor-${randomUUID()}`;
  const requests: SkipTraceVendorStandIn['requests'] = [];
  const batches = new Map<string, { subjects: { reference: string; name: string }[]; polls: number }>();
  let failing = 0;

  const answer = (response: ServerResponse, status: number, body: string, type = 'application/json') => {
    response.writeHead(status, { 'content-type': type });
    response.end(body);
    return status;
  };

  async function handle(request: IncomingMessage, response: ServerResponse, body: string): Promise<number> {
    if (request.headers.authorization !== `Bearer ${token}`) return answer(response, 401, JSON.stringify({ error: 'bad token' }));
    if (failing > 0) {
      failing--;
      return answer(response, 503, JSON.stringify({ error: 'vendor down' }));
    }
    const url = request.url ?? '/';
    if (request.method === 'POST' && url === '/search') {
      const subject = JSON.parse(body) as SkipTraceSubject;
      if (refuses?.(subject)) return answer(response, 422, JSON.stringify({ error: 'cannot search this subject' }));
      return answer(response, 200, JSON.stringify({ reference: subject.reference, results: findings(subject) }));
    }
    if (request.method === 'POST' && url === '/batches') {
      const subjects = parse<Record<string, string>>(body, { columns: true, skip_empty_lines: true }).map((row) => ({ reference: row.reference ?? '', name: row.name ?? '' }));
      const id = `batch-${randomUUID()}`;
      batches.set(id, { subjects, polls: 0 });
      return answer(response, 201, JSON.stringify({ id }));
    }
    const batch = request.method === 'GET' && url.startsWith('/batches/') ? batches.get(decodeURIComponent(url.slice('/batches/'.length))) : undefined;
    if (batch) {
      if (batch.polls++ < pendingPolls) return answer(response, 202, JSON.stringify({ status: 'working' }));
      let csv = plainCsvLine(skipTraceResultsHeader);
      for (const subject of batch.subjects) {
        for (const finding of findings(subject)) csv += plainCsvLine([subject.reference, finding.channel, typeof finding.value === 'string' ? finding.value : JSON.stringify(finding.value), finding.confidence]);
      }
      return answer(response, 200, csv, 'text/csv');
    }
    return answer(response, 404, JSON.stringify({ error: 'not found' }));
  }

  const server = createServer((request, response) => {
    void bodyOf(request).then(async (body) => {
      const status = await handle(request, response, body);
      requests.push({
        method: request.method ?? '',
        path: request.url ?? '',
        status,
        authorized: request.headers.authorization === `Bearer ${token}`,
        idempotencyKey: (request.headers['idempotency-key'] as string | undefined) ?? null,
        body,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    requests,
    failNext(count) {
      failing = count;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
