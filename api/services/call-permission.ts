import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { callPermission, type CallContext, type CallPermission } from '../../domain/calls/call-window.js';
import { callFactsQuery, type CallFacts } from '../../workflows/case-messages.js';
import { personLedgerQuery, personWorkflowId, type PersonLedgerView } from '../../workflows/person-messages.js';

/**
 * "May I call now, until when, how many calls are left?" for a case, from its live facts (the
 * case's `callFacts` query) and its person's ledger (the person's `ledger` query), decided by the
 * pure rules in domain/calls/call-window.ts at the API's clock. Read only: nothing is counted.
 */

export type CaseCallPermission = CallPermission & { caseId: string };

/** The live facts a call on `caseId` is decided on; null when the case's workflow is gone. */
export async function callContextOf(temporal: Client, caseId: string, ledgers?: Map<string, Promise<PersonLedgerView | null>>): Promise<{ facts: CallFacts; context: CallContext } | null> {
  let facts: CallFacts;
  try {
    facts = await temporal.workflow.getHandle(caseId).query(callFactsQuery);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return null;
    throw error;
  }
  let person: CallContext['person'];
  if (facts.personId && facts.grantRequest) {
    const personId = facts.personId;
    // One read of a person's ledger serves all their accounts in a list.
    let ledger = ledgers?.get(personId);
    if (!ledger) {
      ledger = personLedger(temporal, personId);
      ledgers?.set(personId, ledger);
    }
    const read = await ledger;
    if (read) person = { request: facts.grantRequest, ledger: read };
  }
  return { facts, context: { facts: facts.facts, policy: facts.policy, ...(person ? { person } : {}) } };
}

/** The person's ledger; null when no person workflow runs (the case then decides alone, as it does itself). */
async function personLedger(temporal: Client, personId: string): Promise<PersonLedgerView | null> {
  try {
    return await temporal.workflow.getHandle(personWorkflowId(personId)).query(personLedgerQuery);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return null;
    throw error;
  }
}

const closedPermission = (caseId: string, timeZone: string): CaseCallPermission => ({
  caseId,
  permitted: false,
  reason: 'the case is closed',
  barred: true,
  windowStart: null,
  windowEnd: null,
  windowStartLocal: null,
  windowEndLocal: null,
  timeZone,
  callsAllowed: 0,
});

/** The call permission of one case at `now`. */
export async function casePermission({
  temporal,
  caseId,
  now,
  timeZone,
  ledgers,
}: {
  temporal: Client;
  caseId: string;
  now: number;
  timeZone: string;
  ledgers?: Map<string, Promise<PersonLedgerView | null>>;
}): Promise<CaseCallPermission> {
  const live = await callContextOf(temporal, caseId, ledgers);
  if (!live || live.facts.status === 'closed') return closedPermission(caseId, live?.facts.facts.timeZone ?? timeZone);
  return { caseId, ...callPermission(live.context, now) };
}
