import type { Client } from '@temporalio/client';
import type { SignalDefinition } from '@temporalio/common';
import { taskQueue } from '../workflows/case-messages.js';
import { grantContactUpdate, personWorkflowId, type ContactGrant, type ContactGrantRequest, type PersonInput } from '../workflows/person-messages.js';
import { personInputOf } from './persons.js';

/**
 * The one way, for the API and the worker's activities alike, to a person workflow
 * (workflows/person.ts) that may not run yet: a person enrolled before persons existed, one whose
 * workflow ended, or a new person's single case that starts its person with its first word to it
 * (workflows/case/person-start.ts). A person is always started with what the database records of
 * it (records/persons.ts `personInputOf`: its facts, its open cases, `announceAtStart`).
 */

type PersonDb = Parameters<typeof personInputOf>[0];

/**
 * Starts the person's workflow when it is not running and leaves a running one alone (a start that
 * uses the existing run, so no other start races it): for a caller about to make another workflow
 * signal it, which a workflow can only do to one that runs.
 */
export async function ensurePersonRunning(temporal: Client, input: PersonInput): Promise<void> {
  await temporal.workflow.start('personWorkflow', { taskQueue, workflowId: personWorkflowId(input.personId), args: [input], workflowIdConflictPolicy: 'USE_EXISTING' });
}

/** Signals the person, starting it with `input` when it is not running (signal-with-start), so no change waits for a start elsewhere. */
export async function signalPersonWithStart<Arg>(temporal: Client, input: PersonInput, signal: SignalDefinition<[Arg]> | string, arg: Arg): Promise<void> {
  await temporal.workflow.signalWithStart('personWorkflow', {
    taskQueue,
    workflowId: personWorkflowId(input.personId),
    args: [input],
    signal,
    signalArgs: [arg],
  });
}

/** The same, with the person as its rows hold it now. */
export async function signalPersonFromRows<Arg>(temporal: Client, db: PersonDb, personId: string, signal: SignalDefinition<[Arg]> | string, arg: Arg): Promise<void> {
  await signalPersonWithStart(temporal, await personInputOf(db, personId), signal, arg);
}

/** Asks a person that may not run yet for a contact: started from its rows unless it runs, then asked. The update's id is the grant id, as always. */
export async function grantStartingPerson(temporal: Client, db: PersonDb, personId: string, request: ContactGrantRequest): Promise<ContactGrant> {
  await ensurePersonRunning(temporal, await personInputOf(db, personId));
  return temporal.workflow.getHandle(personWorkflowId(personId)).executeUpdate(grantContactUpdate, { args: [request], updateId: request.grantId });
}
