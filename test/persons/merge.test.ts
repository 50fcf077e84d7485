import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePersonRunning, signalPersonWithStart } from '../../records/person-workflow.js';
import { personInputOf } from '../../records/persons.js';
import type { Engine } from '../../testing/engine.js';
import { eventually } from '../../testing/eventually.js';
import { personMergedSignal } from '../../workflows/person-messages.js';
import { caseStatus, debtorIdOf, enrollPerson, personStatus, saveStrategy, smsStrategy, smsTo, startPersonEngine } from './support.js';

/**
 * Two persons found to be one: merged, the first hands its facts, contacts and case to the other,
 * whose cap then counts both accounts; the merge undone, the case asks its own person again.
 */

let engine: Engine;
beforeAll(async () => {
  engine = await startPersonEngine();
});
afterAll(() => engine?.stop());

describe('a merge of two persons', () => {
  it('makes one person decide for both accounts, and the undo gives the case back', async () => {
    await saveStrategy(engine, smsStrategy('person-merge', { later: [3], frequencyCaps: { sms: { max: 1, days: 1 } } }));
    const [caseA = ''] = await enrollPerson(engine, 'person-merge', 'PERSON-A', '+15555550171', 1);
    const [caseB = ''] = await enrollPerson(engine, 'person-merge', 'PERSON-B', '+15555550172', 1);
    const [personA, personB] = [await debtorIdOf(engine, caseA), await debtorIdOf(engine, caseB)];
    expect(personA).not.toBe(personB);

    // Each person has one account, so neither runs yet; the survivor is started first, as the API's merge does (debtor-merges.ts).
    await ensurePersonRunning(engine.temporal, await personInputOf(engine.db, personB));
    await signalPersonWithStart(engine.temporal, await personInputOf(engine.db, personA), personMergedSignal, { into: personB, by: 'manager:test', mergeId: 'merge-1' });
    await eventually(async () => (await caseStatus(engine, caseA)).person?.personId === personB, 'the case of the merged person to answer to the other');
    expect((await personStatus(engine, personB)).cases.filter((ref) => ref.open).map((ref) => ref.caseId).sort()).toEqual([caseA, caseB].sort());
    expect((await personStatus(engine, personA)).mergedInto).toBe(personB);

    // Both due at once, one person with a cap of one SMS a day: one of the two numbers gets it.
    await engine.testEnv.sleep('25 hours');
    await eventually(async () => {
      const statuses = await Promise.all([caseA, caseB].map((caseId) => caseStatus(engine, caseId)));
      return statuses.every((status) => status.history.some((event) => (event.type === 'step_done' && event.stepId === 'nudge') || event.type === 'contact_held'));
    }, 'both accounts to send or be held');
    expect(smsTo(engine, '+15555550171').length + smsTo(engine, '+15555550172').length).toBe(1);
    expect((await personStatus(engine, personB)).holds).toHaveLength(1);

    // Undone: the case asks its own person again, and the other no longer counts it.
    await signalPersonWithStart(engine.temporal, await personInputOf(engine.db, personA), personMergedSignal, { into: null, by: 'manager:test', mergeId: 'merge-1' });
    await eventually(async () => (await caseStatus(engine, caseA)).person?.personId === personA, 'the case to answer to its own person again');
    await eventually(async () => !(await personStatus(engine, personB)).cases.some((ref) => ref.caseId === caseA), 'the other person to let the case go');
    expect((await personStatus(engine, personA)).mergedInto).toBeNull();
  });
});
