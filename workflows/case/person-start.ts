import { getExternalWorkflowHandle, isCancellation, log, type SignalDefinition } from '@temporalio/workflow';
import type { CaseInput, CasePerson } from '../case-messages.js';
import { personWorkflowId } from '../person-messages.js';
import { personCalls } from './activities.js';
import type { LiveCase } from './state.js';

/**
 * A new person with a single account needs no workflow of its own until its case first talks to
 * it: enrollment then starts the case alone (`CaseAccount.personStarted` false), and the case
 * starts its person with its first word to it (a contact's grant, a fact it learnt, a due
 * message, leaving), from what the database records of the person, as the API's signals do.
 * Whatever the person must know reaches it that way; until then it has nothing to decide with
 * that the case does not know itself. A second account, a change from the API or a merge starts
 * the person from the API with every open case it has.
 */

/** What a new case's person knows of it at the start: the case's input says whether it runs at all. */
export function notePersonStart(live: LiveCase, input: CaseInput): void {
  const person = live.state.person;
  // Cases enrolled before `personStarted` was said (and every continued run) keep what they had.
  if (input.carried || !person || input.account.personStarted === undefined) return;
  // A person never told of this case's due message holds none for it: "none due" needs no signal.
  person.dueTold ??= JSON.stringify(null);
  if (!input.account.personStarted) person.unstarted = true;
}

/**
 * Signals the person; one not running (never started, or gone) is not the case's failure. A person
 * the case must start goes through an activity (signal-with-start) until it has once. Answers
 * whether the signal went.
 */
export async function signalPerson<Arg>(person: CasePerson, signal: SignalDefinition<[Arg]>, arg: Arg): Promise<boolean> {
  try {
    if (person.unstarted) {
      await personCalls.signalPersonWithStart({ personId: person.personId, signal: signal.name, arg });
      delete person.unstarted;
    } else {
      await getExternalWorkflowHandle(personWorkflowId(person.personId)).signal(signal, arg);
    }
    return true;
  } catch (error) {
    if (isCancellation(error)) throw error;
    log.warn('signal to the person failed', { personId: person.personId, error: error instanceof Error ? error.message : String(error) });
    return false;
  }
}
