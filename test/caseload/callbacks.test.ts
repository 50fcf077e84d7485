import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envKeyId } from '../../api/auth.js';
import { requestCallback } from '../../api/services/callbacks.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { testKeys } from '../../testing/api-client.js';
import { eventually } from '../../testing/eventually.js';
import { middayZone } from '../../testing/midday-zone.js';
import { contactFactsQuery } from '../../workflows/case-messages.js';
import { consumerEarly } from '../support/strategies.js';

/**
 * Callbacks on the real engine (API, PostgreSQL, the Temporal dev server and the case worker): a
 * time the contact rules would never permit is refused with the rule and the first permitted time
 * (outside 08:00–21:00 on the debtor's clock, inside a time the person designated as inconvenient),
 * a permitted one becomes a call task that the queue shows from that time on, "my callbacks" reads
 * the officer's day in the officer's zone, and the debtor's page books through the same service.
 */

let engine: Engine;
let chicagoCase = '';
let middayCase = '';
const chicago = 'America/Chicago';
const zone = middayZone();
const officerId = envKeyId(testKeys.officer);

/** Tomorrow at `clock` on the debtor's Chicago clock. */
const chicagoTomorrow = (clock: string) => {
  const [hour, minute] = clock.split(':').map(Number);
  return DateTime.now().setZone(chicago).plus({ days: 1 }).set({ hour, minute, second: 0, millisecond: 0 });
};

async function enroll(externalId: string, timeZone: string): Promise<string> {
  const answer = await engine.call('POST', '/api/v1/accounts', {
    body: { externalId, strategy: 'callback-test', currency: 'USD', balance: 80_000, debtor: { name: `Cal ${externalId}`, phone: '+15555550142', timeZone } },
  });
  expect(answer.status, answer.text).toBe(201);
  return answer.body.caseId;
}

beforeAll(async () => {
  // Nothing due for a month: the only tasks are the callbacks.
  engine = await startEngine({ strategies: [{ ...consumerEarly, key: 'callback-test', steps: [{ id: 'reminder', at: 'P30D', action: 'email', template: 'reminder' }] }] });
  chicagoCase = await enroll('CB-CHI', chicago);
  middayCase = await enroll('CB-MID', zone);
}, 120_000);

afterAll(async () => {
  await engine?.stop();
});

const book = (caseId: string, body: Record<string, unknown>, key: string = testKeys.officer) => engine.call('POST', `/api/v1/cases/${caseId}/callbacks`, { key, body });

describe('booking a callback', () => {
  it('is refused outside 08:00–21:00 on the debtor\'s clock, naming body.at, the rule and the first permitted time; nothing is written', async () => {
    const late = await book(chicagoCase, { at: chicagoTomorrow('21:30').toUTC().toISO(), note: 'after work' });
    expect(late.status, late.text).toBe(422);
    expect(late.body.error.code).toBe('callback_not_permitted');
    expect(late.body.error.fields[0].path).toBe('body.at');
    expect(late.body.error.fields[0].message).toMatch(/21:30 local is outside 08:00–21:00/);
    expect(late.body.error.fields[0].message).toContain(`the first permitted time is ${chicagoTomorrow('08:00').plus({ days: 1 }).toFormat('yyyy-MM-dd')} 08:00 ${chicago}`);
    const early = await book(chicagoCase, { at: chicagoTomorrow('07:59').toUTC().toISO() });
    expect(early.status).toBe(422);
    expect(await engine.db.callback.count({ where: { caseId: chicagoCase } })).toBe(0);
  });

  it('is refused inside a time the person said is inconvenient, and accepted after it', async () => {
    const { account } = await engine.db.case.findUniqueOrThrow({ where: { id: chicagoCase }, include: { account: true } });
    const put = await engine.call('PUT', `/api/v1/debtors/${account.debtorId}/preferences`, { body: { inconvenientTimes: [{ from: '12:00', to: '14:00' }], source: 'debtor' } });
    expect(put.status, put.text).toBe(200);
    await eventually(async () => ((await engine.temporal.workflow.getHandle(chicagoCase).query(contactFactsQuery)).facts.inconvenientTimes ?? []).length === 1, 'the case to hold the designation');
    const lunch = await book(chicagoCase, { at: chicagoTomorrow('13:00').toUTC().toISO() });
    expect(lunch.status).toBe(422);
    expect(lunch.body.error.fields[0].message).toMatch(/inside 12:00–14:00, a time the debtor said is inconvenient/);
    expect(lunch.body.error.fields[0].message).toContain('14:00 America/Chicago');
    const after = await book(chicagoCase, { at: chicagoTomorrow('14:00').toUTC().toISO(), note: 'she asked for 2 pm' });
    expect(after.status, after.text).toBe(201);
    expect(after.body).toMatchObject({ caseId: chicagoCase, source: 'officer', officer: officerId, note: 'she asked for 2 pm', debtorLocal: `${chicagoTomorrow('14:00').toFormat('yyyy-MM-dd')} 14:00 ${chicago}` });
    // Tomorrow's call is not work yet: the queue does not show it.
    const queue = await engine.call('GET', '/api/v1/tasks?kind=call', { key: testKeys.officer });
    expect(queue.body.items.map((task: { id: string }) => task.id)).not.toContain(after.body.taskId);
    const audit = await engine.db.auditEvent.findFirstOrThrow({ where: { caseId: chicagoCase, action: 'callback_booked' } });
    expect(audit.actor).toBe(`officer:${officerId}`);
  });

  it('refuses bad requests with the field named: not an instant, in the past, too far ahead, ill-formed note; auditors may not book', async () => {
    const cases: [Record<string, unknown>, number, string][] = [
      [{ at: 'tomorrow at 2' }, 400, 'body.at'],
      [{ at: DateTime.utc().minus({ hours: 2 }).toISO() }, 400, 'body.at'],
      [{ at: DateTime.utc().plus({ days: 120 }).toISO() }, 400, 'body.at'],
      [{ at: chicagoTomorrow('15:00').toUTC().toISO(), note: 'x'.repeat(1001) }, 400, 'body.note'],
    ];
    for (const [body, status, field] of cases) {
      const answer = await book(chicagoCase, body);
      expect(answer.status, JSON.stringify(body)).toBe(status);
      expect(JSON.stringify(answer.body.error.fields), JSON.stringify(body)).toContain(field);
    }
    const broken = await engine.call('POST', `/api/v1/cases/${chicagoCase}/callbacks`, {
      key: testKeys.officer,
      raw: { contentType: 'application/json', data: `{"at":"${chicagoTomorrow('15:00').toUTC().toISO()}","note":"bad \\ud83d"}` },
    });
    expect(broken.status).toBe(400);
    expect(JSON.stringify(broken.body.error.fields)).toContain('body.note');
    expect((await book(chicagoCase, { at: chicagoTomorrow('15:00').toUTC().toISO() }, testKeys.auditor)).status).toBe(403);
    expect(await engine.db.callback.count({ where: { caseId: chicagoCase } })).toBe(1);
  });
});

