import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../testing/engine.js';
import { debtorIdOf, enrollPerson, everyCase, personStatus, saveStrategy, smsStrategy, smsTo, startPersonEngine } from './support.js';

/**
 * Five accounts of one person, all due in the same instant, under a strategy cap of one SMS a
 * day: the person grants one contact at a time against its whole ledger, so exactly one SMS goes
 * out each day whatever order the five cases ask in; the others wait, saying whom and why.
 */

let engine: Engine;
beforeAll(async () => {
  engine = await startPersonEngine();
});
afterAll(() => engine?.stop());

describe('a per-person frequency cap', () => {
  it('sends exactly one SMS a day to a person with five accounts due at once', async () => {
    const phone = '+15555550163';
    await saveStrategy(engine, smsStrategy('person-cap', { frequencyCaps: { sms: { max: 1, days: 1 } } }));
    const caseIds = await enrollPerson(engine, 'person-cap', 'PERSON-CAP', phone, 5);
    const debtorId = await debtorIdOf(engine, caseIds[0] ?? '');

    // Day 1, all five due at once: one sends, four are held by the person naming the account reached.
    await engine.testEnv.sleep('25 hours');
    const isDone = (status: Awaited<ReturnType<typeof everyCase>>[number]) => status.history.some((event) => event.type === 'step_done' && event.stepId === 'nudge');
    const statuses = await everyCase(engine, caseIds, (status) => isDone(status) || status.history.some((event) => event.type === 'contact_held'), 'every account to send or be held');
    const first = statuses.filter(isDone);
    expect(first).toHaveLength(1);
    expect(smsTo(engine, phone)).toHaveLength(1);
    const reached = first[0]?.caseId ?? '';
    const account = `PERSON-CAP-ACC-${caseIds.indexOf(reached) + 1}`;
    for (const status of statuses.filter((each) => !isDone(each))) expect(status.nextActionWhy).toMatch(new RegExp(`^Ana Ruiz got 1 text about ${account}\\b`));
    const person = await personStatus(engine, debtorId);
    expect(person.contacts.filter((contact) => contact.medium === 'sms')).toHaveLength(1);
    // The person lists what waits on it: the four held accounts, each until the same release.
    expect(person.holds.map((hold) => hold.caseId).sort()).toEqual(caseIds.filter((caseId) => caseId !== reached).sort());
    expect(new Set(person.holds.map((hold) => hold.until)).size).toBe(1);

    // Day 2: the four held accounts wake in the same instant again; one more sends, three ask and wait again.
    const release = Date.parse(statuses.find((each) => !isDone(each))?.nextActionAt ?? '');
    await engine.testEnv.sleep('1 day');
    const second = await everyCase(engine, caseIds, (status) => isDone(status) || Date.parse(status.nextActionAt ?? '') > release, 'every held account to ask again on the second day');
    expect(second.filter(isDone)).toHaveLength(2);
    expect(smsTo(engine, phone)).toHaveLength(2);
    expect((await personStatus(engine, debtorId)).contacts.filter((contact) => contact.medium === 'sms')).toHaveLength(2);
  });
});
