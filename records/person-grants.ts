import type { Client } from '@temporalio/client';
import { taskQueue } from '../workflows/case-messages.js';
import { grantContactUpdate, personWorkflowId, type ContactGrant, type ContactGrantRequest } from '../workflows/person-messages.js';
import { personInputOf } from './persons.js';

/**
 * Asks a person that may not run yet for a contact (a new person's case starts its person with its
 * first ask: workflows/case/person-start.ts): the person is started with what the database records
 * of it (its facts, its open cases) unless it runs already (a start that uses the existing run, so
 * no other start races it), then asked. The update's id is the grant id, as always.
 */
export async function grantStartingPerson(temporal: Client, db: Parameters<typeof personInputOf>[0], personId: string, request: ContactGrantRequest): Promise<ContactGrant> {
  const workflowId = personWorkflowId(personId);
  await temporal.workflow.start('personWorkflow', { taskQueue, workflowId, args: [await personInputOf(db, personId)], workflowIdConflictPolicy: 'USE_EXISTING' });
  return temporal.workflow.getHandle(workflowId).executeUpdate(grantContactUpdate, { args: [request], updateId: request.grantId });
}
