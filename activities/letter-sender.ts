import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PermanentDeliveryError, type Delivery } from './outbox.js';

/**
 * Letters go to print and mail. The PDF is always kept in the letters outbox folder for the
 * record (`<communicationId>.pdf`, hash on the communication row); then an adapter hands it on:
 * the outbox folder itself by default (a print shop collects it), or an HTTP print-and-mail
 * provider when LETTER_PROVIDER_URL is set.
 */

export interface OutgoingLetter {
  communicationId: string;
  /** Recipient lines, name first. */
  addressLines: string[];
  pdf: Buffer;
}

export interface LetterSender {
  send(letter: OutgoingLetter): Promise<Delivery>;
  /** Keeps a PDF for the record without mailing it (an email's attachment). */
  keep(name: string, pdf: Buffer): Promise<{ documentPath: string; documentSha256: string }>;
}

export interface LetterProviderSettings {
  /** Receives a multipart POST: `metadata` (JSON: id, address lines) and `file` (the PDF). */
  url: string;
  /** Sent as `Authorization: Bearer <token>` when set. */
  token?: string | undefined;
}

export function createLetterSender({ outboxDir, provider }: { outboxDir: string; provider?: LetterProviderSettings | undefined }): LetterSender {
  async function keep(name: string, pdf: Buffer) {
    await mkdir(outboxDir, { recursive: true });
    const documentPath = path.join(outboxDir, `${name}.pdf`);
    await writeFile(documentPath, pdf);
    return { documentPath, documentSha256: createHash('sha256').update(pdf).digest('hex') };
  }

  return {
    keep,
    async send({ communicationId, addressLines, pdf }) {
      const document = await keep(communicationId, pdf);
      if (!provider) return { provider: 'outbox', providerId: communicationId, ...document };

      const form = new FormData();
      form.set('metadata', JSON.stringify({ id: communicationId, address: addressLines }));
      form.set('file', new Blob([pdf], { type: 'application/pdf' }), `${communicationId}.pdf`);
      let response: Response;
      try {
        response = await fetch(provider.url, {
          method: 'POST',
          body: form,
          // Print-and-mail APIs (Lob, PostGrid, ...) honour an idempotency key: a retry after a
          // lost answer returns the first letter instead of printing a second one.
          headers: { 'Idempotency-Key': communicationId, ...(provider.token ? { authorization: `Bearer ${provider.token}` } : {}) },
          signal: AbortSignal.timeout(20_000),
        });
      } catch (error) {
        throw new Error(`letter provider unreachable: ${(error as Error).name}`);
      }
      if (response.status === 422) throw new PermanentDeliveryError('letter provider refused the address (422)');
      if (!response.ok) throw new Error(`letter provider answered ${response.status}`);
      const answer = (await response.json().catch(() => ({}))) as { id?: unknown };
      return { provider: 'letter-http', providerId: typeof answer.id === 'string' ? answer.id : communicationId, ...document };
    },
  };
}
