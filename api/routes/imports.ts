import { Readable } from 'node:stream';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { caseScope } from '../access.js';
import { actorOf } from '../auth.js';
import { errorResponses, inMediaTypes, ZErrorResponse } from '../schemas.js';
import type { ApiDeps } from '../deps.js';
import { ImportFormat } from '../services/import-files.js';
import { rejectedRowsTable } from '../services/import-rejections.js';
import { adoptRunnerJobs, createImport, getImportJob, ImportStatus, requireImportJob, type ImportSettings } from '../services/imports.js';
import { csvLines, xlsxMediaType, xlsxStream } from '../services/tables.js';

/** Media types of an upload and the format each one means. */
const formats: Record<string, ImportFormat> = {
  'text/csv': 'csv',
  'application/x-ndjson': 'jsonl',
  'application/jsonl': 'jsonl',
  'application/x-jsonlines': 'jsonl',
  [xlsxMediaType]: 'xlsx',
};

export const ZImportJob = z.object({
  jobId: z.string(),
  status: z.enum(Object.values(ImportStatus) as [ImportStatus, ...ImportStatus[]]),
  format: z.enum(Object.values(ImportFormat) as [ImportFormat, ...ImportFormat[]]),
  defaultStrategy: z.string().nullable(),
  /** The team of the key that uploaded the file: rows enroll into it only, and only its keys (or keys without a team) see the job. */
  team: z.string().nullable(),
  /** Rows in the file (non-blank lines, CSV header excluded); exact once completed. */
  totalRows: z.number().int().nullable(),
  processedRows: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  rejected: z.number().int(),
  error: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  links: z.object({ self: z.string(), rejected: z.string() }),
});

const ZJobParams = z.object({ jobId: z.uuid() });

const readers = ['manager', 'integration', 'auditor', 'admin'] as const;

/**
 * Bulk intake: the body is the file itself (`text/csv` with a header row, JSON Lines, or an .xlsx
 * workbook), streamed to disk and worked by its Temporal workflow on the import worker
 * (workflows/import.ts); the job answers at once with 202 and is followed by GET.
 */
export function importRoutes({ db, temporal, imports }: ApiDeps & { imports?: ImportSettings | undefined }): FastifyPluginAsyncZod {
  return async (app) => {
    const { dataDir = '.data', maxBytes = 1024 ** 3, batchSize, concurrency } = imports ?? {};
    app.addHook('onReady', async () => {
      // Jobs of the previous release's runner become workflows; this must not hold up the server.
      adoptRunnerJobs({ db, temporal, ...(batchSize ? { batchSize } : {}), ...(concurrency ? { concurrency } : {}) }).catch((error: unknown) =>
        app.log.warn({ err: error }, 'could not hand the previous runner\'s import jobs to workflows yet'),
      );
    });

    // Hand the raw stream to the route: the file is never parsed or held whole in memory here.
    app.addContentTypeParser(Object.keys(formats), (_request, payload, done) => done(null, payload));

    app.post(
      '/api/v1/accounts/import',
      {
        config: { roles: ['manager', 'integration', 'admin'] },
        schema: {
          tags: ['accounts'],
          summary: 'Import accounts from a CSV (header row), JSON Lines or .xlsx file, streamed; answers 202 with the job',
          description:
            `Send the file as the body with Content-Type text/csv, application/x-ndjson or ${xlsxMediaType} (curl --data-binary @file). ` +
            'CSV columns: externalId, strategy, currency, balance (minor units), daysPastDue, debtorName, email, phone, timeZone, ' +
            'smsConsent, emailConsent (yes/no: consent to electronic delivery of notices), whatsapp, whatsappOptIn, language (en or es), timeBarred (yes/no), addressLine1, addressLine2, city, region, postalCode, country, portfolio. JSON lines are account enrollments. ' +
            'A workbook (.xlsx) holds the CSV columns: each visible sheet starts with its header row; a rejected row names its sheet and cell in the reason, and its line is the row number, counted on across sheets. ' +
            'Rows are idempotent by externalId; a changed balance updates the account and its open case. ' +
            "A key with a team imports into its own team only, row by row as in POST /api/v1/accounts: a row naming another team, or an existing account outside the key's team, is a rejected row with its reason; the job belongs to the team and other teams' keys do not see it.",
          consumes: Object.keys(formats),
          querystring: z
            .object({ strategy: z.string().min(1).max(64).optional().describe('strategy for rows that name none') })
            .strict(),
          // A stream at run time; in /openapi.json the file's text, so clients (and schemathesis) send a string.
          body: z
            .custom<Readable>((value) => value instanceof Readable, 'send the file as a text/csv, application/x-ndjson or .xlsx body')
            .meta({ type: 'string', description: 'the file: CSV with a header row, JSON Lines, or an .xlsx workbook' }),
          response: { 202: ZImportJob, 413: ZErrorResponse, 415: ZErrorResponse, 422: ZErrorResponse, ...errorResponses },
        },
      },
      async (request, reply) => {
        const mediaType = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
        const job = await createImport({
          db,
          temporal,
          dataDir,
          body: request.body,
          format: formats[mediaType] ?? 'csv',
          defaultStrategy: request.query.strategy,
          actor: actorOf(request),
          team: request.principal?.team ?? null,
          maxBytes,
          ...(batchSize ? { batchSize } : {}),
          ...(concurrency ? { concurrency } : {}),
        });
        return reply.code(202).header('location', job.links.self).send(job);
      },
    );

    app.get(
      '/api/v1/imports/:jobId',
      {
        config: { roles: readers },
        schema: { tags: ['accounts'], summary: "An import job's progress and counts", params: ZJobParams, response: { 200: ZImportJob, ...errorResponses } },
      },
      async (request) => getImportJob({ db, jobId: request.params.jobId, scope: caseScope(request) }),
    );

    app.get(
      '/api/v1/imports/:jobId/rejected.csv',
      {
        config: { roles: readers },
        schema: {
          tags: ['accounts'],
          summary: 'The rows an import refused: line, externalId, field, reason (CSV)',
          params: ZJobParams,
          response: { 200: inMediaTypes({ 'text/csv': z.string().describe('CSV: line,externalId,field,reason') }), ...errorResponses },
        },
      },
      async (request, reply) => {
        const { jobId } = request.params;
        await requireImportJob({ db, jobId, scope: caseScope(request) });
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="import-${jobId}-rejected.csv"`)
          // A stream is sent as it is; the declared string is what the client receives.
          .send(Readable.from(csvLines(rejectedRowsTable({ db, jobId }))) as unknown as string);
      },
    );

    app.get(
      '/api/v1/imports/:jobId/rejected.xlsx',
      {
        config: { roles: readers },
        schema: {
          tags: ['accounts'],
          summary: 'The rows an import refused: line, externalId, field, reason (.xlsx workbook)',
          params: ZJobParams,
          response: { 200: inMediaTypes({ [xlsxMediaType]: z.string().describe('.xlsx: line, externalId, field, reason') }), ...errorResponses },
        },
      },
      async (request, reply) => {
        const { jobId } = request.params;
        await requireImportJob({ db, jobId, scope: caseScope(request) });
        return reply
          .type(xlsxMediaType)
          .header('content-disposition', `attachment; filename="import-${jobId}-rejected.xlsx"`)
          .send(xlsxStream(rejectedRowsTable({ db, jobId })) as unknown as string);
      },
    );
  };
}
