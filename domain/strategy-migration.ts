import { stepDueAt } from './step-plan.js';
import type { TStrategyDefinition } from './strategy.js';
import type { TimelineCursor } from './timeline.js';

/**
 * Where a running case continues when a manager moves it to another version of its strategy.
 * The position is the step the case would plan next:
 * 1. by step id: if the new version has a step with that id, the case continues there;
 * 2. else by offset: at the first step of the new version due at or after that step's time
 *    (same timeline anchor) that has not run yet;
 * 3. else the new timeline is complete.
 * Results of steps already run are kept (steps with the same id do not run twice); a fallback
 * owed under the old version is dropped.
 */

export type MappedBy = 'step_id' | 'offset' | 'end';

export interface CursorMigration {
  cursor: TimelineCursor;
  mappedBy: MappedBy;
  /** The step the case continues at, or null when the new timeline is complete. */
  stepId: string | null;
  detail: string;
}

export function migrateCursor({
  from,
  to,
  cursor,
  startedAt,
}: {
  from: Pick<TStrategyDefinition, 'steps'>;
  to: Pick<TStrategyDefinition, 'steps'>;
  cursor: TimelineCursor;
  /** Epoch ms the offsets count from (the case start pushed back by any suspension). */
  startedAt: number;
}): CursorMigration {
  const at = (stepIndex: number, mappedBy: MappedBy, detail: string): CursorMigration => ({
    cursor: { stepIndex, results: { ...cursor.results }, pendingFallback: null },
    mappedBy,
    stepId: to.steps[stepIndex]?.id ?? null,
    detail,
  });
  const current = from.steps[cursor.stepIndex];
  if (!current) return at(to.steps.length, 'end', 'the timeline was already complete');

  const sameId = to.steps.findIndex((step) => step.id === current.id);
  if (sameId >= 0) return at(sameId, 'step_id', `continues at "${current.id}" (same step id)`);

  const dueAt = stepDueAt(current, startedAt);
  const byOffset = to.steps.findIndex((step) => stepDueAt(step, startedAt) >= dueAt && cursor.results[step.id] === undefined);
  if (byOffset >= 0) {
    const step = to.steps[byOffset];
    return at(byOffset, 'offset', `continues at "${step?.id}", the first step due at or after "${current.id}" (${current.at})`);
  }
  return at(to.steps.length, 'end', `no step is due at or after "${current.id}" (${current.at}): the timeline is complete`);
}
