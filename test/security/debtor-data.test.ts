import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTemporalCli } from '../../lib/temporal-binaries.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { eventually } from '../../testing/eventually.js';
import { middayZone } from '../../testing/midday-zone.js';
import { consumerEarly } from '../support/strategies.js';

/**
 * Debtor data through the whole engine, with payload encryption on: enrol an account, send its
 * email and SMS, record a reply and a payment, then look for the debtor's details where they must
 * not be in clear — every captured log line (API request logs, SDK and worker lines, at debug),
 * the workflow history as the client fetches it, `temporal workflow show`, and the dev server's
 * SQLite file itself. The codec endpoint shows them again, to an authorised key only.
 */

const run = promisify(execFile);
const debtor = {
  name: 'Zelda Quixote-Marlowe',
  email: 'zelda.q.marlowe@example.org',
  phone: '+15555550123',
  street: '742 Evergreen Terrace',
};
const secrets = [debtor.name, debtor.email, debtor.phone, debtor.street, 'Quixote', 'zelda.q.marlowe', '5555550123'];
const replyText = `This is ${debtor.name}, please call me at ${debtor.phone}`;

let engine: Engine;
let caseId: string;

beforeAll(async () => {
  engine = await startEngine({ smtp: true, twilio: true, captureLogs: 'debug' });
  const strategy = {
    ...consumerEarly,
    key: 'pii-check',
    steps: [
      { id: 'reminder', at: 'PT0S', action: 'email', template: 'reminder' },
      { id: 'nudge', at: 'PT1S', action: 'sms', template: 'nudge' },
      { id: 'letter', at: 'PT2S', action: 'letter', template: 'demand' },
      { id: 'call', at: 'PT1H', action: 'call' },
    ],
  };
  expect((await engine.call('POST', '/api/v1/strategies', { body: strategy })).status).toBe(201);
  const enrolled = await engine.call('POST', '/api/v1/accounts', {
    key: engine.keys.integration,
    body: {
      externalId: 'PII-1',
      strategy: 'pii-check',
      currency: 'USD',
      balance: 50_000,
      debtor: {
        name: debtor.name,
        email: debtor.email,
        phone: debtor.phone,
        smsConsent: true,
        timeZone: middayZone(),
        address: { line1: debtor.street, city: 'Springfield', postalCode: '49007', country: 'US' },
      },
    },
  });
  expect(enrolled.status).toBe(201);
  caseId = enrolled.body.caseId;

  await engine.smtp.waitForMessages(1, 30_000);
  await engine.twilio.waitForMessages(1, 30_000);
  await eventually(async () => (await engine.db.communication.count({ where: { caseId, status: 'sent' } })) >= 3, 'email, SMS and letter sent', 30_000);
  expect((await engine.call('POST', `/api/v1/cases/${caseId}/replies`, { body: { channel: 'sms', text: replyText } })).status).toBe(202);
  expect((await engine.call('POST', `/api/v1/cases/${caseId}/payments`, { key: engine.keys.integration, body: { reference: 'PII-PAY', amount: 50_000 } })).status).toBe(202);
  await eventually(async () => (await engine.db.case.findUnique({ where: { id: caseId } }))?.status === 'closed', 'the case closed by the payment');
  // A read that logs a request with the debtor's data in the answer (the communications list),
  // and requests that carry debtor data in the URL and in a body the API refuses.
  expect((await engine.call('GET', `/api/v1/cases/${caseId}/communications`, { key: engine.keys.officer })).status).toBe(200);
  expect((await engine.call('GET', `/api/v1/cases?officer=${encodeURIComponent(debtor.email)}`)).status).toBe(200);
  expect((await engine.call('GET', `/api/v1/cases/${encodeURIComponent(debtor.phone)}`)).status).toBe(404);
  expect((await engine.call('POST', '/api/v1/accounts', { body: { externalId: 'PII-2', debtor: { name: debtor.name, email: debtor.email } } })).status).toBe(400);
  // Debug lines of the final activations are written asynchronously.
  await new Promise((resolve) => setTimeout(resolve, 500));
}, 120_000);

