import { Regime } from '../../domain/portfolio.js';
import type { Db } from '../../lib/db.js';

/**
 * The regime of an account's portfolio, which the case carries (the generated validation notice
 * of collectors' regimes): none when the account names no portfolio or one not defined yet.
 */
export async function portfolioRegime(db: Db, portfolioKey: string | undefined): Promise<Regime | undefined> {
  if (!portfolioKey) return undefined;
  const portfolio = await db.portfolio.findUnique({ where: { key: portfolioKey }, select: { regime: true } });
  const regime = portfolio?.regime;
  return regime && Object.values<string>(Regime).includes(regime) ? (regime as Regime) : undefined;
}
