import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ZClientKey } from '../../domain/portfolio.js';
import { ZPeriod } from '../../domain/remittance.js';
import { renderRemittancePdf } from '../services/remittance-pdf.js';
import { renderRemittanceXlsx } from '../services/remittance-xlsx.js';
import { actorOf } from '../auth.js';
import { errorResponses, inMediaTypes, ZErrorResponse } from '../schemas.js';
import type { ApiDeps } from '../deps.js';
import { clientScopeOf } from '../services/clients.js';
import { getStatement, issueStatement, listStatements, ZRemittanceStatement, type StatementAnswer } from '../services/remittance.js';

/**
 * Monthly remittance statements per client (api/services/remittance.ts): JSON, PDF or xlsx, a
 * draft until issued, then frozen. A client-scoped key reads its own client's statements only.
 */

const xlsxType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const ZParams = z.object({ clientKey: ZClientKey, period: ZPeriod });
const ZStatementAnswer = inMediaTypes({
  'application/json': ZRemittanceStatement,
  'application/pdf': z.string().describe('The PDF, when format=pdf'),
  [xlsxType]: z.string().describe('The workbook, when format=xlsx'),
});
const ZFormat = z.object({ format: z.enum(['json', 'pdf', 'xlsx']).default('json') }).strict();

export function remittanceRoutes({ db }: ApiDeps): FastifyPluginAsyncZod {
  return async (app) => {
    async function send(reply: FastifyReply, statement: StatementAnswer, format: 'json' | 'pdf' | 'xlsx', code = 200) {
      const name = `remittance-${statement.document.client.key}-${statement.document.period}${statement.document.status === 'draft' ? '-draft' : ''}`;
      reply.code(code).header('x-statement-status', statement.document.status).header('x-statement-sha256', statement.sha256);
      if (format === 'pdf') return reply.type('application/pdf').header('content-disposition', `attachment; filename="${name}.pdf"`).send(await renderRemittancePdf(statement.document));
      if (format === 'xlsx') return reply.type(xlsxType).header('content-disposition', `attachment; filename="${name}.xlsx"`).send(await renderRemittanceXlsx(statement.document));
      // The JSON text as stored, so an issued statement is the same bytes every time (its hash above).
      return reply.type('application/json; charset=utf-8').send(statement.json);
    }

    app.get(
      '/api/v1/clients/:clientKey/statements',
      {
        config: { roles: ['manager', 'auditor', 'admin', 'integration'] },
        schema: {
          tags: ['clients'],
          summary: "A client's issued remittance statements, newest first",
          params: ZParams.pick({ clientKey: true }),
          response: {
            200: z.object({ items: z.array(z.object({ period: z.string(), issuedAt: z.string(), issuedBy: z.string(), sha256: z.string(), totals: ZRemittanceStatement.shape.totals })) }),
            ...errorResponses,
          },
        },
      },
      async (request) => ({ items: await listStatements({ db, clientKey: request.params.clientKey, scope: clientScopeOf(request) }) }),
    );

    app.get(
      '/api/v1/clients/:clientKey/statements/:period',
      {
        config: { roles: ['manager', 'auditor', 'admin', 'integration'] },
        schema: {
          tags: ['clients'],
          summary: "A client's remittance statement for a month (YYYY-MM, UTC): collected, commission, net to remit, returns netted",
          description:
            'As issued when it was (`x-statement-status: issued`, the same bytes every time), else the draft it would be if issued now. ' +
            'A payment returned after its month was issued, or learned late, is on the next statement, netted; a month whose returns exceed ' +
            'its collections remits nothing and carries the difference into the next one. `format`: json (default), pdf or xlsx.',
          params: ZParams,
          querystring: ZFormat,
          response: { 200: ZStatementAnswer, ...errorResponses },
        },
      },
      async (request, reply) => send(reply, await getStatement({ db, clientKey: request.params.clientKey, period: request.params.period, scope: clientScopeOf(request) }), request.query.format),
    );

    app.post(
      '/api/v1/clients/:clientKey/statements/:period/issue',
      {
        config: { roles: ['manager', 'admin'] },
        schema: {
          tags: ['clients'],
          summary: "Issue (freeze) a client's statement for a month that is over",
          description: 'Stores the statement as it stands and records every payment and return on it, so none is remitted twice. Issuing again answers the statement as first issued (200).',
          params: ZParams,
          querystring: ZFormat,
          response: { 200: ZStatementAnswer, 201: ZStatementAnswer, 409: ZErrorResponse, ...errorResponses },
        },
      },
      async (request, reply) => {
        const issued = await issueStatement({ db, clientKey: request.params.clientKey, period: request.params.period, actor: actorOf(request), scope: clientScopeOf(request) });
        return send(reply, issued, request.query.format, issued.created ? 201 : 200);
      },
    );
  };
}
