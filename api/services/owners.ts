import { Prisma } from '../../generated/prisma/client.js';
import {
  matchingRule,
  officerForTurn,
  ZAssignmentRuleSet,
  type AssignableCase,
  type TAssignmentRule,
  type TAssignmentRuleSet,
} from '../../domain/assignment-rules.js';
import type { Db } from '../../lib/db.js';
import { envKeyId, isRole, type Role } from '../auth.js';
import { notFound, unprocessable, type FieldProblem } from '../errors.js';
import { serializable } from './strategies.js';

/**
 * Case owners: the officer who works a case, set by the manager's assignment rules when the case
 * is enrolled or imported (and again on demand), or by a manager by hand. Every change is an
 * audit event `owner_assigned` with the owner before and after and what decided it.
 */

type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];
type Reader = Db | Tx;

/** Roles that may own cases. */
const ownerRoles: readonly Role[] = ['officer', 'manager'];

export interface OfficerKey {
  keyId: string;
  role: Role;
  team: string | null;
  name: string;
}

/** The keys that may own cases: `API_KEYS` (no team) and the active keys of the ApiKey table. */
export function officerDirectory({ db, envKeys }: { db: Db; envKeys: ReadonlyMap<string, Role> }) {
  const fromEnv = new Map([...envKeys].map(([key, role]) => [envKeyId(key), { keyId: envKeyId(key), role, team: null, name: `${role} (API_KEYS)` } satisfies OfficerKey]));
  return {
    async find(keyId: string): Promise<OfficerKey | null> {
      const env = fromEnv.get(keyId);
      if (env) return ownerRoles.includes(env.role) ? env : null;
      const row = await db.apiKey.findUnique({ where: { id: keyId } }).catch(() => null);
      if (!row || row.revokedAt || !isRole(row.role) || !ownerRoles.includes(row.role)) return null;
      return { keyId: row.id, role: row.role, team: row.team, name: row.name };
    },
  };
}
export type OfficerDirectory = ReturnType<typeof officerDirectory>;

/** Why `officer` cannot own a case of `team`, or null when it can. */
async function ownerProblem(directory: OfficerDirectory, officer: string, team: string | null): Promise<string | null> {
  const key = await directory.find(officer);
  if (!key) return `no active officer or manager key "${officer}"`;
  if (key.team && key.team !== team) return `the key "${officer}" works team "${key.team}" and could not see a case of ${team ? `team "${team}"` : 'no team'}`;
  return null;
}

// ---- the rule set ----

export interface AssignmentRulesView {
  version: number;
  createdAt: string;
  createdBy: string;
  rules: TAssignmentRuleSet['rules'];
}

export async function latestAssignmentRules(db: Reader): Promise<(AssignmentRulesView & { set: TAssignmentRuleSet }) | null> {
  const row = await db.assignmentRuleSet.findFirst({ orderBy: { version: 'desc' } });
  if (!row) return null;
  const set = row.rules as TAssignmentRuleSet;
  return { version: row.version, createdAt: row.createdAt.toISOString(), createdBy: row.createdBy, rules: set.rules, set };
}

/** Validates and stores a rule set as the new version; every officer it names must be able to own the cases it matches. */
export async function saveAssignmentRules({ db, rules, actor, directory }: { db: Db; rules: unknown; actor: string; directory: OfficerDirectory }): Promise<AssignmentRulesView> {
  const parsed = ZAssignmentRuleSet.safeParse(rules);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => ({ path: ['body', ...issue.path.map(String)].join('.'), message: issue.message }));
    throw unprocessable('invalid_assignment_rules', `the assignment rules have ${fields.length} problem(s)`, fields);
  }
  const value = parsed.data;
  const problems: FieldProblem[] = [];
  for (const [index, rule] of value.rules.entries()) {
    const named = 'officer' in rule.assign ? [{ officer: rule.assign.officer, path: `body.rules.${index}.assign.officer` }] : (rule.assign.roundRobin.officers ?? []).map((officer, at) => ({ officer, path: `body.rules.${index}.assign.roundRobin.officers.${at}` }));
    for (const { officer, path } of named) {
      const key = await directory.find(officer);
      if (!key) problems.push({ path, message: `no active officer or manager key "${officer}"` });
      else if (key.team && rule.when.team !== key.team) problems.push({ path, message: `the key works team "${key.team}": match when.team "${key.team}" so it only gets cases it can see` });
    }
  }
  if (problems.length > 0) throw unprocessable('unknown_officer', `${problems.length} officer(s) cannot own the cases their rule matches`, problems);
  const row = await serializable(db, async (tx) => {
    const latest = await tx.assignmentRuleSet.findFirst({ orderBy: { version: 'desc' } });
    const created = await tx.assignmentRuleSet.create({ data: { version: (latest?.version ?? 0) + 1, rules: value, createdBy: actor } });
    await tx.auditEvent.create({
      data: { actor, action: 'assignment_rules_updated', ...(latest ? { before: { version: latest.version } } : {}), after: { version: created.version }, data: { rules: value.rules.map((rule) => rule.id) } },
    });
    return created;
  });
  return { version: row.version, createdAt: row.createdAt.toISOString(), createdBy: row.createdBy, rules: value.rules };
}

// ---- applying them ----

/** Active officer keys of a team, oldest first: the pool a round-robin rule without a list deals among. */
async function teamOfficers(db: Reader, team: string | null): Promise<string[]> {
  if (!team) return [];
  const rows = await db.apiKey.findMany({ where: { team, role: 'officer', revokedAt: null }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], select: { id: true } });
  return rows.map((row) => row.id);
}

/**
 * The next turn of a round-robin rule: one atomic statement, so concurrent enrollments (an import's
 * batches, parallel requests) each get their own turn and the deal stays even.
 */
