import { channelUnavailable } from './case-facts.js';
import type { ContactPolicyInput } from './regulation/index.js';
import { isMessageAction } from './step-actions.js';
import { unmetCondition, type CaseProgress, type StepResult } from './step-conditions.js';
import { planStep, stepDueAt } from './step-plan.js';
import type { TStep, TStrategyDefinition } from './strategy.js';

/**
 * Walks a strategy's timeline one move at a time: which step is next, whether it waits, is
 * skipped or runs, and what runs in its place when its channel is unavailable (a fallback). The
 * case workflow calls {@link nextMove} on every wake-up and {@link afterMove} once a move is done;
 * the preview (domain/preview.ts) does the same over a simulated clock, so both take one path.
 * Each step is planned by planStep (domain/step-plan.ts), which applies its conditions and the
 * contact rules.
 */

/** Where a case stands on its timeline: plain data, kept in the workflow's state. */
export interface TimelineCursor {
  /** Index of the next timeline step to plan. */
  stepIndex: number;
  /** How every step planned so far ended, by step id (an inline fallback under `<id>.fallback`). */
  results: Record<string, StepResult>;
  /** A fallback owed because a send failed for good; it is planned before the next timeline step. */
  pendingFallback: PendingFallback | null;
}

export interface PendingFallback {
  step: TStep;
  /** The step whose send failed. */
  fallbackOf: string;
}

export function startCursor(): TimelineCursor {
  return { stepIndex: 0, results: {}, pendingFallback: null };
}

/** planStep's inputs apart from the step and the progress: the clock, the case's facts, the contact rules. */
export type PlanContext = Omit<Parameters<typeof planStep>[0], 'step' | 'progress'>;

/**
 * The planning context at `now`: built here once so the workflow and the preview hand planStep
 * the same contact rules from the same strategy.
 *
 * @param startedAt epoch ms the offsets count from (the case start pushed back by any suspension)
 */
export function planContext({
  definition,
  facts,
  startedAt,
  now,
}: {
  definition: Pick<TStrategyDefinition, 'contact'>;
  facts: PlanContext['facts'];
  startedAt: number;
  now: number;
}): PlanContext {
  return { startedAt, now, facts, window: definition.contact.allowedHours, policy: contactPolicyOf(definition) };
}

/**
 * The strategy's contact policy as the contact rules read it. The validation-notice rule applies
 * only when the strategy names the templates that carry the notice: without them the engine
 * cannot know when it was sent. (Definitions saved before a field existed lack it.)
 */
export function contactPolicyOf(definition: Pick<TStrategyDefinition, 'contact'>): ContactPolicyInput {
  const contact = definition.contact as Partial<TStrategyDefinition['contact']>;
  const templates = contact.validationNotice?.templates ?? [];
  const safetyMarginDays = contact.validationNotice?.safetyMarginDays;
  return {
    ...contact,
    validationNotice: { required: templates.length > 0 && contact.validationNotice?.required !== false, templates, ...(safetyMarginDays ? { safetyMarginDays } : {}) },
  };
}

/** A step that did not run because its channel was unavailable, and something ran in its place. */
export interface Replaced {
  stepId: string;
  action: TStep['action'];
  reason: string;
}

/** `timeline`: the step at the cursor; `fallback`: a fallback owed after a failed send. */
export type MoveSource = 'timeline' | 'fallback';

export type TimelineMove =
  /** Not due yet, or held by the contact rules (`held`) until `until`; plan again then or on any signal. */
  | { kind: 'wait'; step: TStep; until: number; reason: string; held: boolean; untilEvent?: true; replaces: Replaced[]; source: MoveSource }
  | { kind: 'skip'; step: TStep; reason: string; source: MoveSource }
  /** Run `step`; when it runs in place of others, `replaces` lists them (record each as skipped). */
  | { kind: 'run'; step: TStep; replaces: Replaced[]; fallbackOf: string | null; source: MoveSource }
  | { kind: 'complete' };

/** The step a fallback names, due when the step it stands in for was due. */
export function fallbackStep(definition: Pick<TStrategyDefinition, 'steps'>, step: TStep): TStep | null {
  const fallback = step.fallback;
  if (fallback === undefined) return null;
  if (typeof fallback === 'string') {
    const target = definition.steps.find((candidate) => candidate.id === fallback);
    return target ? { ...target, at: step.at } : null;
  }
  return {
    id: `${step.id}.fallback`,
    at: step.at,
    action: fallback.action,
    ...(fallback.template ? { template: fallback.template } : {}),
    ...(fallback.note ? { note: fallback.note } : {}),
  };
}

/**
 * The next move on the timeline at `context.now`. `progress` is what the case has been through;
 * the previous step's result is filled in here from the cursor.
 */
