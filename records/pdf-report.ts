import PDFDocument from 'pdfkit';

/**
 * The frame of the engine's PDF reports (the case file, the remittance statement): US Letter,
 * standard Helvetica, the document's dates fixed by the caller so the same content gives the same
 * bytes, section headings with a rule, table rows that break to a new page whole, and "page n of
 * m" at the foot of every page once the content is written.
 */

export type PdfColumn = { text: string; width: number; align?: 'left' | 'right' };

const pageWidth = 612; // US Letter

export function pdfReport({ title, subject, at, margin, rowFontSize, compress = true }: { title: string; subject: string; at: Date; margin: number; rowFontSize: number; compress?: boolean }) {
  const contentWidth = pageWidth - 2 * margin;
  const doc = new PDFDocument({
    size: 'LETTER',
    margins: { top: margin, bottom: margin + 18, left: margin, right: margin },
    bufferPages: true,
    compress,
    info: { Title: title, Subject: subject, Producer: 'dunning-engine', Creator: 'dunning-engine', CreationDate: at, ModDate: at },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const bottom = () => doc.page.height - doc.page.margins.bottom;

  function heading(text: string) {
    if (doc.y + 60 > bottom()) doc.addPage();
    doc.moveDown(0.8).font('Helvetica-Bold').fontSize(12).text(text, margin, undefined, { width: contentWidth });
    doc.moveTo(margin, doc.y + 1).lineTo(pageWidth - margin, doc.y + 1).lineWidth(0.5).stroke();
    doc.moveDown(0.4).font('Helvetica').fontSize(9);
  }

  function row(columns: PdfColumn[], { bold = false } = {}) {
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(rowFontSize);
    const height = Math.max(...columns.map((column) => doc.heightOfString(column.text || ' ', { width: column.width - 4 })));
    if (doc.y + height > bottom()) doc.addPage();
    const top = doc.y;
    let x = margin;
    for (const column of columns) {
      doc.text(column.text, x, top, { width: column.width - 4, align: column.align ?? 'left' });
      x += column.width;
    }
    doc.x = margin;
    doc.y = top + height + 2;
  }

  /** Numbers the pages and ends the document; answers its bytes. */
  function finish(): Promise<Buffer> {
    const range = doc.bufferedPageRange();
    for (let index = range.start; index < range.start + range.count; index++) {
      doc.switchToPage(index);
      // Writing inside the bottom margin would otherwise start a new page.
      doc.page.margins.bottom = 0;
      doc.font('Helvetica').fontSize(8).text(`${title} · page ${index + 1} of ${range.count}`, margin, doc.page.height - margin, { width: contentWidth, align: 'center', lineBreak: false });
    }
    doc.end();
    return done;
  }

  return { doc, contentWidth, bottom, heading, row, finish };
}
