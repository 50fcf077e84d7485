import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Db } from '../../lib/db.js';
import { strategyVersionChangedSignal } from '../../workflows/case-messages.js';
import { unprocessable, type FieldProblem } from '../errors.js';
import { StrategyStatus, strategyVersion } from './strategies.js';

/**
 * Moves chosen open cases to another active version of their strategy. Every case is checked
 * before any is touched (one refused case refuses the request, naming it); then each workflow is
 * signalled (`strategyVersionChanged`, which maps its position: domain/strategy-migration.ts),
 * and its row and audit trail are updated. Safe to repeat: a case already on the version is left
 * alone, and the workflow ignores a change to the version it runs.
 */

export type MigrationOutcome = 'migrated' | 'unchanged' | 'not_running';

export interface CaseMigrationResult {
  caseId: string;
  outcome: MigrationOutcome;
  fromVersion: number;
  toVersion: number;
}

export async function migrateCases({
  db,
  temporal,
  key,
  caseIds,
  toVersion,
  reason,
  actor,
  scope = {},
}: {
  db: Db;
  temporal: Client;
  key: string;
  caseIds: string[];
  toVersion: number;
  reason: string;
  actor: string;
  /** Limits the cases to the caller's team (api/access.ts). */
  scope?: { team?: string };
}): Promise<CaseMigrationResult[]> {
  const target = await strategyVersion(db, key, toVersion);
  if (target.status !== StrategyStatus.active) {
    throw unprocessable('version_not_active', `version ${toVersion} of "${key}" is ${target.status}; cases move only to the active version`, [
      { path: 'body.toVersion', message: `version ${toVersion} is ${target.status}, not active` },
    ]);
  }
  const unique = [...new Set(caseIds)];
  const rows = await db.case.findMany({ where: { id: { in: unique }, ...scope }, include: { strategy: true } });
  const byId = new Map(rows.map((row) => [row.id, row]));
  const problems: FieldProblem[] = [];
  caseIds.forEach((caseId, index) => {
    const row = byId.get(caseId);
    const path = `body.caseIds.${index}`;
    if (!row) problems.push({ path, message: `no case "${caseId}"` });
    else if (row.strategy.key !== key) problems.push({ path, message: `case "${caseId}" runs strategy "${row.strategy.key}", not "${key}"` });
    else if (row.status === 'closed') problems.push({ path, message: `case "${caseId}" is closed` });
  });
  if (problems.length > 0) throw unprocessable('cases_not_migratable', `${problems.length} case(s) cannot be moved; none was`, problems);

  const results: CaseMigrationResult[] = [];
  for (const caseId of unique) {
    const row = byId.get(caseId);
    if (!row) continue;
    const result = { caseId, fromVersion: row.strategy.version, toVersion: target.version };
    if (row.strategyId === target.id) {
      results.push({ ...result, outcome: 'unchanged' });
      continue;
    }
    try {
      await temporal.workflow.getHandle(caseId).signal(strategyVersionChangedSignal, {
        strategy: { id: target.id, key: target.key, version: target.version, definition: target.definition },
        by: actor,
        reason,
      });
    } catch (error) {
      // The case ended between the check and the signal: nothing to move.
      if (error instanceof WorkflowNotFoundError) {
        results.push({ ...result, outcome: 'not_running' });
        continue;
      }
      throw error;
    }
    await db.$transaction([
      db.case.update({ where: { id: caseId }, data: { strategyId: target.id } }),
      db.auditEvent.create({
        data: {
          caseId,
          actor,
          action: 'strategy_version_changed',
          before: { strategy: key, version: row.strategy.version },
          after: { strategy: key, version: target.version },
          data: { detail: `moved from ${key} v${row.strategy.version} to v${target.version}: ${reason}`, reason },
        },
      }),
    ]);
    results.push({ ...result, outcome: 'migrated' });
  }
  return results;
}
