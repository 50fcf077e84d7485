import type { Client } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { grantContactUpdate, personWorkflowId, type ContactGrant, type ContactGrantRequest } from '../workflows/person-messages.js';

/**
 * The case's way to its person (workflows/person.ts): a workflow cannot send an update, so an
 * activity does. The update's id is the grant id, so a retried attempt is answered once by
 * Temporal and, across the person's continue-as-new, by the person's own memory of its grants.
 */
export function createPersonActivities({ temporal }: { temporal?: Client | undefined }) {
  return {
    async requestContactGrant({ personId, ...request }: ContactGrantRequest & { personId: string }): Promise<ContactGrant> {
      if (!temporal) throw ApplicationFailure.nonRetryable('this worker has no Temporal client to ask the person with', 'PersonNotRunning');
      try {
        return await temporal.workflow.getHandle(personWorkflowId(personId)).executeUpdate(grantContactUpdate, { args: [request], updateId: request.grantId });
      } catch (error) {
        // Nobody to ask: the case decides alone, as before persons existed (enrollment starts the person).
        if (error instanceof WorkflowNotFoundError) throw ApplicationFailure.nonRetryable(`the person workflow of ${personId} is not running`, 'PersonNotRunning');
        throw error;
      }
    },
  };
}
