import type { Client } from '@temporalio/client';
import type { SignalDefinition } from '@temporalio/workflow';
import { personWorkflowId, type PersonInput } from '../../workflows/person-messages.js';
import { taskQueue } from '../../workflows/case-messages.js';

/**
 * The API's way to the person workflow (workflows/person.ts): every signal starts it when it is
 * not running yet (a person enrolled before persons existed, or one whose workflow ended), with
 * the person as the database records them, so no change waits for a start elsewhere.
 */
export async function signalPerson<Arg>(temporal: Client, input: PersonInput, signal: SignalDefinition<[Arg]>, arg: Arg): Promise<void> {
  await temporal.workflow.signalWithStart('personWorkflow', {
    taskQueue,
    workflowId: personWorkflowId(input.personId),
    args: [input],
    signal,
    signalArgs: [arg],
  });
}

/**
 * Starts the person's workflow when it is not running (a new person's case starts it only when it
 * first talks to it), and leaves a running one alone: for a caller about to make another workflow
 * signal it, which a workflow can only do to one that runs.
 */
export async function ensurePersonRunning(temporal: Client, input: PersonInput): Promise<void> {
  await temporal.workflow.start('personWorkflow', { taskQueue, workflowId: personWorkflowId(input.personId), args: [input], workflowIdConflictPolicy: 'USE_EXISTING' });
}
