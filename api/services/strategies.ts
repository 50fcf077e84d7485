import { previewStrategy } from '../../domain/preview.js';
import { previewAccountOf, previewEventsOf, type TPreviewRequest } from '../../domain/preview-input.js';
import { parseStrategyDefinition, type TStrategyDefinition } from '../../domain/strategy.js';
import type { Db } from '../../lib/db.js';
import { conflict, notFound, unprocessable } from '../errors.js';
import { assertFitsPortfolios } from './strategy-regimes.js';

/**
 * Strategy versions and their lifecycle: draft → active → retired. Each saved definition is a
 * version of its key; a draft may be edited, an active or retired version never changes. One
 * version per key is active: activating one retires the one before. A running case keeps the
 * version it started with (its workflow input carries the definition) until a manager moves it
 * (api/services/strategy-migrations.ts).
 */

export const StrategyStatus = { draft: 'draft', active: 'active', retired: 'retired' } as const;
export type StrategyStatus = (typeof StrategyStatus)[keyof typeof StrategyStatus];

export interface StrategyVersion {
  id: string;
  key: string;
  version: number;
  name: string;
  status: string;
  definition: TStrategyDefinition;
  createdAt: Date;
  activatedAt: Date | null;
  retiredAt: Date | null;
}

type StrategyRow = { id: string; key: string; version: number; name: string; status: string; definition: unknown; createdAt: Date; activatedAt?: Date | null; retiredAt?: Date | null };

export function toVersion(row: StrategyRow): StrategyVersion {
  return { ...row, definition: row.definition as TStrategyDefinition, activatedAt: row.activatedAt ?? null, retiredAt: row.retiredAt ?? null };
}

/** Validates a definition with the strategy language, or refuses it with every problem and its path. */
export function validDefinition(definition: unknown): TStrategyDefinition {
  const parsed = parseStrategyDefinition(definition);
  if (parsed.ok) return parsed.value;
  throw unprocessable(
    'invalid_strategy',
    `the strategy has ${parsed.problems.length} problem(s)`,
    parsed.problems.map((problem) => ({ path: problem.path.join('.'), message: problem.message })),
  );
}

type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

/**
 * Runs a serialisable transaction, again when a concurrent one on the same key made it fail
 * (serialisation failure, or the same new version number): the second save then sees the first.
 */
export async function serializable<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.$transaction(work, { isolationLevel: 'Serializable' });
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt >= 5 || (code !== 'P2034' && code !== 'P2002')) throw error;
    }
  }
}

/** Makes `id` the one active version of `key`, retiring the one before. */
async function activateInTx(tx: Tx, key: string, id: string, actor: string) {
  const now = new Date();
  const previous = await tx.strategy.findMany({ where: { key, status: StrategyStatus.active, NOT: { id } }, select: { version: true } });
  await tx.strategy.updateMany({ where: { key, status: StrategyStatus.active, NOT: { id } }, data: { status: StrategyStatus.retired, retiredAt: now } });
  const row = await tx.strategy.update({ where: { id }, data: { status: StrategyStatus.active, activatedAt: now } });
  await tx.auditEvent.create({
    data: {
      actor,
      action: 'strategy_activated',
      before: { active: previous.map((p) => p.version) },
      after: { active: [row.version] },
      data: { key, version: row.version, retired: previous.map((p) => p.version) },
    },
  });
  return row;
}

/**
 * Stores a definition as the next version of its key: active at once (the default, as before
 * drafts existed) or as the key's one draft (`activate: false`).
 */
export async function createStrategyVersion({
  db,
  definition,
  actor,
  activate = true,
}: {
  db: Db;
  definition: unknown;
  actor: string;
  activate?: boolean;
}): Promise<StrategyVersion> {
  const value = validDefinition(definition);
  await assertFitsPortfolios(db, value);
  // Serialisable isolation: two saves of one key cannot both take the same version number.
  const row = await serializable(db, async (tx) => {
    const latest = await tx.strategy.findFirst({ where: { key: value.key }, orderBy: { version: 'desc' } });
    const draft = activate ? null : await tx.strategy.findFirst({ where: { key: value.key, status: StrategyStatus.draft } });
    if (draft) {
      throw conflict('draft_exists', `strategy "${value.key}" already has a draft (version ${draft.version}); edit it with PUT /api/v1/strategies/${value.key}/draft`);
    }
    const created = await tx.strategy.create({
      data: { key: value.key, version: (latest?.version ?? 0) + 1, name: value.name, status: StrategyStatus.draft, definition: value },
    });
    await tx.auditEvent.create({
      data: { actor, action: 'strategy_created', data: { key: created.key, version: created.version, status: activate ? 'active' : 'draft' } },
    });
    return activate ? activateInTx(tx, created.key, created.id, actor) : created;
  });
  return toVersion(row);
}

