import { defaultWaterfall } from '../../domain/ledger/account-ledger.js';
import { waterfalls, type Waterfall } from '../../domain/ledger/allocation.js';
import { Regime } from '../../domain/portfolio.js';
import type { Db } from '../../lib/db.js';

/**
 * What a case takes from its account's portfolio when it starts: the regime (collectors' regimes
 * send the generated validation notice), the order a payment pays the ledger's parts in, and
 * whether interest accrues. The defaults when the account names no portfolio or one not defined yet.
 */
export interface PortfolioTerms {
  regime: Regime | undefined;
  waterfall: Waterfall;
  accruesInterest: boolean;
}

export const noPortfolioTerms: PortfolioTerms = { regime: undefined, waterfall: defaultWaterfall, accruesInterest: true };

export async function portfolioTerms(db: Db, portfolioKey: string | undefined): Promise<PortfolioTerms> {
  if (!portfolioKey) return noPortfolioTerms;
  const portfolio = await db.portfolio.findUnique({ where: { key: portfolioKey }, select: { regime: true, waterfall: true, accruesInterest: true } });
  if (!portfolio) return noPortfolioTerms;
  return {
    regime: Object.values<string>(Regime).includes(portfolio.regime) ? (portfolio.regime as Regime) : undefined,
    waterfall: portfolio.waterfall in waterfalls ? (portfolio.waterfall as Waterfall) : defaultWaterfall,
    accruesInterest: portfolio.accruesInterest,
  };
}