describe('a callback that comes due', () => {
  it('is a call task in the queue from its time on, and in the officer\'s callbacks of that day in the officer\'s zone', async () => {
    const at = DateTime.utc().plus({ seconds: 4 });
    const booked = await book(middayCase, { at: at.toISO(), note: 'call back in a moment' });
    expect(booked.status, booked.text).toBe(201);
    const taskIds = async () => (await engine.call('GET', '/api/v1/tasks?kind=call', { key: testKeys.officer })).body.items.map((task: { id: string }) => task.id);
    expect(await taskIds()).not.toContain(booked.body.taskId);
    await eventually(async () => (await taskIds()).includes(booked.body.taskId), 'the callback to reach the queue', 20_000, 500);
    expect(Date.now()).toBeGreaterThanOrEqual(at.toMillis());
    const task = (await engine.call('GET', '/api/v1/tasks?kind=call', { key: testKeys.officer })).body.items.find((item: { id: string }) => item.id === booked.body.taskId);
    expect(task).toMatchObject({ kind: 'call', status: 'open', caseId: middayCase });
    expect(task.reason).toMatch(/^callback the person asked for at /);
    expect(task.priorityReasons).toContain('a time the person chose (+15)');

    // "Today" is the officer's: the same instant is on different dates at UTC+14 and UTC-11.
    const ahead = 'Pacific/Kiritimati';
    const behind = 'Pacific/Pago_Pago';
    const mine = await engine.call('GET', `/api/v1/my/callbacks?day=today&timeZone=${encodeURIComponent(ahead)}`, { key: testKeys.officer });
    expect(mine.status, mine.text).toBe(200);
    expect(mine.body.items.map((item: { id: string }) => item.id)).toContain(booked.body.id);
    const aheadDate = at.setZone(ahead).toISODate();
    const onDate = await engine.call('GET', `/api/v1/my/callbacks?day=${aheadDate}&timeZone=${encodeURIComponent(behind)}`, { key: testKeys.officer });
    expect(onDate.body.items.map((item: { id: string }) => item.id)).not.toContain(booked.body.id);
    const behindDate = at.setZone(behind).toISODate();
    const onBehind = await engine.call('GET', `/api/v1/my/callbacks?day=${behindDate}&timeZone=${encodeURIComponent(behind)}`, { key: testKeys.officer });
    expect(onBehind.body.items.map((item: { id: string }) => item.id)).toContain(booked.body.id);
    // Another officer's list does not hold it; a bad zone is named.
    expect((await engine.call('GET', '/api/v1/my/callbacks', { key: testKeys.officer2 })).body.items).toEqual([]);
    const badZone = await engine.call('GET', '/api/v1/my/callbacks?timeZone=Mars%2FOlympus', { key: testKeys.officer });
    expect(badZone.status).toBe(400);
    expect(JSON.stringify(badZone.body.error.fields)).toContain('timeZone');
  });
});

describe("the debtor's page asking for a call", () => {
  it('books through the same service: without a time, the first permitted one; held by the case owner; a repeat is the first booking', async () => {
    expect((await engine.call('PUT', `/api/v1/cases/${chicagoCase}/owner`, { body: { officer: envKeyId(testKeys.officer2) } })).status).toBe(200);
    const ask = () => requestCallback({ db: engine.db, temporal: engine.temporal, caseId: chicagoCase, source: 'debtor_page', by: 'debtor_page:link-1', requestId: 'page-1' });
    const first = await ask();
    const again = await ask();
    expect(again.id).toBe(first.id);
    expect(first).toMatchObject({ source: 'debtor_page', officer: envKeyId(testKeys.officer2), bookedBy: 'debtor_page:link-1' });
    const local = DateTime.fromISO(first.at, { zone: chicago });
    // The first minute the rules permit: now, or 08:00 or 14:00 (after the designation) on the debtor's clock.
    expect(local.toMillis()).toBeGreaterThanOrEqual(Date.now() - 60_000);
    expect(local.hour >= 8 && local.hour < 21 && !(local.hour >= 12 && local.hour < 14)).toBe(true);
    const officer2 = await engine.call('GET', `/api/v1/my/callbacks?day=${local.setZone('UTC').toISODate()}&timeZone=UTC`, { key: testKeys.officer2 });
    expect(officer2.body.items.map((item: { id: string }) => item.id)).toContain(first.id);
  });
});
