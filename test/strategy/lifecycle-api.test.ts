import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { previewStrategy } from '../../domain/preview.js';
import { assignArm } from '../../domain/segments.js';
import { previewAccountOf, ZPreviewAccount } from '../../domain/preview-input.js';
import { statusQuery } from '../../workflows/case-messages.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { testKeys } from '../../testing/api-client.js';
import { eventually } from '../../testing/eventually.js';
import { strategy } from '../support/strategies.js';

/**
 * Strategy authoring over the real API, PostgreSQL and Temporal: drafts, activation, retirement,
 * immutability of active versions, the preview, segment rules choosing strategies and arms, and
 * moving running cases to a new version.
 */

let engine: Engine;

beforeAll(async () => {
  engine = await startEngine();
});

afterAll(async () => {
  await engine?.stop();
});

const templates = {
  reminder: { channel: 'email', subject: 'Overdue', body: 'Hello {{debtor.name}}, {{balance}} is overdue.' },
  demand: { channel: 'letter', body: 'Dear {{debtor.name}}, please pay {{balance}}.' },
};

/** A timeline whose first step is a day out, so enrolled cases wait quietly during the test. */
const definition = (key: string, name = 'v1', extra: object = {}) => ({
  key,
  name,
  templates,
  steps: [
    { id: 'reminder', at: 'P1D', action: 'email', template: 'reminder' },
    { id: 'letter', at: 'P10D', action: 'letter', template: 'demand' },
    { id: 'call', at: 'P14D', action: 'call' },
  ],
  ...extra,
});

const account = (externalId: string, extra: object = {}) => ({
  externalId,
  currency: 'USD',
  balance: 125_000,
  daysPastDue: 30,
  debtor: { name: 'Ana Ruiz', email: 'ana@example.com', phone: '+15555550100', timeZone: 'America/Chicago' },
  ...extra,
});

