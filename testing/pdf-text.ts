import { inflateSync } from 'node:zlib';

/** The text a pdfkit PDF shows: each line is a TJ array of hex strings, in Flate streams. */
export function pdfText(pdf: Buffer): string {
  const raw = pdf.toString('latin1');
  // pdfkit ends a stream's data with "\nendstream": a data byte of "\r" just before it is data,
  // not part of the delimiter (taking it as one cut the stream short, and its page's text was lost).
  return [...raw.matchAll(/stream\r?\n([\s\S]*?)\nendstream/g)]
    .map(([, body]) => {
      try {
        return inflateSync(Buffer.from(body ?? '', 'latin1')).toString('latin1');
      } catch {
        return body ?? '';
      }
    })
    .flatMap((content) => [...content.matchAll(/\[(.*?)\] TJ/g)])
    .map(([, parts]) => [...(parts ?? '').matchAll(/<([0-9a-f]*)>/g)].map(([, hex]) => Buffer.from(hex ?? '', 'hex').toString('latin1')).join(''))
    .join('\n');
}
