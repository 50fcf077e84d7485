import { patched } from '@temporalio/workflow';

/**
 * A workflow started on code that already has a patch needs no marker for it: it can only take the
 * new path. `patched()` records one anyway (a marker and a `TemporalChangeVersion` search
 * attribute upsert, two history events and a visibility write each), and a new case takes about
 * six in its first task. So the API starts a case (and a person) with the code generation it was
 * started on (`CaseInput.codeGeneration`, `PersonInput.codeGeneration`), and {@link patchedOrCurrent}
 * answers true without a marker for every patch that generation already had; older workflows
 * (no generation) call `patched()` as they always did, so their histories replay unchanged.
 *
 * A generation's ids never change: a case started on generation N carries N for its whole life,
 * over continue-as-new, and a worker of later code must answer it as the code of N did. A new
 * patch is called the usual way (`patched()`, or this wrapper with an id no generation lists);
 * to fold it in, add a new generation listing it and raise {@link currentCodeGeneration}. The API
 * sets the generation only once every worker knows it: workers roll before APIs
 * (docs/production.md), and a worker rolled back below a generation the API already sets cannot
 * replay those cases (they wait, their tasks failing, until a worker that knows it returns).
 */
export const patchGenerations: readonly (readonly string[])[] = [
  // 0: no generation, every patch by its marker.
  [],
  // 1: every patch of the case and the person workflows on Dec 5, 2026.
  [
    'timeline-walk',
    'local-projection',
    'projection-bounded',
    'person-contact-grants',
    'person-consolidated-messages',
    'ledger-entries',
    'servicing-arrangement-changes',
    'reply-tasks',
    'pause-shifts-timeline',
    'reversal-window',
    'history-bound',
    'wait-from-plan',
    'agency-placement-keeps-case-open',
    'agency-step-refused-task',
    'project-before-case-file',
    'contact-rules',
    'stripe-autopay-charges',
    'interest-stops',
    'generated-validation-notice',
    'validation-notice-holds',
    'generated-verification',
    'person-history-bound',
  ],
  // 2: the case keeps its wake timer across a signal that leaves the wake time unchanged.
  ['keeps-wake-timer'],
];

/** The generation the API starts new cases and persons with: the last one this code knows. */
export const currentCodeGeneration = patchGenerations.length - 1;

/**
 * The patches this workflow was started with. Module state is the workflow's own: the worker
 * evaluates the bundle's modules for each workflow it runs.
 */
let startedWith: ReadonlySet<string> = new Set();

/**
 * Called first thing in a workflow with its input's generation (absent: none). A generation this
 * code does not know fails the task (retried until a worker that knows it takes it), rather than
 * guessing at patches.
 */
export function startOnGeneration(generation: number | undefined): void {
  if (generation === undefined) return;
  if (!Number.isInteger(generation) || generation < 0 || generation > currentCodeGeneration) {
    throw new Error(`workflow started on code generation ${generation}; this worker knows up to ${currentCodeGeneration}`);
  }
  startedWith = new Set(patchGenerations.slice(0, generation + 1).flat());
}

/** `patched(id)`, but true without a marker when the workflow started on a generation that has the patch. */
export function patchedOrCurrent(id: string): boolean {
  return startedWith.has(id) || patched(id);
}
