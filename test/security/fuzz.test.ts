import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '../../testing/engine.js';
import type { CallResult } from '../../testing/api-client.js';
import { eventually } from '../../testing/eventually.js';
import { middayZone } from '../../testing/midday-zone.js';
import { consumerEarly } from '../support/strategies.js';

/**
 * Property-based fuzzing of every write route in /openapi.json with fast-check: arbitrary JSON,
 * bodies generated from the route's own JSON schema and then broken one way (a required field
 * dropped, a wrong type, an unknown field, a huge or hostile string), hostile path parameters,
 * malformed and oversized bodies, and wrong content types. Every answer must be a 2xx or a 4xx
 * with `error.code`, `error.message` and, for a 400, the fields with their path and reason; never
 * a 5xx; and a refused request must leave every table the API writes as it was.
 */

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  additionalProperties?: boolean | JsonSchema;
  pattern?: string;
  nullable?: boolean;
};

interface Operation {
  method: string;
  path: string;
  body?: JsonSchema;
  contentTypes: string[];
  roles: string[];
}

/** Tables written only by API requests (the worker and the import runner write the others in the background). */
const apiTables = ['Strategy', 'Debtor', 'Contact', 'Account', 'Case', 'ApiKey', 'Template', 'ImportJob', 'InboundMessage', 'Client', 'Portfolio', 'RemittanceStatement'];

const hostileStrings = [
  '',
  ' ',
  '\u0000',
  '../../etc/passwd',
  '%2e%2e%2f',
  "' OR 1=1 --",
  '"; DROP TABLE "Case"; --',
  '=HYPERLINK("http://evil.example","x")',
  '<script>alert(1)</script>',
  '{{debtor.name}}{{#each}}',
  '\u202e\u0301\ud83d\ude00',
  // Lone UTF-16 surrogates: refused with the field (issue 23), never accepted to poison a case.
  'hi \ud83d there',
  '\udc00',
  'x'.repeat(10_000),
  '1e309',
  '-0',
  'NaN',
];

/** A value that fits `schema` most of the time (the schema is what the route documents). */
function fromSchema(schema: JsonSchema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 5) return fc.jsonValue({ maxDepth: 1 });
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants?.length) return fc.oneof(...variants.map((variant) => fromSchema(variant, depth + 1)));
  if (schema.allOf?.length) return fromSchema(Object.assign({}, ...schema.allOf) as JsonSchema, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const properties = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, value] of Object.entries(properties)) record[key] = fromSchema(value, depth + 1);
      const optional = Object.keys(properties).filter((key) => !required.has(key));
      return fc.record(record, { requiredKeys: [...required].filter((key) => key in record) }).map((value) => {
        for (const key of optional) if (key in value && Math.random() < 0.3) delete (value as Record<string, unknown>)[key];
        return value;
      });
    }
    case 'array':
      return fc.array(fromSchema(schema.items, depth + 1), { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 4, 4) });
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 10_000_000 });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e7, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'string': {
      if (schema.format === 'date-time') return fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
      if (schema.format === 'date') return fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
      if (schema.format === 'email') return fc.emailAddress();
      const min = schema.minLength ?? 0;
      const max = Math.max(min, Math.min(schema.maxLength ?? 40, 40));
      return fc.oneof(fc.string({ minLength: min, maxLength: max }), fc.constantFrom('USD', 'UTC', 'P3D', 'PT0S', 'email', 'sms', '+15555550100', 'America/Chicago'));
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** One way to break an otherwise fitting body. */
function mutate(value: unknown): fc.Arbitrary<unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(...hostileStrings));
  const keys = Object.keys(value);
  const replaceWith = (replacement: fc.Arbitrary<unknown>) =>
    fc.tuple(fc.constantFrom(...(keys.length ? keys : ['x'])), replacement).map(([key, next]) => ({ ...value, [key]: next }));
  return fc.oneof(
    fc.constantFrom(...(keys.length ? keys : ['x'])).map((key) => Object.fromEntries(Object.entries(value).filter(([k]) => k !== key))),
    replaceWith(fc.oneof(fc.constantFrom(null, true, -1, 0, 1.5, 2 ** 53, -(2 ** 60), [], {}, ...hostileStrings), fc.jsonValue({ maxDepth: 2 }))),
    fc.tuple(fc.string({ minLength: 1, maxLength: 12 }), fc.jsonValue({ maxDepth: 1 })).map(([key, extra]) => ({ ...value, [key]: extra })),
    fc.constant({ ...value, constructor: { prototype: { polluted: true } } }),
  );
}

