import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roles, type Role } from '../../api/auth.js';
import { apiOptions } from '../../api/security-config.js';
import { buildApi } from '../../api/server.js';
import { createApiKey, listApiKeys, revokeApiKey } from '../../api/services/api-keys.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { eventually } from '../../testing/eventually.js';
import { middayZone } from '../../testing/midday-zone.js';
import { consumerEarly } from '../support/strategies.js';

/**
 * Access control over the real API: every route in /openapi.json refuses every role it does not
 * declare (403) and callers without a valid key (401); keys from the ApiKey table (made by the
 * admin command, stored hashed, revocable); team scoping of cases (OWASP API1); masked contact
 * details for roles that do not contact debtors (API3) with an audit event for every full read;
 * the append-only audit trail; and per-key rate limits (API4).
 */

const run = promisify(execFile);
const apiKeysScript = fileURLToPath(new URL('../../scripts/api-keys.ts', import.meta.url));

/** Routes that take no API key: each is authenticated otherwise (provider signature, signed link, the debtor's page's link and identity check) or public by nature. */
const publicRoutes = [/^\/health$/, /^\/webhooks\//, /unsubscribe/i, /^\/u\//, /^\/p\//];

let engine: Engine;
const cases: Record<'east' | 'west', string> = { east: '', west: '' };

async function apiKeysCommand(...args: string[]) {
  return run(process.execPath, ['--import', 'tsx', apiKeysScript, ...args], { env: { ...process.env, DATABASE_URL: engine.env.DATABASE_URL } });
}

beforeAll(async () => {
  engine = await startEngine({ smtp: true, twilio: true });
  const strategy = { ...consumerEarly, key: 'roles-test', steps: [{ id: 'call', at: 'P30D', action: 'call' }] };
  expect((await engine.call('POST', '/api/v1/strategies', { body: strategy })).status).toBe(201);
  for (const team of ['east', 'west'] as const) {
    const enrolled = await engine.call('POST', '/api/v1/accounts', {
      body: { externalId: `ROLE-${team}`, strategy: 'roles-test', currency: 'USD', balance: 10_000, debtor: { name: `Debtor ${team}`, email: `${team}@example.com`, timeZone: middayZone() } },
    });
    expect(enrolled.status).toBe(201);
    cases[team] = enrolled.body.caseId;
    expect((await engine.call('PUT', `/api/v1/cases/${cases[team]}/team`, { body: { team } })).status).toBe(200);
  }
  // A communication to read back (the strategy's first step is a month away).
  await engine.db.communication.create({
    data: { caseId: cases.east, stepId: 'reminder', channel: 'email', template: 'reminder', recipient: 'east@example.com', subject: 'Your balance', body: 'Hello Debtor east', idempotencyKey: 'roles-test-1', status: 'sent' },
  });
}, 120_000);

afterAll(async () => {
  await engine?.stop();
});

describe('every route in the OpenAPI document', () => {
  it('declares its roles and refuses every other role with 403, and no key or a wrong key with 401', async () => {
    const { status, body: document } = await engine.call('GET', '/openapi.json', { key: null });
    expect(status).toBe(200);
    const operations = Object.entries(document.paths as Record<string, Record<string, { 'x-roles'?: Role[] }>>).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ path, method: method.toUpperCase(), allowed: operation['x-roles'] })),
    );
    expect(operations.length).toBeGreaterThan(15);
    let checks = 0;
    const undeclared: string[] = [];
    for (const { path, method, allowed } of operations) {
      if (!allowed) {
        if (!publicRoutes.some((pattern) => pattern.test(path))) undeclared.push(`${method} ${path}`);
        continue;
      }
      const url = path.replace(/\{[^}]+\}/g, 'no-such-thing');
      const body = ['POST', 'PUT', 'PATCH'].includes(method) ? {} : undefined;
      for (const role of roles) {
        const { status: answer, body: error } = await engine.call(method, url, { key: engine.keys[role], ...(body ? { body } : {}) });
        if (allowed.includes(role)) {
          expect([401, 403], `${role} ${method} ${path} is allowed`).not.toContain(answer);
        } else {
          expect(answer, `${role} ${method} ${path}`).toBe(403);
          expect(error.error.code).toBe('forbidden');
        }
        checks++;
      }
      expect((await engine.call(method, url, { key: null, ...(body ? { body } : {}) })).status, `no key ${method} ${path}`).toBe(401);
      expect((await engine.call(method, url, { key: 'made-up-key-0123456789', ...(body ? { body } : {}) })).status, `bad key ${method} ${path}`).toBe(401);
      checks += 2;
    }
    expect(undeclared, 'routes without x-roles that are not known public routes').toEqual([]);
    console.info(`roles walk: ${operations.length} operations, ${checks} requests`);
  });

  it('answers the health probe without a key: the database and Temporal both reachable', async () => {
    const health = await engine.call('GET', '/health', { key: null });
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok', temporal: true, database: true, laggingCases: 0 });
  });

  it('lets the auditor change nothing', async () => {
    const { body: document } = await engine.call('GET', '/openapi.json', { key: null });
    const auditorWrites = Object.entries(document.paths as Record<string, Record<string, { 'x-roles'?: Role[] }>>).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([method, operation]) => method !== 'get' && operation['x-roles']?.includes('auditor'))
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    // Reads sent as POST: dry-run previews. The codec endpoint is the admin's alone (api/routes/codec.ts).
    expect(auditorWrites.filter((route) => !route.endsWith('/preview'))).toEqual([]);
  });
});

