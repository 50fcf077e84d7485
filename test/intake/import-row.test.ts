import { describe, expect, it } from 'vitest';
import { chooseStrategyKey, csvHeader, importRowFromCsv, importRowFromJson, type CsvColumn } from '../../domain/import-row.js';

/** Row parsing is pure: every problem is named by the column (CSV) or field path (JSON) to fix. */

const columns: CsvColumn[] = ['externalId', 'strategy', 'currency', 'balance', 'daysPastDue', 'debtorName', 'email', 'timeZone', 'smsConsent', 'addressLine1', 'city', 'postalCode', 'country', 'portfolio'];

describe('CSV rows', () => {
  it('maps a good row to an enrollment, reading numbers, yes/no and the address', () => {
    const result = importRowFromCsv(
      ['A-1', 'consumer-early', 'usd', '125000', '12', ' Ana Ruiz ', 'ana@example.com', 'America/Chicago', 'Yes', '1 Main St', 'Springfield', '62701', 'us', 'ACME'],
      columns,
      {},
    );
    expect(result).toEqual({
      ok: true,
      account: {
        externalId: 'A-1',
        strategy: 'consumer-early',
        currency: 'USD',
        balance: 125_000,
        daysPastDue: 12,
        portfolio: 'ACME',
        debtor: {
          name: 'Ana Ruiz',
          email: 'ana@example.com',
          timeZone: 'America/Chicago',
          smsConsent: true,
          address: { line1: '1 Main St', city: 'Springfield', postalCode: '62701', country: 'US' },
        },
      },
    });
  });

  it('reads the debtor page\'s identity facts, and names a bad one by its column', () => {
    const withFacts: CsvColumn[] = ['externalId', 'strategy', 'currency', 'balance', 'debtorName', 'timeZone', 'birthDate', 'accountLast4', 'postalCode', 'addressLine1', 'city', 'country'];
    const good = importRowFromCsv(['A-3', 'consumer-early', 'USD', '1000', 'Ana Ruiz', 'America/Chicago', '1980-04-23', '0042', '60601', '1 Main St', 'Chicago', 'US'], withFacts, {});
    expect(good).toMatchObject({ ok: true, account: { accountLast4: '0042', debtor: { birthDate: '1980-04-23', address: { postalCode: '60601' } } } });
    const bad = importRowFromCsv(['A-4', 'consumer-early', 'USD', '1000', 'Ana Ruiz', 'America/Chicago', '23/04/1980', '42', '60601', '1 Main St', 'Chicago', 'US'], withFacts, {});
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.problems.map((problem) => problem.field).sort()).toEqual(['accountLast4', 'birthDate']);
  });

  it('names every bad column with its reason', () => {
    const result = importRowFromCsv(['A-2', 'x', 'USD', '12.50', '-3', '', 'not-an-email', 'Mars/Olympus', 'maybe', '1 Main St', '', '', '', ''], columns, {});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.externalId).toBe('A-2');
    const fields = Object.fromEntries(result.problems.map((problem) => [problem.field, problem.reason]));
    expect(Object.keys(fields).sort()).toEqual(['balance', 'daysPastDue', 'debtorName', 'smsConsent']);
    expect(fields.balance).toMatch(/whole number of minor units/);
    // Semantic checks (email, zone, address) run once the cells read as the right types.
    const second = importRowFromCsv(['A-2', 'x', 'USD', '1250', '', 'Ana', 'not-an-email', 'Mars/Olympus', '', '1 Main St', '', '', '', ''], columns, {});
    expect(second.ok).toBe(false);
    if (second.ok) return;
    expect(second.problems.map((problem) => problem.field).sort()).toEqual(['city', 'country', 'email', 'postalCode', 'timeZone']);
  });

  it('refuses a row whose cell count differs from the header', () => {
    const result = importRowFromCsv(['A-3', 'x'], columns, {});
    expect(result).toMatchObject({ ok: false, problems: [{ field: 'row', reason: `has 2 cells, the header has ${columns.length} columns` }] });
  });

  it('takes the import default when the row names no strategy, and says so when there is none', () => {
    const cells = ['A-4', '', 'USD', '100', '', 'Bo', '', 'UTC', '', '', '', '', '', ''];
    expect(importRowFromCsv(cells, columns, { defaultStrategy: 'fallback' })).toMatchObject({ ok: true, account: { strategy: 'fallback' } });
    expect(importRowFromCsv(cells, columns, {})).toMatchObject({ ok: false, problems: [{ field: 'strategy' }] });
    expect(chooseStrategyKey({ strategy: 'named' } as never, { defaultStrategy: 'fallback' })).toEqual({ ok: true, key: 'named' });
  });
});