/** Creates or replaces the key's draft; `created` tells which. */
export async function saveDraft({ db, key, definition, actor }: { db: Db; key: string; definition: unknown; actor: string }): Promise<{ created: boolean; version: StrategyVersion }> {
  const value = validDefinition(definition);
  if (value.key !== key) {
    throw unprocessable('key_mismatch', `the definition's key "${value.key}" is not "${key}"`, [{ path: 'key', message: `must be "${key}", the key in the path` }]);
  }
  await assertFitsPortfolios(db, value);
  return serializable(db, async (tx) => {
    const draft = await tx.strategy.findFirst({ where: { key, status: StrategyStatus.draft }, orderBy: { version: 'desc' } });
    if (draft) {
      const row = await tx.strategy.update({ where: { id: draft.id }, data: { name: value.name, definition: value } });
      await tx.auditEvent.create({
        data: { actor, action: 'strategy_draft_saved', before: { definition: draft.definition as object }, after: { definition: value }, data: { key, version: row.version } },
      });
      return { created: false, version: toVersion(row) };
    }
    const latest = await tx.strategy.findFirst({ where: { key }, orderBy: { version: 'desc' } });
    const row = await tx.strategy.create({
      data: { key, version: (latest?.version ?? 0) + 1, name: value.name, status: StrategyStatus.draft, definition: value },
    });
    await tx.auditEvent.create({ data: { actor, action: 'strategy_created', data: { key, version: row.version, status: 'draft' } } });
    return { created: true, version: toVersion(row) };
  });
}

async function versionRow(db: Db | Tx, key: string, version: number) {
  const row = await db.strategy.findUnique({ where: { key_version: { key, version } } });
  if (!row) throw notFound(`version ${version} of strategy "${key}"`);
  return row;
}

/** Activates `version` (by default the key's draft); activating the active version again changes nothing. */
export async function activateVersion({ db, key, version, actor }: { db: Db; key: string; version?: number; actor: string }): Promise<StrategyVersion> {
  const row = await serializable(db, async (tx) => {
    const target =
      version !== undefined
        ? await versionRow(tx, key, version)
        : await tx.strategy.findFirst({ where: { key, status: StrategyStatus.draft }, orderBy: { version: 'desc' } });
    if (!target) throw notFound(`a draft of strategy "${key}"`);
    if (target.status === StrategyStatus.active) return target;
    if (target.status === StrategyStatus.retired) {
      throw conflict('strategy_retired', `version ${target.version} of "${key}" is retired; save it again as a draft to bring it back`);
    }
    // The language may have grown stricter since the draft was saved: check it again.
    validDefinition(target.definition);
    return activateInTx(tx, key, target.id, actor);
  });
  return toVersion(row);
}

/** Retires the active version (or `version`, which must be the active one): new accounts can no longer start on the key. */
export async function retireVersion({ db, key, version, actor }: { db: Db; key: string; version?: number; actor: string }): Promise<StrategyVersion> {
  const row = await serializable(db, async (tx) => {
    const target =
      version !== undefined ? await versionRow(tx, key, version) : await tx.strategy.findFirst({ where: { key, status: StrategyStatus.active }, orderBy: { version: 'desc' } });
    if (!target) {
      await strategyVersions(tx, key);
      throw conflict('no_active_version', `strategy "${key}" has no active version to retire`);
    }
    if (target.status === StrategyStatus.retired) return target;
    if (target.status !== StrategyStatus.active) {
      throw conflict('not_active', `version ${target.version} of "${key}" is a ${target.status}, not active; only an active version is retired`);
    }
    const retired = await tx.strategy.update({ where: { id: target.id }, data: { status: StrategyStatus.retired, retiredAt: new Date() } });
    await tx.auditEvent.create({
      data: { actor, action: 'strategy_retired', before: { status: 'active' }, after: { status: 'retired' }, data: { key, version: retired.version } },
    });
    return retired;
  });
  return toVersion(row);
}

/** The version new cases of `key` start with: the active one. */
export async function activeStrategy(db: Db, key: string): Promise<StrategyVersion | null> {
  const row = await db.strategy.findFirst({ where: { key, status: StrategyStatus.active }, orderBy: { version: 'desc' } });
  return row ? toVersion(row) : null;
}

/** One version, or (without `version`) the active one, else the newest. */
export async function strategyVersion(db: Db, key: string, version?: number): Promise<StrategyVersion> {
  if (version !== undefined) return toVersion(await versionRow(db, key, version));
  const active = await activeStrategy(db, key);
  if (active) return active;
  const [newest] = await strategyVersions(db, key);
  if (!newest) throw notFound(`strategy "${key}"`);
  return newest;
}

export async function strategyVersions(db: Db | Tx, key: string): Promise<StrategyVersion[]> {
  const rows = await db.strategy.findMany({ where: { key }, orderBy: { version: 'desc' } });
  if (rows.length === 0) throw notFound(`strategy "${key}"`);
  return rows.map(toVersion);
}

export async function listStrategies(db: Db): Promise<StrategyVersion[]> {
  const rows = await db.strategy.findMany({ orderBy: [{ key: 'asc' }, { version: 'desc' }], distinct: ['key'] });
  return rows.map(toVersion);
}

/** Every problem of a definition (the language and its lint rules), each with its path; nothing is saved. */
export function lintDefinition(definition: unknown): { ok: boolean; problems: { path: string; message: string }[] } {
  const parsed = parseStrategyDefinition(definition);
  return { ok: parsed.ok, problems: parsed.ok ? [] : parsed.problems.map((problem) => ({ path: problem.path.join('.'), message: problem.message })) };
}

/** A stored version's timeline for a sample account, on the workflow's own timeline code (domain/preview.ts). */
export async function previewVersion({ db, key, request: { version, account, startedAt, events, failures } }: { db: Db; key: string; request: TPreviewRequest }) {
  const strategy = await strategyVersion(db, key, version);
  const start = startedAt ? Date.parse(startedAt) : Date.now();
  const preview = previewStrategy({ definition: strategy.definition, account: previewAccountOf(account), startedAt: start, events: previewEventsOf(events), failures });
  return { strategy: { key: strategy.key, version: strategy.version, status: strategy.status }, startedAt: new Date(start).toISOString(), ...preview };
}
