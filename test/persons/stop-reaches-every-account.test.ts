import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../testing/engine.js';
import { postTwilio } from '../communications/support/harness.js';
import { caseStatus, debtorIdOf, enrollPerson, everyCase, personStatus, saveStrategy, smsStrategy, smsTo, startPersonEngine } from './support.js';

/**
 * One person, three accounts: a STOP replied to one account's SMS reaches the person workflow
 * through that case, and the person tells the other two, so no account texts them again.
 */

let engine: Engine;
beforeAll(async () => {
  engine = await startPersonEngine();
});
afterAll(() => engine?.stop());

describe('a STOP on one account', () => {
  it('stops SMS on all three accounts of the person', async () => {
    const phone = '+15555550161';
    await saveStrategy(engine, smsStrategy('person-stop', { later: [3] }));
    const caseIds = await enrollPerson(engine, 'person-stop', 'PERSON-STOP', phone, 3);
    const debtorId = await debtorIdOf(engine, caseIds[0] ?? '');
    // One person behind the three accounts, knowing all three cases.
    expect(new Set(await Promise.all(caseIds.map((caseId) => debtorIdOf(engine, caseId))))).toEqual(new Set([debtorId]));
    expect((await personStatus(engine, debtorId)).cases.map((ref) => ref.caseId).sort()).toEqual([...caseIds].sort());

    // Day 1: each account texts once (no cap in this strategy).
    await engine.testEnv.sleep('30 hours');
    await everyCase(engine, caseIds, (status) => status.history.some((event) => event.type === 'step_done' && event.stepId === 'nudge'), 'the first SMS of every account');
    expect(smsTo(engine, phone)).toHaveLength(3);

    // STOP, replied from the phone: the webhook finds one case; the person tells the others.
    const stop = { MessageSid: `SM${'1'.padStart(32, '0')}`, AccountSid: engine.twilio.accountSid, From: phone, To: '+15555550199', Body: 'STOP', NumMedia: '0' };
    const answered = await postTwilio(engine.baseUrl, '/webhooks/twilio/sms', stop, { authToken: engine.communications.twilioAuthToken ?? '', publicUrl: engine.communications.publicUrl });
    expect(answered.status).toBe(200);
    await everyCase(engine, caseIds, (status) => status.channels.sms?.optedOut === true, 'every account to know the person opted out of SMS');
    expect((await personStatus(engine, debtorId)).facts.contacts.sms?.optedOut).toBe(true);

    // Day 3: the second SMS step of every account is skipped, and nothing more was sent.
    await engine.testEnv.sleep('2 days');
    const statuses = await everyCase(engine, caseIds, (status) => status.history.some((event) => event.stepId === 'nudge-3' && event.type === 'step_skipped'), 'the second SMS step of every account to be skipped');
    for (const status of statuses) expect(status.history.find((event) => event.stepId === 'nudge-3')?.detail).toMatch(/opted out/);
    expect(smsTo(engine, phone)).toHaveLength(3);
    expect((await caseStatus(engine, caseIds[2] ?? '')).history.some((event) => event.type === 'step_done' && event.stepId === 'nudge-3')).toBe(false);
  });
});