async function nextTurn(db: Reader, ruleKey: string): Promise<number> {
  const [row] = await db.$queryRaw<{ count: number }[]>(Prisma.sql`
    INSERT INTO "AssignmentTurn" ("ruleKey", "count", "updatedAt") VALUES (${ruleKey}, 1, now())
    ON CONFLICT ("ruleKey") DO UPDATE SET "count" = "AssignmentTurn"."count" + 1, "updatedAt" = now()
    RETURNING "count"`);
  return row?.count ?? 1;
}

export interface RuleDecision {
  officer: string;
  rule: string;
  version: number;
}

/**
 * The owner the rules give a case, or null when no rule matches (or a round-robin pool is empty).
 * `keep`: the current owner, kept when the matched rule could have dealt it (re-applying does not
 * reshuffle a round-robin that already holds).
 */
async function decide(db: Reader, rules: { version: number; set: TAssignmentRuleSet }, subject: AssignableCase, keep: string | null = null): Promise<RuleDecision | null> {
  const rule: TAssignmentRule | null = matchingRule(rules.set, subject);
  if (!rule) return null;
  const base = { rule: rule.id, version: rules.version };
  if ('officer' in rule.assign) return { ...base, officer: rule.assign.officer };
  const pool = rule.assign.roundRobin.officers ?? (await teamOfficers(db, subject.team));
  if (keep && pool.includes(keep)) return { ...base, officer: keep };
  const officer = officerForTurn(pool, await nextTurn(db, `${rules.version}:${rule.id}`));
  return officer ? { ...base, officer } : null;
}

/** The owner of a case being enrolled (inside enrollment's transaction), by the latest rules. */
export async function ownerForNewCase(tx: Tx, subject: AssignableCase): Promise<RuleDecision | null> {
  const rules = await latestAssignmentRules(tx);
  return rules ? decide(tx, rules, subject) : null;
}

/** Owners of many cases enrolled together (an import's batch): the rules read once, then each case decided in order, as one by one. */
export async function ownersForNewCases(tx: Tx, subjects: AssignableCase[]): Promise<(RuleDecision | null)[]> {
  const rules = await latestAssignmentRules(tx);
  if (!rules) return subjects.map(() => null);
  const owners: (RuleDecision | null)[] = [];
  for (const subject of subjects) owners.push(await decide(tx, rules, subject));
  return owners;
}

/** The audit event of an owner change. */
export function ownerAudit({ caseId, actor, before, after, data }: { caseId: string; actor: string; before: string | null; after: string | null; data: Record<string, unknown> }) {
  return { caseId, actor, action: 'owner_assigned', before: { officer: before }, after: { officer: after }, data: data as Prisma.InputJsonObject };
}

/**
 * Applies the latest rules again to open cases (the caller's team only): every case, or the listed
 * ones, or only those without an owner. A case whose owner the rules would keep is left as it is.
 */
export async function reapplyAssignmentRules({
  db,
  actor,
  scope,
  caseIds,
  onlyUnowned = false,
  limit = 5000,
}: {
  db: Db;
  actor: string;
  scope: { team?: string };
  caseIds?: string[];
  onlyUnowned?: boolean;
  limit?: number;
}): Promise<{ version: number; examined: number; changed: number; unchanged: number; unmatched: number }> {
  const rules = await latestAssignmentRules(db);
  if (!rules) throw notFound('an assignment rule set (PUT /api/v1/assignment-rules)');
  const rows = await db.case.findMany({
    where: { ...scope, status: { not: 'closed' }, ...(caseIds ? { id: { in: caseIds } } : {}), ...(onlyUnowned ? { officer: null } : {}) },
    select: { id: true, officer: true, team: true, segment: true, balance: true, currency: true },
    orderBy: [{ startedAt: 'asc' }, { id: 'asc' }],
    take: limit,
  });
  let changed = 0;
  let unmatched = 0;
  for (const row of rows) {
    await db.$transaction(async (tx) => {
      const decision = await decide(tx, rules, row, row.officer);
      if (!decision) {
        unmatched++;
        return;
      }
      if (decision.officer === row.officer) return;
      // Conditional: a manager's change made meanwhile is not overwritten.
      const { count } = await tx.case.updateMany({ where: { id: row.id, officer: row.officer }, data: { officer: decision.officer } });
      if (count === 0) return;
      await tx.auditEvent.create({ data: ownerAudit({ caseId: row.id, actor, before: row.officer, after: decision.officer, data: { source: 'rules', ...decision } }) });
      changed++;
    });
  }
  return { version: rules.version, examined: rows.length, changed, unchanged: rows.length - changed - unmatched, unmatched };
}

/** A manager's reassignment (null: no owner); refused (422 naming `body.officer`) for a key that could not see the case. */
export async function assignOwner({
  db,
  caseId,
  officer,
  reason,
  actor,
  directory,
}: {
  db: Db;
  caseId: string;
  officer: string | null;
  reason?: string;
  actor: string;
  directory: OfficerDirectory;
}): Promise<{ caseId: string; officer: string | null; team: string | null }> {
  const current = await db.case.findUnique({ where: { id: caseId }, select: { officer: true, team: true } });
  if (!current) throw notFound(`case "${caseId}"`);
  if (officer !== null) {
    const problem = await ownerProblem(directory, officer, current.team);
    if (problem) throw unprocessable('unknown_officer', problem, [{ path: 'body.officer', message: problem }]);
  }
  await db.$transaction([
    db.case.update({ where: { id: caseId }, data: { officer } }),
    db.auditEvent.create({ data: ownerAudit({ caseId, actor, before: current.officer, after: officer, data: { source: 'manual', ...(reason ? { reason } : {}) } }) }),
  ]);
  return { caseId, officer, team: current.team };
}
