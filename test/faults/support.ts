import { appendFile } from 'node:fs/promises';
import type { temporal } from '@temporalio/proto';
import { DateTime } from 'luxon';
import { expect } from 'vitest';
import { statusQuery, type CaseStatus } from '../../workflows/case-messages.js';
import type { Engine } from '../../testing/engine.js';
import { middayZone } from '../../testing/midday-zone.js';
import { consumerEarly, negotiationLimits } from '../support/strategies.js';

/**
 * What every fault scenario shares: a caller that retries the way a well-behaved integration
 * does (on 503, 429 and dropped connections, never on a 4xx), the tally of what it saw, and the
 * end-state checks (each payment applied once, each due message sent once at the SMTP server
 * and the Twilio stand-in, no case stuck, no 5xx without an explanation).
 */

export interface CallerTally {
  requests: number;
  retries: number;
  /** Answers 5xx by error code, e.g. `503 temporal_unavailable`. */
  serverErrors: Map<string, number>;
  networkErrors: number;
}

export function newTally(): CallerTally {
  return { requests: 0, retries: 0, serverErrors: new Map(), networkErrors: 0 };
}

const explained5xx = /^503 (database|temporal)_unavailable$/;

/** Calls until the answer is final (2xx, or a 4xx other than 429); gives up after `deadlineMs`. `api` is the engine or one of its API processes. */
export async function retryingCall(
  api: Pick<Engine, 'call'>,
  tally: CallerTally,
  method: string,
  url: string,
  options: { body?: unknown; key?: string } = {},
  deadlineMs = 120_000,
) {
  const deadline = Date.now() + deadlineMs;
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0) tally.retries++;
    tally.requests++;
    try {
      const answer = await api.call(method, url, options);
      if (answer.status >= 500) {
        const label = `${answer.status} ${answer.body?.error?.code ?? 'no_code'}`;
        tally.serverErrors.set(label, (tally.serverErrors.get(label) ?? 0) + 1);
        if (answer.status !== 503 || Date.now() > deadline) return answer;
      } else if (answer.status !== 429 || Date.now() > deadline) {
        return answer;
      }
    } catch (error) {
      tally.networkErrors++;
      if (Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Every 5xx the callers saw must be a 503 naming the dependency that was down. */
export function expectOnlyExplained5xx(tally: CallerTally): void {
  const unexplained = [...tally.serverErrors.keys()].filter((label) => !explained5xx.test(label));
  expect(unexplained, 'unexplained 5xx answers').toEqual([]);
}

/** A strategy whose messages go out within seconds, then nothing for a month. */
export function quickStrategy(key: string, steps = [
  { id: 'reminder', at: 'PT0S', action: 'email', template: 'reminder' },
  { id: 'nudge', at: 'PT1S', action: 'sms', template: 'nudge' },
  { id: 'call', at: 'P30D', action: 'call' },
]) {
  return { ...consumerEarly, key, steps, negotiation: negotiationLimits };
}

export function account(externalId: string, strategy: string, { balance = 100_000, email = true, phone }: { balance?: number; email?: boolean; phone?: string } = {}) {
  const slug = externalId.toLowerCase().replace(/[^a-z0-9]/g, '');
  return {
    externalId,
    strategy,
    currency: 'USD',
    balance,
    debtor: {
      name: `Debtor ${externalId}`,
      ...(email ? { email: `${slug}@example.com` } : {}),
      ...(phone ? { phone, smsConsent: true } : {}),
      timeZone: middayZone(),
    },
  };
}

export const emailOf = (externalId: string) => `${externalId.toLowerCase().replace(/[^a-z0-9]/g, '')}@example.com`;

/** Messages received per recipient at the SMTP server and at the Twilio stand-in. */
export function sinkCounts(engine: Engine) {
  const email = new Map<string, number>();
  for (const message of engine.smtp.messages) for (const to of message.envelope.to) email.set(to, (email.get(to) ?? 0) + 1);
  const sms = new Map<string, number>();
  for (const message of engine.twilio.messages) {
    const to = message.form.To ?? '';
    sms.set(to, (sms.get(to) ?? 0) + 1);
  }
  return { email, sms };
}

export async function liveStatus(engine: Engine, caseId: string): Promise<CaseStatus> {
  return engine.temporal.workflow.getHandle(caseId).query(statusQuery);
}

/**
 * Not stuck: the workflow is running or finished (never failed or timed out), and once the
 * projection catches up the database says what the workflow says.
 */
export async function expectNotStuck(engine: Engine, caseId: string, timeoutMs = 60_000): Promise<CaseStatus> {
  const description = await engine.temporal.workflow.getHandle(caseId).describe();
  expect(['RUNNING', 'COMPLETED'], `workflow ${caseId}`).toContain(description.status.name);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const live = await liveStatus(engine, caseId);
    const row = await engine.db.case.findUniqueOrThrow({ where: { id: caseId } });
    if (row.status === live.status && row.balance === live.balance && row.closeReason === live.closeReason) return live;
    if (Date.now() > deadline) {
      throw new Error(`case ${caseId}: projection ${JSON.stringify({ status: row.status, balance: row.balance })} never caught up with the workflow ${JSON.stringify({ status: live.status, balance: live.balance })}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** An event's time in epoch milliseconds. */
export function eventTimeMs(event: temporal.api.history.v1.IHistoryEvent): number {
  return Number(event.eventTime?.seconds ?? 0) * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6);
}

/**
 * When the case took the result of the first activity completed at or after `after` (epoch ms):
 * the workflow task completed after it. Past a worker kill this includes the time the server
 * held that task on the dead worker's sticky queue (the worker's stickyQueueScheduleToStartTimeout).
 */
export async function resultTakenAt(engine: Engine, caseId: string, after: number): Promise<number | null> {
  const events = (await engine.temporal.workflow.getHandle(caseId).fetchHistory()).events ?? [];
  const completed = events.find((event) => event.activityTaskCompletedEventAttributes && eventTimeMs(event) >= after);
  const taken = completed && events.find((event) => event.workflowTaskCompletedEventAttributes && Number(event.eventId) > Number(completed.eventId));
  return taken ? eventTimeMs(taken) : null;
}

export const inDays = (days: number) => DateTime.utc().plus({ days }).toISODate() ?? '';

/** Prints the figures of a scenario and appends them to FAULT_REPORT (a JSON-lines file) when set. */
export async function reportFigures(scenario: string, figures: Record<string, unknown>): Promise<void> {
  const line = JSON.stringify({ scenario, ...figures }, (_key, value: unknown) => (value instanceof Map ? Object.fromEntries(value) : value));
  console.info(`FAULT-FIGURES ${line}`);
  if (process.env.FAULT_REPORT) await appendFile(process.env.FAULT_REPORT, `${line}\n`);
}

/** The process id in a worker identity (the SDK's default identity is `pid@host`). */
export const pidOfIdentity = (identity: string): number => Number(identity.split('@')[0]);

/**
 * Which worker did the work of these workflows, by the identity their histories record: workflow
 * tasks started and activities started (an activity's start is recorded when its last attempt
 * ends, so an attempt lost with a killed worker counts for the worker that finished it).
 */
export async function tasksByWorker(engine: Engine, workflowIds: string[]) {
  const byWorker = new Map<string, { workflowTasks: number; activities: number; cases: Set<string> }>();
  for (const workflowId of workflowIds) {
    const events = (await engine.temporal.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    for (const event of events) {
      const workflowTask = event.workflowTaskStartedEventAttributes?.identity;
      const activity = event.activityTaskStartedEventAttributes?.identity;
      const identity = workflowTask ?? activity;
      if (!identity) continue;
      const tasks = byWorker.get(identity) ?? { workflowTasks: 0, activities: 0, cases: new Set<string>() };
      if (workflowTask) tasks.workflowTasks++;
      else tasks.activities++;
      tasks.cases.add(workflowId);
      byWorker.set(identity, tasks);
    }
  }
  return byWorker;
}