afterAll(async () => {
  await engine?.stop();
});

/** Every string and byte array in a value, as one searchable text. */
function flatten(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (value instanceof Uint8Array) out.push(Buffer.from(value).toString('utf8'));
  else if (Array.isArray(value)) value.forEach((item) => flatten(item, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((item) => flatten(item, out));
  return out;
}

interface RawPayload {
  metadata?: Record<string, Uint8Array> | null;
  data?: Uint8Array | null;
}

/** Every payload object in a history (anything with an `encoding` metadata entry). */
function payloads(value: unknown, out: RawPayload[] = []): RawPayload[] {
  if (!value || typeof value !== 'object' || value instanceof Uint8Array) return out;
  const candidate = value as RawPayload;
  if (candidate.metadata && typeof candidate.metadata === 'object' && 'encoding' in candidate.metadata) out.push(candidate);
  else Object.values(value).forEach((item) => payloads(item, out));
  return out;
}

/** The CLI's JSON history with every payload's base64 `data` decoded to text. */
const withDataDecoded = (json: string) =>
  JSON.stringify(JSON.parse(json), (key, value: unknown) => (key === 'data' && typeof value === 'string' ? Buffer.from(value, 'base64').toString('utf8') : value));

const found = (haystack: string) => secrets.filter((secret) => haystack.includes(secret));

describe("the debtor's details", () => {
  it('appear in no log line, while the logs do record the requests and the SDK activity', () => {
    const logs = engine.logs.join('\n');
    expect(engine.logs.length).toBeGreaterThan(20);
    // Positive controls: the capture works and sees both processes' kinds of lines.
    expect(logs).toContain('/api/v1/accounts');
    expect(logs).toContain(`/api/v1/cases/${caseId}/replies`);
    expect(logs).toMatch(/"name":"temporal"/);
    expect(found(logs)).toEqual([]);
  });

  it('are encrypted in the workflow history the client fetches', async () => {
    const history = await engine.temporal.workflow.getHandle(caseId).fetchHistory();
    const events = history.events ?? [];
    expect(events.length).toBeGreaterThan(10);
    const text = flatten(history).join('\n');
    expect(text).toContain('sendEmail'); // activity types are metadata, in clear: the search works
    expect(text).toContain('binary/encrypted');
    expect(found(text)).toEqual([]);
    // The only payloads in clear are the SDK's own markers, which carry no case data: patch
    // markers (`patched()` ids, the TemporalChangeVersion search attribute) and the bookkeeping
    // of local activities (sequence, attempt, activity type, times; their results are encrypted).
    const patchMarker = /^(\{"id":"[\w-]+","deprecated":(true|false)\}|\[("[\w-]+",?)*\])$/;
    const localActivityMarker = /^\{"seq":\d+,"attempt":\d+,"activity_id":"\d+","activity_type":"projectCase","complete_time":\{"seconds":\d+,"nanos":\d+\},"backoff":null,"original_schedule_time":\{"seconds":\d+,"nanos":\d+\}\}$/;
    const clear = payloads(history).filter((payload) => Buffer.from(payload.metadata?.encoding ?? []).toString() !== 'binary/encrypted');
    for (const payload of clear) {
      const data = Buffer.from(payload.data ?? []).toString();
      expect(patchMarker.test(data) || localActivityMarker.test(data), data).toBe(true);
    }
    // And the case's own payloads are there, encrypted: its input, signals, activities and their results.
    expect(payloads(history).length - clear.length).toBeGreaterThan(15);
  });

  it('are encrypted in `temporal workflow show`, and readable through the codec endpoint with an admin key', async () => {
    const cli = await ensureTemporalCli();
    const common = ['workflow', 'show', '--workflow-id', caseId, '--address', engine.temporalServer.address, '--output', 'json', '--disable-config-file', '--disable-config-env'];
    const plain = await run(cli, common, { maxBuffer: 32 * 1024 * 1024 });
    expect(plain.stdout).toContain('paymentReceived');
    expect(found(withDataDecoded(plain.stdout))).toEqual([]);

    const decoded = await run(cli, [...common, '--codec-endpoint', `${engine.baseUrl}/codec`, '--codec-auth', `Bearer ${engine.keys.admin}`], { maxBuffer: 32 * 1024 * 1024 });
    const readable = withDataDecoded(decoded.stdout);
    expect(readable).toContain(debtor.name);
    expect(readable).toContain(debtor.email);

  });

  it('are not in clear anywhere in the Temporal dev server database file', async () => {
    const dir = path.join(engine.dataDir, 'temporal');
    const files = await Promise.all(['temporal.sqlite', 'temporal.sqlite-wal'].map((file) => readFile(path.join(dir, file)).catch(() => Buffer.alloc(0))));
    const bytes = Buffer.concat(files).toString('latin1');
    expect(bytes.length).toBeGreaterThan(100_000);
    expect(bytes).toContain(caseId); // workflow ids are stored in clear: the scan reads the right file
    expect(found(bytes)).toEqual([]);
  });
});

describe('the codec endpoint', () => {
  const sample = async () => {
    const history = await engine.temporal.workflow.getHandle(caseId).fetchHistory();
    const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    if (!input) throw new Error('no input payload');
    return {
      metadata: Object.fromEntries(Object.entries(input.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')])),
      data: Buffer.from(input.data ?? []).toString('base64'),
    };
  };

  it('decodes and encodes for admin keys only; every decode is an audit event with who and how many, never what', async () => {
    const payload = await sample();
    const decodes = () => engine.db.auditEvent.findMany({ where: { action: 'payloads_decoded' }, orderBy: { id: 'asc' } });
    const before = (await decodes()).length;
    const { status, body } = await engine.call('POST', '/codec/decode', { key: engine.keys.admin, headers: { 'x-namespace': 'default' }, body: { payloads: [payload, payload] } });
    expect(status).toBe(200);
    expect(Buffer.from(body.payloads[0].data, 'base64').toString()).toContain(debtor.name);
    const events = (await decodes()).slice(before);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor: expect.stringMatching(/^admin:/), caseId: null, data: { payloads: 2, namespace: 'default' } });
    expect(found(JSON.stringify(events[0]?.data))).toEqual([]);
    expect((await engine.call('POST', '/codec/encode', { key: engine.keys.admin, body: { payloads: [{ metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('{}').toString('base64') }] } })).status).toBe(200);

    // Managers and auditors see masked or team-scoped answers elsewhere; a raw history is neither.
    for (const role of ['manager', 'auditor', 'officer', 'integration'] as const) {
      for (const operation of ['decode', 'encode']) {
        expect((await engine.call('POST', `/codec/${operation}`, { key: engine.keys[role], body: { payloads: [payload] } })).status, `${role} ${operation}`).toBe(403);
      }
    }
    expect((await engine.call('POST', '/codec/decode', { key: null, body: { payloads: [payload] } })).status).toBe(401);
    expect((await decodes()).length).toBe(before + 1);
  });

  it('refuses a tampered payload with 422 and a reason', async () => {
    const payload = await sample();
    const data = Buffer.from(payload.data, 'base64');
    data[data.length - 1] = (data[data.length - 1] ?? 0) ^ 1;
    const { status, body } = await engine.call('POST', '/codec/decode', { key: engine.keys.admin, body: { payloads: [{ ...payload, data: data.toString('base64') }] } });
    expect(status).toBe(422);
    expect(body.error).toMatchObject({ code: 'undecodable_payload' });
    expect(body.error.message).toMatch(/failed authentication/);
  });

  it('answers the Temporal UI origin with CORS headers, and other origins without', async () => {
    const preflight = await fetch(`${engine.baseUrl}/codec/decode`, {
      method: 'OPTIONS',
      headers: { origin: 'http://127.0.0.1:8233', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-namespace' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8233');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('x-namespace');
    const denied = await engine.call('POST', '/codec/decode', { key: null, headers: { origin: 'http://127.0.0.1:8233' }, body: { payloads: [] } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8233');
    const foreign = await fetch(`${engine.baseUrl}/codec/decode`, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });
});
