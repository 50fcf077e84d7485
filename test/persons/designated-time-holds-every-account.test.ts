import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../testing/engine.js';
import { eventually } from '../../testing/eventually.js';
import { debtorIdOf, enrollPerson, everyCase, personStatus, saveStrategy, smsStrategy, smsTo, startPersonEngine } from './support.js';

/**
 * A time the person says is inconvenient ("not 10:00 to 15:00"), told once through the debtor API, holds
 * the due SMS of all three accounts until it ends, and each case says why in its status: the
 * person told every case its facts, so each case's own rules hold it (the person would too).
 */

let engine: Engine;
beforeAll(async () => {
  engine = await startPersonEngine();
});
afterAll(() => engine?.stop());

describe('a designated inconvenient time', () => {
  it('holds all three accounts of the person with the person-level reason, then they send', async () => {
    const phone = '+15555550162';
    await saveStrategy(engine, smsStrategy('person-designated'));
    const caseIds = await enrollPerson(engine, 'person-designated', 'PERSON-TIME', phone, 3);
    const debtorId = await debtorIdOf(engine, caseIds[0] ?? '');
    // Told once, through the debtor API, as an officer would after a call.
    const put = await engine.call('PUT', `/api/v1/debtors/${debtorId}/preferences`, { body: { inconvenientTimes: [{ from: '10:00', to: '15:00' }], source: 'debtor' } });
    expect(put.status, put.text).toBe(200);
    await eventually(async () => (await personStatus(engine, debtorId)).facts.inconvenientTimes?.length === 1, 'the person to take the designation');
    await everyCase(engine, caseIds, (status) => (status.person?.version ?? 0) > 1, 'every account to hear of it');

    // Due a day after enrollment, about noon local: inside the designation, so every account waits.
    await engine.testEnv.sleep('25 hours');
    // Held by the person's designation, which every case holds among its person's facts.
    const held = await everyCase(engine, caseIds, (status) => /the debtor said is inconvenient/.test(status.nextActionWhy ?? ''), 'every account to be held by the designation');
    const { timeZone } = await engine.db.debtor.findUniqueOrThrow({ where: { id: debtorId } });
    for (const status of held) {
      expect(status.nextActionWhy).toContain('10:00–15:00');
      expect(DateTime.fromISO(status.nextActionAt ?? '', { zone: timeZone }).toFormat('HH:mm')).toBe('15:00');
    }
    expect(smsTo(engine, phone)).toHaveLength(0);

    // After 15:00 local every account sends, none before.
    await engine.testEnv.sleep('4 hours');
    const sent = await everyCase(engine, caseIds, (status) => status.history.some((event) => event.type === 'step_done' && event.stepId === 'nudge'), 'every account to send after the designation');
    expect(smsTo(engine, phone)).toHaveLength(3);
    for (const status of sent) {
      const done = status.history.find((event) => event.type === 'step_done' && event.stepId === 'nudge');
      expect(Date.parse(done?.at ?? '')).toBeGreaterThanOrEqual(Date.parse(held[0]?.nextActionAt ?? ''));
    }
  });
});
