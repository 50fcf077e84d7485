import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '../../testing/engine.js';
import { caseWorkflowBundle } from '../../testing/workflow-bundle.js';
import { caseFixture, recordingActivities } from '../../testing/case-fixtures.js';
import { caseWorkflow } from '../../workflows/case.js';
import { debtorRepliedSignal, pauseSignal, recordOutcomeUpdate, resumeSignal, type CaseInput } from '../../workflows/case-messages.js';
import { currentCodeGeneration, patchGenerations } from '../../workflows/patches.js';
import { personWorkflow } from '../../workflows/person.js';
import { personStatusQuery, personWorkflowId, type PersonInput } from '../../workflows/person-messages.js';
import { consumerEarly, strategy } from '../support/strategies.js';

/**
 * A case started on today's code (`codeGeneration`, workflows/patches.ts) takes every patch
 * without a marker: its history has no patch marker and no `TemporalChangeVersion` upsert, and
 * it lives its timeline as a case that records them does, on the time-skipping server.
 */

let engine: Engine;
beforeAll(async () => {
  engine = await startEngine({ temporal: 'time-skipping' });
});
afterAll(() => engine?.stop());

/** A pause, a reply, a dispute held and answered, a legal review, an agency that refuses: most of the case's patches. */
const everyPatch = strategy({
  ...consumerEarly,
  key: 'consumer-generation',
  steps: [
    { id: 'reminder', at: 'P0D', action: 'email', template: 'reminder' },
    { id: 'nudge', at: 'P3D', action: 'sms', template: 'nudge' },
    { id: 'legal', at: 'P20D', action: 'legal_review', note: 'Review before the agency.' },
    { id: 'agency', at: 'P60D', action: 'agency_referral' },
  ],
});

interface HistoryEvent {
  eventType?: unknown;
  markerRecordedEventAttributes?: { markerName?: string | null } | null;
  upsertWorkflowSearchAttributesEventAttributes?: unknown;
}

type Lived = Awaited<ReturnType<typeof liveOneAfterTheOther>>[number];

/**
 * Lives two cases, one without a generation and one on the current, driven the same way. One after
 * the other, never side by side: on one time-skipping server one case's timers skip time past the
 * other's workflow task while its local projection runs, and that task times out.
 */
async function liveOneAfterTheOther() {
  const cases = [];
  for (const codeGeneration of [undefined, currentCodeGeneration]) {
    const fixture = caseFixture(await engine.testEnv.currentTimeMs(), everyPatch);
    // An itemized ledger without interest: the two cases start weeks apart, and interest would tell them apart.
    const ledger = { itemizationDate: fixture.startedAt.slice(0, 10), itemization: { principal: 120_000, interest: 4_000, fees: 1_000 }, authorizedFees: [], waterfall: 'fees_interest_principal' as const };
    const recorder = recordingActivities({ refuseAgency: 'agency does not take accounts of this kind (422)' });
    const caseId = `generation-${codeGeneration ?? 'none'}-${randomUUID()}`;
    const input: CaseInput = { ...fixture, caseId, account: { ...fixture.account, ledger }, ...(codeGeneration === undefined ? {} : { codeGeneration }) };
    const taskQueue = `generation-${randomUUID()}`;
    const worker = await engine.caseWorker({ taskQueue, activities: recorder.activities });
    const outcome = await worker.runUntil(async () => {
      const handle = await engine.testEnv.client.workflow.start(caseWorkflow, { taskQueue, workflowId: caseId, args: [input] });
      const sleep = (duration: string) => engine.testEnv.sleep(duration);
      await sleep('1 hour');
      await handle.signal(pauseSignal, { reason: 'debtor asked for two days', by: 'officer:test' });
      await sleep('2 days');
      const now = new Date(await engine.testEnv.currentTimeMs()).toISOString();
      await handle.signal(resumeSignal, { reason: 'two days over', by: 'officer:test' });
      await handle.signal(debtorRepliedSignal, { channel: 'email', text: 'I lost my job, what can I do?', receivedAt: now });
      await handle.executeUpdate(recordOutcomeUpdate, { args: [{ outcome: { kind: 'dispute', reason: 'the amount is wrong' }, by: 'officer:test', role: 'officer' }] });
      await sleep('3 days');
      await handle.executeUpdate(recordOutcomeUpdate, { args: [{ outcome: { kind: 'dispute_resolution', upheld: false, note: 'verified' }, by: 'manager:test', role: 'manager' }] });
      // The legal review, then the agency refuses the referral for good: a task, and the timeline is complete.
      return { result: await handle.result(), history: await handle.fetchHistory() };
    });
    cases.push({ recorder, ...outcome });
  }
  return cases.map(({ recorder, result, history }) => {
    const events = (history.events ?? []) as HistoryEvent[];
    const caseEvents = recorder.projections.flatMap((projection) => projection.events.map((event) => `${event.type}${event.stepId ? `:${event.stepId}` : ''}`));
    return { recorder, result, history, events, caseEvents };
  });
}

