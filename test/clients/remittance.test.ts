import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../api/services/api-keys.js';
import { assertPortfolioStrategy } from '../../api/services/clients.js';
import { chooseStrategyFor } from '../../api/services/segments.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { pdfText } from '../../testing/pdf-text.js';
import { seedAfterOctober, seedDecember, seedRemittanceAccounts } from './remittance-fixture.js';

/**
 * Clients, portfolios and remittance statements over the API on a real PostgreSQL, against the
 * fixture (remittance-fixture.ts). Every expected figure is worked out by hand below, to the cent;
 * none comes from the statement code. Commission is rounded half up per payment, and a return
 * takes back the commission its amount earned at the payment's rate.
 */

let engine: Engine;
let acmeAuditorKey: string;

const cards = { basis: 'age_band', bands: [{ fromDays: 0, ratePercent: 15 }, { fromDays: 91, ratePercent: 25.5 }, { fromDays: 181, ratePercent: 33.33 }] };
const loans = { basis: 'recovery_type', rates: { voluntary: 20, promise: 20, plan: 22.5, settlement: 30, agency: 40 } };
const portfolio = (name: string, commission: unknown, extra: Record<string, unknown> = {}) => ({ name, regime: 'third_party', commission, remittance: { frequency: 'monthly', dayOfMonth: 15 }, ...extra });

async function download(url: string, key?: string): Promise<{ status: number; bytes: Buffer; headers: Headers }> {
  const response = await fetch(`${engine.baseUrl}${url}`, { method: url.endsWith('/issue') || url.includes('/issue?') ? 'POST' : 'GET', headers: { authorization: `Bearer ${key ?? engine.keys.manager}` } });
  return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()), headers: response.headers };
}

const pick = (lines: Record<string, unknown>[]) => lines.map((line) => [line.reference, line.kind, line.amount, line.ratePercent, line.commission, line.net, line.carried]);

beforeAll(async () => {
  engine = await startEngine({ temporal: 'none' });
  await seedRemittanceAccounts(engine.db);
  acmeAuditorKey = (await createApiKey(engine.db, { role: 'auditor', name: 'acme auditor', client: 'acme', actor: 'test' })).key;
});

afterAll(async () => {
  await engine?.stop();
});

