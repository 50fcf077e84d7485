import { allHandlersFinished, condition, continueAsNew, getExternalWorkflowHandle, isCancellation, log, setHandler, workflowInfo } from '@temporalio/workflow';
import { patchedOrCurrent, startOnGeneration } from './patches.js';
import {
  caseDueSignal,
  consolidationFailedSignal,
  caseJoinedSignal,
  caseLeftSignal,
  contactRecordedSignal,
  grantContactUpdate,
  personAbsorbedSignal,
  personChangedSignal,
  personChangeSignal,
  personMergedSignal,
  personReleasedSignal,
  personStatusQuery,
  personLedgerQuery,
  personWorkflowId,
  type PersonInput,
} from './person-messages.js';
import { LivePerson, type PersonEffect } from './person/state.js';

/** As the case's (workflows/case.ts): a short history keeps the replay of an uncached person cheap. */
const historyEventsBeforeContinueAsNew = 1_000;

/**
 * One person (debtor) behind any number of accounts: the live authority for what the person told
 * us and for every contact with them. Cases ask it by the `grantContact` update just before a
 * contact; it answers one update at a time against the whole ledger and counts a permitted
 * contact in the same handler, so no interleaving of the person's cases can break a cap. A
 * change (API, a reply on any case, an officer) updates the facts and is told to every open case.
 * It never ends by itself: it continues-as-new with bounded state (recent grants, a ledger of the
 * longest cap window, recent change ids).
 */
export async function personWorkflow(input: PersonInput): Promise<void> {
  startOnGeneration(input.codeGeneration);
  // Decided once, at the start of a run, so a run that began before the bound never waits on it.
  const boundsHistory = patchedOrCurrent('person-history-bound');
  const wantsNewRun = () => workflowInfo().continueAsNewSuggested || (boundsHistory && workflowInfo().historyLength > historyEventsBeforeContinueAsNew);
  const person = new LivePerson(input);
  const { state } = person;
  // A first run from the database's rows: its cases may not know what the rows hold (PersonInput.announceAtStart).
  if (input.announceAtStart && !input.carried) person.effects.push({ kind: 'broadcast' });

  setHandler(grantContactUpdate, (request) => person.grant(request, Date.now()));
  setHandler(personChangeSignal, (signal) => void person.change(signal));
  setHandler(caseJoinedSignal, (ref) => person.join(ref));
  setHandler(caseDueSignal, ({ caseId, due }) => person.noteDue(caseId, due));
  setHandler(consolidationFailedSignal, ({ grantId }) => person.uncover(grantId));
  setHandler(caseLeftSignal, ({ caseId }) => person.leave(caseId));
  setHandler(contactRecordedSignal, (contact) => person.recordContact(contact, Date.now()));
  setHandler(personMergedSignal, (merge) => person.merged(merge));
  setHandler(personAbsorbedSignal, (absorbed) => person.absorb(absorbed, Date.now()));
  setHandler(personReleasedSignal, (released) => person.release(released));
  setHandler(personStatusQuery, () => person.status(Date.now()));
  setHandler(personLedgerQuery, () => person.ledger());

  for (;;) {
    await condition(() => person.effects.length > 0 || wantsNewRun());
    while (person.effects.length > 0) {
      await Promise.all(person.takeEffects().map((effect) => carryOut(person, effect)));
    }
    if (wantsNewRun()) {
      await condition(allHandlersFinished);
      if (person.effects.length > 0) continue;
      return continueAsNew<typeof personWorkflow>({ ...input, carried: state });
    }
  }
}

/** Signals another workflow; one that has ended (a closed case) or never ran answers false. */
async function signalWorkflow(workflowId: string, send: (handle: ReturnType<typeof getExternalWorkflowHandle>) => Promise<void>): Promise<boolean> {
  try {
    await send(getExternalWorkflowHandle(workflowId));
    return true;
  } catch (error) {
    if (isCancellation(error)) throw error;
    log.warn('signal to another workflow failed', { workflowId, error: error instanceof Error ? error.message : String(error) });
    return false;
  }
}

async function carryOut(person: LivePerson, effect: PersonEffect): Promise<void> {
  switch (effect.kind) {
    case 'broadcast': {
      const open = person.openCases().map((each) => each.caseId);
      const targets = effect.caseIds?.filter((caseId) => open.includes(caseId)) ?? open;
      const announcement = person.announcement();
      await Promise.all(
        targets.map(async (caseId) => {
          // A case that has ended no longer listens: it is no longer an open case of the person.
          if (!(await signalWorkflow(caseId, (handle) => handle.signal(personChangedSignal, announcement)))) person.leave(caseId);
        }),
      );
      return;
    }
    case 'forward':
      if (person.state.mergedInto) await signalWorkflow(personWorkflowId(person.state.mergedInto.personId), (handle) => handle.signal(personChangeSignal, effect.change));
      return;
    case 'forwardContact':
      if (person.state.mergedInto) await signalWorkflow(personWorkflowId(person.state.mergedInto.personId), (handle) => handle.signal(contactRecordedSignal, effect.contact));
      return;
    case 'absorbed':
      await signalWorkflow(personWorkflowId(effect.into), (handle) => handle.signal(personAbsorbedSignal, effect.absorbed));
      return;
    case 'released':
      await signalWorkflow(personWorkflowId(effect.into), (handle) => handle.signal(personReleasedSignal, { from: person.personId, mergeId: effect.mergeId }));
      return;
  }
}
