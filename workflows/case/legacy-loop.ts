import { patchedOrCurrent } from '../patches.js';
import { planStep } from '../../domain/step-plan.js';
import { CloseReason } from '../case-messages.js';
import type { CaseRun } from './run.js';
import { runStep } from './steps.js';

/**
 * One turn of the step-by-step loop that cases started before the `timeline-walk` patch still
 * run: each step planned by planStep alone, in order, without fallbacks or branches. Kept until
 * no such case is open and the patch can be deprecated.
 */
export async function legacyStep(run: CaseRun): Promise<void> {
  const { live, state } = run;
  const step = live.strategy.definition.steps[state.stepIndex];
  if (!step) {
    live.close(CloseReason.timelineComplete, 'the strategy timeline is complete');
    return;
  }
  const decision =
    state.ceased && step.action !== 'agency_referral'
      ? { kind: 'skip' as const, reason: 'the debtor asked us to cease communication' }
      : planStep({
          step,
          startedAt: live.shiftedStart(),
          now: Date.now(),
          facts: live.caseFacts(),
          window: live.strategy.definition.contact.allowedHours,
          // Regulation F and the state rules; cases started before them keep the window check alone.
          ...(patchedOrCurrent('contact-rules') ? { policy: live.contactPolicy } : {}),
        });
  if (decision.kind === 'wait') {
    await run.waitUntil(decision.until, decision.reason);
    return;
  }
  state.currentStep = step.id;
  if (decision.kind === 'skip') live.record('step_skipped', `step "${step.id}" skipped: ${decision.reason}`, { stepId: step.id });
  else await runStep(run, step);
  state.stepIndex++;
}
