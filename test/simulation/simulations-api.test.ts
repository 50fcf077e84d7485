import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TResponseRates } from '../../domain/simulation/contract.js';
import { testKeys } from '../../testing/api-client.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { eventually } from '../../testing/eventually.js';
import { consumerEarly, plainTemplates } from '../support/strategies.js';

/**
 * Response models and strategy simulations over the API, on the real engine: PostgreSQL, Temporal
 * (the time-skipping server; a simulation has no timers) and the simulation worker running the
 * workflow's chunks. 120 open cases are written into the projection (every tenth person owns two
 * accounts) in portfolio ACME and segment "retail"; the simulator itself is tested in simulate.test.ts.
 */

const exec = promisify(execFile);
let engine: Engine;
const call = (method: string, path: string, body?: unknown) => engine.call(method, path, body === undefined ? {} : { body });

const rates = (given: Partial<TResponseRates>): TResponseRates => ({ pay_full: 0, pay_part: 0, promise_kept: 0, promise_broken: 0, reply: 0, dispute: 0, opt_out: 0, bounce: 0, ...given });
const modelBody = {
  responseWindowDays: 7,
  partShare: 0.5,
  priorStrength: 20,
  base: rates({ pay_full: 0.04, pay_part: 0.04, promise_kept: 0.03, promise_broken: 0.02, reply: 0.04, dispute: 0.01, opt_out: 0.02, bounce: 0.02 }),
  backgroundDailyPayFull: 0.001,
  strata: [{ key: { channel: 'sms' }, rates: rates({ pay_full: 0.08, pay_part: 0.04, opt_out: 0.03 }), observations: 500 }],
};

const gentle = { key: 'sim-gentle', name: 'Gentle', templates: plainTemplates, steps: [{ id: 'reminder', at: 'P0D', action: 'email', template: 'reminder' }, { id: 'letter', at: 'P20D', action: 'letter', template: 'demand' }] };

async function seedCases() {
  const strategy = await engine.db.strategy.findFirstOrThrow({ where: { key: 'consumer-early' } });
  let debtorId = '';
  for (let index = 0; index < 120; index++) {
    // Persons 0, 10, 20, ... own the next account too.
    if (index % 10 !== 1) {
      const debtor = await engine.db.debtor.create({
        data: {
          name: `Debtor ${index}`,
          timeZone: 'America/Chicago',
          contacts: {
            create: [
              { channel: 'email', value: `d${index}@example.com`, consent: true },
              { channel: 'sms', value: `+1555555${String(index).padStart(4, '0')}`, consent: true },
              { channel: 'letter', value: `${index} Main St | Chicago, IL 60601 | US` },
            ],
          },
        },
      });
      debtorId = debtor.id;
    }
    const id = `sim-case-${String(index).padStart(3, '0')}`;
    const balance = 20_000 + (index % 17) * 5_000;
    await engine.db.account.create({ data: { id: `a-${id}`, externalId: `EXT-${id}`, debtorId, currency: 'USD', originalBalance: balance, balance, daysPastDue: 30 + (index % 5) * 20, portfolio: 'ACME' } });
    await engine.db.case.create({ data: { id, accountId: `a-${id}`, strategyId: strategy.id, status: 'open', balance, currency: 'USD', segment: 'retail', arm: index % 2 === 0 ? 'champion' : 'challenger' } });
  }
}

const finished = (id: string, timeoutMs = 45_000) =>
  eventually(
    async () => {
      const { body } = await call('GET', `/api/v1/simulations/${id}`);
      return ['completed', 'cancelled', 'failed'].includes(body.status) && body;
    },
    `simulation ${id} to finish`,
    timeoutMs,
    200,
  );

beforeAll(async () => {
  engine = await startEngine({ temporal: 'time-skipping', api: true, strategies: [consumerEarly, gentle] });
  await seedCases();
  expect((await call('POST', '/api/v1/response-models', { name: 'baseline', model: modelBody })).status).toBe(201);
});

afterAll(async () => {
  await engine?.stop();
});

