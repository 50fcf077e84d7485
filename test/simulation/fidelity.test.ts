import { ApplicationFailure } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SendMessageInput } from '../../activities/messages.js';
import type { ProjectCaseInput } from '../../activities/projection.js';
import type { ResponseKind, SimulatedCase, TResponseModel } from '../../domain/simulation/contract.js';
import { simulateTraces, type ContactAnswer, type Responder, type SimulatedContact } from '../../domain/simulation/simulate.js';
import { caseFixture, recordingActivities } from '../../testing/case-fixtures.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { caseWorkflow } from '../../workflows/case.js';
import { debtorRepliedSignal, paymentReceivedSignal, type CaseInput } from '../../workflows/case-messages.js';
import { plainTemplates, strategy } from '../support/strategies.js';

/**
 * The simulator against the real thing: cases with scripted answers (payments in full and in
 * part, an SMS opt-out, a bounced number, a reply for an officer, a dispute) are simulated, and
 * the same cases run as real case workflows on the time-skipping server, the answers sent as the
 * signals a real debtor's would be at the instants the simulator drew them. Every case's steps
 * (run, skipped, failed), their instants and how the case ended must be the simulator's, event
 * for event. When the workflow changes, this test is what keeps the simulator honest.
 *
 * Holds are not compared: the workflow records no event for a wait, and the window here is open
 * all day. Promises are not scripted (an officer's outcome and the arrangement's own reminders are
 * beyond the simulator's model of a promise).
 */

const caseCount = Number(process.env.FIDELITY_CASES ?? 200);
const dayMs = 86_400_000;
const horizonDays = 30;

const definition = strategy({
  key: 'fidelity',
  name: 'Simulator fidelity',
  templates: plainTemplates,
  steps: [
    { id: 'reminder', at: 'P0D', action: 'email', template: 'reminder' },
    { id: 'nudge', at: 'P2D', action: 'sms', template: 'nudge', fallback: 'letter' },
    { id: 'letter', at: 'P5D', action: 'letter', template: 'demand' },
    { id: 'call', at: 'P8D', action: 'call' },
    { id: 'nudge-2', at: 'P12D', action: 'sms', template: 'nudge' },
    { id: 'small', at: 'P14D', action: 'email', template: 'reminder', when: { maxBalance: 40_000 } },
    { id: 'reminder-2', at: 'P16D', action: 'email', template: 'reminder' },
    { id: 'agency', at: 'P25D', action: 'agency_referral' },
  ],
  contact: { allowedHours: { start: '00:00', end: '23:59' } },
  on: { reply: { dispute: 'hold' } },
});

/** Answers by contact number; half days apart from the whole-day steps, so no answer and step share an instant. */
type Script = Record<number, ContactAnswer>;
const answer = (kind: Exclude<ResponseKind, 'bounce'>, afterDays: number): ContactAnswer => ({ kind, afterDays });
const scripts: Script[] = [
  {},
  { 1: answer('pay_full', 1.5) },
  { 2: answer('pay_part', 0.5), 4: answer('pay_full', 2.5) },
  { 2: answer('opt_out', 1.5) },
  { 2: { kind: 'bounce' } },
  { 1: answer('reply', 1.5), 3: answer('pay_part', 4.5) },
  { 3: answer('dispute', 1.5) },
  { 1: answer('pay_part', 0.5), 2: answer('pay_part', 0.5), 3: answer('pay_part', 0.5) },
];

const model: TResponseModel = {
  name: 'scripted',
  version: 1,
  responseWindowDays: 14,
  partShare: 0.5,
  priorStrength: 0,
  base: { pay_full: 0, pay_part: 0, promise_kept: 0, promise_broken: 0, reply: 0, dispute: 0, opt_out: 0, bounce: 0 },
  backgroundDailyPayFull: 0,
  strata: [],
};

let engine: Engine;
beforeAll(async () => {
  engine = await startEngine({ temporal: 'time-skipping' });
});
afterAll(() => engine?.stop());

interface Happening {
  stepId: string;
  outcome: string;
  at: number;
}

