import ExcelJS from 'exceljs';
import { minorDigits, toMajorUnits } from '../../domain/money.js';
import type { TRemittanceStatement } from './remittance.js';

/**
 * A remittance statement as an `.xlsx` workbook (exceljs): a Lines sheet (one row per payment
 * collected or returned, signed) and a Totals sheet per currency. Amounts are in the currency's
 * major units with two or more decimals as the currency has them, so the client's own formulas
 * add up; the JSON answer carries the same figures in minor units.
 */

const major = toMajorUnits;
const moneyFormat = (currency: string) => {
  const digits = minorDigits(currency);
  return digits === 0 ? '#,##0' : `#,##0.${'0'.repeat(digits)}`;
};

export async function renderRemittanceXlsx(statement: TRemittanceStatement): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'dunning-engine';
  const stamp = new Date(statement.issuedAt ?? `${statement.period}-01T00:00:00Z`);
  workbook.created = stamp;
  workbook.modified = stamp;
  workbook.title = `Remittance statement ${statement.client.name} ${statement.period} (${statement.status})`;

  const lines = workbook.addWorksheet('Lines');
  lines.columns = [
    { header: 'Kind', key: 'kind', width: 10 },
    { header: 'Date', key: 'date', width: 22 },
    { header: 'Payment month', key: 'paymentPeriod', width: 14 },
    { header: 'Carried', key: 'carried', width: 8 },
    { header: 'Portfolio', key: 'portfolio', width: 16 },
    { header: 'Account', key: 'accountExternalId', width: 16 },
    { header: 'Reference', key: 'reference', width: 16 },
    { header: 'Recovery type', key: 'recoveryType', width: 13 },
    { header: 'Days past due at placement', key: 'daysPastDue', width: 12 },
    { header: 'Rate %', key: 'ratePercent', width: 8 },
    { header: 'Currency', key: 'currency', width: 9 },
    { header: 'Amount', key: 'amount', width: 14 },
    { header: 'Commission', key: 'commission', width: 14 },
    { header: 'Net', key: 'net', width: 14 },
  ];
  lines.getRow(1).font = { bold: true };
  for (const line of statement.lines) {
    const row = lines.addRow({
      ...line,
      carried: line.carried ? 'yes' : 'no',
      amount: major(line.amount, line.currency),
      commission: major(line.commission, line.currency),
      net: major(line.net, line.currency),
    });
    for (const key of ['amount', 'commission', 'net']) row.getCell(key).numFmt = moneyFormat(line.currency);
  }

  const totals = workbook.addWorksheet('Totals');
  totals.columns = [
    { header: 'Currency', key: 'currency', width: 9 },
    { header: 'Collected', key: 'collected', width: 14 },
    { header: 'Returned', key: 'reversed', width: 14 },
    { header: 'Commission', key: 'commission', width: 14 },
    { header: 'Net', key: 'net', width: 14 },
    { header: 'Carried in', key: 'carriedIn', width: 14 },
    { header: 'To remit', key: 'netToRemit', width: 14 },
    { header: 'Carried out', key: 'carriedOut', width: 14 },
  ];
  totals.getRow(1).font = { bold: true };
  const moneyKeys = ['collected', 'reversed', 'commission', 'net', 'carriedIn', 'netToRemit', 'carriedOut'] as const;
  for (const total of statement.totals) {
    const row = totals.addRow({ currency: total.currency, ...Object.fromEntries(moneyKeys.map((key) => [key, major(total[key], total.currency)])) });
    for (const key of moneyKeys) row.getCell(key).numFmt = moneyFormat(total.currency);
  }
  totals.addRow([]);
  totals.addRow([`Client ${statement.client.name} (${statement.client.key}), ${statement.period}, ${statement.status}${statement.issuedAt ? ` ${statement.issuedAt}` : ''}`]);
  if (statement.carriedFrom) totals.addRow([`Nets the balance carried from the ${statement.carriedFrom} statement.`]);
  for (const portfolio of statement.portfolios) totals.addRow([`Portfolio ${portfolio.key} (${portfolio.regime}): remit by ${portfolio.remitBy}`]);

  return Buffer.from(await workbook.xlsx.writeBuffer());
}