interface OpenApiOperation {
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  'x-roles'?: string[];
}

/** Paths (up to two levels deep) of the number fields a body schema declares. */
function numberFields(schema: JsonSchema | undefined, prefix: string[] = []): string[][] {
  if (!schema || prefix.length > 1) return [];
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) return variants.flatMap((variant) => numberFields(variant, prefix));
  return Object.entries(schema.properties ?? {}).flatMap(([key, property]) => {
    const types = [property.type, ...(property.anyOf ?? []).map((variant) => variant.type)].flat();
    if (types.includes('integer') || types.includes('number')) return [[...prefix, key]];
    return numberFields(property, [...prefix, key]);
  });
}

function withValue(base: unknown, fieldPath: string[], value: unknown): unknown {
  const root: Record<string, unknown> = base && typeof base === 'object' && !Array.isArray(base) ? structuredClone(base as Record<string, unknown>) : {};
  let node = root;
  for (const key of fieldPath.slice(0, -1)) {
    const next = node[key];
    node = (node[key] = next && typeof next === 'object' && !Array.isArray(next) ? next : {}) as Record<string, unknown>;
  }
  node[fieldPath.at(-1) as string] = value;
  return root;
}

function operationsOf(document: { paths: Record<string, Record<string, OpenApiOperation>> }): Operation[] {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(([method]) => ['post', 'put', 'patch'].includes(method))
      .map(([method, operation]) => {
        const content = operation.requestBody?.content ?? {};
        return {
          method: method.toUpperCase(),
          path,
          body: content['application/json']?.schema,
          contentTypes: Object.keys(content),
          roles: operation['x-roles'] ?? [],
        };
      }),
  );
}

let engine: Engine;
let realCaseId: string;
const tally = { requests: 0, byStatus: new Map<number, number>(), byCode: new Map<string, number>(), unchangedChecks: 0 };
/** Every broken rule, so one run reports them all (set FUZZ_SEED to replay a run). */
const violations: string[] = [];
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);

beforeAll(async () => {
  engine = await startEngine({ smtp: true, twilio: true });
  const strategy = { ...consumerEarly, key: 'fuzz', steps: [{ id: 'call', at: 'P30D', action: 'call' }] };
  expect((await engine.call('POST', '/api/v1/strategies', { body: strategy })).status).toBe(201);
  const enrolled = await engine.call('POST', '/api/v1/accounts', {
    body: { externalId: 'FUZZ-1', strategy: 'fuzz', currency: 'USD', balance: 1_000_000, debtor: { name: 'Fuzz Target', email: 'fuzz@example.com', timeZone: middayZone() } },
  });
  expect(enrolled.status).toBe(201);
  realCaseId = enrolled.body.caseId;
}, 120_000);

afterAll(async () => {
  const codes = [...tally.byCode].sort(([a], [b]) => a.localeCompare(b)).map(([code, n]) => `${code}=${n}`).join(' ');
  const statuses = [...tally.byStatus].sort(([a], [b]) => a - b).map(([status, n]) => `${status}:${n}`).join(' ');
  console.info(`fuzz (seed ${seed}): ${tally.requests} requests; statuses ${statuses}; 4xx codes ${codes}; ${tally.unchangedChecks} refusals checked to write nothing`);
  if (violations.length) console.info(`fuzz violations:\n${violations.join('\n')}`);
  await engine?.stop();
});