describe('a case started on the current code generation', () => {
  it('records no patch marker and no search attribute upsert, and lives as a case that records them', async () => {
    const [marked, current] = (await liveOneAfterTheOther()) as [Lived, Lived];

    const markers = (events: HistoryEvent[]) => events.filter((event) => event.markerRecordedEventAttributes?.markerName === 'core_patch').length;
    const upserts = (events: HistoryEvent[]) => events.filter((event) => event.upsertWorkflowSearchAttributesEventAttributes).length;
    expect(markers(marked.events)).toBeGreaterThanOrEqual(8);
    expect(upserts(marked.events)).toBeGreaterThanOrEqual(8);
    expect(markers(current.events)).toBe(0);
    expect(upserts(current.events)).toBe(0);
    expect(current.events.length).toBeLessThan(marked.events.length - 16);

    // The same life: sends, tasks, the read model's events, the end.
    expect(current.recorder.sent.map(({ action, stepId }) => `${action}:${stepId}`)).toEqual(marked.recorder.sent.map(({ action, stepId }) => `${action}:${stepId}`));
    expect(current.recorder.tasks.map((task) => task.kind)).toEqual(marked.recorder.tasks.map((task) => task.kind));
    expect(current.caseEvents).toEqual(marked.caseEvents);
    expect(current.caseEvents).toContain('paused');
    expect(current.caseEvents.some((event) => event.startsWith('hold_started'))).toBe(true);
    expect(current.result).toEqual(marked.result);
    expect(current.result.closeReason).toBe('timeline_complete');
    expect(current.recorder.tasks.length).toBeGreaterThanOrEqual(2);

    // And a worker replays it as it ran: no marker is looked for.
    await expect(Worker.runReplayHistory({ workflowBundle: await caseWorkflowBundle() }, current.history, 'current-generation')).resolves.toBeUndefined();
  });

  it('starts a person on the current generation without its marker', async () => {
    const personId = `generation-${randomUUID()}`;
    const input: PersonInput = { personId, name: 'Ana Ruiz', timeZone: 'America/Chicago', facts: { contacts: {} }, cases: [], codeGeneration: currentCodeGeneration };
    const taskQueue = `generation-person-${randomUUID()}`;
    const worker = await engine.caseWorker({ taskQueue, activities: recordingActivities().activities });
    const history = await worker.runUntil(async () => {
      const handle = await engine.testEnv.client.workflow.start(personWorkflow, { taskQueue, workflowId: personWorkflowId(personId), args: [input] });
      await handle.query(personStatusQuery);
      const history = await handle.fetchHistory();
      await handle.terminate('test over');
      return history;
    });
    const events = (history.events ?? []) as HistoryEvent[];
    expect(events.filter((event) => event.markerRecordedEventAttributes || event.upsertWorkflowSearchAttributesEventAttributes)).toEqual([]);
  });
});

describe('the code generations', () => {
  it('never change: generation 1 is the patches of Dec 5, 2026 (add a generation for new ones)', () => {
    expect(patchGenerations[0]).toEqual([]);
    expect([...patchGenerations[1]!].sort()).toEqual(
      [
        'agency-placement-keeps-case-open',
        'agency-step-refused-task',
        'contact-rules',
        'generated-validation-notice',
        'generated-verification',
        'history-bound',
        'interest-stops',
        'ledger-entries',
        'local-projection',
        'pause-shifts-timeline',
        'person-consolidated-messages',
        'person-contact-grants',
        'person-history-bound',
        'project-before-case-file',
        'projection-bounded',
        'reply-tasks',
        'reversal-window',
        'servicing-arrangement-changes',
        'stripe-autopay-charges',
        'timeline-walk',
        'validation-notice-holds',
        'wait-from-plan',
      ].sort(),
    );
    expect(currentCodeGeneration).toBe(patchGenerations.length - 1);
  });
});
