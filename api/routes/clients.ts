import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ZClientInput, ZClientKey, ZPortfolioInput } from '../../domain/portfolio.js';
import { actorOf } from '../auth.js';
import { errorResponses, maxPathParamLength, ZErrorResponse } from '../schemas.js';
import type { ApiDeps } from '../deps.js';
import { portfolioLedgerTerms, tellOpenCasesOfTerms } from '../services/portfolio-ledger-terms.js';
import { clientScopeOf, listClients, portfolioAccounts, putClient, putPortfolio, requireClient, requirePortfolio, undefinedPortfolios } from '../services/clients.js';

/**
 * Clients (creditors) and their portfolios: regime, strategies and segment rules, commission
 * rates, remittance cycle. A key scoped to a client (`npm run api-keys -- create --client <key>`)
 * sees that client only.
 */

const writers = ['manager', 'admin'] as const;
const readers = ['manager', 'auditor', 'admin', 'integration'] as const;

const ZPortfolioView = z.object({
  key: z.string(),
  name: z.string(),
  regime: z.string(),
  strategies: z.array(z.string()),
  segmentRules: z.unknown().nullable(),
  commission: z.unknown(),
  remittance: z.unknown(),
  /** The order payments pay the parts of the balance: `fees_interest_principal` or `principal_interest_fees`. */
  waterfall: z.string(),
  /** False: its accounts bear no contractual interest in collection. */
  accruesInterest: z.boolean(),
  updatedAt: z.string(),
});
const ZClientView = z.object({ key: z.string(), name: z.string(), createdAt: z.string(), portfolios: z.array(ZPortfolioView) });

type PortfolioRow = { key: string; name: string; regime: string; strategies: string[]; segmentRules: unknown; commission: unknown; remittance: unknown; waterfall: string; accruesInterest: boolean; updatedAt: Date };
const portfolioView = (row: PortfolioRow) => ({ ...row, segmentRules: row.segmentRules ?? null, updatedAt: row.updatedAt.toISOString() });
const clientView = (row: { key: string; name: string; createdAt: Date; portfolios: PortfolioRow[] }) => ({
  key: row.key,
  name: row.name,
  createdAt: row.createdAt.toISOString(),
  portfolios: row.portfolios.map(portfolioView),
});

const ZClientParams = z.object({ clientKey: ZClientKey });
const ZPortfolioParams = ZClientParams.extend({ portfolioKey: z.string().trim().min(1).max(maxPathParamLength) });

export function clientRoutes({ db, temporal }: ApiDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/clients',
      { config: { roles: readers }, schema: { tags: ['clients'], summary: 'Clients and their portfolios (a client-scoped key sees its own)', response: { 200: z.object({ items: z.array(ZClientView) }), ...errorResponses } } },
      async (request) => ({ items: (await listClients({ db, scope: clientScopeOf(request) })).map(clientView) }),
    );

    app.put(
      '/api/v1/clients/:clientKey',
      {
        config: { roles: writers },
        schema: {
          tags: ['clients'],
          summary: 'Create or rename a client (creditor)',
          params: ZClientParams,
          body: ZClientInput.omit({ key: true }),
          response: { 200: ZClientView, 201: ZClientView, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { created } = await putClient({ db, key: request.params.clientKey, input: request.body, actor: actorOf(request), scope: clientScopeOf(request) });
        const [row] = await listClients({ db, scope: request.params.clientKey });
        return reply.code(created ? 201 : 200).send(clientView(row!));
      },
    );

    app.get(
      '/api/v1/clients/:clientKey',
      { config: { roles: readers }, schema: { tags: ['clients'], summary: 'A client and its portfolios', params: ZClientParams, response: { 200: ZClientView, ...errorResponses } } },
      async (request) => {
        await requireClient(db, request.params.clientKey, clientScopeOf(request));
        const [row] = await listClients({ db, scope: request.params.clientKey });
        return clientView(row!);
      },
    );

    app.put(
      '/api/v1/clients/:clientKey/portfolios/:portfolioKey',
      {
        config: { roles: writers },
        schema: {
          tags: ['clients'],
          summary: "Create or change a client's portfolio",
          description:
            'The portfolio key is the `portfolio` accounts are enrolled with: accounts already enrolled with it join the portfolio now. ' +
            '`regime`: first_party, third_party or debt_buyer. `commission`: `{ basis: "age_band", bands: [{ fromDays, ratePercent }] }` ' +
            '(days past due at placement; the first band from 0) or `{ basis: "recovery_type", rates: { voluntary, promise, plan, settlement, agency } }`; ' +
            'rates are percentages from 0 to 100 with at most two decimals. `remittance`: `{ frequency: "monthly", dayOfMonth }` (remit by that day of the next month). ' +
            'A change applies to statements not yet issued; issued ones keep the terms they were issued with.',
          params: ZPortfolioParams,
          body: ZPortfolioInput.omit({ key: true }),
          response: { 200: ZPortfolioView.extend({ accounts: z.number().int() }), 201: ZPortfolioView.extend({ accounts: z.number().int() }), 409: ZErrorResponse, 422: ZErrorResponse, ...errorResponses },
        },
      },
      async (request, reply) => {
        const termsBefore = await portfolioLedgerTerms(db, request.params.portfolioKey);
        const { row, created, accounts } = await putPortfolio({
          db,
          clientKey: request.params.clientKey,
          key: request.params.portfolioKey,
          input: request.body,
          actor: actorOf(request),
          scope: clientScopeOf(request),
        });
        await tellOpenCasesOfTerms({ db, temporal, portfolio: row.key, before: termsBefore, after: { waterfall: request.body.waterfall, accruesInterest: request.body.accruesInterest }, by: actorOf(request) });
        return reply.code(created ? 201 : 200).send({ ...portfolioView(row), accounts });
      },
    );

    app.get(
      '/api/v1/clients/:clientKey/portfolios/:portfolioKey/accounts',
      {
        config: { roles: readers },
        schema: {
          tags: ['clients'],
          summary: 'The accounts in a portfolio, by external id',
          params: ZPortfolioParams,
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100), cursor: z.string().max(200).optional() }).strict(),
          response: {
            200: z.object({
              items: z.array(
                z.object({
                  externalId: z.string(),
                  currency: z.string(),
                  originalBalance: z.number().int(),
                  balance: z.number().int(),
                  daysPastDue: z.number().int(),
                  placedAt: z.string(),
                  caseId: z.string().nullable(),
                  status: z.string().nullable(),
                  closeReason: z.string().nullable(),
                }),
              ),
              nextCursor: z.string().nullable(),
            }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const portfolio = await requirePortfolio(db, request.params.clientKey, request.params.portfolioKey, clientScopeOf(request));
        return portfolioAccounts({ db, portfolio: portfolio.key, limit: request.query.limit, after: request.query.cursor });
      },
    );

    app.get(
      '/api/v1/portfolios/undefined',
      {
        config: { roles: ['manager', 'admin'] },
        schema: {
          tags: ['clients'],
          summary: 'Portfolio names accounts were enrolled with that no client has defined yet',
          response: { 200: z.object({ items: z.array(z.object({ portfolio: z.string(), accounts: z.number().int() })) }), ...errorResponses },
        },
      },
      async (request) => {
        // A client-scoped key sees nothing beyond its client.
        if (clientScopeOf(request) !== null) return { items: [] };
        return { items: await undefinedPortfolios(db) };
      },
    );
  };
}