async function rowCounts(): Promise<Record<string, number>> {
  const select = apiTables.map((table) => `(SELECT count(*) FROM "${table}")::int AS "${table}"`).join(', ');
  const [row] = await engine.db.$queryRawUnsafe<Record<string, number>[]>(`SELECT ${select}`);
  return row ?? {};
}

/** Sends one request and checks the answer's shape; a refusal must have written nothing. */
function probe(method: string, url: string, init: { body?: string; contentType?: string; key?: string }): Promise<CallResult> {
  return probeRaw(method, url, {
    ...(init.body === undefined ? {} : { body: init.body }),
    headers: { authorization: `Bearer ${init.key ?? engine.keys.admin}`, ...(init.contentType ? { 'content-type': init.contentType } : {}) },
  });
}

async function probeRaw(method: string, url: string, init: { body?: string; headers: Record<string, string> }): Promise<CallResult> {
  const before = await rowCounts();
  const response = await fetch(`${engine.baseUrl}${url}`, { method, headers: init.headers, ...(init.body === undefined ? {} : { body: init.body }) });
  const text = await response.text();
  let body: CallResult['body'] = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  tally.requests++;
  tally.byStatus.set(response.status, (tally.byStatus.get(response.status) ?? 0) + 1);
  const where = `${method} ${url} ${init.headers['content-type'] ?? ''} ${(init.body ?? '').slice(0, 200)}`;
  const broke = (rule: string) => violations.push(`${rule}: ${where} -> ${response.status} ${text.slice(0, 300)}`);
  if (response.status >= 500) broke('5xx');
  else if (response.status >= 400) {
    // Pages for people (the unsubscribe link) answer in HTML, by design.
    const page = (response.headers.get('content-type') ?? '').startsWith('text/html');
    if (page) {
      // nothing to check but the status
    } else if (typeof body?.error?.code !== 'string' || typeof body?.error?.message !== 'string') broke('error without code and message');
    else tally.byCode.set(body.error.code, (tally.byCode.get(body.error.code) ?? 0) + 1);
    if (response.status === 400) {
      const fields = body?.error?.fields as { path?: unknown; message?: unknown }[] | undefined;
      if (!fields?.length || fields.some((field) => typeof field.path !== 'string' || typeof field.message !== 'string' || !field.message)) broke('400 without fields');
    }
    const after = await rowCounts();
    if (JSON.stringify(after) !== JSON.stringify(before)) broke(`refusal wrote rows ${JSON.stringify(before)} -> ${JSON.stringify(after)}`);
    tally.unchangedChecks++;
  }
  return { status: response.status, body, text, headers: response.headers };
}

/** Path parameters: the real case, made-up ids, and hostile strings. */
const pathParam = fc.oneof(
  { weight: 3, arbitrary: fc.constant('REAL') },
  { weight: 1, arbitrary: fc.uuid().map((id) => `case-${id}`) },
  // (A URL carries UTF-8 bytes: a lone surrogate cannot be put in one.)
  { weight: 1, arbitrary: fc.constantFrom(...hostileStrings.filter((s) => s.length > 0 && s.length < 500 && !/[\uD800-\uDFFF]/u.test(s))) },
  { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 30 }) },
);

function urlFor(path: string, param: string): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(param === 'REAL' ? (name === 'caseId' ? realCaseId : 'fuzz') : param));
}

