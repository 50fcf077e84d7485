import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '../../testing/engine.js';
import type { Activities } from '../../activities/index.js';
import type { ProjectCaseInput } from '../../activities/projection.js';
import { caseWorkflow } from '../../workflows/case.js';
import { paymentReceivedSignal, recordOutcomeUpdate, statusQuery } from '../../workflows/case-messages.js';
import { caseFixture, recordingActivities } from '../../testing/case-fixtures.js';
import { consumerEarly, strategy } from '../support/strategies.js';

/**
 * A read model that cannot be written must not hold the case hostage (issue 23): the projection
 * here is refused for good, as PostgreSQL refused a reply with a lone surrogate, and the case
 * must still send its steps on time, keep its history small, answer an officer at once, and
 * catch its read model up once the database accepts the write again. The projection is replaced
 * by a recorder (this file is about the workflow's logic); activities/projection.ts's own side is
 * in test/activities/projection.test.ts against a real PostgreSQL.
 */

let engine: Engine;
beforeAll(async () => {
  engine = await startEngine({ temporal: 'time-skipping' });
});
afterAll(() => engine?.stop());

/** Recording activities whose projection the "database" refuses while `refusing` is set, counting the refusals. */
function refusingProjection() {
  const control = { refusing: true, refused: 0 };
  const recording = recordingActivities({ projection: control });
  const activities: Activities = {
    ...recording.activities,
    async projectCase(input: ProjectCaseInput) {
      if (control.refusing) control.refused++;
      await recording.activities.projectCase(input);
    },
  };
  return { ...recording, activities, control };
}

describe('a projection that cannot succeed', () => {
  it('leaves the timeline on time and the history small, then catches the read model up', async () => {
    const { activities, sent, projections, control } = refusingProjection();
    const input = caseFixture(await engine.testEnv.currentTimeMs(), strategy(consumerEarly));
    const taskQueue = `test-${randomUUID()}`;
    const worker = await engine.caseWorker({ taskQueue, activities });

    const outcome = await worker.runUntil(async () => {
      const handle = await engine.testEnv.client.workflow.start(caseWorkflow, { taskQueue, workflowId: input.caseId, args: [input] });
      // Reminder at day 0, SMS at day 3, letter at day 10: all due while the database refuses.
      await engine.testEnv.sleep('11 days');
      const lagging = await handle.query(statusQuery);
      const historyWhileLagging = (await handle.fetchHistory()).events?.length ?? 0;
      // An officer is answered at once, not after the projection's retries.
      const before = Date.now();
      const answered = await handle.executeUpdate(recordOutcomeUpdate, {
        args: [{ outcome: { kind: 'hardship_pause', reason: 'lost job', until: new Date(Date.parse(input.startedAt) + 40 * 86_400_000).toISOString().slice(0, 10) }, by: 'officer-1', role: 'officer' }],
      });
      const updateMs = Date.now() - before;

      control.refusing = false;
      await engine.testEnv.sleep('2 hours');
      const caughtUp = await handle.query(statusQuery);
      await handle.signal(paymentReceivedSignal, { reference: `PAYOFF-${randomUUID()}`, amount: caughtUp.balance, currency: 'USD', receivedAt: new Date().toISOString() });
      await handle.result();
      return { lagging, historyWhileLagging, answered, updateMs, caughtUp };
    });

    // The timeline went on without its read model.
    expect(sent.map((s) => s.stepId)).toEqual(['reminder', 'nudge', 'letter']);
    expect(outcome.lagging.projection).toMatchObject({ error: expect.stringContaining('ProjectionRejected'), dropped: 0 });
    expect(outcome.lagging.history.filter((event) => event.type === 'projection_failed')).toHaveLength(1);
    // Retried with backoff (a minute, doubling to an hour): 271 tries and 1,644 events over 11 days
    // when this was written, where retrying without end grew the history by some twenty a minute.
    expect(control.refused).toBeLessThan(300);
    expect(outcome.historyWhileLagging).toBeLessThan(2_000);
    expect(outcome.answered.hold).toMatchObject({ kind: 'hardship' });
    expect(outcome.updateMs).toBeLessThan(10_000);

    // Caught up: every event reached the read model once, in order, and its state is the live one.
    expect(outcome.caughtUp.projection ?? null).toBeNull();
    const seqs = projections.flatMap((projection) => projection.events.map((event) => event.seq));
    expect(seqs).toEqual(seqs.map((_, index) => index + 1));
    const types = projections.flatMap((projection) => projection.events.map((event) => event.type));
    expect(types).toEqual(expect.arrayContaining(['enrolled', 'projection_failed', 'hold_started', 'projection_recovered', 'closed']));
    const last = projections.at(-1);
    expect(last?.state).toMatchObject({ status: 'closed', closeReason: 'paid', balance: 0 });
    // While it caught up the activity was told so (it clears the operator's ProjectionFailure row).
    expect(projections.some((projection) => projection.catchingUp)).toBe(true);
  }, 120_000);
});
