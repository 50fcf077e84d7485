import PDFDocument from 'pdfkit';
import { validationNoticeSections, type ValidationNoticeFacts } from '../domain/ledger/validation-notice-content.js';

/**
 * The validation notice as a letter (pdfkit, standard Helvetica, as activities/letter-pdf.ts lays
 * out letters): the collector's block, the date, the consumer's address where a #10 window
 * envelope shows it, then the model form's sections in their order, the itemization as a table
 * with the amounts aligned on the right, and the response form below a tear-off rule. The words
 * are domain/ledger/validation-notice-content.ts's, so the letter and the email cannot differ.
 * The same input gives the same bytes (the document's dates are the letter's date).
 */

export interface ValidationNoticeLetter {
  facts: ValidationNoticeFacts;
  /** The collector's block, one line per entry (LETTER_SENDER). */
  sender: readonly string[];
  /** The consumer's address block, one line per entry (name first). */
  recipient: readonly string[];
  /** The letter's date: the communication's creation time. */
  date: Date;
  /** Paragraphs the case requires at the end (the collection disclosure, a state's time-barred disclosure). */
  closing?: readonly string[];
}

export const noticeTitle = { en: 'Notice of debt: validation information', es: 'Aviso de deuda: información de validación' } as const;

/** Standard Helvetica (WinAnsi) has no ballot box: the form's boxes print as "[  ]". */
const withPrintableBoxes = (line: string) => line.replaceAll('☐', '[  ]');

/** An itemization line `label: + $14.79` as its label and its amount, when it ends with one. */
function amountLine(line: string): { label: string; amount: string } | null {
  const match = /^(.*:)\s+([–+-]?\s?\S*\d[\d.,]*\S*)$/.exec(line);
  return match ? { label: match[1] ?? line, amount: match[2] ?? '' } : null;
}

export function renderValidationNoticePdf({ facts, sender, recipient, date, closing = [] }: ValidationNoticeLetter): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'LETTER',
    margins: { top: 54, bottom: 54, left: 72, right: 72 },
    info: { Title: noticeTitle[facts.language], Producer: 'dunning-engine', Creator: 'dunning-engine', CreationDate: date, ModDate: date },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const left = 72;
  const width = 612 - 2 * left;

  doc.font('Helvetica-Bold').fontSize(10).text(sender[0] ?? '', left, 54);
  doc.font('Helvetica').text(sender.slice(1).join('\n'));
  const dateLine = new Intl.DateTimeFormat(facts.language === 'es' ? 'es-US' : 'en-US', { dateStyle: 'long', timeZone: 'UTC' }).format(date);
  doc.text(dateLine, left, 54, { align: 'right' });
  // The recipient window of a #10 envelope: about 2 in. from the top, 0.875 in. from the left.
  doc.fontSize(11).text(recipient.join('\n'), 63, 144, { width: 288 });
  doc.moveDown(3);
  doc.font('Helvetica-Bold').fontSize(13).text(noticeTitle[facts.language], left, undefined, { width });
  doc.moveDown(0.5);

  const sections = validationNoticeSections(facts);
  sections.forEach((section, index) => {
    const form = index === sections.length - 1;
    if (form) {
      // The response form is cut off and mailed back: a dashed rule above it.
      doc.moveDown(0.6);
      doc.moveTo(left, doc.y).lineTo(left + width, doc.y).dash(4, { space: 3 }).lineWidth(0.5).stroke().undash();
      doc.moveDown(0.6);
    }
    if (section.heading) doc.font('Helvetica-Bold').fontSize(11).text(section.heading, left, undefined, { width }).moveDown(0.2);
    const itemization = index === 1;
    for (const line of section.lines) {
      const row = itemization ? amountLine(line) : null;
      doc.font('Helvetica').fontSize(10);
      if (row) {
        const top = doc.y;
        doc.text(row.label, left + 12, top, { width: width - 132 });
        const after = doc.y;
        doc.text(row.amount, left + width - 120, top, { width: 120, align: 'right' });
        doc.x = left;
        doc.y = Math.max(after, doc.y);
        continue;
      }
      doc.text(withPrintableBoxes(line), left, undefined, { width, lineGap: 1 });
      doc.moveDown(0.3);
    }
    doc.moveDown(0.4);
  });
  for (const paragraph of closing) doc.font('Helvetica').fontSize(9).text(paragraph, left, undefined, { width }).moveDown(0.3);
  doc.end();
  return done;
}
