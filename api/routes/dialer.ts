import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorOf } from '../auth.js';
import { downloadMediaTypes, sendTable } from '../downloads.js';
import { ApiError } from '../errors.js';
import { errorResponses, inMediaTypes } from '../schemas.js';
import type { ApiDeps } from '../deps.js';
import { campaign, campaignCsv, campaignTable, csvBody, importDispositions } from '../services/dialer.js';

/** The predictive dialer's files: the campaign out, the dispositions back (docs/dialer.md). */

const ZCampaignRow = z.object({
  callRef: z.string(),
  account: z.string(),
  personRef: z.string(),
  phone: z.string(),
  name: z.string(),
  timeZone: z.string(),
  windowStart: z.string(),
  windowEnd: z.string(),
  windowStartLocal: z.string(),
  windowEndLocal: z.string(),
  callsAllowed: z.number().int(),
  balance: z.number().int(),
  currency: z.string(),
});

const ZDispositionReport = z.object({
  rows: z.number().int(),
  applied: z.number().int(),
  duplicates: z.number().int(),
  rejected: z.array(z.object({ line: z.number().int(), callId: z.string().nullable(), field: z.string(), code: z.string(), message: z.string() })),
});

const dispositionBodyLimit = 20 * 1024 * 1024;

export function dialerRoutes({ db, temporal }: ApiDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string', bodyLimit: dispositionBodyLimit }, (_request, body, done) => done(null, body));

    app.get(
      '/api/v1/dialer/campaign',
      {
        config: { roles: ['officer', 'manager', 'admin'] },
        schema: {
          tags: ['dialer'],
          summary: "The accounts a team may call now or today, each with its permitted local window and the calls the rules leave (a predictive dialer's import)",
          querystring: z
            .object({
              team: z.string().min(1).max(100).optional().describe("the team; a team key's own team when absent"),
              window: z.enum(['now', 'today']).default('now'),
              format: z.enum(['csv', 'json', 'xlsx']).default('csv'),
            })
            .strict(),
          response: { 200: inMediaTypes({ ...downloadMediaTypes, 'text/csv': z.string().describe('CSV (columns: docs/dialer.md)'), 'application/json': z.object({ window: z.string(), team: z.string(), generatedAt: z.string(), items: z.array(ZCampaignRow) }) }), ...errorResponses },
        },
      },
      async (request, reply) => {
        const own = request.principal?.team ?? null;
        const team = request.query.team ?? own;
        if (!team) throw new ApiError(400, 'invalid_request', 'name the team (query.team)', [{ path: 'query.team', message: 'required for a key without a team' }]);
        if (own && team !== own) throw new ApiError(403, 'forbidden', `this key works team ${own} only`);
        const now = Date.now();
        const rows = await campaign({ db, temporal, team, window: request.query.window, now });
        await db.auditEvent.create({ data: { actor: actorOf(request), action: 'dialer_campaign_exported', data: { team, window: request.query.window, rows: rows.length } } });
        if (request.query.format === 'json') return reply.send({ window: request.query.window, team, generatedAt: new Date(now).toISOString(), items: rows });
        return sendTable(reply, { format: request.query.format, filename: `campaign-${team}-${request.query.window}`, table: campaignTable(rows), csv: campaignCsv(rows) });
      },
    );

    app.post(
      '/api/v1/dialer/dispositions',
      {
        bodyLimit: dispositionBodyLimit,
        config: { roles: ['officer', 'manager', 'admin', 'integration'] },
        schema: {
          tags: ['dialer'],
          summary: "Import the dialer's dispositions (CSV): each row a call attempt on its case, once per call_id; bad rows reported by line and field, none of them applied",
          consumes: ['text/csv'],
          body: z.string().describe('CSV with the columns of docs/dialer.md'),
          response: { 200: ZDispositionReport, ...errorResponses },
        },
      },
      async (request) => {
        const team = request.principal?.team;
        const report = await importDispositions({ db, temporal, csv: csvBody(request.body), actor: actorOf(request), scope: team ? { team } : {} });
        await db.auditEvent.create({ data: { actor: actorOf(request), action: 'dialer_dispositions_imported', data: { rows: report.rows, applied: report.applied, duplicates: report.duplicates, rejected: report.rejected.length } } });
        return report;
      },
    );
  };
}
