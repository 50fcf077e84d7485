import { createHash } from 'node:crypto';
import { buildCaseFile, caseFileJson, caseFileVersion, type CaseFilePurpose, type CaseFileSource, type TCaseFile } from '../domain/case-file.js';
import type { Db } from '../lib/db.js';
import { renderCaseFilePdf } from './case-file-pdf.js';
import { caseCommunications } from './communications.js';
import { caseLedgerRecord } from './ledger-entries.js';
import { casePayments } from './payments.js';

/**
 * Case files from the database: the projection rows read in one consistent snapshot and turned
 * into the document (domain/case-file.ts) and its PDF; and stored packages, one per purpose and
 * idempotency key, so an activity's retry finds the package its first attempt made instead of
 * building another from data that may have moved on. The agency and legal activities package and
 * deliver them; the API builds one on demand and serves the stored ones.
 */

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** The rows a case file is built from, or null for an unknown case. */
export async function loadCaseFileSource(db: Db, caseId: string): Promise<CaseFileSource | null> {
  // One snapshot: a payment projected between two reads would otherwise show in one list only.
  // The reads run one after another: a transaction is one connection.
  return db.$transaction(
    async (tx) => {
      const row = await tx.case.findUnique({ where: { id: caseId }, include: { strategy: { select: { key: true, version: true } } } });
      if (!row) return null;
      const account = await tx.account.findUniqueOrThrow({ where: { id: row.accountId } });
      const debtor = await tx.debtor.findUniqueOrThrow({ where: { id: account.debtorId } });
      const contacts = await tx.contact.findMany({ where: { debtorId: debtor.id } });
      const placement = await tx.agencyPlacement.findUnique({ where: { caseId } });
      const payments = await casePayments(tx, caseId);
      const { communications, inbound } = await caseCommunications(tx, caseId);
      const auditEvents = await tx.auditEvent.findMany({ where: { caseId } });
      const tasks = await tx.task.findMany({ where: { caseId } });
      const notes = await tx.caseNote.findMany({ where: { caseId } });
      const ledger = await caseLedgerRecord(tx, caseId);
      return {
        caseRow: row,
        account,
        debtor,
        contacts,
        placement,
        payments,
        communications: communications.map((message) => ({ ...message, htmlSha256: message.html === null ? null : sha256(message.html) })),
        inbound,
        auditEvents,
        tasks,
        notes,
        ledger,
      };
    },
    { isolationLevel: 'RepeatableRead' },
  );
}

/** A case file built now from the projection, or null for an unknown case. */
export async function buildCaseFileFromDb(db: Db, caseId: string, purpose: CaseFilePurpose): Promise<TCaseFile | null> {
  const source = await loadCaseFileSource(db, caseId);
  return source && buildCaseFile(source, purpose);
}

export interface StoredCaseFile {
  id: string;
  caseId: string;
  purpose: string;
  document: string;
  sha256: string;
  pdf: Uint8Array;
  pdfSha256: string;
  deliveredAt: Date | null;
  location: string | null;
  /** When the first attempt packaged it. */
  createdAt: Date;
}

const storedFields = { id: true, caseId: true, purpose: true, document: true, sha256: true, pdf: true, pdfSha256: true, deliveredAt: true, location: true, createdAt: true } as const;

/**
 * The package for this purpose and idempotency key: the stored one when an earlier attempt made
 * it, else built from the projection now and stored. Concurrent attempts end with one package.
 */
export async function ensureCaseFilePackage(
  db: Db,
  { caseId, purpose, idempotencyKey, placementId, taskId }: { caseId: string; purpose: 'agency' | 'legal'; idempotencyKey: string; placementId?: string; taskId?: string },
): Promise<StoredCaseFile> {
  const key = `${purpose}:${idempotencyKey}`;
  const existing = await db.caseFilePackage.findUnique({ where: { idempotencyKey: key }, select: storedFields });
  if (existing) return existing;

  const file = await buildCaseFileFromDb(db, caseId, purpose);
  // The case row is written at enrollment, before its workflow starts: missing means a bad call.
  if (!file) throw new Error(`case file: case "${caseId}" is not in the database`);
  const document = caseFileJson(file);
  const pdf = await renderCaseFilePdf(file);
  try {
    return await db.caseFilePackage.create({
      data: {
        caseId,
        purpose,
        idempotencyKey: key,
        version: caseFileVersion,
        document,
        sha256: sha256(document),
        pdf: new Uint8Array(pdf),
        pdfSha256: sha256(pdf),
        placementId: placementId ?? null,
        taskId: taskId ?? null,
      },
      select: storedFields,
    });
  } catch (error) {
    // Another attempt stored it first: that one is the package.
    if ((error as { code?: string }).code !== 'P2002') throw error;
    return db.caseFilePackage.findUniqueOrThrow({ where: { idempotencyKey: key }, select: storedFields });
  }
}

/** Marks a package handed over and writes it into the case's audit trail, once. */
export async function markCaseFileDelivered(db: Db, stored: StoredCaseFile, location: string, detail: string): Promise<void> {
  await db.$transaction([
    db.caseFilePackage.update({ where: { id: stored.id }, data: { deliveredAt: new Date(), location } }),
    db.auditEvent.createMany({
      data: [
        {
          caseId: stored.caseId,
          actor: 'workflow',
          action: 'case_file_delivered',
          data: { detail, packageId: stored.id, purpose: stored.purpose, sha256: stored.sha256, pdfSha256: stored.pdfSha256, location },
          idempotencyKey: `case-file-delivered:${stored.id}`,
        },
      ],
      skipDuplicates: true,
    }),
  ]);
}

/** The packages delivered for a case (agency referrals, legal reviews), newest first, without their contents. */
export async function listCaseFilePackages(db: Db, caseId: string) {
  return db.caseFilePackage.findMany({
    where: { caseId },
    orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
    select: { id: true, caseId: true, purpose: true, version: true, sha256: true, pdfSha256: true, createdAt: true, deliveredAt: true, taskId: true, placementId: true },
  });
}

/** A stored package with what was delivered (JSON and PDF) and its case's team, or null. */
export async function findCaseFilePackage(db: Db, packageId: string) {
  return db.caseFilePackage.findUnique({
    where: { id: packageId },
    select: { id: true, document: true, sha256: true, pdf: true, pdfSha256: true, case: { select: { id: true, team: true } } },
  });
}
