import { maskCaseFile, ZCaseFile, type TCaseFile } from '../../domain/case-file.js';
import type { Db } from '../../lib/db.js';
import { buildCaseFileFromDb, findCaseFilePackage, listCaseFilePackages } from '../../records/case-file.js';
import { renderCaseFilePdf } from '../../records/case-file-pdf.js';
import { maskContact } from '../access.js';
import { notFound } from '../errors.js';

/**
 * Case files for people: one built now from the records (records/case-file.ts, the same code the
 * agency and legal activities package), and the stored packages as they were delivered.
 */

/** The case file built now for a review; 404 for an unknown case. */
export async function caseFileNow({ db, caseId }: { db: Db; caseId: string }): Promise<TCaseFile> {
  const file = await buildCaseFileFromDb(db, caseId, 'review');
  if (!file) throw notFound(`case "${caseId}"`);
  return file;
}

/** The packages delivered for a case, newest first, with the case's team for the access check; 404 for an unknown case. */
export async function caseFilePackages({ db, caseId }: { db: Db; caseId: string }) {
  const row = await db.case.findUnique({ where: { id: caseId }, select: { id: true, team: true } });
  if (!row) throw notFound(`case "${caseId}"`);
  const packages = await listCaseFilePackages(db, caseId);
  return {
    case: row,
    items: packages.map(({ id, createdAt, deliveredAt, ...rest }) => ({ packageId: id, ...rest, createdAt: createdAt.toISOString(), deliveredAt: deliveredAt?.toISOString() ?? null })),
  };
}

/** A delivered package (its JSON and PDF byte for byte, and its case); 404 when there is none. */
export async function storedCaseFile({ db, packageId }: { db: Db; packageId: string }) {
  const stored = await findCaseFilePackage(db, packageId);
  if (!stored) throw notFound(`case file "${packageId}"`);
  return stored;
}

/** The document of a stored package, read back. */
export function storedCaseFileDocument(document: string): TCaseFile {
  return ZCaseFile.parse(JSON.parse(document));
}

/** The file with addresses, numbers and message content masked, for roles that do not contact debtors. */
export function maskedCaseFile(file: TCaseFile): TCaseFile {
  return maskCaseFile(file, maskContact);
}

/** The case file as a PDF a person reads. */
export function caseFilePdf(file: TCaseFile): Promise<Buffer> {
  return renderCaseFilePdf(file);
}
