import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envKeyId } from '../../api/auth.js';
import { createApiKey } from '../../api/services/api-keys.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { testKeys } from '../../testing/api-client.js';
import { importFile } from '../../testing/imports.js';
import { consumerEarly } from '../support/strategies.js';

/**
 * Assignment rules on the real API, PostgreSQL and the Temporal dev server (enrollment starts each
 * case; no worker is needed to own one): each kind of rule (a balance band, a segment, a team's
 * round-robin among its officer keys, a listed round-robin), applied at enrollment and at import,
 * fair under concurrent enrollment, audited, refused when malformed or naming a key that could not
 * see the cases, and applied again on demand.
 */

let engine: Engine;
const officerA = envKeyId(testKeys.officer);
const officerB = envKeyId(testKeys.officer2);
const eastOfficers: { id: string; key: string }[] = [];
let n = 0;

const account = (balance: number, extra: Record<string, unknown> = {}) => ({
  externalId: `AR-${++n}`,
  currency: 'USD',
  balance,
  debtor: { name: `Owner Test ${n}`, email: `owner${n}@example.com`, timeZone: 'America/Chicago' },
  ...extra,
});
async function enroll(body: Record<string, unknown>): Promise<string> {
  const answer = await engine.call('POST', '/api/v1/accounts', { body });
  expect(answer.status, answer.text).toBe(201);
  return answer.body.caseId;
}
const ownerOf = async (caseId: string) => (await engine.db.case.findUniqueOrThrow({ where: { id: caseId } })).officer;

beforeAll(async () => {
  engine = await startEngine({ worker: 'none', strategies: [consumerEarly, { ...consumerEarly, key: 'retail-early' }] });
  for (const name of ['east-1', 'east-2', 'east-3']) {
    const { key, row } = await createApiKey(engine.db, { role: 'officer', name, team: 'east', actor: 'test' });
    eastOfficers.push({ id: row.id, key });
  }
  // A revoked east officer is dealt nothing; a manager of east is no round-robin officer.
  const revoked = await createApiKey(engine.db, { role: 'officer', name: 'east-gone', team: 'east', actor: 'test' });
  await engine.db.apiKey.update({ where: { id: revoked.row.id }, data: { revokedAt: new Date() } });
  await createApiKey(engine.db, { role: 'manager', name: 'east-boss', team: 'east', actor: 'test' });
  const segments = await engine.call('PUT', '/api/v1/segments', { body: { segments: [{ id: 'retail', match: { portfolio: 'retail' }, strategy: 'retail-early' }, { id: 'rest', strategy: 'consumer-early' }] } });
  expect(segments.status, segments.text).toBe(200);
}, 120_000);

afterAll(async () => {
  await engine?.stop();
});

