import { chooseStrategy, ZSegmentRuleSet, type SegmentAccount, type StrategyChoice, type TSegmentRuleSet } from '../../domain/segments.js';
import type { Prisma } from '../../generated/prisma/client.js';
import type { Db } from '../../lib/db.js';
import { notFound, unprocessable, type FieldProblem } from '../errors.js';
import { serializable, StrategyStatus } from './strategies.js';

/**
 * The segment rule sets: each save is a new version that becomes the active one, the one before
 * retired, so the rules any case was assigned under can be looked up by version.
 */

export interface SegmentRuleSetView {
  version: number;
  createdAt: Date;
  createdBy: string;
  rules: TSegmentRuleSet;
}

type Row = { version: number; createdAt: Date; createdBy: string; rules: unknown };
const toView = (row: Row): SegmentRuleSetView => ({ version: row.version, createdAt: row.createdAt, createdBy: row.createdBy, rules: row.rules as TSegmentRuleSet });

export async function activeSegmentRules(db: Db): Promise<SegmentRuleSetView | null> {
  const row = await db.segmentRuleSet.findFirst({ where: { status: 'active' }, orderBy: { version: 'desc' } });
  return row ? toView(row) : null;
}

export async function requireSegmentRules(db: Db): Promise<SegmentRuleSetView> {
  const active = await activeSegmentRules(db);
  if (!active) throw notFound('an active segment rule set');
  return active;
}

/**
 * Validates and stores a rule set as the new active version; every strategy it names must be active.
 * `audit` is one more audit event written in the same transaction (a promotion says why).
 */
export async function saveSegmentRules({ db, rules, actor, audit }: { db: Db; rules: unknown; actor: string; audit?: { action: string; data: Prisma.InputJsonValue } }): Promise<SegmentRuleSetView> {
  const parsed = ZSegmentRuleSet.safeParse(rules);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => ({ path: ['body', ...issue.path.map(String)].join('.'), message: issue.message }));
    throw unprocessable('invalid_segments', `the segment rules have ${fields.length} problem(s)`, fields);
  }
  const value = parsed.data;
  const named = value.segments.flatMap((segment, index) => [
    { key: segment.strategy, path: `body.segments.${index}.strategy` },
    ...(segment.challenger ? [{ key: segment.challenger.strategy, path: `body.segments.${index}.challenger.strategy` }] : []),
  ]);
  const active = await db.strategy.findMany({ where: { key: { in: named.map((entry) => entry.key) }, status: StrategyStatus.active }, select: { key: true } });
  const activeKeys = new Set(active.map((row) => row.key));
  const missing: FieldProblem[] = named.filter((entry) => !activeKeys.has(entry.key)).map((entry) => ({ path: entry.path, message: `no active strategy "${entry.key}"` }));
  if (missing.length > 0) throw unprocessable('unknown_strategy', `${missing.length} strategy name(s) have no active version`, missing);

  const row = await serializable(db, async (tx) => {
    const latest = await tx.segmentRuleSet.findFirst({ orderBy: { version: 'desc' } });
    await tx.segmentRuleSet.updateMany({ where: { status: 'active' }, data: { status: 'retired' } });
    const created = await tx.segmentRuleSet.create({ data: { version: (latest?.version ?? 0) + 1, rules: value, createdBy: actor } });
    await tx.auditEvent.create({
      data: {
        actor,
        action: 'segments_updated',
        ...(latest ? { before: { version: latest.version } } : {}),
        after: { version: created.version },
        data: { segments: value.segments.map((segment) => segment.id) },
      },
    });
    if (audit) await tx.auditEvent.create({ data: { actor, action: audit.action, after: { version: created.version }, data: audit.data } });
    return created;
  });
  return toView(row);
}

/**
 * The strategy the rules choose for a new account, with its segment, arm and rule-set version; null
 * when nothing matches. The account's portfolio's own rules (Portfolio.segmentRules) are tried
 * first (`portfolioRules` names the portfolio, and there is no global version), then the active global set.
 */
export async function chooseStrategyFor(db: Db, account: SegmentAccount): Promise<(StrategyChoice & { ruleSetVersion: number | null; portfolioRules?: string }) | null> {
  const portfolio = account.portfolio ? await db.portfolio.findUnique({ where: { key: account.portfolio }, select: { key: true, segmentRules: true } }) : null;
  if (portfolio?.segmentRules) {
    const own = chooseStrategy(portfolio.segmentRules as TSegmentRuleSet, account);
    if (own) return { ...own, ruleSetVersion: null, portfolioRules: portfolio.key };
  }
  const active = await activeSegmentRules(db);
  if (!active) return null;
  const choice = chooseStrategy(active.rules, account);
  return choice && { ...choice, ruleSetVersion: active.version };
}
