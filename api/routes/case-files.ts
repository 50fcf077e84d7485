import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ZCaseFile, type TCaseFile } from '../../domain/case-file.js';
import type { Db } from '../../lib/db.js';
import { assertCaseAccess, recordContactRead, seesContactDetails } from '../access.js';
import { notFound } from '../errors.js';
import { errorResponses, inMediaTypes, ZCaseIdParams } from '../schemas.js';
import type { ApiDeps } from '../deps.js';
import { caseFileNow, caseFilePackages, caseFilePdf, maskedCaseFile, storedCaseFile, storedCaseFileDocument } from '../services/case-files.js';

/**
 * Case files: the one an agency or the legal team received (stored, byte for byte), and a fresh
 * one built from the projection now. Both as JSON or PDF. Roles that do not contact debtors get
 * addresses and message content masked; every full read is an audit event (api/access.ts).
 */

const readers = ['manager', 'officer', 'auditor', 'admin'] as const;

const ZFormat = z.object({ format: z.enum(['json', 'pdf']).default('json') }).strict();
const ZFileOrPdf = inMediaTypes({ 'application/json': ZCaseFile, 'application/pdf': z.string().describe('The PDF, when format=pdf') });
const ZPackageIdParams = z.object({ packageId: z.string().min(1).max(100) });
const ZStoredPackage = z.object({
  packageId: z.string(),
  caseId: z.string(),
  purpose: z.string(),
  version: z.number().int(),
  sha256: z.string(),
  pdfSha256: z.string(),
  createdAt: z.string(),
  deliveredAt: z.string().nullable(),
  taskId: z.string().nullable(),
  placementId: z.string().nullable(),
});

/** The file as this caller may see it: full (and the read audited) or masked. */
async function forCaller(db: Db, request: FastifyRequest, file: TCaseFile): Promise<{ file: TCaseFile; masked: boolean }> {
  if (!seesContactDetails(request)) return { file: maskedCaseFile(file), masked: true };
  await recordContactRead(db, request, file.case.id, 'case file');
  return { file, masked: false };
}

function sendPdf(reply: FastifyReply, name: string, pdf: Buffer | Uint8Array) {
  return reply.type('application/pdf').header('content-disposition', `attachment; filename="${name}.pdf"`).send(Buffer.from(pdf));
}

export function caseFileRoutes({ db }: ApiDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/cases/:caseId/case-file',
      {
        config: { roles: readers },
        schema: {
          tags: ['case files'],
          summary: 'The case file built now from the records: account, debtor, balance history, communications, outcomes',
          description:
            'JSON (`format=json`, the default) or a PDF (`format=pdf`). Contact details and message content are masked for auditors; every full read is an audit event.',
          params: ZCaseIdParams,
          querystring: ZFormat,
          response: { 200: ZFileOrPdf, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { caseId } = request.params;
        const built = await caseFileNow({ db, caseId });
        assertCaseAccess(request, { id: caseId, team: built.case.team });
        const { file, masked } = await forCaller(db, request, built);
        reply.header('x-case-file-masked', String(masked));
        if (request.query.format === 'pdf') return sendPdf(reply, `case-file-${file.account.externalId}`, await caseFilePdf(file));
        return file;
      },
    );

    app.get(
      '/api/v1/cases/:caseId/case-files',
      {
        config: { roles: readers },
        schema: {
          tags: ['case files'],
          summary: 'The case files delivered for the case (agency referrals, legal reviews), newest first',
          params: ZCaseIdParams,
          response: { 200: z.object({ items: z.array(ZStoredPackage) }), ...errorResponses },
        },
      },
      async (request) => {
        const { case: row, items } = await caseFilePackages({ db, caseId: request.params.caseId });
        assertCaseAccess(request, row);
        return { items };
      },
    );

    app.get(
      '/api/v1/case-files/:packageId',
      {
        config: { roles: readers },
        schema: {
          tags: ['case files'],
          summary: 'A delivered case file, exactly as the agency or the legal team received it',
          description:
            'JSON (`format=json`, the default) or the PDF (`format=pdf`), byte for byte; the `x-case-file-sha256` header is the hash of what was delivered. For auditors the file is masked (and so no longer the delivered bytes).',
          params: ZPackageIdParams,
          querystring: ZFormat,
          response: { 200: ZFileOrPdf, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { packageId } = request.params;
        const stored = await storedCaseFile({ db, packageId });
        // Another team's package answers as if it did not exist, like its case.
        try {
          assertCaseAccess(request, stored.case);
        } catch {
          throw notFound(`case file "${packageId}"`);
        }
        const pdf = request.query.format === 'pdf';
        if (seesContactDetails(request)) {
          await recordContactRead(db, request, stored.case.id, 'case file');
          reply.header('x-case-file-masked', 'false').header('x-case-file-sha256', pdf ? stored.pdfSha256 : stored.sha256);
          if (pdf) return sendPdf(reply, `case-file-${stored.id}`, stored.pdf);
          // Sent as stored (a string with a JSON type is not serialized again): the delivered bytes.
          return reply.type('application/json; charset=utf-8').send(stored.document);
        }
        const { file } = await forCaller(db, request, storedCaseFileDocument(stored.document));
        reply.header('x-case-file-masked', 'true');
        if (pdf) return sendPdf(reply, `case-file-${stored.id}`, await caseFilePdf(file));
        return file;
      },
    );
  };
}