describe('API keys in the table', () => {
  it('are created by the admin command, shown once, stored as a SHA-256, listed without secrets and revoked', async () => {
    const created = await apiKeysCommand('create', '--role', 'officer', '--name', 'alice', '--team', 'east');
    const key = /^\s+(dk_[\w-]{43})$/m.exec(created.stdout)?.[1];
    expect(key).toBeDefined();
    const row = await engine.db.apiKey.findFirstOrThrow({ where: { name: 'alice' } });
    expect(row).toMatchObject({ role: 'officer', team: 'east', revokedAt: null });
    expect(row.hash).toBe(createHash('sha256').update(key as string).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(key);

    const listed = await listApiKeys(engine.db);
    expect(listed.map((entry) => entry.id)).toContain(row.id);
    expect(JSON.stringify(listed)).not.toContain(row.hash);

    const ok = await engine.call('GET', '/api/v1/cases', { key });
    expect(ok.status).toBe(200);
    await eventually(async () => (await engine.db.apiKey.findUnique({ where: { id: row.id } }))?.lastUsedAt, 'lastUsedAt set');

    await revokeApiKey(engine.db, { id: row.id, actor: 'test' });
    // A running API caches keys for ~10 s; a fresh one (or the same after 10 s) refuses the key.
    const fresh = await buildApi({ deps: { db: engine.db, temporal: engine.temporal }, apiKeys: new Map(), logLevel: 'silent' });
    try {
      expect((await fresh.inject({ method: 'GET', url: '/api/v1/cases', headers: { authorization: `Bearer ${key}` } })).statusCode).toBe(401);
    } finally {
      await fresh.close();
    }
    const events = await engine.db.auditEvent.findMany({ where: { action: { in: ['api_key_created', 'api_key_revoked'] } } });
    expect(events.map((event) => event.action).sort()).toEqual(['api_key_created', 'api_key_revoked']);
  }, 60_000);
});

describe('team scoping of cases (OWASP API1)', () => {
  let eastOfficer: string;

  beforeAll(async () => {
    eastOfficer = (await createApiKey(engine.db, { role: 'officer', name: 'bob', team: 'east', actor: 'test' })).key;
  });

  it("shows a team's officer only that team's cases, and answers 404 for the others", async () => {
    const listed = await engine.call('GET', '/api/v1/cases', { key: eastOfficer });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((item: { caseId: string }) => item.caseId)).toEqual([cases.east]);
    expect((await engine.call('GET', `/api/v1/cases/${cases.east}`, { key: eastOfficer })).status).toBe(200);

    for (const [method, suffix, body] of [
      ['GET', '', undefined],
      ['GET', '/communications', undefined],
      ['POST', '/pause', { reason: 'x' }],
      ['POST', '/payments', { reference: 'P-1', amount: 100 }],
    ] as const) {
      const answer = await engine.call(method, `/api/v1/cases/${cases.west}${suffix}`, { key: eastOfficer, ...(body ? { body } : {}) });
      expect(answer.status, `${method} west${suffix}`).toBe(404);
    }
    // A key without a team (API_KEYS) sees both.
    const all = await engine.call('GET', '/api/v1/cases', { key: engine.keys.officer });
    expect(all.body.items.map((item: { caseId: string }) => item.caseId).sort()).toEqual([cases.east, cases.west].sort());
  });

  it('lets only managers and admins move a case between teams, and audits the move', async () => {
    expect((await engine.call('PUT', `/api/v1/cases/${cases.west}/team`, { key: eastOfficer, body: { team: 'east' } })).status).toBe(403);
    const moves = await engine.db.auditEvent.findMany({ where: { caseId: cases.west, action: 'team_assigned' } });
    expect(moves).toHaveLength(1);
    expect(moves[0]?.after).toEqual({ team: 'west' });
  });
});

