import { WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../testing/engine.js';
import { eventually } from '../../testing/eventually.js';
import { personWorkflowId } from '../../workflows/person-messages.js';
import { postTwilio } from '../communications/support/harness.js';
import { caseStatus, debtorIdOf, enrollPerson, everyCase, personStatus, saveStrategy, smsStrategy, smsTo, startPersonEngine } from './support.js';

/**
 * A new person with one account gets no workflow of its own at enrollment (one workflow per new
 * case, not two): its case starts it the first time it talks to it. What the person guarantees
 * still holds: the first contact is granted and counted by the person, a fact the case learns
 * before any contact reaches it, and a second account joins it with the first.
 */

let engine: Engine;
beforeAll(async () => {
  engine = await startPersonEngine();
});
afterAll(() => engine?.stop());

const personRuns = (debtorId: string) =>
  engine.temporal.workflow
    .getHandle(personWorkflowId(debtorId))
    .describe()
    .then(
      () => true,
      (error: unknown) => {
        if (error instanceof WorkflowNotFoundError) return false;
        throw error;
      },
    );

describe('the person of a single account', () => {
  it('starts with its case’s first contact, which it counts, and takes a second account with the first', async () => {
    const phone = '+15555550171';
    await saveStrategy(engine, smsStrategy('person-lazy', { later: [5] }));
    const [first = ''] = await enrollPerson(engine, 'person-lazy', 'PERSON-LAZY', phone, 1);
    const debtorId = await debtorIdOf(engine, first);
    // The case runs (its first task is done: it answers), its person does not yet.
    expect((await caseStatus(engine, first)).status).toBe('open');
    expect(await personRuns(debtorId)).toBe(false);

    // Day 1: the case asks its person before the SMS; the ask starts the person, which counts it.
    await engine.testEnv.sleep('25 hours');
    await everyCase(engine, [first], (status) => status.history.some((event) => event.type === 'step_done' && event.stepId === 'nudge'), 'the first SMS');
    expect(smsTo(engine, phone)).toHaveLength(1);
    const person = await personStatus(engine, debtorId);
    expect(person.cases.map((ref) => ref.caseId)).toEqual([first]);
    expect(person.contacts.filter((contact) => contact.medium === 'sms' && contact.caseId === first)).toHaveLength(1);

    // A second account of the same person: enrollment tells the running person, which now has both.
    const response = await engine.call('POST', '/api/v1/accounts', {
      key: engine.keys.integration,
      body: { externalId: 'PERSON-LAZY-ACC-2', strategy: 'person-lazy', currency: 'USD', balance: 5_000, debtor: { externalId: 'PERSON-LAZY', name: 'Ana Ruiz', phone, smsConsent: true, timeZone: person.facts.timeZones?.[0] ?? 'UTC' } },
    });
    expect(response.status, response.text).toBe(201);
    const second = String(response.body.caseId);
    expect((await personStatus(engine, debtorId)).cases.map((ref) => ref.caseId).sort()).toEqual([first, second].sort());
  });

  it('is started by a STOP its case hears before any contact, and keeps it', async () => {
    const phone = '+15555550172';
    // Its text three days after the start: the test server's clock is already a day ahead (the test
    // above slept), so a first step at one day would be due at once and its ask would start the person.
    await saveStrategy(engine, { ...smsStrategy('person-lazy-stop'), steps: [{ id: 'nudge', at: 'P3D', action: 'sms', template: 'nudge' }] });
    const [caseId = ''] = await enrollPerson(engine, 'person-lazy-stop', 'PERSON-LAZY-STOP', phone, 1);
    const debtorId = await debtorIdOf(engine, caseId);
    expect((await caseStatus(engine, caseId)).status).toBe('open');
    expect(await personRuns(debtorId)).toBe(false);

    const stop = { MessageSid: `SM${'7'.padStart(32, '0')}`, AccountSid: engine.twilio.accountSid, From: phone, To: '+15555550199', Body: 'STOP', NumMedia: '0' };
    const answered = await postTwilio(engine.baseUrl, '/webhooks/twilio/sms', stop, { authToken: engine.communications.twilioAuthToken ?? '', publicUrl: engine.communications.publicUrl });
    expect(answered.status).toBe(200);
    await everyCase(engine, [caseId], (status) => status.channels.sms?.optedOut === true, 'the case to know the person opted out of SMS');
    // The case told its person, starting it: the person holds the opt-out for every later account.
    await eventually(async () => (await personRuns(debtorId)) && (await personStatus(engine, debtorId)).facts.contacts.sms?.optedOut, 'the person to hold the opt-out');

    // The SMS step's day passes without a text.
    await engine.testEnv.sleep('4 days');
    expect((await caseStatus(engine, caseId)).channels.sms?.optedOut).toBe(true);
    expect(smsTo(engine, phone)).toHaveLength(0);
  });
});