describe('clients and portfolios', () => {
  it('defines clients and portfolios; accounts enrolled earlier with the portfolio name join it', async () => {
    const before = await engine.call('GET', '/api/v1/portfolios/undefined');
    expect(before.body.items.map((row: { portfolio: string }) => row.portfolio)).toEqual(['acme-cards', 'acme-loans', 'globex-main', 'nobody-defined']);

    expect((await engine.call('PUT', '/api/v1/clients/acme', { body: { name: 'Acme Lending' } })).status).toBe(201);
    expect((await engine.call('PUT', '/api/v1/clients/acme', { body: { name: 'Acme Lending' } })).status).toBe(200);
    expect((await engine.call('PUT', '/api/v1/clients/globex', { body: { name: 'Globex' } })).status).toBe(201);

    const made = await engine.call('PUT', '/api/v1/clients/acme/portfolios/acme-cards', { body: portfolio('Acme cards', cards, { strategies: ['cards'] }) });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ key: 'acme-cards', regime: 'third_party', strategies: ['cards'], accounts: 2 });
    expect((await engine.call('PUT', '/api/v1/clients/acme/portfolios/acme-loans', { body: portfolio('Acme loans', loans) })).status).toBe(201);
    expect((await engine.call('PUT', '/api/v1/clients/globex/portfolios/globex-main', { body: portfolio('Globex', { basis: 'age_band', bands: [{ fromDays: 0, ratePercent: 10 }] }) })).status).toBe(201);

    const accounts = await engine.call('GET', '/api/v1/clients/acme/portfolios/acme-cards/accounts');
    expect(accounts.body.items.map((row: { externalId: string; caseId: string }) => [row.externalId, row.caseId])).toEqual([
      ['A1', 'case-A1'],
      ['A2', 'case-A2'],
    ]);
    const after = await engine.call('GET', '/api/v1/portfolios/undefined');
    expect(after.body.items).toEqual([{ portfolio: 'nobody-defined', accounts: 1 }]);
  });

  it('refuses bad terms with a 4xx naming the field, and writes nothing', async () => {
    const above = await engine.call('PUT', '/api/v1/clients/acme/portfolios/acme-new', {
      body: portfolio('New', { basis: 'age_band', bands: [{ fromDays: 0, ratePercent: 15 }, { fromDays: 91, ratePercent: 100.5 }] }),
    });
    expect(above.status).toBe(400);
    expect(above.body.error.fields).toContainEqual({ path: 'body.commission.bands.1.ratePercent', message: 'a commission rate is a percentage of at most 100' });

    const regime = await engine.call('PUT', '/api/v1/clients/acme/portfolios/acme-new', { body: portfolio('New', cards, { regime: 'fourth_party' }) });
    expect(regime.status).toBe(400);
    expect(regime.body.error.fields.map((field: { path: string }) => field.path)).toEqual(['body.regime']);

    const strategy = await engine.call('PUT', '/api/v1/clients/acme/portfolios/acme-new', { body: portfolio('New', cards, { strategies: ['cards', 'no-such'] }) });
    expect(strategy.status).toBe(422);
    expect(strategy.body.error.fields).toEqual([{ path: 'body.strategies.1', message: 'no strategy "no-such"' }]);

    const stolen = await engine.call('PUT', '/api/v1/clients/acme/portfolios/globex-main', { body: portfolio('Mine now', cards) });
    expect(stolen.status).toBe(409);
    expect(stolen.body.error.code).toBe('portfolio_of_another_client');

    expect(await engine.db.portfolio.count({ where: { key: 'acme-new' } })).toBe(0);
    expect((await engine.db.portfolio.findUniqueOrThrow({ where: { key: 'globex-main' } })).name).toBe('Globex');
  });

  it("chooses a strategy by the portfolio's own segment rules first, and keeps its accounts to its strategies", async () => {
    await engine.db.strategy.create({ data: { key: 'loans-soft', version: 1, name: 'loans-soft v1', status: 'active', definition: { key: 'loans-soft', steps: [] } } });
    const rules = { segments: [{ id: 'small', match: { maxBalance: 50_000 }, strategy: 'loans-soft' }] };
    expect((await engine.call('PUT', '/api/v1/clients/acme/portfolios/acme-loans', { body: portfolio('Acme loans', loans, { strategies: ['cards', 'loans-soft'], segmentRules: rules }) })).status).toBe(200);
    expect(await chooseStrategyFor(engine.db, { externalId: 'L1', balance: 40_000, daysPastDue: 0, portfolio: 'acme-loans' })).toMatchObject({ strategy: 'loans-soft', segmentId: 'small', portfolioRules: 'acme-loans', ruleSetVersion: null });
    // Above the portfolio's segment, and no global rules: nothing chosen.
    expect(await chooseStrategyFor(engine.db, { externalId: 'L2', balance: 90_000, daysPastDue: 0, portfolio: 'acme-loans' })).toBeNull();
    await expect(assertPortfolioStrategy(engine.db, 'acme-cards', 'loans-soft')).rejects.toMatchObject({ statusCode: 422, code: 'strategy_not_in_portfolio', fields: [{ path: 'body.strategy' }] });
    // A PUT replaces the terms: without segment rules the portfolio's are gone.
    expect((await engine.call('PUT', '/api/v1/clients/acme/portfolios/acme-loans', { body: portfolio('Acme loans', loans) })).body.segmentRules).toBeNull();
    expect(await chooseStrategyFor(engine.db, { externalId: 'L1', balance: 40_000, daysPastDue: 0, portfolio: 'acme-loans' })).toBeNull();
    // A portfolio nobody defined takes any strategy, as before.
    await expect(assertPortfolioStrategy(engine.db, 'nobody-defined', 'anything')).resolves.toBeUndefined();
    await expect(assertPortfolioStrategy(engine.db, 'acme-cards', 'cards')).resolves.toBeUndefined();
  });
});