describe('the simulator', () => {
  it(`walks ${caseCount} cases as the case workflows do, step for step, with the same answers`, async () => {
    const { activities, projections } = recordingActivities();
    const bouncing = new Set<string>();
    const sendSms = activities.sendSms.bind(activities);
    activities.sendSms = async (input: SendMessageInput) => {
      if (bouncing.has(input.to)) throw ApplicationFailure.nonRetryable('sms recipient rejected (twilio 21211)', 'InvalidRecipient');
      return sendSms(input);
    };
    const taskQueue = `fidelity-${randomUUID()}`;
    const worker = await engine.caseWorker({ taskQueue, activities });
    const { testEnv } = engine;
    const startedAt = await testEnv.currentTimeMs();

    const inputs: CaseInput[] = Array.from({ length: caseCount }, (_, index) => {
      const input = caseFixture(startedAt, definition, { balance: 20_000 + (index % 13) * 3_000, smsConsent: index % 5 !== 0 });
      const sms = input.account.contacts.sms;
      if (sms) sms.address = `+1555${String(index).padStart(7, '0')}`;
      if (index % scripts.length === 4 && sms) bouncing.add(sms.address);
      return input;
    });
    const simulated: SimulatedCase[] = inputs.map((input) => ({
      caseId: input.caseId,
      personKey: input.caseId,
      balance: input.account.balance,
      daysPastDue: input.account.daysPastDue,
      timeZone: input.account.debtor.timeZone,
      contacts: input.account.contacts,
    }));
    const responders = new Map<string, Responder>(
      inputs.map((input, index) => {
        const script = scripts[index % scripts.length] as Script;
        // Only the SMS number bounces (the stand-in refuses it), whatever runs as the second contact.
        const answer = (contact: SimulatedContact): ContactAnswer => {
          const scripted = script[contact.index] ?? null;
          return scripted?.kind === 'bounce' && contact.action !== 'sms' ? null : scripted;
        };
        return [input.caseId, { backgroundPayDay: () => null, answer }];
      }),
    );
    const { traces, endings } = simulateTraces({ cases: simulated, definition, model, responders, startedAt, horizonDays });

    // The simulator's answers become signals at its instants.
    const signals = inputs.flatMap((input) =>
      (traces.get(input.caseId) ?? []).flatMap((entry, index) => ('response' in entry && entry.response !== 'bounce' ? [{ caseId: input.caseId, at: Date.parse(entry.at), response: entry.response, amount: entry.amount, index }] : [])),
    );
    signals.sort((a, b) => a.at - b.at);
    expect(new Set(signals.map((signal) => signal.response))).toEqual(new Set(['pay_full', 'pay_part', 'opt_out', 'reply', 'dispute']));

    await worker.runUntil(async () => {
      await Promise.all(inputs.map((input) => testEnv.client.workflow.start(caseWorkflow, { taskQueue, workflowId: input.caseId, args: [input] })));
      for (const signal of signals) {
        const now = await testEnv.currentTimeMs();
        if (signal.at > now) await testEnv.sleep(signal.at - now);
        const handle = testEnv.client.workflow.getHandle(signal.caseId);
        const receivedAt = new Date(signal.at).toISOString();
        if (signal.response === 'pay_full' || signal.response === 'pay_part') {
          await handle.signal(paymentReceivedSignal, { reference: `PAY-${signal.index}`, amount: signal.amount ?? 0, currency: 'USD', receivedAt });
        } else if (signal.response === 'opt_out') {
          await handle.signal(debtorRepliedSignal, { channel: 'sms', text: 'STOP', intent: 'stop', receivedAt });
        } else if (signal.response === 'reply') {
          await handle.signal(debtorRepliedSignal, { channel: 'email', text: 'Can you tell me more about this?', intent: 'other', receivedAt });
        } else if (signal.response === 'dispute') {
          await handle.signal(debtorRepliedSignal, { channel: 'email', text: 'I dispute this debt.', intent: 'dispute', receivedAt });
        }
      }
      const now = await testEnv.currentTimeMs();
      await testEnv.sleep(startedAt + horizonDays * dayMs - now);
    });

    const events = new Map<string, ProjectCaseInput['events']>();
    for (const projection of projections) {
      const list = events.get(projection.caseId) ?? [];
      for (const event of projection.events) if (!list.some((seen) => seen.seq === event.seq)) list.push(event);
      events.set(projection.caseId, list);
    }
    const mismatches: string[] = [];
    for (const input of inputs) {
      const caseEvents = (events.get(input.caseId) ?? []).sort((a, b) => a.seq - b.seq);
      const actual: Happening[] = caseEvents.flatMap((event) =>
        // An agency step that places the case is recorded as the placement.
        event.stepId && (event.type === 'step_done' || event.type === 'placed' || event.type === 'step_skipped' || event.type === 'step_failed')
          ? [{ stepId: event.stepId, outcome: event.type === 'step_skipped' ? 'skipped' : event.type === 'step_failed' ? 'failed' : 'run', at: Date.parse(event.at) }]
          : [],
      );
      const expected: Happening[] = (traces.get(input.caseId) ?? []).flatMap((entry) =>
        'stepId' in entry && entry.outcome !== 'held' ? [{ stepId: entry.stepId, outcome: entry.outcome === 'run' && entry.result !== 'sent' ? 'failed' : entry.outcome, at: Date.parse(entry.at) }] : [],
      );
      const closed = caseEvents.find((event) => event.type === 'closed');
      const ending = closed ? String((closed.data as { reason?: string } | undefined)?.reason) : caseEvents.some((event) => event.type === 'placed') ? 'placed' : caseEvents.some((event) => event.type === 'hold_started') ? 'disputed' : 'horizon';
      const describe = (list: Happening[]) => list.map((happening) => `${happening.stepId} ${happening.outcome} +${((happening.at - startedAt) / dayMs).toFixed(3)}d`);
      const same =
        actual.length === expected.length &&
        actual.every((happening, index) => {
          const planned = expected[index] as Happening;
          // The workflow records a step once its activity has answered: seconds later with 200
          // cases on one busy worker, never the hours or days between steps.
          const tolerance = planned.at === startedAt ? 15_000 : 5_000;
          return happening.stepId === planned.stepId && happening.outcome === planned.outcome && Math.abs(happening.at - planned.at) < tolerance;
        }) &&
        ending === endings.get(input.caseId);
      const drift = actual.map((happening, index) => Math.round((happening.at - (expected[index]?.at ?? Number.NaN)) / 1000));
      if (!same) mismatches.push(`${input.caseId}: workflow ${JSON.stringify(describe(actual))} ended ${ending}, seconds after the simulator's instants ${JSON.stringify(drift)}; simulator ${JSON.stringify(describe(expected))} ended ${endings.get(input.caseId)}`);
    }
    expect(mismatches).toEqual([]);
    // The scenario exercises what it claims: each way of ending, fallbacks and skips.
    expect(new Set(endings.values())).toEqual(new Set(['paid', 'placed', 'disputed']));
    const outcomes = [...traces.values()].flat().flatMap((entry) => ('stepId' in entry ? [`${entry.outcome}:${entry.result ?? ''}`] : []));
    expect(outcomes).toEqual(expect.arrayContaining(['run:bounced', 'skipped:', 'run:sent']));
  });
});