describe('response models', () => {
  it('are saved as versions of their name and read back', async () => {
    const second = await call('POST', '/api/v1/response-models', { name: 'baseline', model: { ...modelBody, backgroundDailyPayFull: 0.002 } });
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ name: 'baseline', version: 2, source: 'manual', createdBy: expect.any(String) });
    expect(second.body.model).toMatchObject({ name: 'baseline', version: 2, backgroundDailyPayFull: 0.002 });

    const list = await call('GET', '/api/v1/response-models');
    expect(list.body.items.map((item: { name: string; version: number }) => [item.name, item.version])).toEqual([['baseline', 2]]);
    const versions = await call('GET', '/api/v1/response-models/baseline');
    expect(versions.body.items.map((item: { version: number }) => item.version)).toEqual([2, 1]);
    const first = await call('GET', '/api/v1/response-models/baseline/1');
    expect(first.body.model.backgroundDailyPayFull).toBe(0.001);
    expect((await call('GET', '/api/v1/response-models/baseline/9')).status).toBe(404);
  });

  it("are fitted from the engine's history", async () => {
    // The first 40 cases were emailed now; 10 of them paid in full a day later.
    const now = Date.now();
    for (let index = 0; index < 40; index++) {
      const caseId = `sim-case-${String(index).padStart(3, '0')}`;
      await engine.db.communication.create({ data: { caseId, stepId: 'reminder', channel: 'email', template: 't', recipient: 'r', body: 'b', idempotencyKey: `fit-${index}`, status: 'sent', createdAt: new Date(now), sentAt: new Date(now) } });
      const account = await engine.db.account.findFirstOrThrow({ where: { cases: { some: { id: caseId } } } });
      if (index < 10) await engine.db.payment.create({ data: { caseId, reference: `fit-pay-${index}`, amount: account.originalBalance, currency: 'USD', receivedAt: new Date(now + 86_400_000) } });
    }
    const day = (offset: number) => new Date(now + offset * 86_400_000).toISOString().slice(0, 10);
    const fitted = await call('POST', '/api/v1/response-models', { name: 'fitted', fit: { from: day(-1), to: day(10), responseWindowDays: 7, priorStrength: 5 } });
    expect(fitted.status, fitted.text).toBe(201);
    expect(fitted.body).toMatchObject({ name: 'fitted', version: 1, source: 'fitted', model: { name: 'fitted', version: 1, responseWindowDays: 7, fittedFrom: { cases: 120 } } });
    expect(fitted.body.model.base.pay_full).toBeGreaterThan(0.1);

    const empty = await call('POST', '/api/v1/response-models', { name: 'fitted', fit: { from: '2020-01-01', to: '2020-02-01' } });
    expect(empty.status).toBe(422);
    expect(empty.body.error.fields).toEqual([{ path: 'body.fit.from', message: expect.stringContaining('no cases') }]);
    const both = await call('POST', '/api/v1/response-models', { name: 'fitted', model: modelBody, fit: { from: day(-1), to: day(1) } });
    expect(both.body.error.fields[0].path).toBe('body.model');
  });

  it('refuses rates that are not probabilities, or add up to more than 1, naming them', async () => {
    const over = await call('POST', '/api/v1/response-models', { name: 'bad', model: { ...modelBody, base: rates({ pay_full: 0.6, reply: 0.6 }) } });
    expect(over.status).toBe(422);
    expect(over.body.error.fields).toEqual([{ path: 'body.model.base', message: expect.stringContaining('add up to 1.2') }]);
    const stratum = await call('POST', '/api/v1/response-models', { name: 'bad', model: { ...modelBody, strata: [{ key: {}, rates: rates({ bounce: 0.7, opt_out: 0.7 }), observations: 3 }] } });
    expect(stratum.body.error.fields[0].path).toBe('body.model.strata.0.rates');
    const rate = await call('POST', '/api/v1/response-models', { name: 'bad', model: { ...modelBody, base: rates({ pay_full: 1.5 }) } });
    expect(rate.status).toBe(400);
    expect(rate.body.error.fields.map((field: { path: string }) => field.path)).toEqual(['body.model.base.pay_full']);
    expect((await call('GET', '/api/v1/response-models/bad')).status).toBe(404);
  });
});