describe('every write route in the OpenAPI document', () => {
  it('answers random, near-valid and hostile JSON bodies with a 2xx or a well-formed 4xx, never a 5xx, and refusals write nothing', async () => {
    const first = violations.length;
    const { body: document } = await engine.call('GET', '/openapi.json', { key: null });
    const operations = operationsOf(document).filter((operation) => operation.contentTypes.includes('application/json') || operation.contentTypes.length === 0);
    expect(operations.length).toBeGreaterThan(10);
    for (const operation of operations) {
      const key = engine.keys[(operation.roles.includes('admin') ? 'admin' : operation.roles[0] ?? 'admin') as keyof typeof engine.keys];
      const bodies = fc.oneof(
        { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
        { weight: 3, arbitrary: fromSchema(operation.body) },
        { weight: 4, arbitrary: fromSchema(operation.body).chain(mutate) },
      );
      for (const [body, param] of fc.sample(fc.tuple(bodies, pathParam), { numRuns: 16, seed: seed + operations.indexOf(operation) })) {
        await probe(operation.method, urlFor(operation.path, param), { body: JSON.stringify(body), contentType: 'application/json', key });
      }
      // Boundaries, every time: each number field just past a 32-bit column, and far past it.
      const [base] = fc.sample(fromSchema(operation.body), { numRuns: 1, seed });
      for (const fieldPath of numberFields(operation.body)) {
        for (const value of [2_147_483_648, -2_147_483_649, 2 ** 53]) {
          await probe(operation.method, urlFor(operation.path, 'REAL'), { body: JSON.stringify(withValue(base, fieldPath, value)), contentType: 'application/json', key });
        }
      }
    }
    expect(violations.slice(first)).toEqual([]);
  }, 180_000);

  it('refuses malformed, oversized and mistyped bodies on every write route with a 4xx', async () => {
    const first = violations.length;
    const { body: document } = await engine.call('GET', '/openapi.json', { key: null });
    const broken = [
      { body: '{"a":', contentType: 'application/json' },
      { body: '', contentType: 'application/json' },
      { body: 'null', contentType: 'application/json' },
      { body: '[1,2,3]', contentType: 'application/json' },
      { body: '{"__proto__":{"admin":true}}', contentType: 'application/json' },
      { body: `{"a":"${'x'.repeat(1_100_000)}"}`, contentType: 'application/json' },
      { body: '<xml/>', contentType: 'application/xml' },
      { body: 'a=1&b=2', contentType: 'application/x-www-form-urlencoded' },
      { body: 'ÿþ\u0000\u0000', contentType: 'text/plain; charset=utf-16' },
    ];
    for (const operation of operationsOf(document)) {
      const key = engine.keys[(operation.roles.includes('admin') ? 'admin' : operation.roles[0] ?? 'admin') as keyof typeof engine.keys];
      for (const attempt of broken) {
        const violationsBefore = violations.length;
        const { status } = await probe(operation.method, urlFor(operation.path, 'REAL'), { ...attempt, key });
        if (violations.length > violationsBefore) continue;
        // Webhooks take form posts and answer their provider; a form body may well be a 2xx (e.g. an unknown number ignored) or a 401/403 (bad signature).
        if (!operation.path.startsWith('/webhooks/') && !(attempt.contentType === 'text/plain; charset=utf-16' && operation.contentTypes.some((type) => type.startsWith('text/')))) {
          if (status < 400) violations.push(`accepted a broken body: ${operation.method} ${operation.path} with ${attempt.contentType} ${attempt.body.slice(0, 40)}`);
        }
      }
    }
    expect(violations.slice(first)).toEqual([]);
  }, 120_000);

  it('answers hostile, oversized and replayed webhooks, correctly signed or not, without a 5xx', async () => {
    const first = violations.length;
    const { publicUrl, twilioAuthToken, inboundEmailSecret } = engine.communications;
    const formValue = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom(...hostileStrings), fc.constant('+15555550100'), fc.constant('STOP'));
    const forms = fc.oneof(
      fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), formValue, { maxKeys: 6 }),
      fc.record({ MessageSid: fc.oneof(fc.constant('SM0123456789abcdef0123456789abcdef'), formValue), From: formValue, To: formValue, Body: formValue }, { requiredKeys: [] }),
      fc.record({ MessageSid: formValue, MessageStatus: fc.oneof(fc.constantFrom('delivered', 'undelivered', 'failed', 'sent'), formValue), ErrorCode: formValue }, { requiredKeys: [] }),
    );
    const sign = (path: string, form: Record<string, string>) => twilio.getExpectedTwilioSignature(twilioAuthToken, `${publicUrl}${path}`, form);
    let signed = 0;
    for (const path of ['/webhooks/twilio/sms', '/webhooks/twilio/status']) {
      for (const [form, signIt] of fc.sample(fc.tuple(forms, fc.boolean()), { numRuns: 25, seed })) {
        const body = new URLSearchParams(form).toString();
        const headers = { 'content-type': 'application/x-www-form-urlencoded', ...(signIt ? { 'x-twilio-signature': sign(path, form) } : { 'x-twilio-signature': 'forged' }) };
        if (signIt) signed++;
        const answer = await probeRaw('POST', path, { body, headers });
        if (!signIt && answer.status < 400) violations.push(`unsigned webhook accepted: ${path} ${body.slice(0, 100)} -> ${answer.status}`);
      }
    }
    // An inbound email: hostile raw messages, signed with the HMAC, plus an oversized one.
    const mails = fc.oneof(fc.string({ maxLength: 200 }), fc.constantFrom(...hostileStrings), fc.constant('From: x@example.com\r\nTo: reply+bogus@dunning.local\r\nSubject: =cmd|calc\r\n\r\nSTOP'));
    for (const raw of [...fc.sample(mails, { numRuns: 15, seed }), 'x'.repeat(1_100_000)]) {
      const signature = `sha256=${createHmac('sha256', inboundEmailSecret).update(raw).digest('hex')}`;
      await probeRaw('POST', '/webhooks/email/inbound', { body: raw, headers: { 'content-type': 'message/rfc822', 'x-dunning-signature': signature } });
    }
    // A replay: the same signed inbound SMS twice is stored once.
    const form = { MessageSid: 'SMreplay0123456789abcdef0123456789', From: '+15555550100', To: '+15555550199', Body: 'hello' };
    const replay = { body: new URLSearchParams(form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': sign('/webhooks/twilio/sms', form) } };
    const once = await probeRaw('POST', '/webhooks/twilio/sms', replay);
    const stored = await engine.db.inboundMessage.count();
    const twice = await probeRaw('POST', '/webhooks/twilio/sms', replay);
    expect(once.status).toBeLessThan(300);
    expect(twice.status).toBeLessThan(300);
    expect(await engine.db.inboundMessage.count()).toBe(stored);
    expect(signed).toBeGreaterThan(10);
    expect(violations.slice(first)).toEqual([]);
  });

  it('neutralises spreadsheet formulas in the CSV a hostile import produces', async () => {
    const csv = 'externalId,strategy,currency,balance,debtorName,timeZone\n=HYPERLINK("http://evil.example"),fuzz,USD,not-a-number,@SUM(A1),UTC\n';
    const imported = await probe('POST', '/api/v1/accounts/import', { body: csv, contentType: 'text/csv', key: engine.keys.manager });
    expect(imported.status).toBe(202);
    const jobId = imported.body.id ?? imported.body.jobId;
    await eventually(async () => ['completed', 'failed'].includes((await engine.call('GET', `/api/v1/imports/${jobId}`)).body.status), 'the import to finish');
    const rejected = await fetch(`${engine.baseUrl}/api/v1/imports/${jobId}/rejected.csv`, { headers: { authorization: `Bearer ${engine.keys.manager}` } });
    const text = await rejected.text();
    expect(text).toContain('HYPERLINK');
    for (const line of text.split(/\r?\n/)) {
      for (const cell of line.split(',')) expect(cell.replace(/^"/, ''), `cell ${cell}`).not.toMatch(/^[=+@]/);
    }
  });
});
