import { defaultWaterfall } from '../../domain/ledger/account-ledger.js';
import { waterfalls, type Waterfall } from '../../domain/ledger/allocation.js';
import { Regime } from '../../domain/portfolio.js';
import type { Db } from '../../lib/db.js';
import { unprocessable } from '../errors.js';

/**
 * What an enrollment takes from its account's portfolio, in one read: the strategies it is worked
 * with (none listed: any), and for the case the regime (collectors' regimes send the generated
 * validation notice), the order a payment pays the ledger's parts in, and whether interest
 * accrues. The defaults when the account names no portfolio or one not defined yet.
 */
export interface PortfolioTerms {
  strategies: string[];
  regime: Regime | undefined;
  waterfall: Waterfall;
  accruesInterest: boolean;
}

export const noPortfolioTerms: PortfolioTerms = { strategies: [], regime: undefined, waterfall: defaultWaterfall, accruesInterest: true };

export async function portfolioTerms(db: Db, portfolioKey: string | undefined): Promise<PortfolioTerms> {
  if (!portfolioKey) return noPortfolioTerms;
  const portfolio = await db.portfolio.findUnique({ where: { key: portfolioKey }, select: { strategies: true, regime: true, waterfall: true, accruesInterest: true } });
  if (!portfolio) return noPortfolioTerms;
  return {
    strategies: portfolio.strategies,
    regime: Object.values<string>(Regime).includes(portfolio.regime) ? (portfolio.regime as Regime) : undefined,
    waterfall: portfolio.waterfall in waterfalls ? (portfolio.waterfall as Waterfall) : defaultWaterfall,
    accruesInterest: portfolio.accruesInterest,
  };
}

/** Refuses (422) a strategy the portfolio is not worked with. */
export function assertStrategyInPortfolio(portfolioKey: string | undefined, { strategies }: PortfolioTerms, strategyKey: string): void {
  if (!portfolioKey || strategies.length === 0 || strategies.includes(strategyKey)) return;
  throw unprocessable('strategy_not_in_portfolio', `portfolio "${portfolioKey}" is worked with ${strategies.join(', ')}, not "${strategyKey}"`, [
    { path: 'body.strategy', message: `not one of portfolio "${portfolioKey}"'s strategies (${strategies.join(', ')})` },
  ]);
}