describe('the strategy lifecycle', () => {
  it('keeps a draft editable and unusable until activated, then immutable', async () => {
    const draft = await engine.call('POST', '/api/v1/strategies?activate=false', { body: definition('life') });
    expect(draft.status).toBe(201);
    expect(draft.body).toMatchObject({ key: 'life', version: 1, status: 'draft', activatedAt: null });

    const second = await engine.call('POST', '/api/v1/strategies', { body: { ...definition('life'), activate: false } });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('draft_exists');

    const notYet = await engine.call('POST', '/api/v1/accounts', { body: account('LIFE-0', { strategy: 'life' }), key: testKeys.integration });
    expect(notYet.status).toBe(422);
    expect(notYet.body.error.code).toBe('unknown_strategy');

    const edited = await engine.call('PUT', '/api/v1/strategies/life/draft', { body: definition('life', 'v1, edited') });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ version: 1, status: 'draft', name: 'v1, edited' });
    const wrongKey = await engine.call('PUT', '/api/v1/strategies/life/draft', { body: definition('other') });
    expect(wrongKey.status).toBe(422);
    expect(wrongKey.body.error.fields).toEqual([{ path: 'key', message: 'must be "life", the key in the path' }]);

    const active = await engine.call('POST', '/api/v1/strategies/life/activate', { body: {} });
    expect(active.status).toBe(200);
    expect(active.body).toMatchObject({ version: 1, status: 'active', name: 'v1, edited' });
    expect(active.body.activatedAt).toEqual(expect.any(String));

    // Editing after activation makes a new draft; the active version does not change.
    const v2 = await engine.call('PUT', '/api/v1/strategies/life/draft', { body: definition('life', 'v2') });
    expect(v2.status).toBe(201);
    expect(v2.body).toMatchObject({ version: 2, status: 'draft' });
    const versions = await engine.call('GET', '/api/v1/strategies/life');
    expect(versions.body.versions.map((v: { version: number; status: string; name: string }) => [v.version, v.status, v.name])).toEqual([
      [2, 'draft', 'v2'],
      [1, 'active', 'v1, edited'],
    ]);

    const activated = await engine.call('POST', '/api/v1/strategies/life/activate', { body: { version: 2 } });
    expect(activated.body).toMatchObject({ version: 2, status: 'active' });
    const after = await engine.call('GET', '/api/v1/strategies/life');
    expect(after.body.versions.map((v: { status: string }) => v.status)).toEqual(['active', 'retired']);
    const again = await engine.call('POST', '/api/v1/strategies/life/activate', { body: { version: 2 } });
    expect(again.status).toBe(200);

    const back = await engine.call('POST', '/api/v1/strategies/life/activate', { body: { version: 1 } });
    expect(back.status).toBe(409);
    expect(back.body.error.code).toBe('strategy_retired');
    expect((await engine.call('POST', '/api/v1/strategies/life/activate', { body: { version: 9 } })).status).toBe(404);

    const audit = await engine.db.auditEvent.findMany({ where: { action: { in: ['strategy_created', 'strategy_draft_saved', 'strategy_activated'] } }, orderBy: { id: 'asc' } });
    expect(audit.map((event) => event.action)).toEqual(['strategy_created', 'strategy_draft_saved', 'strategy_activated', 'strategy_created', 'strategy_activated']);
  });

  it('creates and activates at once by default, as before drafts existed', async () => {
    const created = await engine.call('POST', '/api/v1/strategies', { body: definition('at-once') });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ version: 1, status: 'active' });
    const explicit = await engine.call('POST', '/api/v1/strategies?activate=true', { body: definition('at-once', 'v2') });
    expect(explicit.body).toMatchObject({ version: 2, status: 'active' });
    const versions = await engine.call('GET', '/api/v1/strategies/at-once');
    expect(versions.body.versions.map((v: { status: string }) => v.status)).toEqual(['active', 'retired']);
  });

  it('retires the active version: new accounts are refused, and a second retire is a conflict', async () => {
    await engine.call('POST', '/api/v1/strategies', { body: definition('retiring') });
    const retired = await engine.call('POST', '/api/v1/strategies/retiring/retire', { body: {} });
    expect(retired.status).toBe(200);
    expect(retired.body).toMatchObject({ version: 1, status: 'retired' });
    expect(retired.body.retiredAt).toEqual(expect.any(String));
    const refused = await engine.call('POST', '/api/v1/accounts', { body: account('RET-1', { strategy: 'retiring' }), key: testKeys.integration });
    expect(refused.status).toBe(422);
    const twice = await engine.call('POST', '/api/v1/strategies/retiring/retire', { body: {} });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('no_active_version');
  });

  it('refuses a strategy with every lint problem and its path, and lets only managers write', async () => {
    const broken = definition('broken', 'Broken', {
      steps: [
        { id: 'reminder', at: 'P1D', action: 'email', template: 'reminder', fallback: 'nowhere' },
        { id: 'memo', at: 'P2D', action: 'note' },
        { id: 'plan', at: 'P3D', action: 'plan_monitoring', when: { arrangementActive: 'none' } },
      ],
      negotiation: { maxInstallments: 6, officerAuthority: { maxSettlementDiscountPercent: 0, maxInstallments: 12 } },
    });
    const refused = await engine.call('POST', '/api/v1/strategies', { body: broken });
    expect(refused.status).toBe(422);
    expect(refused.body.error.fields.map((field: { path: string }) => field.path).sort()).toEqual(
      ['negotiation.officerAuthority.maxInstallments', 'steps.0.fallback', 'steps.1.note', 'steps.2.when.arrangementActive'].sort(),
    );
    expect((await engine.call('POST', '/api/v1/strategies', { body: definition('by-officer'), key: testKeys.officer })).status).toBe(403);
    expect((await engine.call('PUT', '/api/v1/strategies/life/draft', { body: definition('life'), key: testKeys.officer })).status).toBe(403);
  });
});