export function nextMove({
  definition,
  cursor,
  context,
  progress,
}: {
  definition: Pick<TStrategyDefinition, 'steps'>;
  cursor: TimelineCursor;
  context: PlanContext;
  progress: Omit<CaseProgress, 'previousStepResult'>;
}): TimelineMove {
  const pending = cursor.pendingFallback;
  if (pending) {
    const withPrevious = { ...progress, previousStepResult: cursor.results[pending.fallbackOf] ?? null };
    return plan(pending.step, pending.fallbackOf, 'fallback', withPrevious);
  }
  const step = definition.steps[cursor.stepIndex];
  if (!step) return { kind: 'complete' };
  if (cursor.results[step.id] !== undefined) {
    // Skipped at its own time, so the history reads in timeline order.
    const dueAt = stepDueAt(step, context.startedAt);
    if (context.now < dueAt) {
      return { kind: 'wait', step, until: dueAt, reason: `step "${step.id}" is due (it already ran, so it will be skipped)`, held: false, replaces: [], source: 'timeline' };
    }
    return { kind: 'skip', step, reason: `step "${step.id}" already ran (as a fallback or before a version change)`, source: 'timeline' };
  }
  const previous = definition.steps[cursor.stepIndex - 1];
  const withPrevious = { ...progress, previousStepResult: previous ? (cursor.results[previous.id] ?? null) : null };
  return plan(step, null, 'timeline', withPrevious);

  function plan(first: TStep, fallbackOf: string | null, source: MoveSource, stepProgress: CaseProgress): TimelineMove {
    const replaces: Replaced[] = [];
    const visited = new Set<string>();
    let step = first;
    let standsInFor = fallbackOf;
    for (;;) {
      visited.add(step.id);
      const decision = planStep({ ...context, step, progress: stepProgress });
      if (decision.kind === 'wait') {
        const held = context.now >= stepDueAt(step, context.startedAt);
        return { kind: 'wait', step, until: decision.until, reason: decision.reason, held, ...(decision.untilEvent ? { untilEvent: true as const } : {}), replaces, source };
      }
      if (decision.kind === 'run') return { kind: 'run', step, replaces, fallbackOf: standsInFor, source };

      const target = channelFallback(step, stepProgress);
      if (!target || visited.has(target.id)) {
        if (replaces.length === 0) return { kind: 'skip', step, reason: decision.reason, source };
        const chain = [...replaces.map((replaced) => `${replaced.stepId}: ${replaced.reason}`), `fallback ${step.id}: ${decision.reason}`];
        return { kind: 'skip', step: first, reason: chain.join('; '), source };
      }
      replaces.push({ stepId: step.id, action: step.action, reason: decision.reason });
      standsInFor = step.id;
      step = target;
    }
  }

  /** The fallback to plan when `step` was ruled out only because its channel is unavailable. */
  function channelFallback(step: TStep, stepProgress: CaseProgress): TStep | null {
    if (step.fallback === undefined || !isMessageAction(step.action)) return null;
    if (channelUnavailable(context.facts, step.action) === null) return null;
    if (unmetCondition({ step, facts: context.facts, progress: stepProgress }) !== null) return null;
    const target = fallbackStep(definition, step);
    return target && cursor.results[target.id] === undefined ? target : null;
  }
}

/**
 * The cursor after a move was carried out; `result` is how a `run` ended (`sent`, or `bounced` /
 * `failed` when the send failed for good, which owes the step's fallback).
 */
export function afterMove({
  definition,
  cursor,
  move,
  result = 'sent',
}: {
  definition: Pick<TStrategyDefinition, 'steps'>;
  cursor: TimelineCursor;
  move: TimelineMove;
  result?: StepResult;
}): TimelineCursor {
  if (move.kind === 'wait' || move.kind === 'complete') return cursor;
  const results = { ...cursor.results };
  const stepIndex = move.source === 'timeline' ? cursor.stepIndex + 1 : cursor.stepIndex;
  // A fallback that could not run leaves no result: the step it names may still run at its own time.
  if (move.kind === 'skip') {
    if (move.source === 'timeline') results[move.step.id] ??= 'skipped';
    return { stepIndex, results, pendingFallback: null };
  }
  const origin = move.replaces[0];
  if (origin && move.source === 'timeline') results[origin.stepId] ??= 'skipped';
  results[move.step.id] = result;
  let pendingFallback: PendingFallback | null = null;
  if ((result === 'bounced' || result === 'failed') && isMessageAction(move.step.action)) {
    const target = fallbackStep(definition, move.step);
    if (target && results[target.id] === undefined) pendingFallback = { step: target, fallbackOf: move.step.id };
  }
  return { stepIndex, results, pendingFallback };
}
