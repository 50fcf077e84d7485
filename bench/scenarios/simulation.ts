import { randomUUID } from 'node:crypto';
import type { TStrategyDefinition } from '../../domain/strategy.js';
import { caseWorkflow } from '../../workflows/case.js';
import { paymentReceivedSignal, statusQuery, type CaseInput, type CaseStatus } from '../../workflows/case-messages.js';
import { caseFixture, recordingActivities } from '../../testing/case-fixtures.js';
import { startEngine } from '../../testing/engine.js';
import type { ScenarioResult } from '../results.js';
import { benchDefinition, longTimeline } from '../lib/bench-strategies.js';
import { progress } from '../lib/log.js';
import { skippingClock } from '../lib/skipping-clock.js';
import { randomStream } from '../../domain/simulation/random.js';
import { runPool } from '../lib/pool.js';
import { perSecond, round, since } from '../lib/stats.js';

/**
 * Scenario 4: a strategy simulated over its whole length on the time-skipping test server. Cases
 * run the 120-day timeline with recording activities (no provider, no database: this measures the
 * workflow and Temporal), while a seeded random model decides who pays what on which day. The
 * driver advances the clock a day at a time and injects that day's payments as signals.
 */

export interface SimulationOptions {
  cases: number;
  days: number;
  seed: number;
  /** Concurrent starts and signals. */
  concurrency: number;
}

interface PlannedPayment {
  caseIndex: number;
  day: number;
  amount: number;
}

const balance = 125_000;
const dayMs = 86_400_000;

/**
 * The payment model: 30% pay in full on a random day, 25% pay half and then (60% of them) the
 * rest later, 10% pay a tenth once, 35% never pay. Payments fall before the last day, so whoever
 * has not paid in full is referred to the agency at the end of the timeline.
 */
export function paymentModel(cases: number, days: number, seed: number): { payments: PlannedPayment[]; expectedPaid: number } {
  const random = randomStream(seed);
  const day = (from: number, to: number) => from + Math.floor(random() * Math.max(1, to - from + 1));
  const lastDay = days - 1;
  const payments: PlannedPayment[] = [];
  let expectedPaid = 0;
  for (let caseIndex = 0; caseIndex < cases; caseIndex++) {
    const kind = random();
    if (kind < 0.3) {
      payments.push({ caseIndex, day: day(1, lastDay), amount: balance });
      expectedPaid++;
    } else if (kind < 0.55) {
      const first = day(1, Math.max(1, lastDay - 1));
      payments.push({ caseIndex, day: first, amount: balance / 2 });
      if (random() < 0.6) {
        payments.push({ caseIndex, day: day(first + 1, lastDay), amount: balance / 2 });
        expectedPaid++;
      }
    } else if (kind < 0.65) {
      payments.push({ caseIndex, day: day(1, lastDay), amount: balance / 10 });
    }
  }
  return { payments, expectedPaid };
}

export async function strategySimulation({ cases, days, seed, concurrency }: SimulationOptions): Promise<ScenarioResult> {
  const definition: TStrategyDefinition = benchDefinition('bench-simulation', longTimeline());
  const { payments, expectedPaid } = paymentModel(cases, days, seed);
  const lastStep = definition.steps.at(-1)?.id;
  const byDay = new Map<number, PlannedPayment[]>();
  for (const payment of payments) byDay.set(payment.day, [...(byDay.get(payment.day) ?? []), payment]);

  const setupStart = performance.now();
  const engine = await startEngine({ temporal: 'time-skipping' });
  const clock = await skippingClock(engine.testEnv).catch(async (error: unknown) => {
    await engine.stop();
    throw error;
  });
  try {
    const { activities, sent } = recordingActivities();
    const taskQueue = `bench-sim-${randomUUID()}`;
    const worker = await engine.caseWorker({ taskQueue, activities });
    const setupMs = since(setupStart);

    const start = performance.now();
    const outcome = await worker.runUntil(async () => {
      const startedAt = await clock.nowMs();
      const inputs: CaseInput[] = Array.from({ length: cases }, () => caseFixture(startedAt, definition, { balance }));
      await runPool(cases, concurrency, async (index) => {
        const input = inputs[index]!;
        await clock.client.workflow.start(caseWorkflow, { taskQueue, workflowId: input.caseId, args: [input] });
      });
      progress(`simulation: ${cases} cases started after ${round(since(start) / 1000)} s`);
      let reference = 0;
      for (let day = 1; day < days; day++) {
        if (day % 10 === 0) progress(`simulation: day ${day}/${days} after ${round(since(start) / 1000)} s`);
        await clock.sleep(dayMs);
        const due = byDay.get(day) ?? [];
        const receivedAt = new Date(await clock.nowMs()).toISOString();
        await runPool(due.length, concurrency, async (index) => {
          const { caseIndex, amount } = due[index]!;
          const handle = clock.client.workflow.getHandle(inputs[caseIndex]!.caseId);
          await handle.signal(paymentReceivedSignal, { reference: `SIM-${reference++}`, amount, currency: 'USD', receivedAt });
        });
      }
      // Past the last step every case is paid or referred; a referred case may stay open while
      // placed with the agency (payments still apply), so each case is asked, not awaited.
      await clock.sleep(2 * dayMs);
      const statuses: CaseStatus[] = [];
      await runPool(cases, concurrency, async (index) => {
        statuses.push(await clock.client.workflow.getHandle(inputs[index]!.caseId).query(statusQuery));
      });
      return statuses;
    });
    const wallMs = since(start);

    const paid = outcome.filter((r) => r.closeReason === 'paid').length;
    const referred = outcome.filter((r) => r.closeReason === 'referred' || (r.closeReason === null && r.currentStep === lastStep)).length;
    return {
      id: 'simulation',
      title: '4. Strategy simulation on the time-skipping server',
      settings: { cases, simulatedDays: days, steps: definition.steps.length, seed, concurrency, activities: 'recording (in memory)' },
      figures: {
        wall_s: round(wallMs / 1000, 1),
        cases_per_s: round(perSecond(cases, wallMs), 1),
        simulated_days_per_s: round(perSecond(days, wallMs), 2),
        setup_s: round(setupMs / 1000, 1),
        payments_injected: payments.length,
        steps_run: sent.length,
        closed_paid: paid,
        referred: referred,
        expected_paid: expectedPaid,
        cases_finished: outcome.length,
      },
      notes: [
        'model: 30% pay in full on a random day, 25% pay half then 60% of those the rest, 10% pay a tenth, 35% never pay; payments injected as signals at day boundaries',
        'the clock advances a day at a time (unlockTimeSkippingWithSleep, over a connection without keepalive pings) so each day\'s payments land on that day',
        'referred: closed as referred, or still open after the last step (placed with the agency, payments still apply); outcomes read with the status query',
      ],
    };
  } finally {
    await clock.close();
    await engine.stop();
  }
}
