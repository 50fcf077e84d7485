import { addIsoDuration, isIsoDuration } from './duration.js';
import type { Regime } from './portfolio.js';
import { isMessageAction, type MessageChannel } from './step-actions.js';
import type { StepResult } from './step-conditions.js';
import type { StrategyProblem, TStep, TStrategyDefinition } from './strategy.js';

/**
 * Lint rules over a whole strategy: steps that can never run, fallbacks that cannot help or
 * loop, and a policy that contradicts itself. Every problem is returned, each with the path to
 * the field. The shape rules and the first cross-field rules (duplicate ids, offsets out of order,
 * steps after a terminal step, templates and their fields) live beside the schema in strategy.ts;
 * both run on every parse.
 *
 * zod runs refinements even when a field failed its own check, so each rule reads only fields
 * that are sure to be well-formed (or checks them first).
 */

const dayMs = 86_400_000;

/** The fewest whole days an offset can be from the start, over every month it could start in. */
function minimumDays(offset: string): number | null {
  if (!isIsoDuration(offset)) return null;
  let fewest = Number.POSITIVE_INFINITY;
  for (let month = 0; month < 12; month++) {
    const start = Date.UTC(2001, month, 1);
    fewest = Math.min(fewest, Math.floor((addIsoDuration(start, offset) - start) / dayMs));
  }
  return fewest;
}

/** What a step of this action can end as; only a message can bounce. */
function possibleResults(action: TStep['action']): readonly StepResult[] {
  return isMessageAction(action) ? ['sent', 'skipped', 'failed', 'bounced'] : ['sent', 'skipped', 'failed'];
}

/** Conditions that can never all hold, so the step can never run. */
function unreachableWhen(step: TStep, index: number, steps: TStep[]): StrategyProblem[] {
  const problems: StrategyProblem[] = [];
  const path = ['steps', index, 'when'];
  const when = step.when ?? {};
  const { minDaysPastDue, maxDaysPastDue } = when;
  if (minDaysPastDue !== undefined && maxDaysPastDue !== undefined && minDaysPastDue > maxDaysPastDue) {
    problems.push({ path, message: 'minDaysPastDue is greater than maxDaysPastDue: the step can never run' });
  }
  const days = minimumDays(step.at);
  if (maxDaysPastDue !== undefined && days !== null && days > maxDaysPastDue) {
    problems.push({
      path: [...path, 'maxDaysPastDue'],
      message: `at ${step.at} an account is at least ${days} days past due, so maxDaysPastDue ${maxDaysPastDue} can never hold`,
    });
  }
  if (isMessageAction(step.action) && when.channelAvailable?.[step.action] === false) {
    problems.push({
      path: [...path, 'channelAvailable', step.action],
      message: `a ${step.action} step that runs only when ${step.action} is unavailable can never run`,
    });
  }
  if (step.action === 'plan_monitoring' && when.arrangementActive !== undefined) {
    const wanted = typeof when.arrangementActive === 'string' ? [when.arrangementActive] : when.arrangementActive;
    if (wanted.length > 0 && !wanted.includes('plan')) {
      problems.push({ path: [...path, 'arrangementActive'], message: 'plan_monitoring runs only while a plan is active, which this condition excludes' });
    }
  }
  // An empty list is the schema's problem already.
  if (when.previousStepResult && when.previousStepResult.length > 0) {
    const previous = steps[index - 1];
    if (!previous) {
      problems.push({ path: [...path, 'previousStepResult'], message: 'the first step has no previous step: the step can never run' });
    } else if (!when.previousStepResult.some((result) => possibleResults(previous.action).includes(result))) {
      problems.push({
        path: [...path, 'previousStepResult'],
        message: `the previous step "${previous.id}" (${previous.action}) can never end ${when.previousStepResult.join(' or ')}`,
      });
    }
  }
  return problems;
}

/** The channel a fallback would use, when it is a message. */
function fallbackChannel(step: TStep, steps: TStep[]): MessageChannel | null {
  const fallback = step.fallback;
  if (fallback === undefined) return null;
  const action = typeof fallback === 'string' ? steps.find((candidate) => candidate.id === fallback)?.action : fallback.action;
  return action && isMessageAction(action) ? action : null;
}

