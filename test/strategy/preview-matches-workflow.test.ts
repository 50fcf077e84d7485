import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '../../testing/engine.js';
import { previewStrategy } from '../../domain/preview.js';
import type { TStrategyDefinition } from '../../domain/strategy.js';
import { caseWorkflow } from '../../workflows/case.js';
import type { CaseInput } from '../../workflows/case-messages.js';
import { caseFixture, recordingActivities } from '../../testing/case-fixtures.js';
import { plainTemplates, strategy } from '../support/strategies.js';

/**
 * The preview promises what a case will do. Here the real case workflow runs a whole timeline on
 * the time-skipping server with recording activities, and the steps it ran and skipped, with
 * their times, must be the preview's for the same account and start, to the second.
 */

let engine: Engine;
beforeAll(async () => {
  engine = await startEngine({ temporal: 'time-skipping' });
});
afterAll(() => engine?.stop());

interface Happening {
  stepId: string;
  outcome: 'run' | 'skipped';
  at: number;
}

/**
 * Runs a case to its end and lists the steps it ran and skipped, from its projected events. The
 * input is made once the worker is up, so the case starts when its input says it does.
 */
async function runWorkflow(makeInput: (now: number) => CaseInput): Promise<{ input: CaseInput; happenings: Happening[] }> {
  const { activities, projections } = recordingActivities();
  const taskQueue = `preview-${randomUUID()}`;
  const worker = await engine.caseWorker({ taskQueue, activities });
  const input = makeInput(await engine.testEnv.currentTimeMs());
  const result = await worker.runUntil(engine.testEnv.client.workflow.execute(caseWorkflow, { taskQueue, workflowId: input.caseId, args: [input] }));
  expect(result.closeReason).toBe('timeline_complete');
  const happenings = projections
    .flatMap((projection) => projection.events)
    .filter((event) => event.stepId && (event.type === 'step_done' || event.type === 'step_skipped'))
    .map((event) => ({ stepId: event.stepId ?? '', outcome: event.type === 'step_done' ? 'run' as const : 'skipped' as const, at: Date.parse(event.at) }));
  return { input, happenings };
}

function preview(definition: TStrategyDefinition, input: CaseInput): Happening[] {
  const { entries } = previewStrategy({
    definition,
    account: {
      balance: input.account.balance,
      daysPastDue: input.account.daysPastDue,
      timeZone: input.account.debtor.timeZone,
      contacts: input.account.contacts,
      ...(input.account.compliance ? { compliance: input.account.compliance } : {}),
    },
    startedAt: Date.parse(input.startedAt),
  });
  return entries.flatMap((entry) => (entry.outcome === 'held' ? [] : [{ stepId: entry.stepId, outcome: entry.outcome, at: Date.parse(entry.at) }]));
}

function expectSameTimeline(actual: Happening[], expected: Happening[], startedAt: number): void {
  expect(actual.map(({ stepId, outcome }) => `${stepId} ${outcome}`)).toEqual(expected.map(({ stepId, outcome }) => `${stepId} ${outcome}`));
  actual.forEach((happening, index) => {
    const planned = expected[index]?.at ?? Number.NaN;
    // The workflow records a step once its activity has answered: milliseconds after the preview's
    // instant. Steps due at the start also wait for the worker's first task, slower on a busy machine.
    const tolerance = planned === startedAt ? 5_000 : 1_000;
    expect(Math.abs(happening.at - planned), `${happening.stepId} at ${new Date(happening.at).toISOString()}, preview ${new Date(planned).toISOString()}`).toBeLessThan(tolerance);
  });
}

/**
 * Uses what the case workflow plans through planStep today: channels and their availability,
 * balance and channel conditions, and contact hours. A 6-hour window and steps 8 hours apart make
 * holds certain whatever the hour the test runs at.
 */
const holdsAndSkips = strategy({
  key: 'preview-vs-workflow',
  name: 'Preview against the workflow',
  templates: plainTemplates,
  steps: [
    { id: 'reminder', at: 'PT0S', action: 'email', template: 'reminder' },
    { id: 'reminder-2', at: 'PT8H', action: 'email', template: 'reminder' },
    { id: 'reminder-3', at: 'PT16H', action: 'email', template: 'reminder' },
    { id: 'nudge', at: 'P1D', action: 'sms', template: 'nudge' },
    { id: 'call-no-sms', at: 'P1DT8H', action: 'call', when: { channelAvailable: { sms: false } } },
    { id: 'big-letter', at: 'P2D', action: 'letter', template: 'demand', when: { minBalance: 500_000 } },
    { id: 'letter', at: 'P3D', action: 'letter', template: 'demand', when: { maxBalance: 500_000 } },
    { id: 'reminder-4', at: 'P3DT8H', action: 'email', template: 'reminder' },
    { id: 'call', at: 'P5D', action: 'call' },
  ],
  contact: { allowedHours: { start: '10:00', end: '16:00' } },
});

describe('the preview of a strategy', () => {
  it('matches what the case workflow does over the whole timeline: runs, skips and held sends, to the second', async () => {
    const { input, happenings } = await runWorkflow((now) => caseFixture(now, holdsAndSkips, { smsConsent: false }));
    const expected = preview(holdsAndSkips, input);
    // The scenario must exercise what it claims to: skips by condition and channel, and holds.
    expect(expected.filter((step) => step.outcome === 'skipped').map((step) => step.stepId)).toEqual(['nudge', 'big-letter']);
    const held = previewStrategy({ definition: holdsAndSkips, account: { ...input.account, timeZone: input.account.debtor.timeZone }, startedAt: Date.parse(input.startedAt) }).entries.filter(
      (entry) => entry.outcome === 'held',
    );
    expect(held.length).toBeGreaterThanOrEqual(2);

    expectSameTimeline(happenings, expected, Date.parse(input.startedAt));
  });

  it('matches it with fallbacks, days-past-due conditions and the new actions', async () => {
    const definition = strategy({
      key: 'preview-vs-workflow-full',
      name: 'Preview against the workflow, whole language',
      templates: holdsAndSkips.templates,
      steps: [
        { id: 'nudge', at: 'PT0S', action: 'sms', template: 'nudge', fallback: 'letter' },
        { id: 'note', at: 'PT1H', action: 'note', note: 'Started.' },
        { id: 'early', at: 'P1D', action: 'email', template: 'reminder', when: { maxDaysPastDue: 30 } },
        { id: 'late', at: 'P2D', action: 'call', when: { minDaysPastDue: 32 } },
        { id: 'plan-check', at: 'P3D', action: 'plan_monitoring' },
        { id: 'pause', at: 'P4D', action: 'wait' },
        { id: 'legal', at: 'P5D', action: 'legal_review', note: 'Review.' },
        { id: 'letter', at: 'P6D', action: 'letter', template: 'demand' },
      ],
      contact: { allowedHours: { start: '10:00', end: '16:00' } },
    });
    const { input, happenings } = await runWorkflow((now) => caseFixture(now, definition, { smsConsent: false }));
    expectSameTimeline(happenings, preview(definition, input), Date.parse(input.startedAt));
  });
});