describe('contact details (OWASP API3) and the audit trail', () => {
  it('are masked for auditors, shown to officers, and every full read is an audit event', async () => {
    const before = await engine.db.auditEvent.count({ where: { action: 'contact_details_read' } });
    const masked = await engine.call('GET', `/api/v1/cases/${cases.east}/communications`, { key: engine.keys.auditor });
    expect(masked.status).toBe(200);
    expect(masked.body.masked).toBe(true);
    expect(masked.body.items[0]).toMatchObject({ recipient: 'e***@example.com', body: '[masked]', subject: '[masked]' });
    expect(JSON.stringify(masked.body)).not.toContain('Debtor east');
    expect(await engine.db.auditEvent.count({ where: { action: 'contact_details_read' } })).toBe(before);

    const full = await engine.call('GET', `/api/v1/cases/${cases.east}/communications`, { key: engine.keys.officer });
    expect(full.body).toMatchObject({ masked: false, items: [{ recipient: 'east@example.com', body: 'Hello Debtor east' }] });
    const reads = await engine.db.auditEvent.findMany({ where: { action: 'contact_details_read' } });
    expect(reads).toHaveLength(before + 1);
    expect(reads.at(-1)).toMatchObject({ caseId: cases.east, actor: expect.stringMatching(/^officer:/) });
  });

  it('records every change made through the API with the key that made it', async () => {
    expect((await engine.call('POST', `/api/v1/cases/${cases.east}/pause`, { key: engine.keys.officer, body: { reason: 'debtor asked' } })).status).toBe(202);
    const change = await eventually(
      async () => engine.db.auditEvent.findFirst({ where: { caseId: cases.east, action: 'api_change', data: { path: ['route'], equals: '/api/v1/cases/:caseId/pause' } } }),
      'the audit event of the pause',
    );
    expect(change).toMatchObject({ actor: expect.stringMatching(/^officer:/), data: { method: 'POST', route: '/api/v1/cases/:caseId/pause', status: 202 } });
    expect(JSON.stringify(change.data)).not.toContain('debtor asked');
  });

  it('is append-only: the database refuses to change or delete an event', async () => {
    await expect(engine.db.$executeRawUnsafe(`UPDATE "AuditEvent" SET action = 'forged'`)).rejects.toThrow(/append-only/);
    await expect(engine.db.$executeRawUnsafe(`DELETE FROM "AuditEvent"`)).rejects.toThrow(/append-only/);
    expect(await engine.db.auditEvent.count({ where: { action: 'forged' } })).toBe(0);
  });
});

describe('rate limits (OWASP API4)', () => {
  it('answers 429 with Retry-After past the per-key limit, per key, and counts refused keys per address', async () => {
    const limited = await buildApi({
      deps: { db: engine.db, temporal: engine.temporal },
      apiKeys: new Map(roles.map((role) => [engine.keys[role], role])),
      ...apiOptions({ BODY_LIMIT: 1024, RATE_LIMIT_PER_MINUTE: 5, CODEC_CORS_ORIGINS: [] }),
      logLevel: 'silent',
    });
    const get = (key: string | null) =>
      limited.inject({ method: 'GET', url: '/api/v1/strategies', headers: key ? { authorization: `Bearer ${key}` } : {} });
    try {
      const answers = [];
      for (let i = 0; i < 6; i++) answers.push(await get(engine.keys.manager));
      expect(answers.slice(0, 5).map((answer) => answer.statusCode)).toEqual([200, 200, 200, 200, 200]);
      const refused = answers[5];
      expect(refused?.statusCode).toBe(429);
      expect(Number(refused?.headers['retry-after'])).toBeGreaterThan(0);
      expect(refused?.json()).toMatchObject({ error: { code: 'rate_limited' } });
      // Another key has its own budget.
      expect((await get(engine.keys.auditor)).statusCode).toBe(200);
      // Made-up keys share their address's budget, so guessing keys is limited too.
      const guesses = [];
      for (let i = 0; i < 6; i++) guesses.push((await get(`guess-${i}-0123456789abcdef`)).statusCode);
      expect(guesses).toEqual([401, 401, 401, 401, 401, 429]);

      // Body size: over BODY_LIMIT is a 413 with our error shape.
      const large = await limited.inject({
        method: 'POST',
        url: '/api/v1/strategies',
        headers: { authorization: `Bearer ${engine.keys.admin}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ key: 'x'.repeat(2000) }),
      });
      expect(large.statusCode).toBe(413);
      expect(large.json().error.code).toMatch(/too_large/);
    } finally {
      await limited.close();
    }
  });

  it('caps the page size of lists', async () => {
    const answer = await engine.call('GET', '/api/v1/cases?limit=5000');
    expect(answer.status).toBe(400);
    expect(answer.body.error.fields[0].path).toBe('querystring.limit');
  });
});