describe('assignment rules', () => {
  it('are refused when malformed or when they name a key that could not own the cases, with each field named', async () => {
    const westKey = await createApiKey(engine.db, { role: 'officer', name: 'west-1', team: 'west', actor: 'test' });
    const bad = await engine.call('PUT', '/api/v1/assignment-rules', {
      body: {
        rules: [
          { id: 'band', when: { balance: { min: 500, max: 500 } }, assign: { officer: officerA } },
          { id: 'band', assign: { roundRobin: {} } },
        ],
      },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.fields.map((field: { path: string }) => field.path)).toEqual(['body.rules.0.when.balance', 'body.rules.1.id', 'body.rules.1.assign.roundRobin.officers']);
    const both = await engine.call('PUT', '/api/v1/assignment-rules', { body: { rules: [{ id: 'x', assign: { officer: officerA, roundRobin: {} } }] } });
    expect(both.status).toBe(422);
    expect(both.body.error.fields.map((field: { path: string }) => field.path)).toEqual(['body.rules.0.assign']);
    const unknown = await engine.call('PUT', '/api/v1/assignment-rules', {
      body: { rules: [{ id: 'a', assign: { officer: 'nobody' } }, { id: 'b', when: { team: 'east' }, assign: { roundRobin: { officers: [westKey.row.id] } } }] },
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.fields.map((field: { path: string }) => field.path)).toEqual(['body.rules.0.assign.officer', 'body.rules.1.assign.roundRobin.officers.0']);
    expect((await engine.call('PUT', '/api/v1/assignment-rules', { key: testKeys.officer, body: { rules: [] } })).status).toBe(403);
    expect((await engine.call('GET', '/api/v1/assignment-rules')).body.version).toBe(0);
  });

  it('give each new case its owner at enrollment: by balance band, by segment, round-robin within a team, round-robin among listed officers', async () => {
    const saved = await engine.call('PUT', '/api/v1/assignment-rules', {
      body: {
        rules: [
          { id: 'large', when: { balance: { min: 500_000 } }, assign: { officer: officerA } },
          { id: 'retail', when: { segment: 'retail' }, assign: { officer: officerB } },
          { id: 'east', when: { team: 'east' }, assign: { roundRobin: {} } },
          { id: 'small', when: { balance: { max: 10_000 } }, assign: { roundRobin: { officers: [officerA, officerB] } } },
        ],
      },
    });
    expect(saved.status, saved.text).toBe(200);
    expect(saved.body.version).toBe(1);

    // The band: 500,000 included goes to A; 499,999 does not match it.
    const large = await enroll(account(500_000, { team: 'east' }));
    expect(await ownerOf(large)).toBe(officerA);
    const retail = await enroll(account(100_000, { portfolio: 'retail' }));
    expect(await ownerOf(retail)).toBe(officerB);
    expect((await engine.db.case.findUniqueOrThrow({ where: { id: retail } })).segment).toBe('retail');
    // Nothing matches: no owner.
    expect(await ownerOf(await enroll(account(20_000)))).toBeNull();

    // Round-robin within the team, nine cases at once: three each, to the active officer keys only.
    const east = await Promise.all(Array.from({ length: 9 }, () => enroll(account(499_999, { team: 'east' }))));
    const owners = await Promise.all(east.map(ownerOf));
    const counts = new Map<string, number>();
    for (const owner of owners) counts.set(owner ?? 'none', (counts.get(owner ?? 'none') ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual(Object.fromEntries(eastOfficers.map((officer) => [officer.id, 3])));

    // Listed round-robin: alternates.
    const small = [];
    for (let i = 0; i < 4; i++) small.push(await ownerOf(await enroll(account(5_000))));
    expect(small).toEqual([officerA, officerB, officerA, officerB]);

    // Each assignment is audited with the rule and the rule set's version.
    const audit = await engine.db.auditEvent.findFirstOrThrow({ where: { caseId: large, action: 'owner_assigned' } });
    expect(audit).toMatchObject({ before: { officer: null }, after: { officer: officerA }, data: { source: 'rules', rule: 'large', version: 1, officer: officerA } });

    // An east officer sees its own under "my cases"; the case list says who owns each.
    const mine = await engine.call('GET', '/api/v1/my/cases', { key: eastOfficers[0]?.key ?? '' });
    expect(mine.body.items).toHaveLength(3);
    expect((await engine.call('GET', `/api/v1/cases?officer=${officerA}&limit=200`)).body.items.map((item: { officer: string }) => item.officer)).toContain(officerA);
  });

  it('apply to imported accounts as to enrolled ones', async () => {
    // An import names its strategy (segments choose only for single enrollments), so a team rule deals the third.
    const strategy = 'consumer-early';
    const lines = [account(600_000, { strategy }), account(5_000, { strategy }), account(100_000, { strategy, team: 'east' })].map((row) => JSON.stringify(row)).join('\n');
    const report = await importFile(engine, `${lines}\n`);
    const rejections = await engine.db.importRejection.findMany({ where: { jobId: report.jobId } });
    expect(report, JSON.stringify(rejections.map((row) => [row.field, row.reason]))).toMatchObject({ status: 'completed', created: 3 });
    const cases = await engine.db.case.findMany({ where: { account: { externalId: { in: [`AR-${n - 2}`, `AR-${n - 1}`, `AR-${n}`] } } }, include: { account: true }, orderBy: { account: { externalId: 'asc' } } });
    const byId = Object.fromEntries(cases.map((row) => [row.account.externalId, row.officer]));
    expect(byId[`AR-${n - 2}`]).toBe(officerA);
    expect([officerA, officerB]).toContain(byId[`AR-${n - 1}`]);
    expect(eastOfficers.map((officer) => officer.id)).toContain(byId[`AR-${n}`]);
  });

  it('are applied again on demand: changed owners audited, owners the rules would deal kept, an owner they would not give replaced', async () => {
    const unowned = await enroll(account(20_000));
    expect(await ownerOf(unowned)).toBeNull();
    const unownedBefore = await engine.db.case.count({ where: { officer: null } });
    const saved = await engine.call('PUT', '/api/v1/assignment-rules', {
      body: { rules: [{ id: 'east', when: { team: 'east' }, assign: { roundRobin: {} } }, { id: 'everyone-else', assign: { officer: officerB } }] },
    });
    expect(saved.body.version).toBe(2);
    const only = await engine.call('POST', '/api/v1/assignment-rules/apply', { body: { onlyUnowned: true } });
    expect(only.status, only.text).toBe(200);
    expect(only.body).toMatchObject({ version: 2, examined: unownedBefore, changed: unownedBefore });
    expect(await ownerOf(unowned)).toBe(officerB);

    const eastBefore = await engine.db.case.findMany({ where: { team: 'east' }, select: { id: true, officer: true } });
    const all = await engine.call('POST', '/api/v1/assignment-rules/apply', { body: {} });
    expect(all.body.unmatched).toBe(0);
    // East cases dealt to east officers keep them, except the large one (owned by A, not an east officer).
    const eastAfter = await engine.db.case.findMany({ where: { team: 'east' }, select: { id: true, officer: true } });
    const eastIds = eastOfficers.map((officer) => officer.id);
    for (const row of eastAfter) expect(eastIds).toContain(row.officer);
    const changedEast = eastAfter.filter((row) => eastBefore.find((before) => before.id === row.id)?.officer !== row.officer);
    expect(changedEast).toHaveLength(1);
    const reapplied = await engine.db.auditEvent.findMany({ where: { action: 'owner_assigned', data: { path: ['version'], equals: 2 } } });
    expect(reapplied.length).toBe(unownedBefore + all.body.changed);
    // Officers may not apply rules.
    expect((await engine.call('POST', '/api/v1/assignment-rules/apply', { key: testKeys.officer, body: {} })).status).toBe(403);
  });
});