describe('NUL characters', () => {
  it('refuse the row by column or field: PostgreSQL text cannot hold them', () => {
    const cells = ['A-5', 's', 'USD', '100', '', 'Bo\u0000', '', 'UTC', '', '', '', '', '', ''];
    expect(importRowFromCsv(cells, columns, {})).toEqual({ ok: false, externalId: 'A-5', problems: [{ field: 'debtorName', reason: 'must not contain NUL (U+0000) characters' }] });
    const line = JSON.stringify({ externalId: 'J-5', strategy: 's', currency: 'EUR', balance: 100, debtor: { name: 'Jo\u0000', timeZone: 'UTC' } });
    expect(importRowFromJson(line, {})).toMatchObject({ ok: false, problems: [{ field: 'debtor.name' }] });
  });
});

describe('CSV header', () => {
  it('matches names case-insensitively and names unknown, repeated and missing columns', () => {
    expect(csvHeader(['EXTERNALID', 'currency', 'Balance', 'debtorName', 'timezone', 'strategy'])).toMatchObject({ ok: true });
    const bad = csvHeader(['externalId', 'balence', 'currency', 'currency', 'debtorName', 'timeZone']);
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.problems.map((problem) => problem.field)).toEqual(['balence', 'currency', 'balance', 'strategy']);
    expect(csvHeader(['externalId', 'balance', 'currency', 'debtorName', 'timeZone'], { defaultStrategy: 'x' })).toMatchObject({ ok: true });
  });
});

describe('CSV WhatsApp columns', () => {
  const whatsappColumns: CsvColumn[] = ['externalId', 'strategy', 'currency', 'balance', 'debtorName', 'timeZone', 'whatsapp', 'whatsappOptIn'];

  it('take the number and the opt-in, and name a bad number', () => {
    const good = importRowFromCsv(['W-1', 's', 'USD', '100', 'Ana', 'UTC', '+15555550177', 'yes'], whatsappColumns, {});
    expect(good).toMatchObject({ ok: true, account: { debtor: { whatsapp: '+15555550177', whatsappOptIn: true } } });
    const bad = importRowFromCsv(['W-2', 's', 'USD', '100', 'Ana', 'UTC', '5550177', 'maybe'], whatsappColumns, {});
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.problems.map((problem) => problem.field)).toEqual(['whatsappOptIn']);
    const badNumber = importRowFromCsv(['W-3', 's', 'USD', '100', 'Ana', 'UTC', '5550177', 'no'], whatsappColumns, {});
    expect(badNumber).toMatchObject({ ok: false, problems: [{ field: 'whatsapp', reason: expect.stringContaining('E.164') }] });
  });
});

describe('JSON lines', () => {
  it('validates the enrollment shape and names fields by path', () => {
    const good = importRowFromJson(JSON.stringify({ externalId: 'J-1', strategy: 's', currency: 'EUR', balance: 100, debtor: { name: 'Jo', timeZone: 'UTC' } }), {});
    expect(good).toMatchObject({ ok: true, account: { externalId: 'J-1', daysPastDue: 0, debtor: { smsConsent: false } } });
    const bad = importRowFromJson(JSON.stringify({ externalId: 'J-2', strategy: 's', currency: 'EUR', balance: 100, debtor: { name: 'Jo', timeZone: 'UTC', email: 'x' }, extra: 1 }), {});
    expect(bad).toMatchObject({ ok: false, externalId: 'J-2' });
    if (bad.ok) return;
    expect(bad.problems.map((problem) => problem.field).sort()).toEqual(['debtor.email', 'extra']);
    expect(importRowFromJson('{"externalId": ', {})).toMatchObject({ ok: false, problems: [{ field: 'row' }] });
    expect(importRowFromJson('[1,2]', {})).toMatchObject({ ok: false, problems: [{ field: 'row', reason: 'must be a JSON object (one account per line)' }] });
  });
});
