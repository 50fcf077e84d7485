import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '../../testing/engine.js';
import { loadWorkerConfig } from '../../worker/config.js';
import { countWorkingSet, sizeCaseCache } from '../../worker/working-set.js';
import { plainTemplates as templates } from '../support/strategies.js';

/**
 * A case worker whose cache holds two workflows runs eight cases (and their persons) through
 * their timelines on the real engine (time-skipping server, PostgreSQL, the API, SMTP on
 * loopback, real activities): each wake of an evicted case replays its history, and every case
 * still sends each of its steps once, takes its payment and closes as it should. Then the
 * read-model count the worker sizes its cache from.
 */

let engine: Engine;
const anyHour = { allowedHours: { start: '00:00', end: '23:59' } };
const strategy = {
  key: 'small-cache',
  name: 'Small cache',
  templates,
  steps: [
    { id: 'reminder', at: 'P0D', action: 'email', template: 'reminder' },
    { id: 'second', at: 'P2D', action: 'email', template: 'reminder' },
    { id: 'again', at: 'P4D', action: 'email', template: 'reminder' },
    { id: 'call', at: 'P30D', action: 'call' },
  ],
  contact: anyHour,
};

beforeAll(async () => {
  engine = await startEngine({ temporal: 'time-skipping', api: true, worker: 'none', smtp: true, strategies: [strategy] });
});
afterAll(() => engine?.stop());

const run = randomUUID().slice(0, 8);
const account = (index: number) => ({
  externalId: `CACHE-${run}-${index}`,
  strategy: 'small-cache',
  currency: 'USD',
  balance: 10_000 + index,
  debtor: { name: `Debtor ${index}`, email: `cache-${run}-${index}@example.com`, timeZone: 'UTC' },
});

describe('a case worker with a cache smaller than its cases', () => {
  it('runs every case right: evicted cases replay, each step is sent once, payments close their cases', async () => {
    const small = await engine.caseWorker({ maxCachedWorkflows: 2, maxConcurrentWorkflowTaskExecutions: 2 });
    const { worker } = small;
    expect(worker.options.maxCachedWorkflows).toBe(2);
    let mostCached = 0;
    const sampler = setInterval(() => (mostCached = Math.max(mostCached, worker.getStatus().numCachedWorkflows)), 20);
    const cases = await small.runUntil(async () => {
      const ids: string[] = [];
      for (let index = 0; index < 8; index++) {
        const created = await engine.call('POST', '/api/v1/accounts', { body: account(index) });
        expect(created.status, created.text).toBe(201);
        ids.push(String(created.body.caseId));
      }
      await expect.poll(() => engine.db.communication.count({ where: { caseId: { in: ids }, stepId: 'reminder', status: 'sent' } }), { timeout: 45_000 }).toBe(8);
      // Three pay in full after the reminder; the other five go on to the second and third emails.
      for (const [index, caseId] of ids.slice(0, 3).entries()) {
        const paid = await engine.call('POST', `/api/v1/cases/${caseId}/payments`, { body: { reference: `PAY-${run}-${index}`, amount: 10_000 + index, currency: 'USD' } });
        expect(paid.status, paid.text).toBe(202);
      }
      await expect.poll(() => engine.db.case.count({ where: { id: { in: ids }, status: 'closed', closeReason: 'paid' } }), { timeout: 30_000 }).toBe(3);
      await engine.testEnv.sleep('5 days');
      await expect.poll(() => engine.db.communication.count({ where: { caseId: { in: ids }, stepId: 'again', status: 'sent' } }), { timeout: 45_000 }).toBe(5);
      await expect.poll(() => engine.db.case.count({ where: { id: { in: ids }, currentStep: 'again' } }), { timeout: 30_000 }).toBe(5);
      return ids;
    });
    clearInterval(sampler);

    // Eight cases and their persons went through the worker; never more than two were cached.
    expect(mostCached).toBeGreaterThan(0);
    expect(mostCached).toBeLessThanOrEqual(2);
    const sent = await engine.db.communication.findMany({ where: { caseId: { in: cases } }, select: { caseId: true, stepId: true, status: true } });
    for (const [index, caseId] of cases.entries()) {
      const steps = sent.filter((row) => row.caseId === caseId).map((row) => `${row.stepId}:${row.status}`).sort();
      expect(steps, `case ${index}`).toEqual(index < 3 ? ['reminder:sent'] : ['again:sent', 'reminder:sent', 'second:sent']);
    }
    // One email per step sent reached the SMTP server, no more.
    const mails = engine.smtp.messages.filter((message) => message.envelope.to.some((to) => to.includes(`cache-${run}-`)));
    expect(mails).toHaveLength(8 + 5 + 5);
    const rows = await engine.db.case.findMany({ where: { id: { in: cases } }, orderBy: { balance: 'asc' }, select: { status: true, closeReason: true, balance: true } });
    expect(rows.filter((row) => row.status === 'closed').map((row) => row.balance)).toEqual([0, 0, 0]);
    expect(rows.filter((row) => row.status === 'open')).toHaveLength(5);
  });

  it('counts the working set its cache is sized from: open cases due within the window, closed ones left out', async () => {
    const now = new Date(await engine.testEnv.currentTimeMs());
    const day = 86_400_000;
    // The five open cases' next action is the call on day 30 (25 days from now); the three paid ones are closed.
    expect(await countWorkingSet(engine.db, { now, windowMs: day })).toBe(0);
    expect(await countWorkingSet(engine.db, { now, windowMs: 26 * day })).toBe(5);

    // Without a size of the caller's, the worker takes the sizing's answer, not the SDK's heap-derived default.
    const config = loadWorkerConfig(engine.env);
    const sized = await engine.caseWorker({ taskQueue: `sized-${run}` });
    await sized.runUntil(Promise.resolve());
    const expected = await sizeCaseCache(config, engine.db);
    expect(expected.workingSet).toBe(0);
    expect(sized.worker.options.maxCachedWorkflows).toBe(expected.size);
    expect(expected).toMatchObject({ size: 200, bound: 'floor' });
  });
});
