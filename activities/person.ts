import type { Client } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import type { Db } from '../lib/db.js';
import { grantStartingPerson, signalPersonFromRows } from '../records/person-workflow.js';
import { grantContactUpdate, personWorkflowId, type ContactGrant, type ContactGrantRequest } from '../workflows/person-messages.js';

/**
 * The case's way to its person (workflows/person.ts): a workflow cannot send an update, so an
 * activity does. The update's id is the grant id, so a retried attempt is answered once by
 * Temporal and, across the person's continue-as-new, by the person's own memory of its grants.
 *
 * A case whose enrollment did not start its person (a new person with one account,
 * `CaseAccount.personStarted` false) asks with `startPerson`: a person not running yet is started
 * with what the database records of it (its facts, its open cases), as the API's signals start it.
 */
export function createPersonActivities({ temporal, db }: { temporal?: Client | undefined; db?: Db | undefined }) {
  const noClient = () => ApplicationFailure.nonRetryable('this worker has no Temporal client to ask the person with', 'PersonNotRunning');

  return {
    async requestContactGrant({ personId, startPerson, ...request }: ContactGrantRequest & { personId: string; startPerson?: boolean }): Promise<ContactGrant> {
      if (!temporal) throw noClient();
      try {
        return await temporal.workflow.getHandle(personWorkflowId(personId)).executeUpdate(grantContactUpdate, { args: [request], updateId: request.grantId });
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
        if (startPerson && db) return grantStartingPerson(temporal, db, personId, request);
        // Nobody to ask: the case decides alone, as before persons existed (enrollment starts the person).
        throw ApplicationFailure.nonRetryable(`the person workflow of ${personId} is not running`, 'PersonNotRunning');
      }
    },

    /** A case's signal to a person that may not run yet: started with it (signal-with-start), from the database's record of the person. */
    async signalPersonWithStart({ personId, signal, arg }: { personId: string; signal: string; arg: unknown }): Promise<void> {
      if (!temporal || !db) throw noClient();
      await signalPersonFromRows(temporal, db, personId, signal, arg);
    },
  };
}
