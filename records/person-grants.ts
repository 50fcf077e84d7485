import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import { taskQueue } from '../workflows/case-messages.js';
import { grantContactUpdate, personWorkflowId, type ContactGrant, type ContactGrantRequest } from '../workflows/person-messages.js';
import type { personWorkflow } from '../workflows/person.js';
import { personInputOf } from './persons.js';

/**
 * Asks a person that may not run yet for a contact (a new person's case starts its person with its
 * first ask: workflows/case/person-start.ts): the person is started with what the database records
 * of it (its facts, its open cases) and handed the update in one call (update-with-start), so no
 * other start races it; a running person just answers. The update's id is the grant id, as always.
 */
export async function grantStartingPerson(temporal: Client, db: Parameters<typeof personInputOf>[0], personId: string, request: ContactGrantRequest): Promise<ContactGrant> {
  const startWorkflowOperation = new WithStartWorkflowOperation<typeof personWorkflow>('personWorkflow', {
    taskQueue,
    workflowId: personWorkflowId(personId),
    args: [await personInputOf(db, personId)],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  return temporal.workflow.executeUpdateWithStart<typeof personWorkflow, ContactGrant, [ContactGrantRequest]>(grantContactUpdate, { args: [request], updateId: request.grantId, startWorkflowOperation });
}
