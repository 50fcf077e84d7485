import type { FastifyRequest } from 'fastify';
import { Prisma } from '../../generated/prisma/client.js';
import type { TClientInput, TPortfolioInput } from '../../domain/portfolio.js';
import type { Db } from '../../lib/db.js';
import { ApiError, notFound, unprocessable, type FieldProblem } from '../errors.js';
import { assertStrategiesFitRegime } from './strategy-regimes.js';
import { assertStrategyInPortfolio, portfolioTerms } from './portfolio-terms.js';

/**
 * Clients (creditors) and their portfolios. A portfolio is linked to accounts by its key, the
 * `portfolio` string enrollment already takes: no foreign key, so enrolling into a portfolio nobody
 * has defined still works, and those accounts join the portfolio when it is defined. A key scoped
 * to a client (ApiKey.client) sees only that client: another client answers 404, as if absent.
 */

/** The client a key is limited to; null sees every client. */
export const clientScopeOf = (request: FastifyRequest): string | null => request.principal?.client ?? null;

/** Refuses (404) a client outside the caller's scope, and a client that does not exist. */
export async function requireClient(db: Db, key: string, scope: string | null) {
  const row = scope === null || scope === key ? await db.client.findUnique({ where: { key } }) : null;
  if (!row) throw notFound(`client "${key}"`);
  return row;
}

export async function putClient({ db, key, input, actor, scope }: { db: Db; key: string; input: Omit<TClientInput, 'key'>; actor: string; scope: string | null }) {
  if (scope !== null && scope !== key) throw notFound(`client "${key}"`);
  return db.$transaction(async (tx) => {
    const before = await tx.client.findUnique({ where: { key } });
    const row = await tx.client.upsert({ where: { key }, create: { key, name: input.name, createdBy: actor }, update: { name: input.name } });
    await tx.auditEvent.create({ data: { actor, action: before ? 'client_updated' : 'client_created', ...(before ? { before: { name: before.name } } : {}), after: { key, name: input.name } } });
    return { row, created: !before };
  });
}

export function listClients({ db, scope }: { db: Db; scope: string | null }) {
  return db.client.findMany({ where: scope === null ? {} : { key: scope }, orderBy: { key: 'asc' }, include: { portfolios: { orderBy: { key: 'asc' } } } });
}

/** Strategies the portfolio names (and its segment rules choose) must exist: a typo would strand its accounts. */
async function unknownStrategies(db: Db, input: Omit<TPortfolioInput, 'key'>): Promise<FieldProblem[]> {
  const named = [
    ...input.strategies.map((key, index) => ({ key, path: `body.strategies.${index}` })),
    ...(input.segmentRules?.segments ?? []).flatMap((segment, index) => [
      { key: segment.strategy, path: `body.segmentRules.segments.${index}.strategy` },
      ...(segment.challenger ? [{ key: segment.challenger.strategy, path: `body.segmentRules.segments.${index}.challenger.strategy` }] : []),
    ]),
  ];
  if (named.length === 0) return [];
  const known = new Set((await db.strategy.findMany({ where: { key: { in: named.map((entry) => entry.key) } }, select: { key: true }, distinct: ['key'] })).map((row) => row.key));
  return named.filter((entry) => !known.has(entry.key)).map((entry) => ({ path: entry.path, message: `no strategy "${entry.key}"` }));
}

export async function putPortfolio({
  db,
  clientKey,
  key,
  input,
  actor,
  scope,
}: {
  db: Db;
  clientKey: string;
  key: string;
  input: Omit<TPortfolioInput, 'key'>;
  actor: string;
  scope: string | null;
}) {
  const client = await requireClient(db, clientKey, scope);
  const missing = await unknownStrategies(db, input);
  if (missing.length > 0) throw unprocessable('unknown_strategy', `${missing.length} strategy name(s) are not defined`, missing);
  await assertStrategiesFitRegime(db, input);
  const data = {
    name: input.name,
    regime: input.regime,
    strategies: input.strategies,
    // A PUT replaces: terms without segment rules clear the ones before.
    segmentRules: input.segmentRules ?? Prisma.DbNull,
    commission: input.commission,
    remittance: input.remittance,
    waterfall: input.waterfall,
    accruesInterest: input.accruesInterest,
  };
  return db.$transaction(async (tx) => {
    const before = await tx.portfolio.findUnique({ where: { key } });
    if (before && before.clientId !== client.id) {
      throw new ApiError(409, 'portfolio_of_another_client', `portfolio "${key}" belongs to another client; a portfolio moves between clients only by an administrator`, [
        { path: 'params.portfolioKey', message: 'belongs to another client' },
      ]);
    }
    const row = await tx.portfolio.upsert({ where: { key }, create: { key, clientId: client.id, createdBy: actor, ...data }, update: data });
    await tx.auditEvent.create({
      data: {
        actor,
        action: before ? 'portfolio_updated' : 'portfolio_created',
        ...(before ? { before: { regime: before.regime, commission: before.commission ?? null, remittance: before.remittance ?? null } } : {}),
        after: { client: clientKey, key, regime: input.regime, commission: input.commission, remittance: input.remittance },
      },
    });
    const accounts = await tx.account.count({ where: { portfolio: key } });
    return { row, created: !before, accounts };
  });
}

export async function requirePortfolio(db: Db, clientKey: string, key: string, scope: string | null) {
  const client = await requireClient(db, clientKey, scope);
  const row = await db.portfolio.findUnique({ where: { key } });
  if (!row || row.clientId !== client.id) throw notFound(`portfolio "${key}" of client "${clientKey}"`);
  return row;
}

/** The accounts a portfolio holds, by external id, a page at a time. */
export async function portfolioAccounts({ db, portfolio, limit, after }: { db: Db; portfolio: string; limit: number; after?: string | undefined }) {
  const rows = await db.account.findMany({
    where: { portfolio, ...(after ? { externalId: { gt: after } } : {}) },
    orderBy: { externalId: 'asc' },
    take: limit + 1,
    select: {
      externalId: true,
      currency: true,
      originalBalance: true,
      balance: true,
      daysPastDue: true,
      createdAt: true,
      cases: { select: { id: true, status: true, closeReason: true }, orderBy: { startedAt: 'desc' }, take: 1 },
    },
  });
  const page = rows.slice(0, limit);
  return {
    items: page.map(({ cases, createdAt, ...account }) => ({
      ...account,
      placedAt: createdAt.toISOString(),
      caseId: cases[0]?.id ?? null,
      status: cases[0]?.status ?? null,
      closeReason: cases[0]?.closeReason ?? null,
    })),
    nextCursor: rows.length > limit ? (page.at(-1)?.externalId ?? null) : null,
  };
}

/** Portfolio names accounts carry that no client has defined yet, with how many accounts carry each. */
export async function undefinedPortfolios(db: Db): Promise<{ portfolio: string; accounts: number }[]> {
  const rows = await db.$queryRaw<{ portfolio: string; accounts: number }[]>`
    SELECT a."portfolio" AS portfolio, COUNT(*)::int AS accounts FROM "Account" a
    WHERE a."portfolio" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "Portfolio" p WHERE p."key" = a."portfolio")
    GROUP BY a."portfolio" ORDER BY a."portfolio"`;
  return rows;
}

/**
 * A defined portfolio with a strategy list takes only those strategies (422 naming `body.strategy`);
 * an undefined portfolio, or one without a list, takes any.
 */
export async function assertPortfolioStrategy(db: Db, portfolioKey: string | undefined, strategyKey: string): Promise<void> {
  assertStrategyInPortfolio(portfolioKey, await portfolioTerms(db, portfolioKey), strategyKey);
}
