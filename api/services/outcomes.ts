import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { ZNegotiationPolicy } from '../../domain/negotiation-policy.js';
import { validateOutcome, type ActorRole, type TOutcome } from '../../domain/outcomes.js';
import type { TStrategyDefinition } from '../../domain/strategy.js';
import type { Db } from '../../lib/db.js';
import { recordOutcomeUpdate, statusQuery, type CaseStatus } from '../../workflows/case-messages.js';
import { conflict, notFound, unprocessable } from '../errors.js';

/**
 * Officers' negotiated outcomes reach the case as a Temporal update: the workflow's validator
 * checks the strategy's policy and the person's authority and answers at once, so a refusal is a
 * 422 with the policy's reason and nothing about the case changes.
 */

export async function recordOutcome({
  temporal,
  caseId,
  outcome,
  by,
  role,
}: {
  temporal: Client;
  caseId: string;
  outcome: TOutcome;
  by: string;
  role: ActorRole;
}): Promise<CaseStatus> {
  try {
    return await temporal.workflow.getHandle(caseId).executeUpdate(recordOutcomeUpdate, { args: [{ outcome, by, role }] });
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure && error.cause.type === 'OutcomeRefused') {
      const field = (error.cause.details?.[0] as { field?: string } | undefined)?.field ?? 'kind';
      throw unprocessable('outcome_refused', error.cause.message, [{ path: `body.${field}`, message: error.cause.message }]);
    }
    if (error instanceof WorkflowNotFoundError) throw conflict('case_closed', `case "${caseId}" is closed and accepts no outcomes`);
    throw error;
  }
}

/**
 * What the case would say to an outcome, without recording it: the officer's form shows the
 * limits and the generated schedule before submitting. Uses the same rule as the workflow.
 */
export async function previewOutcome({ db, temporal, caseId, outcome, role }: { db: Db; temporal: Client; caseId: string; outcome: TOutcome; role: ActorRole }) {
  const row = await db.case.findUnique({ where: { id: caseId }, include: { strategy: true } });
  if (!row) throw notFound(`case "${caseId}"`);
  const definition = row.strategy.definition as unknown as TStrategyDefinition;
  const policy = ZNegotiationPolicy.parse(definition.negotiation ?? {});
  const live = await temporal.workflow.getHandle(caseId).query(statusQuery).catch(() => null);
  const arrangement = live?.arrangement;
  const decision = validateOutcome(outcome, {
    balance: live?.balance ?? row.balance,
    policy,
    role,
    now: Date.now(),
    arrangement: !arrangement ? 'none' : arrangement.status === 'pending_approval' ? (arrangement.kind === 'settlement' ? 'settlement_pending' : 'plan_pending') : arrangement.kind,
    current: arrangement && { kind: arrangement.kind, installments: arrangement.installments, paidTotal: arrangement.paidTotal, graceDays: arrangement.graceDays, pendingChange: Boolean(arrangement.pendingChange) },
    hold: live?.hold?.kind ?? 'none',
    placed: Boolean(live?.placement),
    closed: (live?.status ?? row.status) === 'closed',
  });
  return { decision, policy };
}
