import type { Regime, TPortfolioInput } from '../../domain/portfolio.js';
import { collectorRegimes, regimeProblems } from '../../domain/strategy-lint.js';
import type { TStrategyDefinition } from '../../domain/strategy.js';
import type { Db } from '../../lib/db.js';
import { unprocessable } from '../errors.js';

/**
 * The strategy lint's regime rules (domain/strategy-lint.ts `regimeProblems`) where a strategy
 * meets a portfolio: a new version of a strategy that a collector's portfolio works with, and a
 * collector's portfolio naming its strategies. Refused with 422, each problem with its path.
 */

/** A new version (or draft) of a strategy named by collectors' portfolios must fit each portfolio's regime. */
export async function assertFitsPortfolios(db: Db, definition: TStrategyDefinition): Promise<void> {
  const portfolios = await db.portfolio.findMany({ where: { strategies: { has: definition.key }, regime: { in: [...collectorRegimes] } }, select: { key: true, regime: true }, orderBy: { key: 'asc' } });
  const fields = portfolios.flatMap((portfolio) =>
    regimeProblems(definition, portfolio.regime as Regime).map((problem) => ({ path: ['body', ...problem.path].join('.'), message: `${problem.message} (portfolio "${portfolio.key}", ${portfolio.regime})` })),
  );
  if (fields.length > 0) throw unprocessable('invalid_strategy_for_regime', `strategy "${definition.key}" does not fit the regime of the portfolios that work with it`, fields);
}

/** A collector's portfolio may name only strategies whose active version (the latest when none is) fits its regime. */
export async function assertStrategiesFitRegime(db: Db, input: Pick<TPortfolioInput, 'regime' | 'strategies'>): Promise<void> {
  if (!collectorRegimes.includes(input.regime) || input.strategies.length === 0) return;
  const rows = await db.strategy.findMany({ where: { key: { in: input.strategies } }, orderBy: [{ key: 'asc' }, { version: 'desc' }], select: { key: true, version: true, status: true, definition: true } });
  const fields = input.strategies.flatMap((key, index) => {
    const versions = rows.filter((row) => row.key === key);
    const chosen = versions.find((row) => row.status === 'active') ?? versions[0];
    if (!chosen) return [];
    return regimeProblems(chosen.definition as TStrategyDefinition, input.regime).map((problem) => ({
      path: `body.strategies.${index}`,
      message: `strategy "${key}" v${chosen.version}, ${problem.path.join('.')}: ${problem.message}`,
    }));
  });
  if (fields.length > 0) throw unprocessable('invalid_strategy_for_regime', `${fields.length} problem(s) with the strategies of a ${input.regime} portfolio`, fields);
}
