import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { recordContactRead, seesContactDetails } from '../access.js';
import { downloadMediaTypes, sendTable } from '../downloads.js';
import { errorResponses, inMediaTypes, ZCaseIdParams } from '../schemas.js';
import type { ApiDeps } from '../deps.js';
import { communicationsTable, exportCommunications, maskCommunicationsExport } from '../services/communications-export.js';

const ZEvent = z.object({ at: z.string(), status: z.string(), source: z.string(), detail: z.string().nullable() });
const ZExport = z.object({
  caseId: z.string(),
  exportedAt: z.string(),
  /** True when recipients and content are masked for the caller's role. */
  masked: z.boolean(),
  communications: z.array(
    z.object({
      id: z.string(),
      stepId: z.string(),
      channel: z.string(),
      recipient: z.string(),
      template: z.string(),
      templateLanguage: z.string().nullable(),
      templateVersion: z.number().int().nullable(),
      subject: z.string().nullable(),
      body: z.string(),
      html: z.string().nullable(),
      status: z.string(),
      provider: z.string().nullable(),
      providerId: z.string().nullable(),
      attempts: z.number().int(),
      segments: z.number().int().nullable(),
      encoding: z.string().nullable(),
      price: z.string().nullable(),
      priceUnit: z.string().nullable(),
      documentSha256: z.string().nullable(),
      error: z.string().nullable(),
      createdAt: z.string(),
      sentAt: z.string().nullable(),
      deliveredAt: z.string().nullable(),
      events: z.array(ZEvent),
    }),
  ),
  inbound: z.array(
    z.object({
      id: z.string(),
      channel: z.string(),
      kind: z.string(),
      from: z.string(),
      text: z.string(),
      intent: z.string().nullable(),
      communicationId: z.string().nullable(),
      receivedAt: z.string(),
    }),
  ),
});

export function communicationsExportRoutes({ db }: ApiDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/cases/:caseId/communications/export',
      {
        config: { roles: ['auditor', 'manager', 'admin'] },
        schema: {
          tags: ['cases'],
          summary: "Every communication of the case with every status change, for an audit (JSON, or CSV or .xlsx with one row per status change)",
          description:
            'Recipients and content are shown in full to managers and admins (each such read is an audit event); for auditors ' +
            'addresses and numbers are masked and subjects, texts and replies read [masked].',
          params: ZCaseIdParams,
          querystring: z.object({ format: z.enum(['json', 'csv', 'xlsx']).default('json') }).strict(),
          response: { 200: inMediaTypes({ 'application/json': ZExport, ...downloadMediaTypes }), ...errorResponses },
        },
      },
      async (request, reply) => {
        const { caseId } = request.params;
        const exported = await exportCommunications(db, caseId);
        const full = seesContactDetails(request);
        if (full && exported.communications.length + exported.inbound.length > 0) await recordContactRead(db, request, caseId, 'communications export');
        const data = { ...(full ? exported : maskCommunicationsExport(exported)), masked: !full };
        if (request.query.format === 'json') return reply.send(data);
        return sendTable(reply, { format: request.query.format, filename: `${request.params.caseId}-communications`, table: communicationsTable(data) });
      },
    );
  };
}
