import type { Client } from '@temporalio/client';
import type { Db } from '../../lib/db.js';
import { contactChangedSignal } from '../../workflows/case-messages.js';
import { unprocessable } from '../errors.js';
import { auditCase, markContactInvalid, recordCommunicationStatus, signalCaseIfOpen } from './communication-records.js';

/**
 * A letter came back undeliverable (the print-and-mail provider's report, or an officer holding
 * the envelope): the communication records it, the postal address is marked invalid, and the
 * case is told, so the letter step counts as failed and its fallback channel runs. Like a hard
 * bounce (api/services/inbound.ts), and as safe to repeat.
 */

export interface LetterReturn {
  communicationId: string;
  reason: string;
  /** When the letter came back; now when not given. */
  at?: Date | undefined;
  /** Who reported it, as the audit trail names them. */
  actor: string;
}

export interface LetterReturnResult {
  communicationId: string;
  caseId: string;
  status: string;
  /** False when this return was already recorded: nothing was changed again. */
  recorded: boolean;
}

/** The communication with its case's team and debtor; `null` when there is no such communication. */
export async function letterForReturn(db: Db, communicationId: string) {
  return db.communication.findUnique({
    where: { id: communicationId },
    select: { id: true, caseId: true, channel: true, recipient: true, status: true, case: { select: { team: true, account: { select: { debtorId: true } } } } },
  });
}

export type LetterForReturn = NonNullable<Awaited<ReturnType<typeof letterForReturn>>>;

export async function recordLetterReturned({ db, temporal, letter, reason, at, actor }: { db: Db; temporal: Client; letter: LetterForReturn } & Omit<LetterReturn, 'communicationId'>): Promise<LetterReturnResult> {
  if (letter.channel !== 'letter') {
    throw unprocessable('not_a_letter', `communication "${letter.id}" is ${letter.channel === 'email' ? 'an' : 'a'} ${letter.channel}, not a letter`, [
      { path: 'params.communicationId', message: 'only a letter can be returned' },
    ]);
  }
  if (!['sent', 'delivered', 'returned'].includes(letter.status)) {
    throw unprocessable('letter_not_sent', `letter "${letter.id}" was never mailed (status ${letter.status})`, [
      { path: 'params.communicationId', message: 'only a mailed letter can come back' },
    ]);
  }
  const returnedAt = at ?? new Date();
  // One return per letter: a repeated report (provider retry, a second click) finds this key.
  const { recorded } = await recordCommunicationStatus(db, {
    communicationId: letter.id,
    status: 'returned',
    newStatus: 'returned',
    detail: `returned undeliverable: ${reason}`.slice(0, 1000),
    source: 'letter_return',
    data: { reason, returnedAt: returnedAt.toISOString(), reportedBy: actor },
    idempotencyKey: `letter_returned:${letter.id}`,
  });
  if (recorded) {
    await markContactInvalid(db, { debtorId: letter.case.account.debtorId, channel: 'letter', address: letter.recipient });
    await auditCase(db, {
      caseId: letter.caseId,
      actor,
      action: 'contact_invalid',
      detail: `letter returned undeliverable: ${reason}`.slice(0, 1000),
      data: { channel: 'letter', communicationId: letter.id, returnedAt: returnedAt.toISOString() },
      idempotencyKey: `letter_returned:${letter.id}:audit`,
    });
  }
  // Signalled on every report: the workflow ignores a repeat (the step is no longer "sent"), and a
  // signal lost the first time (API stopped after the commit) is made good by the retry.
  await signalCaseIfOpen(temporal, letter.caseId, contactChangedSignal, { channel: 'letter', valid: false, source: 'letter_returned' });
  return { communicationId: letter.id, caseId: letter.caseId, status: 'returned', recorded };
}
