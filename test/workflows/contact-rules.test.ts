import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '../../testing/engine.js';
import { caseWorkflow } from '../../workflows/case.js';
import { callAttemptedSignal, contactPermissionQuery, statusQuery } from '../../workflows/case-messages.js';
import { caseFixture, recordingActivities } from '../../testing/case-fixtures.js';
import { consumerEarly, strategy } from '../support/strategies.js';

/** Regulation F inside a running case: the call cap holds the next call step and explains why. */

let engine: Engine;
beforeAll(async () => {
  engine = await startEngine({ temporal: 'time-skipping' });
});
afterAll(() => engine?.stop());

describe('contact rules in the case workflow', () => {
  it('holds a call step after 7 call attempts in 7 days, until the 8th day', async () => {
    const recorder = recordingActivities();
    const definition = strategy({ ...consumerEarly, steps: [{ id: 'call', at: 'P2D', action: 'call' }] });
    const input = caseFixture(await engine.testEnv.currentTimeMs(), definition);
    const taskQueue = `rules-${randomUUID()}`;
    const worker = await engine.caseWorker({ taskQueue, activities: recorder.activities });
    const { held, permission, sentAfter, result, elapsedDays } = await worker.runUntil(async () => {
      const handle = await engine.testEnv.client.workflow.start(caseWorkflow, { taskQueue, workflowId: input.caseId, args: [input] });
      const start = await engine.testEnv.currentTimeMs();
      for (let attempt = 0; attempt < 7; attempt++) {
        await handle.signal(callAttemptedSignal, { taskId: `t${attempt}`, placedAt: new Date(start + attempt * 60_000).toISOString(), outcome: 'no_answer', conversation: false, by: 'officer:test' });
      }
      await engine.testEnv.sleep('3 days');
      const held = await handle.query(statusQuery);
      const permission = await handle.query(contactPermissionQuery, { channel: 'phone' });
      // The call step is the last one: once released it runs and the timeline completes.
      const result = await handle.result();
      const done = (await handle.query(statusQuery)).history.find((e) => e.type === 'step_done' && e.stepId === 'call');
      // Reg F's 7 consecutive days are calendar days in the debtor's zone: free again on the 8th.
      const zone = input.account.debtor.timeZone;
      const elapsedDays = DateTime.fromISO(done?.at ?? '', { zone }).startOf('day').diff(DateTime.fromMillis(start, { zone }).startOf('day'), 'days').days;
      return { held, permission, sentAfter: recorder.sent.map((s) => s.stepId), result, elapsedDays };
    });
    expect(held.currentStep).toBeNull();
    expect(held.nextActionWhy).toMatch(/7 call/);
    expect(permission.kind).toBe('held');
    // Released on the 8th day and run then.
    expect(sentAfter).toEqual(['call']);
    expect(result.closeReason).toBe('timeline_complete');
    expect(elapsedDays).toBe(7);
  });
});
