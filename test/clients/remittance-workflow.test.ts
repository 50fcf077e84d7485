import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '../../testing/engine.js';
import { eventually } from '../../testing/eventually.js';
import { middayZone } from '../../testing/midday-zone.js';
import { consumerEarly } from '../support/strategies.js';

/**
 * The statement from what the case itself records: an account enrolled into a portfolio, paid
 * and returned through the API, projected by the real case workflow (Temporal dev server, worker,
 * PostgreSQL). A payment dated in the previous month is remitted on that month's statement; its
 * return today is carried into this month's and netted. Figures by hand, to the cent.
 */

let engine: Engine;

const now = new Date();
const month = (offset: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1)).toISOString().slice(0, 7);
const previous = month(-1);
const current = month(0);

beforeAll(async () => {
  engine = await startEngine();
  const strategy = { ...consumerEarly, key: 'remit-wf', steps: [{ id: 'call', at: 'P30D', action: 'call' }] };
  expect((await engine.call('POST', '/api/v1/strategies', { body: strategy })).status).toBe(201);
}, 120_000);

afterAll(async () => {
  await engine?.stop();
});

describe('a statement from the case workflow', () => {
  it('remits last month, and nets its return this month', async () => {
    expect((await engine.call('PUT', '/api/v1/clients/initech', { body: { name: 'Initech' } })).status).toBe(201);
    const terms = { name: 'Initech cards', regime: 'third_party', strategies: ['remit-wf'], commission: { basis: 'age_band', bands: [{ fromDays: 0, ratePercent: 10 }] }, remittance: { dayOfMonth: 10 } };
    expect((await engine.call('PUT', '/api/v1/clients/initech/portfolios/initech-cards', { body: terms })).status).toBe(201);

    const debtor = { name: 'Remi Tance', email: 'remi@example.com', timeZone: middayZone() };
    const enrolled = await engine.call('POST', '/api/v1/accounts', { body: { externalId: 'REMIT-1', strategy: 'remit-wf', currency: 'USD', balance: 100_000, daysPastDue: 10, portfolio: 'initech-cards', debtor } });
    expect(enrolled.status).toBe(201);
    const caseId = enrolled.body.caseId as string;
    // A portfolio nobody defined still enrolls.
    const elsewhere = await engine.call('POST', '/api/v1/accounts', { body: { externalId: 'REMIT-2', strategy: 'remit-wf', currency: 'USD', balance: 5_000, portfolio: 'not-yet-defined', debtor: { ...debtor, email: 'other@example.com' } } });
    expect(elsewhere.status).toBe(201);

    const lastMonth = `${previous}-20T12:00:00.000Z`;
    expect((await engine.call('POST', `/api/v1/cases/${caseId}/payments`, { body: { reference: 'PAY-1', amount: 30_000, receivedAt: lastMonth } })).status).toBe(202);
    expect((await engine.call('POST', `/api/v1/cases/${caseId}/payments`, { body: { reference: 'PAY-2', amount: 12_345 } })).status).toBe(202);
    await eventually(async () => (await engine.db.payment.count({ where: { caseId } })) === 2, 'both payments projected');

    const issued = await engine.call('POST', `/api/v1/clients/initech/statements/${previous}/issue`);
    expect(issued.status).toBe(201);
    // 10% of 300.00 = 30.00.
    expect(issued.body.lines.map((line: Record<string, unknown>) => [line.reference, line.kind, line.amount, line.commission, line.net])).toEqual([['PAY-1', 'collected', 30_000, 3_000, 27_000]]);
    expect(issued.body.totals).toEqual([{ currency: 'USD', collected: 30_000, reversed: 0, commission: 3_000, net: 27_000, carriedIn: 0, netToRemit: 27_000, carriedOut: 0 }]);

    expect((await engine.call('POST', `/api/v1/cases/${caseId}/payments/PAY-1/reversal`, { body: { reason: 'NSF' } })).status).toBeLessThan(300);
    await eventually(async () => (await engine.db.payment.findFirst({ where: { caseId, reference: 'PAY-1' } }))?.reversedAt, 'the return projected');

    const draft = await engine.call('GET', `/api/v1/clients/initech/statements/${current}`);
    expect(draft.body.lines.map((line: Record<string, unknown>) => [line.reference, line.kind, line.amount, line.commission, line.net, line.carried])).toEqual([
      // 10% of 123.45 = 12.345 -> 12.35 (half up).
      ['PAY-2', 'collected', 12_345, 1_235, 11_110, false],
      // Last month's 300.00 returned: its 30.00 commission back.
      ['PAY-1', 'reversal', -30_000, -3_000, -27_000, true],
    ]);
    // 123.45 - 300.00 - (12.35 - 30.00) = -158.90: nothing to remit, carried into the next statement.
    expect(draft.body.totals).toEqual([{ currency: 'USD', collected: 12_345, reversed: -30_000, commission: -1_765, net: -15_890, carriedIn: 0, netToRemit: 0, carriedOut: -15_890 }]);

    // Last month's statement is as issued.
    expect((await engine.call('GET', `/api/v1/clients/initech/statements/${previous}`)).text).toBe(issued.text);
  }, 60_000);
});
