import { isMessageAction } from '../../domain/step-actions.js';
import { afterMove, nextMove, planContext, type TimelineMove } from '../../domain/timeline.js';
import { CloseReason } from '../case-messages.js';
import { askPerson, tellPersonConsolidationFailed, tellPersonDue } from './person.js';
import type { CaseRun } from './run.js';
import type { ConsolidatedAccount } from '../person-messages.js';
import { recordCovered, runStep } from './steps.js';

/** One move on the timeline (domain/timeline.ts, as the preview takes it): wait, skip or run. */
export async function walkTimeline(run: CaseRun): Promise<void> {
  const { live, state } = run;
  const { definition } = live.strategy;
  const now = Date.now();
  const facts = live.caseFacts();
  const arrangement = state.arrangement?.kind;
  let move: TimelineMove = nextMove({
    definition,
    cursor: live.timelineCursor(),
    context: planContext({ definition, facts, startedAt: live.shiftedStart(), now }),
    progress: {
      daysPastDue: live.daysPastDue(),
      lastContactOutcome: state.lastContactOutcome ?? null,
      arrangement: arrangement === 'plan' || arrangement === 'promise' ? arrangement : 'none',
    },
  });
  // A restarted timeline sends its steps again: a new key per restart.
  const restarts = state.restarts ?? 0;
  const keyOf = (stepId: string) => run.idempotencyKey(restarts > 0 ? `${stepId}~${restarts}` : stepId);
  if (move.kind === 'complete') {
    live.close(CloseReason.timelineComplete, 'the strategy timeline is complete');
    return;
  }
  if (move.kind === 'wait') {
    // The person may list this account in another account's message due the same day.
    await tellPersonDue(run, move.step, move.until, keyOf(move.step.id));
    await run.waitUntil(move.until, move.reason);
    return;
  }
  if (move.kind === 'run' && state.ceased && (isMessageAction(move.step.action) || move.step.action === 'call')) {
    move = { kind: 'skip', step: move.step, reason: 'the debtor asked us to cease communication', source: move.source };
  }
  state.currentStep = move.step.id;
  if (move.kind === 'skip') {
    live.record('step_skipped', `step "${move.step.id}" skipped: ${move.reason}`, { stepId: move.step.id });
    live.setCursor(afterMove({ definition, cursor: live.timelineCursor(), move }));
    return;
  }
  const key = keyOf(move.step.id);
  let consolidated: { accounts: ConsolidatedAccount[]; grantId: string } | undefined;
  if (live.personGrants && (isMessageAction(move.step.action) || move.step.action === 'call')) {
    // The case's own rules said yes; the person, who knows every account's contacts, has the last word.
    const answer = await askPerson(run, move.step, key);
    if (answer.kind === 'again') return;
    if (answer.kind === 'held') {
      await run.waitUntil(answer.until, answer.reason);
      return;
    }
    if (answer.kind === 'barred') {
      live.record('step_skipped', `step "${move.step.id}" skipped: ${answer.reason}`, { stepId: move.step.id });
      live.setCursor(afterMove({ definition, cursor: live.timelineCursor(), move: { kind: 'skip', step: move.step, reason: answer.reason, source: move.source } }));
      return;
    }
    if (answer.kind === 'permitted' && answer.coveredBy) {
      // Another account's consolidated message listed this one: the step is done, nothing is sent.
      recordCovered(run, move.step, answer.coveredBy);
      live.setCursor(afterMove({ definition, cursor: live.timelineCursor(), move, result: 'sent' }));
      return;
    }
    if (answer.kind === 'permitted' && answer.consolidated && answer.grantId) consolidated = { accounts: answer.consolidated, grantId: answer.grantId };
  }
  for (const replaced of move.replaces) {
    live.record('step_skipped', `step "${replaced.stepId}" skipped: ${replaced.reason}; "${move.step.id}" runs in its place`, { stepId: replaced.stepId });
  }
  const result = await runStep(run, move.step, key, consolidated?.accounts);
  // The listed accounts were not reached: they send their own step when it is due.
  if (consolidated && result !== 'sent') await tellPersonConsolidationFailed(run, consolidated.grantId);
  // Read again: a bounce reported while the step ran may have owed a fallback meanwhile.
  const latest = live.timelineCursor();
  const next = afterMove({ definition: live.strategy.definition, cursor: latest, move, result });
  if (move.source === 'timeline' && !next.pendingFallback && latest.pendingFallback) next.pendingFallback = latest.pendingFallback;
  live.setCursor(next);
}