describe('simulations: bad input', () => {
  const valid = { arms: [{ strategy: 'consumer-early' }], portfolio: 'ACME', runs: 5, model: { name: 'baseline' } };
  const refusal = async (body: unknown) => {
    const { status, body: answer } = await call('POST', '/api/v1/simulations', body);
    return { status, paths: (answer.error?.fields ?? []).map((field: { path: string }) => field.path) };
  };

  it('names the field: run counts, unknown versions and models, a segment with no cases', async () => {
    expect(await refusal({ ...valid, runs: 0 })).toEqual({ status: 400, paths: ['body.runs'] });
    expect(await refusal({ ...valid, runs: 1_000_000 })).toEqual({ status: 400, paths: ['body.runs'] });
    expect(await refusal({ ...valid, arms: [{ strategy: 'consumer-early', version: 7 }] })).toEqual({ status: 422, paths: ['body.arms.0.version'] });
    expect(await refusal({ ...valid, arms: [{ strategy: 'consumer-early' }, { strategy: 'nobody-knows' }] })).toEqual({ status: 422, paths: ['body.arms.1.strategy'] });
    expect(await refusal({ ...valid, segment: 'empty-segment' })).toEqual({ status: 422, paths: ['body.segment'] });
    expect(await refusal({ ...valid, portfolio: 'NOBODY' })).toEqual({ status: 422, paths: ['body.portfolio'] });
    expect(await refusal({ ...valid, model: { name: 'baseline', version: 99 } })).toEqual({ status: 422, paths: ['body.model.version'] });
    expect(await refusal({ ...valid, model: { name: 'unheard-of' } })).toEqual({ status: 422, paths: ['body.model.name'] });
    expect(await refusal({ ...valid, split: 'retail' })).toEqual({ status: 422, paths: ['body.arms'] });
    expect(await refusal({ ...valid, arms: [{ strategy: 'consumer-early' }, { definition: { key: 'draft', steps: [{ id: 'x', at: 'soon', action: 'email' }] } }] })).toMatchObject({
      status: 422,
      paths: expect.arrayContaining([expect.stringMatching(/^body\.arms\.1\.definition\./)]),
    });
    // Nothing was stored for any of them.
    expect(await engine.db.simulation.count()).toBe(0);
  });
});

