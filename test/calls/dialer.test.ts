import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../api/services/api-keys.js';
import { campaignColumns } from '../../api/services/dialer.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { eventually } from '../../testing/eventually.js';
import { callStrategy, caseStatus, dial, enroll, personOf, zoneAtLocalHour } from './support.js';

/**
 * The predictive dialer's round trip on the real engine (API, worker, Temporal dev server,
 * PostgreSQL): the campaign lists what a team may call now or today with each row's local window
 * and remaining calls, decided live; the dispositions come back as call attempts on the cases,
 * once per dialer call id, and count toward the caps a later dial is checked against.
 */

let engine: Engine;
let callable: string;
let later: string;
let tonight: string;
let otherTeam: string;

beforeAll(async () => {
  engine = await startEngine({ twilio: true });
  const saved = await engine.call('POST', '/api/v1/strategies', { body: callStrategy('dialer-capped', 3) });
  expect(saved.status, saved.text).toBe(201);
  callable = await enroll(engine, { strategy: 'dialer-capped', externalId: 'DIAL-NOW', person: 'P-DIAL-NOW', phone: '+15555550161', timeZone: zoneAtLocalHour(10), team: 'dialers' });
  // 06:xx local: not now, but from 08:00 today.
  later = await enroll(engine, { strategy: 'dialer-capped', externalId: 'DIAL-LATER', person: 'P-DIAL-LATER', phone: '+15555550162', timeZone: zoneAtLocalHour(6), team: 'dialers' });
  // 22:xx local: not again before tomorrow.
  tonight = await enroll(engine, { strategy: 'dialer-capped', externalId: 'DIAL-TONIGHT', person: 'P-DIAL-TONIGHT', phone: '+15555550163', timeZone: zoneAtLocalHour(22), team: 'dialers' });
  otherTeam = await enroll(engine, { strategy: 'dialer-capped', externalId: 'DIAL-OTHER', person: 'P-DIAL-OTHER', phone: '+15555550164', timeZone: zoneAtLocalHour(10), team: 'elsewhere' });
});
afterAll(() => engine?.stop());

const campaign = async (window: 'now' | 'today') => {
  const answer = await engine.call('GET', `/api/v1/dialer/campaign?team=dialers&window=${window}`, { key: engine.keys.officer });
  expect(answer.status, answer.text).toBe(200);
  expect(answer.headers.get('content-type')).toMatch(/^text\/csv/);
  return parse<Record<string, string>>(answer.text, { columns: true });
};

const importCsv = (csv: string) => engine.call('POST', '/api/v1/dialer/dispositions', { key: engine.keys.officer, raw: { contentType: 'text/csv', data: csv } });