/** Ids on a fallback loop starting from `start`, or null when its chain ends. */
function fallbackLoop(start: TStep, byId: Map<string, TStep>): string[] | null {
  const chain = [start.id];
  let current = start;
  for (;;) {
    const next = typeof current.fallback === 'string' ? byId.get(current.fallback) : undefined;
    if (!next) return null;
    if (chain.includes(next.id)) return chain[0] === next.id ? [...chain, next.id] : null;
    chain.push(next.id);
    current = next;
  }
}

function fallbackProblems(strategy: TStrategyDefinition): StrategyProblem[] {
  const problems: StrategyProblem[] = [];
  const { steps, templates } = strategy;
  const byId = new Map(steps.map((step) => [step.id, step]));
  const looping = new Set<string>();

  steps.forEach((step, index) => {
    const fallback = step.fallback;
    if (fallback === undefined) return;
    const path = ['steps', index, 'fallback'];
    if (!isMessageAction(step.action)) {
      problems.push({ path, message: `a fallback is used when a channel is unavailable or a send fails; a ${step.action} step never uses it` });
      return;
    }
    if (typeof fallback === 'string') {
      const target = byId.get(fallback);
      const targetIndex = steps.findIndex((candidate) => candidate.id === fallback);
      if (!target) {
        problems.push({ path, message: `no step named "${fallback}"` });
        return;
      }
      if (target.id === step.id) {
        problems.push({ path, message: 'a step cannot fall back to itself' });
        return;
      }
      const loop = looping.has(step.id) ? null : fallbackLoop(step, byId);
      if (loop) {
        loop.forEach((id) => looping.add(id));
        problems.push({ path, message: `fallbacks loop: ${loop.join(' → ')}` });
      } else if (targetIndex < index && !looping.has(step.id)) {
        problems.push({ path, message: `fallback "${fallback}" comes earlier in the timeline and will have run already; point to a later step` });
      }
    } else if (isMessageAction(fallback.action)) {
      if (!fallback.template) {
        problems.push({ path: [...path, 'template'], message: `a ${fallback.action} fallback needs a template` });
      } else {
        const template = templates[fallback.template];
        if (!template) problems.push({ path: [...path, 'template'], message: `no template named "${fallback.template}"` });
        else if (template.channel !== fallback.action) {
          problems.push({ path: [...path, 'template'], message: `template "${fallback.template}" is for ${template.channel}, not ${fallback.action}` });
        }
      }
    } else if (fallback.template) {
      if (!templates[fallback.template]) problems.push({ path: [...path, 'template'], message: `no template named "${fallback.template}"` });
    }
    if (fallbackChannel(step, steps) === step.action) {
      problems.push({ path, message: `the fallback uses ${step.action} again, the channel that was unavailable or failed` });
    }
  });
  return problems;
}

/** Fields a step carries that its action never reads: a sign the action or the field is wrong. */
function unusedFieldProblems(step: TStep, index: number): StrategyProblem[] {
  const problems: StrategyProblem[] = [];
  if (step.action === 'note' && !step.note) problems.push({ path: ['steps', index, 'note'], message: 'a note step needs a note' });
  if (step.note && !['note', 'call', 'legal_review'].includes(step.action)) {
    problems.push({ path: ['steps', index, 'note'], message: `a ${step.action} step does not use a note (note, call and legal_review do)` });
  }
  if (step.agency && step.action !== 'agency_referral') {
    problems.push({ path: ['steps', index, 'agency'], message: `a ${step.action} step does not use an agency (agency_referral does)` });
  }
  return problems;
}