describe('remittance statements', () => {
  let octoberSha: string;
  let octoberJson: Buffer;

  it('October, issued: collected, commission at each payment rate, net to remit, to the cent', async () => {
    const draft = await engine.call('GET', '/api/v1/clients/acme/statements/2026-10');
    expect(draft.status).toBe(200);
    expect(draft.headers.get('x-statement-status')).toBe('draft');
    // A draft of a past month is the same answer each time while nothing new arrives.
    expect((await engine.call('GET', '/api/v1/clients/acme/statements/2026-10')).text).toBe(draft.text);

    const issued = await engine.call('POST', '/api/v1/clients/acme/statements/2026-10/issue');
    expect(issued.status).toBe(201);
    expect(issued.body.status).toBe('issued');
    expect(issued.body.lines).toEqual(draft.body.lines);
    expect(pick(issued.body.lines)).toEqual([
      // A3 before its plan: voluntary, 20% of 200.00 = 40.00.
      ['P3', 'collected', 20_000, 20, 4_000, 16_000, false],
      // A1, 30 days past due: 15% of 1,234.56 = 185.184 -> 185.18.
      ['P1', 'collected', 123_456, 15, 18_518, 104_938, false],
      // A2, 120 days: 25.5% of 500.01 = 127.50255 -> 127.50.
      ['P2', 'collected', 50_001, 25.5, 12_750, 37_251, false],
      // A3 under its plan: 22.5% of 333.33 = 74.99925 -> 75.00.
      ['P4', 'collected', 33_333, 22.5, 7_500, 25_833, false],
    ]);
    expect(issued.body.lines.map((line: { recoveryType: string }) => line.recoveryType)).toEqual(['voluntary', 'voluntary', 'voluntary', 'plan']);
    // Globex's P9 and the undefined portfolio's P10 are not Acme's.
    expect(issued.body.totals).toEqual([{ currency: 'USD', collected: 226_790, reversed: 0, commission: 42_768, net: 184_022, carriedIn: 0, netToRemit: 184_022, carriedOut: 0 }]);
    expect(issued.body.portfolios).toEqual([
      { key: 'acme-cards', name: 'Acme cards', regime: 'third_party', remitBy: '2026-11-15' },
      { key: 'acme-loans', name: 'Acme loans', regime: 'third_party', remitBy: '2026-11-15' },
    ]);
    octoberSha = issued.headers.get('x-statement-sha256') ?? '';
    octoberJson = Buffer.from(issued.text);

    const again = await engine.call('POST', '/api/v1/clients/acme/statements/2026-10/issue');
    expect(again.status).toBe(200);
    expect(again.text).toBe(issued.text);
  });

  it('November nets the returns of October payments (one learned late) and a late payment, and carries what it cannot remit', async () => {
    await seedAfterOctober(engine.db);
    const issued = await engine.call('POST', '/api/v1/clients/acme/statements/2026-11/issue');
    expect(issued.status).toBe(201);
    expect(pick(issued.body.lines)).toEqual([
      // Received 10-28, reported after October was issued: 25.5% of 80.00 = 20.40, carried.
      ['P7', 'collected', 8_000, 25.5, 2_040, 5_960, true],
      // 15% of 50.00 = 7.50.
      ['P5', 'collected', 5_000, 15, 750, 4_250, false],
      // Plan still in force: 22.5% of 100.00 = 22.50.
      ['P6', 'collected', 10_000, 22.5, 2_250, 7_750, false],
      // 234.56 of P1 returned (dated 10-31 23:59, learned after October was issued): 15% of 234.56 = 35.184 -> 35.18 back.
      ['P1', 'reversal', -23_456, 15, -3_518, -19_938, true],
      // P2 returned in full on 11-04: exactly October's 127.50 back.
      ['P2', 'reversal', -50_001, 25.5, -12_750, -37_251, true],
    ]);
    // 230.00 collected - 734.57 returned - (50.40 - 162.68 = -112.28 commission) = -392.29: nothing remitted, carried.
    expect(issued.body.totals).toEqual([{ currency: 'USD', collected: 23_000, reversed: -73_457, commission: -11_228, net: -39_229, carriedIn: 0, netToRemit: 0, carriedOut: -39_229 }]);

    // October is as it was issued, byte for byte, though its payments were returned since.
    const october = await download('/api/v1/clients/acme/statements/2026-10');
    expect(october.headers.get('x-statement-status')).toBe('issued');
    expect(october.headers.get('x-statement-sha256')).toBe(octoberSha);
    expect(october.bytes.equals(octoberJson)).toBe(true);
  });

  it('December (a draft while the month runs) nets the carried balance; it cannot be issued before the month ends', async () => {
    await seedDecember(engine.db);
    const draft = await engine.call('GET', '/api/v1/clients/acme/statements/2026-12');
    expect(pick(draft.body.lines)).toEqual([['P8', 'collected', 100_000, 15, 15_000, 85_000, false]]);
    // 850.00 net less the 392.29 carried from November = 457.71.
    expect(draft.body.carriedFrom).toBe('2026-11');
    expect(draft.body.totals).toEqual([{ currency: 'USD', collected: 100_000, reversed: 0, commission: 15_000, net: 85_000, carriedIn: -39_229, netToRemit: 45_771, carriedOut: 0 }]);

    const early = await engine.call('POST', '/api/v1/clients/acme/statements/2026-12/issue');
    if (Date.now() < Date.parse('2027-01-01T00:00:00Z')) {
      expect(early.status).toBe(409);
      expect(early.body.error).toMatchObject({ code: 'period_open', fields: [{ path: 'params.period', message: 'the month is not over' }] });
    }
    const bad = await engine.call('GET', '/api/v1/clients/acme/statements/2026-13');
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].path).toBe('params.period');
  });

  it('downloads the issued November statement as PDF and xlsx with the same figures', async () => {
    const pdf = await download('/api/v1/clients/acme/statements/2026-11?format=pdf');
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const text = pdfText(pdf.bytes);
    expect(text).toContain('Remittance statement Acme Lending 2026-11');
    expect(text).toContain('-$392.29');
    expect(text).toContain('-$734.57');
    expect(text).toContain('2026-10-31 (2026-10)');
    expect((await download('/api/v1/clients/acme/statements/2026-11?format=pdf')).bytes.equals(pdf.bytes)).toBe(true);

    const xlsx = await download('/api/v1/clients/acme/statements/2026-11?format=xlsx');
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get('content-disposition')).toContain('remittance-acme-2026-11.xlsx');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.bytes as unknown as ArrayBuffer);
    const totals = workbook.getWorksheet('Totals')!;
    expect(totals.getRow(2).values).toEqual([undefined, 'USD', 230, -734.57, -112.28, -392.29, 0, 0, -392.29]);
    const lines = workbook.getWorksheet('Lines')!;
    expect(lines.rowCount).toBe(6);
    const returned = lines.getRow(6);
    // Kind, ..., Carried (4), ..., Reference (7), ..., Amount (12), Commission (13), Net (14).
    expect([1, 4, 7, 12, 13, 14].map((column) => returned.getCell(column).value)).toEqual(['reversal', 'yes', 'P2', -500.01, -127.5, -372.51]);
  });

  it('lists issued statements, newest first', async () => {
    const list = await engine.call('GET', '/api/v1/clients/acme/statements');
    expect(list.body.items.map((row: { period: string; totals: { netToRemit: number }[] }) => [row.period, row.totals[0]?.netToRemit])).toEqual([
      ['2026-11', 0],
      ['2026-10', 184_022],
    ]);
  });
});

