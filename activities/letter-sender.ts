import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Delivery } from './outbox.js';

/** Letters go to a print-and-mail outbox folder: one text file per letter, address block first. */

export interface OutgoingLetter {
  communicationId: string;
  address: string;
  body: string;
}

export interface LetterSender {
  send(letter: OutgoingLetter): Promise<Delivery>;
}

export function createLetterSender({ outboxDir }: { outboxDir: string }): LetterSender {
  return {
    async send({ communicationId, address, body }) {
      await mkdir(outboxDir, { recursive: true });
      const file = path.join(outboxDir, `${communicationId}.txt`);
      await writeFile(file, `${address.split(/\s*\|\s*/).join('\n')}\n\n${body}\n`);
      return { provider: 'outbox', providerId: communicationId };
    },
  };
}