/** A negotiation policy or event branches that contradict themselves or the timeline. */
function policyProblems(strategy: TStrategyDefinition): StrategyProblem[] {
  const problems: StrategyProblem[] = [];
  const { negotiation, steps } = strategy;
  // The highest balance any step acts on; with no ceiling on some step, there is none.
  const ceilings = steps.map((step) => step.when?.maxBalance ?? Number.POSITIVE_INFINITY);
  const highest = Math.max(...ceilings);
  const smallestPlan = negotiation.minDownPayment + negotiation.minInstallment;
  if (Number.isFinite(highest) && negotiation.minInstallment > 0 && smallestPlan > highest) {
    problems.push({
      path: ['negotiation', 'minInstallment'],
      message:
        `no payment plan fits: the minimum down payment plus one minimum installment (${smallestPlan}) exceed ` +
        `the highest balance any step acts on (${highest})`,
    });
  }
  if (negotiation.minDownPayment > 0 && Number.isFinite(highest) && negotiation.minDownPayment >= highest) {
    problems.push({
      path: ['negotiation', 'minDownPayment'],
      message: `the minimum down payment ${negotiation.minDownPayment} is not below the highest balance any step acts on (${highest})`,
    });
  }
  const onBroken = (negotiation as { onBroken?: string }).onBroken;
  const brokenPromise = strategy.on?.brokenPromise;
  if (brokenPromise && onBroken && onBroken !== 'resume' && onBroken !== brokenPromise) {
    problems.push({ path: ['on', 'brokenPromise'], message: `${brokenPromise} contradicts negotiation.onBroken (${onBroken}); say it once` });
  }
  return problems;
}

/** Regimes under which a collector owes the validation notice (12 CFR 1006.34): third-party collectors and debt buyers. */
export const collectorRegimes: readonly Regime[] = ['third_party', 'debt_buyer'];

/**
 * Under a collector's regime the validation notice comes first: the engine generates it unless the
 * strategy turns that off (`contact.validationNotice.generate: false`), and then a step sending a
 * template that carries it must come before any other contact. A strategy that turns the notice
 * off altogether, carries it in no step, or contacts the debtor before it fails, with the path of
 * the offending field or step. Reads a stored definition defensively (older ones lack fields).
 */
export function regimeProblems(strategy: TStrategyDefinition, regime: Regime | undefined): StrategyProblem[] {
  if (regime === undefined || !collectorRegimes.includes(regime)) return [];
  const notice = strategy.contact?.validationNotice;
  const regimeName = regime === 'debt_buyer' ? 'a debt buyer' : 'a third-party collector';
  if (notice?.required === false) {
    return [{ path: ['contact', 'validationNotice', 'required'], message: `${regimeName} must give the validation notice (12 CFR 1006.34): it cannot be turned off` }];
  }
  if (notice?.generate !== false) return [];
  const templates = notice.templates ?? [];
  const steps = strategy.steps ?? [];
  const carrier = steps.findIndex((step) => isMessageAction(step.action) && step.template !== undefined && templates.includes(step.template));
  if (carrier === -1) {
    return [{ path: ['contact', 'validationNotice', 'generate'], message: `the generated notice is off and no step sends a template that carries it (contact.validationNotice.templates): ${regimeName} must send one first` }];
  }
  const carrierStep = steps[carrier];
  // Offsets are in timeline order (strategy.ts): a step listed before the carrier runs before it.
  return steps.flatMap((step, index) =>
    index < carrier && (isMessageAction(step.action) || step.action === 'call')
      ? [{ path: ['steps', index], message: `step "${step.id}" (${step.action}) contacts the debtor before the validation notice, which step "${carrierStep?.id ?? ''}" sends: ${regimeName} sends the notice first` }]
      : [],
  );
}

/**
 * Every lint problem of a parsed strategy, each with the path to its field. With a `regime` (the
 * portfolio's the strategy works for), the regime's rules too ({@link regimeProblems}).
 */
export function lintStrategy(strategy: TStrategyDefinition, { regime }: { regime?: Regime } = {}): StrategyProblem[] {
  const { steps } = strategy;
  return [
    ...steps.flatMap((step, index) => [...unreachableWhen(step, index, steps), ...unusedFieldProblems(step, index)]),
    ...fallbackProblems(strategy),
    ...policyProblems(strategy),
    ...regimeProblems(strategy, regime),
  ];
}
