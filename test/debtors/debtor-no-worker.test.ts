import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '../../testing/engine.js';
import { consumerEarly } from '../support/strategies.js';

/**
 * The person's page when no worker answers its cases (workers down or deploying): it answers from
 * the database within the query deadline, each account marked not live, instead of hanging or failing.
 */

let engine: Engine;

beforeAll(async () => {
  engine = await startEngine({ worker: 'none' });
  const strategy = { ...consumerEarly, key: 'no-worker', steps: [{ id: 'call', at: 'P30D', action: 'call' }] };
  expect((await engine.call('POST', '/api/v1/strategies', { body: strategy })).status).toBe(201);
  const enrolled = await engine.call('POST', '/api/v1/accounts', {
    body: { externalId: 'NW-1', strategy: strategy.key, currency: 'USD', balance: 1_000, debtor: { externalId: 'P-NW', name: 'Di Lowe', email: 'di@example.com', timeZone: 'UTC' } },
  });
  expect(enrolled.status).toBe(201);
});

afterAll(async () => {
  await engine?.stop();
});

describe('the person page without a worker', () => {
  it('answers from the database, accounts not live, no holds, within the deadline', { timeout: 30_000 }, async () => {
    const debtorId = (await engine.db.debtor.findUniqueOrThrow({ where: { externalId: 'P-NW' } })).id;
    const started = Date.now();
    const { status, body } = await engine.call('GET', `/api/v1/debtors/${debtorId}`);
    expect(status).toBe(200);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(body.accounts).toEqual([expect.objectContaining({ externalId: 'NW-1', status: 'open', live: false })]);
    expect(body.holds).toEqual([]);
  });
});
