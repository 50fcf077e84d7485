import { randomUUID } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '../../testing/engine.js';
import { caseFixture, recordingActivities } from '../../testing/case-fixtures.js';
import { middayZone } from '../../testing/midday-zone.js';
import { caseWorkflow } from '../../workflows/case.js';
import { debtorRepliedSignal, paymentReceivedSignal, recordOutcomeUpdate, statusQuery } from '../../workflows/case-messages.js';
import { personWorkflow } from '../../workflows/person.js';
import { contactRecordedSignal, personStatusQuery, personWorkflowId } from '../../workflows/person-messages.js';
import { consumerEarly, strategy } from '../support/strategies.js';

/**
 * A case on a two-year weekly plan, with a reply every month and a payment every week, on the
 * time-skipping server: it continues as new before its history grows large (Temporal warns at
 * 10,240 events or 10 MB; replaying a long history is what a woken, uncached case costs), and
 * every run carries the plan, the balance and what happened on.
 */

let engine: Engine;
beforeAll(async () => {
  engine = await startEngine({ temporal: 'time-skipping' });
});
afterAll(() => engine?.stop());

const weeks = 104;
const longPlans = strategy({
  ...consumerEarly,
  negotiation: { maxInstallments: 120, minInstallment: 100, officerAuthority: { maxInstallments: 120 } },
  contact: { allowedHours: { start: '00:00', end: '23:59' } },
});

describe('a two-year plan', () => {
  it('continues as new with its state intact, and no run passes the history warning', async () => {
    const recorder = recordingActivities();
    const now = await engine.testEnv.currentTimeMs();
    const input = caseFixture(now, longPlans);
    input.account.debtor.timeZone = middayZone(new Date(now));
    input.account.balance = weeks * 1_000;
    const taskQueue = `long-life-${randomUUID()}`;
    const worker = await engine.caseWorker({ taskQueue, activities: recorder.activities });

    const runs = new Map<string, number>();
    const { result, largestHistoryBytes } = await worker.runUntil(async () => {
      const handle = await engine.testEnv.client.workflow.start(caseWorkflow, { taskQueue, workflowId: input.caseId, args: [input] });
      const firstDueDate = DateTime.fromMillis(now, { zone: 'utc' }).plus({ days: 7 }).toISODate() ?? '';
      const plan = await handle.executeUpdate(recordOutcomeUpdate, {
        args: [{ outcome: { kind: 'payment_plan', downPayment: 0, installments: weeks, frequency: 'weekly', firstDueDate }, by: 'officer:test', role: 'officer' }],
      });
      const installments = plan.arrangement?.installments ?? [];
      expect(installments).toHaveLength(weeks);

      for (const installment of installments) {
        const due = DateTime.fromISO(installment.dueDate, { zone: 'utc' }).plus({ hours: 1 }).toMillis();
        const current = await engine.testEnv.currentTimeMs();
        if (due > current) await engine.testEnv.sleep(due - current);
        const receivedAt = new Date(await engine.testEnv.currentTimeMs()).toISOString();
        if (installment.seq % 4 === 0) await handle.signal(debtorRepliedSignal, { channel: 'email', text: 'Paid this week again, thanks', receivedAt });
        await handle.signal(paymentReceivedSignal, { reference: `WEEK-${installment.seq}`, amount: installment.amount, currency: 'USD', receivedAt });
        // The history of whichever run is current, at every week of the plan.
        const description = await handle.describe();
        runs.set(description.runId, Math.max(runs.get(description.runId) ?? 0, description.historyLength));
        if (installment.seq === weeks - 1) {
          // The last run still knows the whole plan, every earlier payment and every reminder sent.
          const status = await handle.query(statusQuery);
          expect(status.arrangement?.installments.filter((i) => i.paid === i.amount).map((i) => i.seq)).toEqual(installments.slice(0, -1).map((i) => i.seq));
          expect(status.arrangement?.paidTotal).toBe(installments.slice(0, -1).reduce((sum, i) => sum + i.amount, 0));
          expect(status.arrangement?.remindersSent).toEqual(installments.slice(0, -1).map((i) => i.seq));
          expect(status.balance).toBe(installments.at(-1)?.amount);
          expect(status.history.filter((event) => event.type === 'reply_received').length).toBeGreaterThan(0);
        }
      }
      const result = await handle.result();
      // Each run's history as stored (the test server reports no size in describe()).
      const sizes = await Promise.all([...runs.keys()].map(async (runId) => temporal.api.history.v1.History.encode(await engine.testEnv.client.workflow.getHandle(input.caseId, runId).fetchHistory()).finish().length));
      return { result, largestHistoryBytes: Math.max(...sizes) };
    });

    console.log(`long life: ${runs.size} runs, history lengths ${[...runs.values()].join(', ')}, largest ${largestHistoryBytes} bytes`);
    expect(result).toEqual({ status: 'closed', closeReason: 'paid', balance: 0 });
    // It continued as new at least once, and no run came near Temporal's warning.
    expect(runs.size).toBeGreaterThan(1);
    for (const length of runs.values()) expect(length).toBeLessThan(10_240);
    expect(largestHistoryBytes).toBeLessThan(10 * 1024 * 1024);
    // Every reminder of the plan went out exactly once across the runs.
    const reminders = recorder.sent.filter((sent) => sent.stepId.startsWith('reminder-'));
    expect(new Set(reminders.map((sent) => sent.stepId)).size).toBe(reminders.length);
  }, 180_000);
});

describe('a person heard from often', () => {
  it('continues as new at the same bound, its contact ledger intact', async () => {
    const recorder = recordingActivities({ temporal: engine.testEnv.client });
    const taskQueue = `long-person-${randomUUID()}`;
    const worker = await engine.caseWorker({ taskQueue, activities: recorder.activities });
    const personId = `long-person-${randomUUID()}`;
    const contacts = 1_100;
    const { runIds, status } = await worker.runUntil(async () => {
      const handle = await engine.testEnv.client.workflow.start(personWorkflow, {
        taskQueue,
        workflowId: personWorkflowId(personId),
        args: [{ personId, name: 'Ana Ruiz', timeZone: 'America/Chicago', facts: { contacts: {} }, cases: [] }],
      });
      const first = (await handle.describe()).runId;
      const at = await engine.testEnv.currentTimeMs();
      // One signal per recorded contact (an officer's calls, say): each is an event of the history.
      for (let seq = 0; seq < contacts; seq++) {
        await handle.signal(contactRecordedSignal, { grantId: `call-${seq}`, caseId: 'case-1', debtGroup: 'ACC-1', medium: 'phone', at: at + seq });
      }
      const status = await handle.query(personStatusQuery);
      return { runIds: [first, (await handle.describe()).runId], status };
    });
    expect(runIds[1]).not.toBe(runIds[0]);
    expect(status.contacts.map((contact) => contact.grantId)).toEqual(Array.from({ length: contacts }, (_, seq) => `call-${seq}`));
  }, 120_000);
});
