import { textProblem } from '../../domain/well-formed-text.js';
import type { Db } from '../../lib/db.js';
import { invalidRequest, notFound, unprocessable } from '../errors.js';
import { findPerson, type PersonScope } from './debtor-access.js';

/**
 * Case notes: what an officer wants the next person on the case to know, with author and time.
 * Append-only (the table refuses UPDATE and DELETE): a correction is a new note naming the one it
 * corrects, and both stay. Their text is content, masked for roles that do not contact debtors
 * like message content (api/access.ts); the audit event of a note says that one was written, not
 * what it says.
 */

/** Longest note, in characters. */
export const noteMaxLength = 5000;

export interface NoteView {
  id: string;
  caseId: string;
  author: string;
  text: string;
  /** The note this one corrects. */
  corrects: string | null;
  /** Later notes that correct this one. */
  correctedBy: string[];
  createdAt: string;
}

type NoteRow = { id: string; caseId: string; author: string; text: string; correctsId: string | null; createdAt: Date; correctedBy: { id: string }[] };

const toView = (row: NoteRow): NoteView => ({
  id: row.id,
  caseId: row.caseId,
  author: row.author,
  text: row.text,
  corrects: row.correctsId,
  correctedBy: row.correctedBy.map((note) => note.id),
  createdAt: row.createdAt.toISOString(),
});

const withCorrections = { correctedBy: { select: { id: true }, orderBy: [{ createdAt: 'asc' as const }, { id: 'asc' as const }] } };

/** Why `text` cannot be a note, or null. */
export function noteTextProblem(text: string): string | null {
  if (text.trim() === '') return 'must not be empty';
  if (text.length > noteMaxLength) return `must be at most ${noteMaxLength} characters`;
  return textProblem(text);
}

export async function addNote({ db, caseId, text, corrects, author }: { db: Db; caseId: string; text: string; corrects?: string; author: string }): Promise<NoteView> {
  const problem = noteTextProblem(text);
  if (problem) throw invalidRequest([{ path: 'body.text', message: problem }]);
  const row = await db.case.findUnique({ where: { id: caseId }, select: { id: true } });
  if (!row) throw notFound(`case "${caseId}"`);
  if (corrects !== undefined) {
    const earlier = await db.caseNote.findUnique({ where: { id: corrects }, select: { caseId: true } });
    if (!earlier || earlier.caseId !== caseId) throw unprocessable('unknown_note', `no note "${corrects}" on this case`, [{ path: 'body.corrects', message: 'must name a note of this case' }]);
  }
  return db.$transaction(async (tx) => {
    const note = await tx.caseNote.create({ data: { caseId, author, text, correctsId: corrects ?? null }, include: withCorrections });
    await tx.auditEvent.create({ data: { caseId, actor: author, action: 'note_added', data: { noteId: note.id, ...(corrects ? { corrects } : {}) } } });
    return toView(note);
  });
}

/** A case's notes, oldest first. */
export async function listNotes({ db, caseId }: { db: Db; caseId: string }): Promise<NoteView[]> {
  const exists = await db.case.count({ where: { id: caseId } });
  if (exists === 0) throw notFound(`case "${caseId}"`);
  const rows = await db.caseNote.findMany({ where: { caseId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], include: withCorrections });
  return rows.map(toView);
}

/** The note as a reader who may not see content reads it. */
export const maskNote = (note: NoteView): NoteView => ({ ...note, text: '[masked]' });

/** The notes of every case of a person's accounts (the caller's team only), newest first, each with its account. */
export async function listDebtorNotes({ db, debtorId, scope }: { db: Db; debtorId: string; scope: PersonScope }): Promise<(NoteView & { accountExternalId: string })[]> {
  await findPerson(db, debtorId, scope);
  const rows = await db.caseNote.findMany({
    where: { case: { account: { debtorId }, ...(scope.team ? { team: scope.team } : {}) } },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: 500,
    include: { ...withCorrections, case: { select: { account: { select: { externalId: true } } } } },
  });
  return rows.map((row) => ({ ...toView(row), accountExternalId: row.case.account.externalId }));
}