describe('the dialer', () => {
  it('exports the accounts a team may call now, or today, with each permitted local window and the calls left', async () => {
    const now = await campaign('now');
    expect(now.map((row) => row.call_ref)).toEqual([callable]);
    expect(Object.keys(now[0] ?? {})).toEqual([...campaignColumns]);
    expect(now[0]).toMatchObject({ account: 'DIAL-NOW', phone: '+15555550161', window_end_local: '21:00', calls_allowed: '3', balance: '50000', currency: 'USD' });

    const today = await campaign('today');
    expect(today.map((row) => row.call_ref).sort()).toEqual([callable, later].sort());
    expect(today.find((row) => row.call_ref === later)).toMatchObject({ window_start_local: '08:00', window_end_local: '21:00', calls_allowed: '3' });

    const json = await engine.call('GET', '/api/v1/dialer/campaign?team=dialers&window=today&format=json', { key: engine.keys.officer });
    expect(json.body.items.map((row: { callRef: string }) => row.callRef).sort()).toEqual([callable, later].sort());
    expect(json.body.items.some((row: { callRef: string }) => row.callRef === tonight || row.callRef === otherTeam)).toBe(false);
    const noTeam = await engine.call('GET', '/api/v1/dialer/campaign?window=now', { key: engine.keys.officer });
    expect(noTeam.status).toBe(400);
    expect(noTeam.body.error.fields[0].path).toBe('query.team');
  });

  it('imports dispositions once per dialer call id, reports every bad row by line and field, and the calls count toward the caps', async () => {
    const placed = new Date(Date.now() - 60_000).toISOString();
    const header = 'call_id,call_ref,placed_at,connected,right_party,outcome,duration_seconds,agent,recording_ref,note';
    const good = [
      `D-1,${callable},${placed},no,no,no_answer,0,agent-7,,`,
      `D-2,${callable},${placed},yes,no,left_message,31,agent-7,REC-2,voicemail`,
    ];
    const bad = [
      `D-3,${callable},${placed},yes,yes,shouted,60,agent-7,,`, // line 4: outcome
      `D-4,no-such-case,${placed},no,no,no_answer,0,agent-7,,`, // line 5: call_ref
      `D-5,${callable},yesterday,no,no,no_answer,0,agent-7,,`, // line 6: placed_at
      `D-6,${callable},${placed},maybe,no,no_answer,-4,agent-7,,`, // line 7: connected, duration_seconds
    ];
    const first = await importCsv([header, ...good, ...bad].join('\n'));
    expect(first.status, first.text).toBe(200);
    expect(first.body).toMatchObject({ rows: 6, applied: 2, duplicates: 0 });
    expect(first.body.rejected.map((problem: { line: number; field: string }) => `${problem.line}:${problem.field}`)).toEqual(['4:outcome', '5:call_ref', '6:placed_at', '7:connected', '7:duration_seconds']);
    // Nothing of a bad row was applied: two attempts on the case, two call rows.
    const status = await eventually(async () => {
      const live = await caseStatus(engine, callable);
      return live.history.filter((event) => event.type === 'call_attempted').length === 2 && live;
    }, 'two call attempts on the case');
    expect(status.history.filter((event) => event.type === 'call_attempted')).toHaveLength(2);
    expect(await engine.db.call.count({ where: { caseId: callable } })).toBe(2);

    // The same file again: duplicates, nothing applied twice. A row that differs is refused; the first stands.
    const again = await importCsv([header, ...good, `D-2,${callable},${placed},yes,yes,promise,31,agent-7,REC-2,voicemail`].join('\n'));
    expect(again.body).toMatchObject({ rows: 3, applied: 0, duplicates: 2 });
    expect(again.body.rejected).toEqual([expect.objectContaining({ line: 4, callId: 'D-2', field: 'right_party', code: 'conflict', message: expect.stringContaining('right_party, outcome') })]);
    expect((await engine.db.call.findUniqueOrThrow({ where: { dialerCallId: 'D-2' } })).outcome).toBe('left_message');

    // The two calls count toward the strategy's three a day for the person: one left, in the export and at dial time.
    await eventually(async () => (await personOf(engine, callable)).contacts.filter((contact) => contact.medium === 'phone').length === 2, 'the calls in the person’s ledger');
    const now = await campaign('now');
    expect(now.find((row) => row.call_ref === callable)?.calls_allowed).toBe('1');
    expect((await dial(engine, callable)).status).toBe(201);
    const refused = await dial(engine, callable);
    expect(refused.status, refused.text).toBe(409);
    expect(await campaign('now')).toEqual([]);
    expect((await caseStatus(engine, callable)).history.filter((event) => event.type === 'call_attempted')).toHaveLength(2);
  });

  it("keeps a team key to its own team: the campaign is its team's, another team's is refused, and another team's case is a bad row", async () => {
    const { key } = await createApiKey(engine.db, { role: 'officer', name: 'dialer-team-officer', team: 'dialers', actor: 'test' });
    const own = await engine.call('GET', '/api/v1/dialer/campaign?window=today&format=json', { key });
    expect(own.status, own.text).toBe(200);
    expect(own.body.team).toBe('dialers');
    expect(own.body.items.some((row: { callRef: string }) => row.callRef === otherTeam)).toBe(false);
    expect((await engine.call('GET', '/api/v1/dialer/campaign?team=elsewhere&window=now', { key })).status).toBe(403);

    const placed = new Date(Date.now() - 60_000).toISOString();
    const csv = ['call_id,call_ref,placed_at,connected,right_party,outcome', `T-1,${otherTeam},${placed},no,no,no_answer`].join('\n');
    const answer = await engine.call('POST', '/api/v1/dialer/dispositions', { key, raw: { contentType: 'text/csv', data: csv } });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body).toMatchObject({ rows: 1, applied: 0 });
    expect(answer.body.rejected.map((problem: { line: number; field: string }) => `${problem.line}:${problem.field}`)).toEqual(['2:call_ref']);
    expect(await engine.db.call.count({ where: { caseId: otherTeam } })).toBe(0);
  });

  it('refuses a file without the required columns, naming them', async () => {
    const answer = await importCsv('call_id,call_ref,placed_at\nD-9,x,2026-12-05T10:00:00Z\n');
    expect(answer.status).toBe(400);
    expect(answer.body.error.fields.map((field: { path: string }) => field.path)).toEqual(['body.connected', 'body.right_party', 'body.outcome']);
  });
});
