import { formatMoney } from '../../domain/money.js';
import { pdfReport, type PdfColumn } from '../../records/pdf-report.js';
import type { TRemittanceStatement } from './remittance.js';

/**
 * A remittance statement as a PDF for the client (pdfkit, Helvetica, like the case file): the
 * portfolios and their remittance dates, the payments collected, the returns netted (carried ones
 * marked), and the totals per currency. Its dates are the statement's own (issued, or the end of
 * the month for a draft), so the same statement gives the same bytes.
 */

const margin = 48;

export function renderRemittancePdf(statement: TRemittanceStatement): Promise<Buffer> {
  const title = `Remittance statement ${statement.client.name} ${statement.period}`;
  const stamp = new Date(statement.issuedAt ?? `${statement.period}-01T00:00:00Z`);
  const { doc, contentWidth, heading, row, finish } = pdfReport({ title, subject: `${statement.status} remittance statement`, at: stamp, margin, rowFontSize: 8 });

  doc.font('Helvetica-Bold').fontSize(15).text(title, margin, margin);
  doc
    .font('Helvetica')
    .fontSize(9)
    .text(
      statement.status === 'issued'
        ? `Issued ${statement.issuedAt?.slice(0, 10)} by ${statement.issuedBy}`
        : 'DRAFT: not issued; payments and returns learned before it is issued may still change it',
    );
  if (statement.carriedFrom) doc.text(`Nets the balance carried from the ${statement.carriedFrom} statement.`);

  heading('Portfolios');
  row([{ text: 'Portfolio', width: 160 }, { text: 'Name', width: 180 }, { text: 'Regime', width: 90 }, { text: 'Remit by', width: 86 }], { bold: true });
  for (const portfolio of statement.portfolios) {
    row([{ text: portfolio.key, width: 160 }, { text: portfolio.name, width: 180 }, { text: portfolio.regime, width: 90 }, { text: portfolio.remitBy, width: 86 }]);
  }

  const header: PdfColumn[] = [
    { text: 'Date', width: 92 },
    { text: 'Portfolio', width: 62 },
    { text: 'Account', width: 52 },
    { text: 'Reference', width: 52 },
    { text: 'Type', width: 50 },
    { text: 'Rate', width: 34, align: 'right' },
    { text: 'Amount', width: 60, align: 'right' },
    { text: 'Commission', width: 62, align: 'right' },
    { text: 'Net', width: 52, align: 'right' },
  ];
  const lineRow = (line: TRemittanceStatement['lines'][number]) =>
    row([
      { text: `${line.date.slice(0, 10)}${line.carried ? ` (${line.paymentPeriod})` : ''}`, width: 92 },
      { text: line.portfolio, width: 62 },
      { text: line.accountExternalId, width: 52 },
      { text: line.reference, width: 52 },
      { text: line.recoveryType, width: 50 },
      { text: `${line.ratePercent}%`, width: 34, align: 'right' },
      { text: formatMoney(line.amount, line.currency), width: 60, align: 'right' },
      { text: formatMoney(line.commission, line.currency), width: 62, align: 'right' },
      { text: formatMoney(line.net, line.currency), width: 52, align: 'right' },
    ]);

  const collected = statement.lines.filter((line) => line.kind === 'collected');
  const reversals = statement.lines.filter((line) => line.kind === 'reversal');
  heading(`Collected (${collected.length})`);
  row(header, { bold: true });
  collected.forEach(lineRow);
  if (collected.length === 0) doc.font('Helvetica-Oblique').fontSize(8).text('No payments.', margin);
  heading(`Returned payments netted (${reversals.length})`);
  row(header, { bold: true });
  reversals.forEach(lineRow);
  if (reversals.length === 0) doc.font('Helvetica-Oblique').fontSize(8).text('No returns.', margin);
  doc.font('Helvetica-Oblique').fontSize(7.5).text('A date followed by a month in brackets: a return of (or a payment received in) that earlier month, carried into this statement.', margin);

  heading('Totals');
  const width = contentWidth / 8;
  row(['Currency', 'Collected', 'Returned', 'Commission', 'Net', 'Carried in', 'To remit', 'Carried out'].map((text, index) => ({ text, width, align: index === 0 ? 'left' : 'right' })), { bold: true });
  for (const total of statement.totals) {
    const money = (minor: number) => formatMoney(minor, total.currency);
    row(
      [total.currency, money(total.collected), money(total.reversed), money(total.commission), money(total.net), money(total.carriedIn), money(total.netToRemit), money(total.carriedOut)].map((text, index) => ({
        text,
        width,
        align: index === 0 ? 'left' : 'right',
      })),
      { bold: true },
    );
  }
  if (statement.totals.length === 0) doc.font('Helvetica-Oblique').fontSize(8).text('Nothing to remit this month.', margin);

  return finish();
}
