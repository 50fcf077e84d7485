import { describe, expect, it } from 'vitest';
import { contactPointsOf } from '../../domain/account-contacts.js';
import { csvHeader, importRowFromCsv } from '../../domain/import-row.js';

/**
 * An import row carries the debtor's consent to electronic delivery (`emailConsent`) as single
 * enrollment does: a collector's validation notice then goes by email (workflows/case/validation-notice.ts).
 */

describe('the emailConsent column', () => {
  const header = csvHeader(['externalId', 'strategy', 'currency', 'balance', 'debtorName', 'email', 'timeZone', 'emailConsent']);

  it('is a known column, read as yes or no into the enrollment and the email contact', () => {
    expect(header.ok).toBe(true);
    if (!header.ok) return;
    const row = importRowFromCsv(['E-1', 'consumer-early', 'USD', '1000', 'Ana Ruiz', 'ana@example.com', 'America/Chicago', 'yes'], header.columns, {});
    expect(row).toMatchObject({ ok: true, account: { debtor: { email: 'ana@example.com', emailConsent: true } } });
    if (!row.ok) return;
    expect(contactPointsOf(row.account.debtor).email).toMatchObject({ address: 'ana@example.com', consent: true });
    const blank = importRowFromCsv(['E-2', 'consumer-early', 'USD', '1000', 'Ana Ruiz', 'ana@example.com', 'America/Chicago', ''], header.columns, {});
    expect(blank.ok && blank.account.debtor.emailConsent).toBeFalsy();
  });

  it('names the column when the cell is not yes or no', () => {
    if (!header.ok) return;
    const row = importRowFromCsv(['E-3', 'consumer-early', 'USD', '1000', 'Ana Ruiz', 'ana@example.com', 'America/Chicago', 'perhaps'], header.columns, {});
    expect(row).toMatchObject({ ok: false, problems: [{ field: 'emailConsent', reason: 'must be yes or no (true/false, 1/0)' }] });
  });
});
