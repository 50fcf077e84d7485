import { parseStrategyDefinition, type TStrategyDefinition } from '../../domain/strategy.js';
import type { Db } from '../../lib/db.js';
import { notFound, unprocessable } from '../errors.js';

/** Strategy versions: each saved definition becomes the next immutable version of its key. */

export interface StrategyVersion {
  id: string;
  key: string;
  version: number;
  name: string;
  status: string;
  definition: TStrategyDefinition;
  createdAt: Date;
}

export function toVersion(row: { id: string; key: string; version: number; name: string; status: string; definition: unknown; createdAt: Date }): StrategyVersion {
  return { ...row, definition: row.definition as TStrategyDefinition };
}

/** Validates and stores a definition as the newest active version of its key. */
export async function createStrategyVersion({ db, definition, actor }: { db: Db; definition: unknown; actor: string }): Promise<StrategyVersion> {
  const parsed = parseStrategyDefinition(definition);
  if (!parsed.ok) {
    throw unprocessable(
      'invalid_strategy',
      `the strategy has ${parsed.problems.length} problem(s)`,
      parsed.problems.map((problem) => ({ path: problem.path.join('.'), message: problem.message })),
    );
  }
  const value = parsed.value;
  // Serialisable isolation: two saves of one key cannot both take the same version number.
  const row = await db.$transaction(
    async (tx) => {
      const latest = await tx.strategy.findFirst({ where: { key: value.key }, orderBy: { version: 'desc' } });
      const created = await tx.strategy.create({
        data: {
          key: value.key,
          version: (latest?.version ?? 0) + 1,
          name: value.name,
          status: 'active',
          definition: value as object,
          activatedAt: new Date(),
        },
      });
      await tx.auditEvent.create({
        data: { actor, action: 'strategy_created', data: { key: created.key, version: created.version } },
      });
      return created;
    },
    { isolationLevel: 'Serializable' },
  );
  return toVersion(row);
}

/** The version new cases of `key` start with: the newest active one. */
export async function activeStrategy(db: Db, key: string): Promise<StrategyVersion | null> {
  const row = await db.strategy.findFirst({ where: { key, status: 'active' }, orderBy: { version: 'desc' } });
  return row ? toVersion(row) : null;
}

export async function strategyVersions(db: Db, key: string): Promise<StrategyVersion[]> {
  const rows = await db.strategy.findMany({ where: { key }, orderBy: { version: 'desc' } });
  if (rows.length === 0) throw notFound(`strategy "${key}"`);
  return rows.map(toVersion);
}

export async function listStrategies(db: Db): Promise<StrategyVersion[]> {
  const rows = await db.strategy.findMany({ orderBy: [{ key: 'asc' }, { version: 'desc' }], distinct: ['key'] });
  return rows.map(toVersion);
}
