import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '../../testing/engine.js';
import { testKeys } from '../../testing/api-client.js';
import { eventually } from '../../testing/eventually.js';
import { middayZone } from '../../testing/midday-zone.js';
import { consumerEarly, negotiationLimits } from '../support/strategies.js';

/**
 * An officer's day over the real API: the work queue, claiming (one winner), completing a call
 * with a negotiated promise, and every refusal the negotiation policy can give.
 */

let engine: Engine;
let caseId: string;
const day = (plus: number) => DateTime.utc().plus({ days: plus }).toISODate() ?? '';

beforeAll(async () => {
  engine = await startEngine();
  const strategy = {
    ...consumerEarly,
    key: 'officer-test',
    steps: [
      { id: 'call', at: 'PT0S', action: 'call' },
      { id: 'reminder', at: 'P1D', action: 'email', template: 'reminder' },
    ],
    negotiation: negotiationLimits,
  };
  expect((await engine.call('POST', '/api/v1/strategies', { body: strategy })).status).toBe(201);
  const enrolled = await engine.call('POST', '/api/v1/accounts', {
    body: { externalId: 'OFF-1', strategy: 'officer-test', currency: 'USD', balance: 100_000, debtor: { name: 'Dee Officer', email: 'dee@example.com', phone: '+15555550123', timeZone: middayZone() } },
  });
  expect(enrolled.status).toBe(201);
  caseId = enrolled.body.caseId;
});

afterAll(async () => {
  await engine?.stop();
});

describe('the officer work queue', () => {
  it('lists the call task with its score explained; two officers claiming it get one success and one conflict', async () => {
    const queue = await eventually(async () => {
      const { body } = await engine.call('GET', '/api/v1/tasks', { key: testKeys.officer });
      return body.items.length > 0 && body;
    }, 'the call task');
    const [task] = queue.items;
    expect(task).toMatchObject({ caseId, kind: 'call', status: 'open', case: { externalId: 'OFF-1', balance: 100_000 } });
    expect(task.priorityReasons.join(' | ')).toMatch(/call \(\+10\) \| balance \(\+30\) \| 0 days past due \(\+0\)/);
    expect(task.priority).toBe(40);

    const [first, second] = await Promise.all([
      engine.call('POST', `/api/v1/tasks/${task.id}/claim`, { key: testKeys.officer }),
      engine.call('POST', `/api/v1/tasks/${task.id}/claim`, { key: testKeys.officer2 }),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 409]);
    const loser = first.status === 409 ? first : second;
    expect(loser.body.error).toMatchObject({ code: 'task_unavailable' });
    expect(loser.body.error.message).toMatch(/^task already claimed by officer:/);

    const winnerKey = first.status === 200 ? testKeys.officer : testKeys.officer2;
    const otherKey = winnerKey === testKeys.officer ? testKeys.officer2 : testKeys.officer;
    const stolen = await engine.call('POST', `/api/v1/tasks/${task.id}/complete`, { key: otherKey, body: { outcome: 'no_answer' } });
    expect(stolen.status).toBe(403);

    // A refused negotiation leaves the task with the officer and the case unchanged.
    const refused = await engine.call('POST', `/api/v1/tasks/${task.id}/complete`, {
      key: winnerKey,
      body: { outcome: 'promise', negotiated: { kind: 'promise_to_pay', amount: 200_000, dueDate: day(5) } },
    });
    expect(refused.status).toBe(422);
    expect((await engine.db.task.findUniqueOrThrow({ where: { id: task.id } })).status).toBe('claimed');

    const done = await engine.call('POST', `/api/v1/tasks/${task.id}/complete`, {
      key: winnerKey,
      body: { outcome: 'promise', note: 'will pay Friday', negotiated: { kind: 'promise_to_pay', amount: 40_000, dueDate: day(5) } },
    });
    expect(done.status).toBe(200);
    expect(done.body.case.arrangement).toMatchObject({ kind: 'promise', status: 'active' });
    expect(done.body.case.nextActionWhy).toContain(`promise: $400.00 due ${day(5)}`);
    const row = await engine.db.task.findUniqueOrThrow({ where: { id: task.id } });
    expect(row).toMatchObject({ status: 'done', outcome: 'promise' });
    const again = await engine.call('POST', `/api/v1/tasks/${task.id}/claim`, { key: testKeys.officer });
    expect(again.status).toBe(409);
  });
});

