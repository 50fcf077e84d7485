import type { TCaseFile } from '../domain/case-file.js';
import { formatMoney } from '../domain/money.js';
import { pdfReport, type PdfColumn } from './pdf-report.js';

/**
 * The case file as a PDF a person reads (pdfkit, standard Helvetica like the letters): account
 * and debtor, contacts, the balance history as a table with the running balance, payments,
 * every communication with its delivery trail, outcomes, tasks, notes and the case history. The
 * document's dates are the file's `asOf`, so the same case file gives the same bytes.
 */

const margin = 54;

/** Outcome terms that are amounts of money (integer minor units), shown formatted. */
const moneyKey = /amount|payment|balance|total|waived/i;

export function renderCaseFilePdf(file: TCaseFile, { compress = true }: { compress?: boolean } = {}): Promise<Buffer> {
  const asOf = new Date(file.asOf);
  const title = `Case file ${file.account.externalId}`;
  const { doc, contentWidth, bottom, heading, row, finish } = pdfReport({ title, subject: `${file.purpose} case file`, at: asOf, margin, rowFontSize: 8.5, compress });
  const money = (minor: number) => formatMoney(minor, file.balance.currency);

  function fields(pairs: [string, string | number | null][]) {
    for (const [label, value] of pairs) {
      doc.font('Helvetica-Bold').fontSize(9).text(`${label}: `, margin, undefined, { continued: true }).font('Helvetica').text(value === null ? '-' : String(value));
    }
  }

  function paragraph(text: string, { indent = 0, italic = false } = {}) {
    doc.font(italic ? 'Helvetica-Oblique' : 'Helvetica').fontSize(8.5).text(text, margin + indent, undefined, { width: contentWidth - indent });
  }

  const short = (instant: string | null) => (instant ? instant.replace('T', ' ').replace(/\.\d{3}Z$/, 'Z') : '-');

  doc.font('Helvetica-Bold').fontSize(16).text(title, margin, margin);
  doc.font('Helvetica').fontSize(9).text(`Purpose: ${file.purpose} · format version ${file.version} · data as of ${short(file.asOf)}`);

  heading('Case');
  fields([
    ['Case', file.case.id],
    ['Status', file.case.closeReason ? `${file.case.status} (${file.case.closeReason})` : file.case.status],
    ['Strategy', `${file.case.strategy.key} v${file.case.strategy.version}`],
    ['Started', short(file.case.startedAt)],
    ['Closed', short(file.case.closedAt)],
    ['Current step', file.case.currentStep],
    ['Officer', file.case.officer],
    ['Team', file.case.team],
  ]);
  if (file.placement) fields([['Placed with', `${file.placement.agency} on ${short(file.placement.placedAt)} at ${formatMoney(file.placement.balance, file.placement.currency)}`]]);

  heading('Account and debtor');
  fields([
    ['Account', `${file.account.externalId} (${file.account.id})`],
    ['Portfolio', file.account.portfolio],
    ['Placed balance', money(file.account.originalBalance)],
    ['Current balance', money(file.balance.recorded)],
    ...(file.ledger
      ? ([
          ['Principal / interest / fees', `${money(file.ledger.parts.principal)} / ${money(file.ledger.parts.interest)} / ${money(file.ledger.parts.fees)}`],
          [
            `Itemization (${file.ledger.itemization.itemizationDate})`,
            `${money(file.ledger.itemization.onItemizationDate)} + interest ${money(file.ledger.itemization.interestSince)} + fees ${money(file.ledger.itemization.feesSince)} - paid or credited ${money(file.ledger.itemization.paidOrCreditedSince)} = ${money(file.ledger.itemization.now)}`,
          ],
        ] as [string, string][])
      : []),
    ['Days past due at placement', file.account.daysPastDue],
    ['Debtor', file.debtor.name],
    ['Time zone', file.debtor.timeZone],
  ]);

  heading('Contacts');
  row([{ text: 'Channel', width: 60 }, { text: 'Value', width: 200 }, { text: 'Status', width: 50 }, { text: 'Consent', width: 94 }, { text: 'Opted out', width: 100 }], { bold: true });
  for (const contact of file.contacts) {
    row([
      { text: contact.channel, width: 60 },
      { text: contact.value, width: 200 },
      { text: contact.status, width: 50 },
      { text: contact.consent ? `yes${contact.consentSource ? ` (${contact.consentSource})` : ''}` : 'no', width: 94 },
      { text: contact.optedOutAt ? `${short(contact.optedOutAt)}${contact.optOutSource ? ` (${contact.optOutSource})` : ''}` : '-', width: 100 },
    ]);
  }
  if (file.contacts.length === 0) paragraph('No contacts on record.', { italic: true });

  heading('Balance history');
  const money4: PdfColumn[] = [{ text: 'Date', width: 110 }, { text: 'Entry', width: 150 }, { text: 'Amount', width: 84, align: 'right' }, { text: 'Change', width: 80, align: 'right' }, { text: 'Balance', width: 80, align: 'right' }];
  row(money4, { bold: true });
  row([{ text: short(file.case.startedAt), width: 110 }, { text: 'opening balance', width: 150 }, { text: '', width: 84 }, { text: '', width: 80 }, { text: money(file.balance.opening), width: 80, align: 'right' }]);
  for (const entry of file.balance.entries) {
    row([
      { text: short(entry.at), width: 110 },
      { text: entry.reference ? `${entry.kind} ${entry.reference}` : entry.kind, width: 150 },
      { text: money(entry.amount), width: 84, align: 'right' },
      { text: `${entry.change > 0 ? '+' : ''}${money(entry.change)}`, width: 80, align: 'right' },
      { text: money(entry.balanceAfter), width: 80, align: 'right' },
    ]);
  }
  row([{ text: '', width: 110 }, { text: 'closing balance', width: 150 }, { text: '', width: 84 }, { text: '', width: 80 }, { text: money(file.balance.closing), width: 80, align: 'right' }], { bold: true });

  heading('Payments');
  row([{ text: 'Reference', width: 160 }, { text: 'Amount', width: 100, align: 'right' }, { text: 'Received', width: 124 }, { text: 'Returned', width: 120 }], { bold: true });
  for (const payment of file.payments) {
    row([
      { text: payment.reference, width: 160 },
      { text: formatMoney(payment.amount, payment.currency), width: 100, align: 'right' },
      { text: short(payment.receivedAt), width: 124 },
      { text: short(payment.reversedAt), width: 120 },
    ]);
  }
  if (file.payments.length === 0) paragraph('No payments.', { italic: true });

  heading(`Communications (${file.communications.length})`);
  for (const message of file.communications) {
    if (doc.y + 50 > bottom()) doc.addPage();
    doc.font('Helvetica-Bold').fontSize(9).text(`${short(message.createdAt)} · ${message.channel} · ${message.template}${message.templateVersion === null ? '' : ` v${message.templateVersion}${message.templateLanguage ? ` (${message.templateLanguage})` : ''}`} · ${message.status}`, margin);
    paragraph(`To ${message.recipient} · step ${message.stepId} · provider ${message.provider ?? '-'}${message.providerId ? ` ${message.providerId}` : ''}${message.error ? ` · error: ${message.error}` : ''}`);
    if (message.subject) paragraph(`Subject: ${message.subject}`);
    paragraph(message.body, { indent: 12 });
    if (message.document) paragraph(`Document ${message.document.name}${message.document.sha256 ? ` sha256 ${message.document.sha256}` : ''}`, { italic: true });
    if (message.htmlSha256) paragraph(`HTML part sha256 ${message.htmlSha256}`, { italic: true });
    for (const event of message.events) paragraph(`${short(event.at)}  ${event.status} (${event.source})${event.detail ? `: ${event.detail}` : ''}`, { indent: 12 });
    doc.moveDown(0.5);
  }
  if (file.communications.length === 0) paragraph('No communications.', { italic: true });

  if (file.inbound.length > 0) {
    heading(`Messages received (${file.inbound.length})`);
    for (const message of file.inbound) {
      paragraph(`${short(message.at)} · ${message.channel} ${message.kind} from ${message.from}${message.intent ? ` · ${message.intent}` : ''}`);
      paragraph(message.text, { indent: 12 });
    }
  }

  heading(`Outcomes (${file.outcomes.length})`);
  for (const outcome of file.outcomes) {
    const terms = Object.entries(outcome.data)
      .filter(([, value]) => value !== null && value !== undefined)
      .map(([key, value]) => `${key}=${typeof value === 'number' && moneyKey.test(key) ? money(value) : typeof value === 'string' ? value : JSON.stringify(value)}`)
      .join(', ');
    row([{ text: short(outcome.at), width: 110 }, { text: outcome.action, width: 110 }, { text: [outcome.detail, terms].filter(Boolean).join(' · '), width: contentWidth - 220 }]);
  }
  if (file.outcomes.length === 0) paragraph('No outcomes.', { italic: true });

  heading(`Tasks (${file.tasks.length})`);
  for (const task of file.tasks) {
    row([
      { text: short(task.createdAt), width: 110 },
      { text: `${task.kind} · ${task.status}`, width: 110 },
      { text: [task.reason, task.assignee && `by ${task.assignee}`, task.outcome && `outcome ${task.outcome}`, task.outcomeNote].filter(Boolean).join(' · '), width: contentWidth - 220 },
    ]);
  }
  if (file.tasks.length === 0) paragraph('No tasks.', { italic: true });

  heading(`Notes (${file.notes.length})`);
  for (const note of file.notes) {
    row([{ text: short(note.at), width: 110 }, { text: note.author, width: 110 }, { text: [note.corrects && `corrects note ${note.corrects}`, note.text].filter(Boolean).join(' · '), width: contentWidth - 220 }]);
  }
  if (file.notes.length === 0) paragraph('No notes.', { italic: true });

  heading(`History (${file.history.length} events)`);
  for (const event of file.history) {
    row([{ text: short(event.at), width: 110 }, { text: event.action, width: 110 }, { text: [event.detail, event.stepId && `step ${event.stepId}`].filter(Boolean).join(' · '), width: contentWidth - 220 }]);
  }

  return finish();
}