describe('simulations', () => {
  it('run two arms on the same draws in chunks that never part a person, and save the model version', async () => {
    const request = { arms: [{ strategy: 'consumer-early' }, { strategy: 'sim-gentle', label: 'gentle' }], portfolio: 'ACME', runs: 20, horizonDays: 90, seed: 11, costs: { email: 2, sms: 5, letter: 90, call: 400 }, model: { name: 'baseline', version: 1 }, chunkCases: 50 };
    const started = await call('POST', '/api/v1/simulations', request);
    expect(started.status, started.text).toBe(202);
    expect(started.body).toMatchObject({ cases: 120, runs: 20, model: { name: 'baseline', version: 1 }, arms: [{ label: 'consumer-early@1', strategy: { key: 'consumer-early', version: 1 } }, { label: 'gentle' }] });
    const done = await finished(started.body.id);
    expect(done.status).toBe('completed');
    expect(done.progress.chunksTotal).toBe(3);
    expect(done.progress.chunksDone).toBe(done.progress.chunksTotal);
    const { summary } = done;
    expect(summary.cases).toBe(120);
    expect(summary.runs).toBe(20);
    expect(summary.arms.map((arm: { label: string }) => arm.label)).toEqual(['consumer-early@1', 'gentle']);
    for (const arm of summary.arms) {
      expect(arm.recoveryRate.mean).toBeGreaterThan(0);
      expect(arm.recoveryRate.low).toBeLessThanOrEqual(arm.recoveryRate.mean);
      expect(arm.recoveryRate.high).toBeGreaterThanOrEqual(arm.recoveryRate.mean);
      expect(arm.curve).toHaveLength(91);
    }
    expect(summary.difference).toBeDefined();

    // The chunks held each person's cases together.
    const row = await engine.db.simulation.findUniqueOrThrow({ where: { id: done.id }, include: { chunks: true, model: true } });
    expect(row.model.version).toBe(1);
    expect(row.chunks.map((chunk) => chunk.cases).reduce((a, b) => a + b, 0)).toBe(120);
    const persons = await engine.db.case.findMany({ where: { id: { in: row.caseIds } }, select: { id: true, account: { select: { debtorId: true } } } });
    const personOf = new Map(persons.map((each) => [each.id, each.account.debtorId]));
    for (const start of row.chunkStarts.slice(1)) expect(personOf.get(row.caseIds[start]!)).not.toBe(personOf.get(row.caseIds[start - 1]!));

    // The first arm alone, in other chunks, meets the same debtors with the same draws: the same figures.
    const alone = await call('POST', '/api/v1/simulations', { ...request, arms: [request.arms[0]], chunkCases: 100 });
    const aloneDone = await finished(alone.body.id);
    expect(aloneDone.progress.chunksTotal).toBe(2);
    expect(aloneDone.summary.arms[0]).toEqual(summary.arms[0]);

    const listed = await call('GET', '/api/v1/simulations?limit=5');
    expect(listed.body.items.map((item: { id: string }) => item.id)).toEqual([alone.body.id, done.id]);
  });

  it("simulate a segment's champion and challenger", async () => {
    const saved = await call('PUT', '/api/v1/segments', { segments: [{ id: 'retail', strategy: 'consumer-early', challenger: { strategy: 'sim-gentle', percent: 50 } }] });
    expect(saved.status).toBe(200);
    const started = await call('POST', '/api/v1/simulations', { split: 'retail', runs: 10, horizonDays: 60, model: { name: 'baseline' } });
    expect(started.status, started.text).toBe(202);
    expect(started.body).toMatchObject({ split: 'retail', scope: { segment: 'retail' }, model: { version: 2 }, arms: [{ label: 'champion', strategy: { key: 'consumer-early' } }, { label: 'challenger', strategy: { key: 'sim-gentle' } }] });
    expect((await finished(started.body.id)).status).toBe('completed');
  });

  it('stop when cancelled, without a summary', async () => {
    // One case a chunk: about a hundred activities, so the simulation is still running when it is
    // cancelled however fast the simulator is (ten-case chunks could all finish first).
    const started = await call('POST', '/api/v1/simulations', { arms: [{ strategy: 'consumer-early' }, { strategy: 'sim-gentle' }], runs: 1000, model: { name: 'baseline' }, chunkCases: 1 });
    expect(started.status).toBe(202);
    // Cancelled mid-run: it stops after the chunks in flight.
    await eventually(async () => {
      const { body } = await call('GET', `/api/v1/simulations/${started.body.id}`);
      return body.status === 'running' && body.progress.chunksDone > 0;
    }, 'the simulation to run');
    const cancelled = await call('POST', `/api/v1/simulations/${started.body.id}/cancel`);
    expect(cancelled.status).toBe(202);
    const done = await finished(started.body.id, 30_000).catch(async (error: unknown) => {
      const history = await engine.temporal.workflow.getHandle(`simulation-${started.body.id}`).fetchHistory();
      const row = await engine.db.simulation.findUniqueOrThrow({ where: { id: started.body.id }, select: { status: true, chunksDone: true, error: true } });
      throw new Error(`${String(error)}; row ${JSON.stringify(row)}; history ${history.events?.map((event) => event.eventType).join(',')}`);
    });
    expect(done.status).toBe('cancelled');
    expect(done.summary).toBeNull();
    expect(done.progress.chunksDone).toBeLessThan(done.progress.chunksTotal);
    const again = await call('POST', `/api/v1/simulations/${started.body.id}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('simulation_finished');
  });

  it('from the CLI, with its progress and the table', async () => {
    const { stdout } = await exec(process.execPath, ['--import', 'tsx', 'scripts/simulate.ts', '--model', 'baseline@2', '--strategy', 'consumer-early', '--strategy', 'sim-gentle', '--portfolio', 'ACME', '--runs', '10', '--horizon', '60', '--cost', 'email=2,sms=5'], {
      env: { ...process.env, API_URL: engine.baseUrl, API_KEY: testKeys.manager },
      timeout: 60_000,
    });
    expect(stdout).toMatch(/\[#+\] 100% \d+\/\d+ chunks of 120 cases · completed/);
    expect(stdout).toContain('120 cases · 10 runs');
    expect(stdout).toMatch(/recovery rate\s+\d+\.\d% \(/);
    expect(stdout).toMatch(/sim-gentle@1 − consumer-early@1/);

    const refused = await exec(process.execPath, ['--import', 'tsx', 'scripts/simulate.ts', '--model', 'baseline', '--strategy', 'consumer-early', '--runs', '0'], {
      env: { ...process.env, API_URL: engine.baseUrl, API_KEY: testKeys.manager },
    }).catch((error: { code: number; stderr: string }) => error);
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringContaining('runs:') });
    // The CLI passes on the API's refusal naming the field: an unknown version, a segment with no cases, a million runs.
    const cli = (...args: string[]) =>
      exec(process.execPath, ['--import', 'tsx', 'scripts/simulate.ts', '--model', 'baseline', ...args], { env: { ...process.env, API_URL: engine.baseUrl, API_KEY: testKeys.manager } }).catch(
        (error: { code: number; stderr: string }) => error,
      );
    const [version, segment, million] = await Promise.all([
      cli('--strategy', 'consumer-early@7', '--runs', '5'),
      cli('--strategy', 'consumer-early', '--segment', 'empty-segment', '--runs', '5'),
      cli('--strategy', 'consumer-early', '--runs', '1000000'),
    ]);
    expect(version).toMatchObject({ code: 1, stderr: expect.stringMatching(/\(422\)[\s\S]*arms\.0\.version: strategy "consumer-early" has no version 7/) });
    expect(segment).toMatchObject({ code: 1, stderr: expect.stringMatching(/\(422\)[\s\S]*\n  segment: /) });
    expect(million).toMatchObject({ code: 1, stderr: expect.stringMatching(/\(400\)[\s\S]*\n  runs: /) });
  });
});
