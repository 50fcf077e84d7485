import PDFDocument from 'pdfkit';

/**
 * A collection letter as a PDF (pdfkit, standard Helvetica: WinAnsi covers English and Spanish):
 * the sender's block, the date, the debtor's address block where a #10 window envelope shows
 * it, an optional subject line, then the body. The same input gives the same bytes (the
 * document's dates are the letter's date), so a retried send produces an identical file.
 */

export interface LetterContent {
  /** Sender block, one line per entry. */
  sender: readonly string[];
  /** Recipient block, one line per entry (name first). */
  recipient: readonly string[];
  /** The letter's date: the communication's creation time. */
  date: Date;
  /** BCP-47 language for the date line. */
  language: string;
  subject?: string | undefined;
  body: string;
}

/** Splits our one-line postal address (`Name | line1 | City, ST 00000 | US`) into lines. */
export function addressLines(oneLine: string): string[] {
  return oneLine.split(/\s*\|\s*/).filter(Boolean);
}

export function renderLetterPdf({ sender, recipient, date, language, subject, body }: LetterContent): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'LETTER',
    margins: { top: 54, bottom: 54, left: 72, right: 72 },
    info: { Title: subject ?? 'Letter', Producer: 'dunning-engine', Creator: 'dunning-engine', CreationDate: date, ModDate: date },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  doc.font('Helvetica-Bold').fontSize(10).text(sender[0] ?? '', 72, 54);
  doc.font('Helvetica').text(sender.slice(1).join('\n'));

  const dateLine = new Intl.DateTimeFormat(language, { dateStyle: 'long', timeZone: 'UTC' }).format(date);
  doc.text(dateLine, 72, 54, { align: 'right' });

  // The recipient window of a #10 envelope: about 2 in. from the top, 0.875 in. from the left.
  doc.fontSize(11).text(recipient.join('\n'), 63, 144, { width: 288 });

  doc.moveDown(4);
  if (subject) doc.font('Helvetica-Bold').text(subject, 72).moveDown();
  doc.font('Helvetica').fontSize(11).text(body, 72, undefined, { align: 'left', lineGap: 2, paragraphGap: 6 });
  doc.end();
  return done;
}