describe('the preview endpoint', () => {
  it('answers the same dated list as the preview code, for the active version or a named one', async () => {
    await engine.call('POST', '/api/v1/strategies', {
      body: definition('previewed', 'v1', { contact: { allowedHours: { start: '09:00', end: '17:00' } } }),
    });
    const sample = account('SAMPLE');
    const { externalId: _omit, ...withoutId } = sample;
    const startedAt = '2026-01-05T04:00:00Z';
    const answer = await engine.call('POST', '/api/v1/strategies/previewed/preview', { body: { account: withoutId, startedAt }, key: testKeys.officer });
    expect(answer.status).toBe(200);
    const expected = previewStrategy({
      definition: strategy(definition('previewed', 'v1', { contact: { allowedHours: { start: '09:00', end: '17:00' } } })),
      account: previewAccountOf(ZPreviewAccount.parse(withoutId)),
      startedAt: Date.parse(startedAt),
    });
    expect(answer.body).toEqual({ strategy: { key: 'previewed', version: 1, status: 'active' }, startedAt: '2026-01-05T04:00:00.000Z', ...expected });
    expect(answer.body.entries.map((entry: { stepId: string; outcome: string }) => `${entry.stepId} ${entry.outcome}`)).toEqual([
      'reminder held',
      'reminder run',
      'letter skipped',
      'call held',
      'call run',
    ]);

    const events = await engine.call('POST', '/api/v1/strategies/previewed/preview', {
      body: { account: withoutId, startedAt, events: [{ type: 'payment', at: '2026-01-07T00:00:00Z', amount: 125_000 }] },
    });
    expect(events.body.end).toEqual({ at: '2026-01-07T00:00:00.000Z', reason: 'paid' });

    const bad = await engine.call('POST', '/api/v1/strategies/previewed/preview', { body: { account: { ...withoutId, balance: -1 }, startedAt: 'soon' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((field: { path: string }) => field.path)).toEqual(expect.arrayContaining(['body.account.balance', 'body.startedAt']));
    expect((await engine.call('POST', '/api/v1/strategies/unknown/preview', { body: { account: withoutId } })).status).toBe(404);
    expect((await engine.call('POST', '/api/v1/strategies/previewed/preview', { body: { account: withoutId, version: 7 } })).status).toBe(404);
  });
});

describe('the lint endpoint', () => {
  it('names every problem of a definition by its path, saves nothing, and is for managers', async () => {
    const clean = await engine.call('POST', '/api/v1/strategies/lint', { body: definition('linted') });
    expect(clean.status).toBe(200);
    expect(clean.body).toEqual({ ok: true, problems: [] });

    const broken = definition('linted');
    broken.steps = [{ ...broken.steps[0]!, template: 'nope' }, { id: 'later', at: 'soon', action: 'call' }];
    const answer = await engine.call('POST', '/api/v1/strategies/lint', { body: broken });
    expect(answer.status).toBe(200);
    expect(answer.body.ok).toBe(false);
    expect(answer.body.problems).toEqual(
      expect.arrayContaining([
        { path: 'steps.0.template', message: 'no template named "nope"' },
        { path: 'steps.1.at', message: expect.stringContaining('ISO-8601 duration') },
      ]),
    );
    expect((await engine.call('GET', '/api/v1/strategies/linted')).status).toBe(404);
    expect((await engine.call('POST', '/api/v1/strategies/lint', { body: definition('linted'), key: testKeys.officer })).status).toBe(403);
  });
});

describe('segment rules', () => {
  it('choose the strategy and the arm of an account enrolled without one, and record both', async () => {
    expect((await engine.call('GET', '/api/v1/segments')).status).toBe(404);
    await engine.call('POST', '/api/v1/strategies', { body: definition('seg-champion') });
    await engine.call('POST', '/api/v1/strategies', { body: definition('seg-challenger') });
    await engine.call('POST', '/api/v1/strategies', { body: definition('seg-b2b') });
    const rules = {
      segments: [
        { id: 'b2b', match: { product: 'invoice' }, strategy: 'seg-b2b' },
        { id: 'acme', match: { portfolio: 'acme', maxBalance: 500_000 }, strategy: 'seg-champion', challenger: { strategy: 'seg-challenger', percent: 50 } },
      ],
    };
    const unknown = await engine.call('PUT', '/api/v1/segments', {
      body: { segments: [rules.segments[0], { ...rules.segments[1], challenger: { strategy: 'nope', percent: 50 } }] },
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.fields).toEqual([{ path: 'body.segments.1.challenger.strategy', message: 'no active strategy "nope"' }]);
    const invalid = await engine.call('PUT', '/api/v1/segments', { body: { segments: [{ id: 'x', match: { minBalance: 5, maxBalance: 1 }, strategy: 'seg-b2b' }] } });
    expect(invalid.status).toBe(422);
    expect(invalid.body.error.fields[0].path).toBe('body.segments.0.match');

    const saved = await engine.call('PUT', '/api/v1/segments', { body: rules });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ version: 1, segments: rules.segments });
    const resaved = await engine.call('PUT', '/api/v1/segments', { body: rules });
    expect(resaved.body.version).toBe(2);
    expect((await engine.call('GET', '/api/v1/segments', { key: testKeys.officer })).body.version).toBe(2);

    // The arm is the hash's, so it can be predicted; these four accounts cover both arms.
    const externalIds = ['SEG-0', 'SEG-1', 'SEG-2', 'SEG-3'];
    const expected = externalIds.map((externalId) => assignArm('acme', externalId, 50));
    expect(new Set(expected.map((assignment) => assignment.arm))).toEqual(new Set(['champion', 'challenger']));
    for (const [index, externalId] of externalIds.entries()) {
      const enrolled = await engine.call('POST', '/api/v1/accounts', { body: account(externalId, { portfolio: 'acme' }), key: testKeys.integration });
      expect(enrolled.status).toBe(201);
      const row = await engine.db.case.findUniqueOrThrow({ where: { id: enrolled.body.caseId }, include: { strategy: true } });
      expect(row.arm).toBe(expected[index]?.arm);
      expect(row.strategy.key).toBe(row.arm === 'challenger' ? 'seg-challenger' : 'seg-champion');
      const audit = await engine.db.auditEvent.findFirstOrThrow({ where: { caseId: row.id, action: 'account_enrolled' } });
      expect(audit.data).toMatchObject({ segment: 'acme', arm: row.arm, bucket: expected[index]?.bucket, ruleSetVersion: 2 });
    }
    // A repeated enrollment answers with the same case, and so the same arm.
    const repeat = await engine.call('POST', '/api/v1/accounts', { body: account('SEG-0', { portfolio: 'acme' }), key: testKeys.integration });
    expect(repeat.status).toBe(200);

    const b2b = await engine.call('POST', '/api/v1/accounts', { body: account('SEG-B2B', { product: 'invoice', portfolio: 'acme' }), key: testKeys.integration });
    expect(b2b.body.strategy.key).toBe('seg-b2b');
    const named = await engine.call('POST', '/api/v1/accounts', { body: account('SEG-NAMED', { portfolio: 'acme', strategy: 'seg-b2b' }), key: testKeys.integration });
    expect(named.body.strategy.key).toBe('seg-b2b');
    expect((await engine.db.case.findUniqueOrThrow({ where: { id: named.body.caseId } })).arm).toBeNull();

    const none = await engine.call('POST', '/api/v1/accounts', { body: account('SEG-NONE', { portfolio: 'globex' }), key: testKeys.integration });
    expect(none.status).toBe(422);
    expect(none.body.error).toMatchObject({ code: 'no_segment', fields: [{ path: 'body.strategy' }] });
  });
});

describe('moving running cases to a new version', () => {
  it('checks every case first, then signals each workflow, updates its row and audits the move', async () => {
    await engine.call('POST', '/api/v1/strategies', { body: definition('moving') });
    const first = await engine.call('POST', '/api/v1/accounts', { body: account('MOVE-1', { strategy: 'moving' }), key: testKeys.integration });
    const second = await engine.call('POST', '/api/v1/accounts', { body: account('MOVE-2', { strategy: 'moving' }), key: testKeys.integration });
    const other = await engine.call('POST', '/api/v1/accounts', { body: account('MOVE-3', { strategy: 'life' }), key: testKeys.integration });
    const [a, b, c] = [first.body.caseId as string, second.body.caseId as string, other.body.caseId as string];

    await engine.call('PUT', '/api/v1/strategies/moving/draft', { body: definition('moving', 'v2') });
    const draftTarget = await engine.call('POST', '/api/v1/strategies/moving/migrate', { body: { caseIds: [a], toVersion: 2, reason: 'new wording' } });
    expect(draftTarget.status).toBe(422);
    expect(draftTarget.body.error.code).toBe('version_not_active');
    await engine.call('POST', '/api/v1/strategies/moving/activate', { body: { version: 2 } });

    const refused = await engine.call('POST', '/api/v1/strategies/moving/migrate', { body: { caseIds: [a, 'case-nope', c], toVersion: 2, reason: 'new wording' } });
    expect(refused.status).toBe(422);
    expect(refused.body.error.fields).toEqual([
      { path: 'body.caseIds.1', message: 'no case "case-nope"' },
      { path: 'body.caseIds.2', message: `case "${c}" runs strategy "life", not "moving"` },
    ]);
    expect((await engine.db.case.findUniqueOrThrow({ where: { id: a }, include: { strategy: true } })).strategy.version).toBe(1);

    expect((await engine.call('POST', '/api/v1/strategies/moving/migrate', { body: { caseIds: [a], toVersion: 2, reason: 'x' }, key: testKeys.officer })).status).toBe(403);

    const moved = await engine.call('POST', '/api/v1/strategies/moving/migrate', { body: { caseIds: [a, b], toVersion: 2, reason: 'new wording' } });
    expect(moved.status).toBe(200);
    expect(moved.body.results).toEqual([
      { caseId: a, outcome: 'migrated', fromVersion: 1, toVersion: 2 },
      { caseId: b, outcome: 'migrated', fromVersion: 1, toVersion: 2 },
    ]);
    const row = await engine.db.case.findUniqueOrThrow({ where: { id: a }, include: { strategy: true } });
    expect(row.strategy.version).toBe(2);
    const audit = await engine.db.auditEvent.findFirstOrThrow({ where: { caseId: a, action: 'strategy_version_changed' } });
    expect(audit).toMatchObject({ before: { strategy: 'moving', version: 1 }, after: { strategy: 'moving', version: 2 }, data: { reason: 'new wording' } });

    // The workflow took the new version (how it maps its position is its own test). Read from its
    // live status, not from one run's history: the signal belongs to whichever run received it.
    await eventually(async () => (await engine.temporal.workflow.getHandle(a).query(statusQuery)).strategy.version === 2, 'case a runs version 2');

    const repeated = await engine.call('POST', '/api/v1/strategies/moving/migrate', { body: { caseIds: [a], toVersion: 2, reason: 'again' } });
    expect(repeated.body.results).toEqual([{ caseId: a, outcome: 'unchanged', fromVersion: 2, toVersion: 2 }]);
  });
});