describe('a key scoped to a client', () => {
  it('sees its client, statements and report figures only', async () => {
    expect((await engine.call('GET', '/api/v1/session', { key: acmeAuditorKey })).body).toMatchObject({ role: 'auditor', team: null, client: 'acme' });
    const clients = await engine.call('GET', '/api/v1/clients', { key: acmeAuditorKey });
    expect(clients.body.items.map((row: { key: string }) => row.key)).toEqual(['acme']);
    expect((await engine.call('GET', '/api/v1/clients/globex/statements/2026-10', { key: acmeAuditorKey })).status).toBe(404);
    expect((await engine.call('GET', '/api/v1/clients/acme/statements/2026-10', { key: acmeAuditorKey })).status).toBe(200);

    const scoped = await engine.call('GET', '/api/v1/reports/recovery?asOf=2026-10-31&groupBy=portfolio', { key: acmeAuditorKey });
    expect(scoped.status).toBe(200);
    expect(scoped.body.rows.map((row: { portfolio: string; collected: number }) => [row.portfolio, row.collected])).toEqual([
      // The report drops a returned payment from its return on: P1 (returned 10-31 23:59) is out, P2 (11-04) and P7 (10-28) in.
      ['acme-cards', 58_001],
      ['acme-loans', 53_333],
    ]);
    const all = await engine.call('GET', '/api/v1/reports/recovery?asOf=2026-10-31&groupBy=portfolio');
    expect(all.body.rows.map((row: { portfolio: string }) => row.portfolio)).toEqual(['acme-cards', 'acme-loans', 'globex-main', 'nobody-defined']);

    // Another client's case is not there; lists that do not know clients refuse the key.
    expect((await engine.call('GET', '/api/v1/cases/case-G1', { key: acmeAuditorKey })).status).toBe(404);
    const cases = await engine.call('GET', '/api/v1/cases', { key: acmeAuditorKey });
    expect(cases.status).toBe(403);
    expect(cases.body.error.code).toBe('client_scoped_key');
  });
});
