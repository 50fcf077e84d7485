import { readFile, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '../../testing/engine.js';
import { testKeys } from '../../testing/api-client.js';

/**
 * The edges below the routes: errors the router raises itself answer in the one error shape;
 * schemas accept no more than the router lets through; dates are bounded; the docs are rate
 * limited like everything else; and the embedded PostgreSQL's log keeps no statement or value.
 * Real PostgreSQL and the real API; no Temporal.
 */

let engine: Engine;

beforeAll(async () => {
  engine = await startEngine({ temporal: 'none' });
}, 120_000);

afterAll(async () => {
  await engine?.stop();
});

const raw = async (url: string, init: RequestInit = {}) => {
  const response = await fetch(`${engine.baseUrl}${url}`, { ...init, headers: { authorization: `Bearer ${testKeys.manager}`, ...(init.headers ?? {}) } });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: (response.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text };
};

describe("the router's own errors", () => {
  it('answer a path parameter over 100 characters with 414, and bad percent-encoding with 400, in the { error: { code, message } } shape', async () => {
    const long = await raw(`/api/v1/cases/${'c'.repeat(101)}`);
    expect(long.status).toBe(414);
    expect(long.body).toEqual({ error: { code: 'uri_too_long', message: expect.stringContaining('100') } });

    const badUtf8 = await raw('/api/v1/cases/%FF%FE');
    expect(badUtf8.status).toBe(400);
    expect(badUtf8.body).toEqual({ error: { code: 'invalid_request', message: expect.any(String), fields: [{ path: 'params', message: expect.stringContaining('UTF-8') }] } });
    expect(badUtf8.text).not.toContain('%FF');
  });

  it("answer what Node's HTTP parser refuses (malformed, headers too large) in the same shape", async () => {
    const { port } = new URL(engine.baseUrl);
    const send = (request: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () => socket.end(request));
        let answer = '';
        socket.on('data', (chunk) => (answer += chunk.toString('utf8')));
        socket.on('close', () => resolve(answer));
        socket.on('error', reject);
      });
    const bodyOf = (answer: string) => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
    const malformed = await send('GET /health HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n');
    expect(malformed).toMatch(/^HTTP\/1\.1 400 /);
    expect(bodyOf(malformed)).toEqual({ error: { code: 'bad_request', message: expect.any(String) } });
    const huge = await send(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(huge).toMatch(/^HTTP\/1\.1 431 /);
    expect(bodyOf(huge)).toEqual({ error: { code: 'headers_too_large', message: expect.any(String) } });
  });

  it('let through every case id a schema accepts: no schema allows more than the router', async () => {
    // 100 characters reaches the route (not found); the OpenAPI document promises no more.
    expect((await raw(`/api/v1/cases/${'c'.repeat(100)}`)).status).toBe(404);
    const { body: document } = await raw('/openapi.json');
    const lengths = Object.values(document.paths as Record<string, Record<string, { parameters?: { in: string; name: string; schema: { maxLength?: number } }[] }>>)
      .flatMap((methods) => Object.values(methods))
      .flatMap((operation) => operation.parameters ?? [])
      .filter((parameter) => parameter.in === 'path')
      .map((parameter) => {
        const schema = parameter.schema as { maxLength?: number; format?: string; type?: string; maximum?: number };
        // A whole number's length is that of its maximum.
        const digits = schema.type === 'integer' && schema.maximum !== undefined ? String(schema.maximum).length : undefined;
        return [parameter.name, schema.maxLength ?? digits ?? schema.format];
      });
    expect(lengths.length).toBeGreaterThan(20);
    for (const [name, limit] of lengths) {
      if (typeof limit === 'number') expect(limit, name as string).toBeLessThanOrEqual(100);
      else expect(limit, `${name as string} has no length bound`).toBe('uuid');
    }
  });
});

describe('dates', () => {
  it('are refused outside the years 1900–2200 in bodies and queries, with the field named', async () => {
    const payment = (receivedAt: string) => raw('/api/v1/cases/case-none/payments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reference: 'P-1', amount: 100, receivedAt }) });
    for (const receivedAt of ['1759-01-01T00:00:00Z', '9999-12-31T00:00:00Z', '1899-12-31T23:59:59Z', '2201-01-01T00:00:00Z']) {
      const answer = await payment(receivedAt);
      expect(answer.status, receivedAt).toBe(400);
      expect(answer.body.error.fields, receivedAt).toEqual([{ path: 'body.receivedAt', message: expect.stringContaining('1900') }]);
    }
    // Inside the range the body is valid: the case is what is missing.
    expect((await payment('2026-01-05T09:00:00Z')).status).toBe(404);

    for (const asOf of ['1759-01-01', '9999-01-01']) {
      const answer = await raw(`/api/v1/reports/aging?asOf=${asOf}`);
      expect(answer.status, asOf).toBe(400);
      expect(answer.body.error.fields[0].path).toBe('querystring.asOf');
    }
    expect((await raw('/api/v1/reports/aging?asOf=2026-01-05')).status).toBe(200);
    expect((await raw('/api/v1/reports/funnel?from=1759-01-01')).status).toBe(400);
  });
});

describe('the interactive docs', () => {
  it('carry the rate-limit headers like every other route', async () => {
    const docs = await fetch(`${engine.baseUrl}/docs`, { redirect: 'manual' });
    expect(docs.status).toBeLessThan(400);
    expect(docs.headers.get('x-ratelimit-limit')).toBe('100000');
    expect(docs.headers.get('x-ratelimit-remaining')).not.toBeNull();
  });
});

describe("the embedded PostgreSQL's log", () => {
  it("keeps no failed statement's text or values, and only its owner may read it", async () => {
    const client = new pg.Client({ connectionString: engine.postgres.url });
    await client.connect();
    try {
      // A reply's text in a failing statement, and a value quoted by the error itself.
      await expect(client.query("SELECT 'This is Zelda, I lost my job'::int")).rejects.toThrow(/invalid input syntax/);
      await expect(client.query('INSERT INTO "NoSuchTable" VALUES ($1)', ['zelda.secret@example.org'])).rejects.toThrow(/does not exist/);
    } finally {
      await client.end();
    }
    await new Promise((resolve) => setTimeout(resolve, 1000)); // the server's stderr reaches the file
    const file = path.join(engine.dataDir, 'postgres.log');
    const log = await readFile(file, 'utf8');
    expect(log).toContain('database system is ready'); // the right file, written to
    expect(log).not.toContain('Zelda');
    expect(log).not.toContain('NoSuchTable');
    expect(log).not.toContain('zelda.secret');
    expect((await stat(file)).mode & 0o077).toBe(0);

    const admin = new pg.Client({ connectionString: engine.postgres.url });
    await admin.connect();
    try {
      const settings = await admin.query<{ name: string; setting: string }>(
        "SELECT name, setting FROM pg_settings WHERE name IN ('log_min_error_statement', 'log_error_verbosity', 'log_min_messages')",
      );
      expect(Object.fromEntries(settings.rows.map((row) => [row.name, row.setting]))).toEqual({ log_min_error_statement: 'panic', log_error_verbosity: 'terse', log_min_messages: 'log' });
    } finally {
      await admin.end();
    }
  });
});