describe('negotiated outcomes over the API', () => {
  const refusals: [string, Record<string, unknown>, string, string][] = [
    ['a second arrangement', { kind: 'payment_plan', downPayment: 20_000, installments: 4, frequency: 'monthly', firstDueDate: day(10) }, 'body.kind', 'a promise is already in place'],
    ['a manager-only outcome', { kind: 'close', reason: 'written_off', note: 'uncollectible' }, 'body.kind', 'close needs a manager'],
    ['a dispute resolution without a dispute', { kind: 'dispute_resolution', upheld: true, note: 'x' }, 'body.kind', 'dispute resolution needs a manager'],
    ['a recall of a case not placed', { kind: 'recall', reason: 'x' }, 'body.kind', 'recall needs a manager'],
    ['a hardship pause in the past', { kind: 'hardship_pause', until: day(-2), reason: 'job loss' }, 'body.until', `${day(-2)} is not in the future`],
    ['a hardship pause beyond 180 days', { kind: 'hardship_pause', until: day(200), reason: 'job loss' }, 'body.until', 'a hardship pause may last at most 180 days'],
  ];

  it.each(refusals)('refuses %s with 422 and the reason', async (_name, outcome, path, message) => {
    const before = await engine.call('GET', `/api/v1/cases/${caseId}`);
    const response = await engine.call('POST', `/api/v1/cases/${caseId}/outcomes`, { key: testKeys.officer, body: outcome });
    expect(response.status).toBe(422);
    expect(response.body.error).toMatchObject({ code: 'outcome_refused', message, fields: [{ path, message }] });
    const after = await engine.call('GET', `/api/v1/cases/${caseId}`);
    expect(after.body.nextActionWhy).toBe(before.body.nextActionWhy);
  });

  it('previews the policy limits for an officer without recording anything', async () => {
    const fresh = await engine.call('POST', '/api/v1/accounts', {
      body: { externalId: 'OFF-2', strategy: 'officer-test', currency: 'USD', balance: 100_000, debtor: { name: 'Eve Preview', timeZone: middayZone() } },
    });
    const freshId = fresh.body.caseId as string;
    const cases: [Record<string, unknown>, string | null][] = [
      [{ kind: 'settlement', amount: 50_000, firstDueDate: day(3) }, 'discount 50% exceeds the policy maximum 40%'],
      [{ kind: 'settlement', amount: 10, firstDueDate: day(3) }, 'discount 100% exceeds the policy maximum 40%'],
      [{ kind: 'payment_plan', downPayment: 5_000, installments: 3, frequency: 'monthly', firstDueDate: day(3) }, 'down payment 50.00 is below the minimum 100.00'],
      // Above the officer's 6 but within the policy: allowed, waiting for a manager (as a settlement).
      [{ kind: 'payment_plan', downPayment: 10_000, installments: 7, frequency: 'monthly', firstDueDate: day(3) }, null],
      [{ kind: 'payment_plan', downPayment: 10_000, installments: 13, frequency: 'monthly', firstDueDate: day(3) }, '13 installments exceed the policy maximum 12'],
      [{ kind: 'promise_to_pay', amount: 10_000, dueDate: day(45) }, `a promise may fall at most 30 days ahead (by ${day(30)})`],
    ];
    for (const [outcome, reason] of cases) {
      const response = await engine.call('POST', `/api/v1/cases/${freshId}/outcomes/preview`, { key: testKeys.officer, body: outcome });
      expect(response.status).toBe(200);
      expect(response.body.reason).toBe(reason);
      expect(response.body.policy).toMatchObject({ maxSettlementDiscountPercent: 40 });
    }
    const ok = await engine.call('POST', `/api/v1/cases/${freshId}/outcomes/preview`, {
      key: testKeys.officer,
      body: { kind: 'settlement', amount: 70_000, firstDueDate: day(3), installments: 3, frequency: 'monthly' },
    });
    // 30% is within the policy but above the officer's 20%: allowed, waiting for a manager.
    expect(ok.body).toMatchObject({ allowed: true, needsApproval: true, reason: null });
    expect(ok.body.schedule.map((i: { amount: number }) => i.amount)).toEqual([23_333, 23_333, 23_334]);
    // Nothing was recorded on the case by previewing.
    expect((await engine.call('GET', `/api/v1/cases/${freshId}`)).body.history.some((e: { action: string }) => e.action === 'outcome_recorded')).toBe(false);
    // The promise already in place on the first case refuses a settlement; the form shows why.
    const busy = await engine.call('POST', `/api/v1/cases/${caseId}/outcomes/preview`, { key: testKeys.manager, body: { kind: 'settlement', amount: 70_000, firstDueDate: day(3) } });
    expect(busy.body).toMatchObject({ allowed: false, reason: 'a promise is already in place' });
  });

  it('answers 400 naming the field for a malformed outcome', async () => {
    const response = await engine.call('POST', `/api/v1/cases/${caseId}/outcomes`, { key: testKeys.officer, body: { kind: 'promise_to_pay', amount: 10.5, dueDate: 'tomorrow' } });
    expect(response.status).toBe(400);
    const paths = response.body.error.fields.map((field: { path: string }) => field.path);
    expect(paths).toEqual(expect.arrayContaining(['body.amount', 'body.dueDate']));
    const auditor = await engine.call('POST', `/api/v1/cases/${caseId}/outcomes`, { key: testKeys.auditor, body: { kind: 'cease_contact' } });
    expect(auditor.status).toBe(403);
  });
});
