import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../testing/engine.js';
import { startEngine } from '../../testing/engine.js';
import { eventually } from '../../testing/eventually.js';
import type { ApiProcessPart } from '../../testing/parts/api-process.js';
import {
  account,
  emailOf,
  expectNotStuck,
  expectOnlyExplained5xx,
  liveStatus,
  newTally,
  pidOfIdentity,
  quickStrategy,
  reportFigures,
  retryingCall,
  sinkCounts,
  tasksByWorker,
} from './support.js';

/**
 * More than one box: two worker processes and two API processes on one Temporal server and one
 * PostgreSQL, as production runs them behind a load balancer. Accounts are enrolled and paid
 * through both APIs (each call repeated through the other one, as an unsure caller would); the
 * worker that holds an SMS mid-send (Twilio has it, its answer is held back) is killed -9 while
 * the first payments are being applied, and the other worker alone carries on: the interrupted
 * send, the cases the dead worker had cached, new enrolments and the remaining payments.
 * Afterwards every message was sent once, every payment stored once, every case paid off, and
 * the histories show the work of both workers.
 */

/** At least this many accounts before the kill (more if they all landed on one worker), this many after. */
const atLeastBefore = 8;
const after = 4;
const balance = 40_000;
const strategy = 'two-boxes';
const externalIdOf = (i: number) => `BOX-${i}`;
const phoneOf = (i: number) => `+155555504${String(i).padStart(2, '0')}`;

let engine: Engine;
const tally = newTally();
const caseIds: string[] = [];

beforeAll(async () => {
  engine = await startEngine({ worker: 'child', childWorkers: 2, api: 'process', apiProcesses: 2, smtp: true, twilio: true, strategies: [quickStrategy(strategy)] });
}, 180_000);

afterAll(async () => {
  await engine?.stop();
});

/** The API process a call for account `i` goes to, and the other one (where its repeat goes). */
const apiFor = (i: number): ApiProcessPart => engine.apiProcesses[i % 2] as ApiProcessPart;
const otherApiFor = (i: number): ApiProcessPart => engine.apiProcesses[(i + 1) % 2] as ApiProcessPart;

/** Enrolls account `i` through one API, then repeats it through the other: one case either way. */
async function enroll(i: number): Promise<string> {
  const body = account(externalIdOf(i), strategy, { balance, phone: phoneOf(i) });
  const first = await retryingCall(apiFor(i), tally, 'POST', '/api/v1/accounts', { body });
  expect(first.status, JSON.stringify(first.body)).toBe(201);
  const repeat = await retryingCall(otherApiFor(i), tally, 'POST', '/api/v1/accounts', { body });
  expect(repeat.status, JSON.stringify(repeat.body)).toBe(200);
  expect(repeat.body.caseId).toBe(first.body.caseId);
  return first.body.caseId as string;
}

/** Posts a payment for account `i` through the API `via`. */
async function pay(via: ApiProcessPart, caseId: string, reference: string, amount: number) {
  const answer = await retryingCall(via, tally, 'POST', `/api/v1/cases/${caseId}/payments`, { body: { reference, amount }, key: engine.keys.integration });
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
}

/** The workers that ran the first workflow task of these cases, once each has run it. */
async function firstWorkers(workflowIds: string[]): Promise<Set<string>> {
  const identities = new Set<string>();
  for (const workflowId of workflowIds) {
    const byWorker = await eventually(async () => {
      const tasks = await tasksByWorker(engine, [workflowId]);
      return tasks.size > 0 && tasks;
    }, `the first workflow task of ${workflowId}`);
    for (const identity of byWorker.keys()) identities.add(identity);
  }
  return identities;
}

/** A send of the workflow's that a worker has started and not finished: which worker holds it. */
async function inFlightSms(caseId: string): Promise<string | false> {
  const { raw } = await engine.temporal.workflow.getHandle(caseId).describe();
  const pending = (raw.pendingActivities ?? []).find((activity) => activity.activityType?.name === 'sendSms' && activity.lastWorkerIdentity);
  return pending?.lastWorkerIdentity ?? false;
}

/** Nothing left to run: the case is closed and has no activity or workflow task pending, so no send can follow. */
async function settled(caseId: string): Promise<boolean> {
  if ((await liveStatus(engine, caseId)).status !== 'closed') return false;
  const { raw } = await engine.temporal.workflow.getHandle(caseId).describe();
  return (raw.pendingActivities ?? []).length === 0 && !raw.pendingWorkflowTask;
}

describe('two workers and two API processes on one Temporal server and one PostgreSQL', () => {
  it('sends every message and applies every payment once when one worker is killed -9, and both workers did the work', { timeout: 240_000 }, async () => {
    const startedAt = Date.now();
    const workerPids = engine.childWorkers.map((worker) => worker.pid);
    expect(workerPids).toHaveLength(2);

    // The first SMS is taken by the Twilio stand-in, but its answer is held: its worker is mid-send.
    const releaseHeldSms = engine.twilio.holdNext();
    // The server gives a new case's first workflow task to whichever poller asks first (the case
    // then stays on that worker while it is cached), so a handful could all land on one worker:
    // enroll until both have cases, not for a fixed count.
    for (let i = 0; i < atLeastBefore || (await firstWorkers(caseIds)).size < 2; i++) {
      if (i >= 3 * atLeastBefore) throw new Error(`${i} cases and all on one worker`);
      caseIds.push(await enroll(i));
    }
    const before = caseIds.length;
    const heldMessage = await eventually(async () => engine.twilio.messages[0], 'the held SMS at the stand-in');
    const heldIndex = Array.from({ length: before }, (_, i) => i).find((i) => phoneOf(i) === heldMessage.form.To);
    expect(heldIndex, 'the held SMS is one of ours').toBeDefined();
    const heldCaseId = caseIds[heldIndex as number] as string;
    const victimIdentity = await eventually(() => inFlightSms(heldCaseId), 'the held SMS in flight on a worker');
    const victim = engine.childWorkers.find((worker) => worker.pid === pidOfIdentity(victimIdentity));
    const survivor = engine.childWorkers.find((worker) => worker !== victim);
    expect(victim, `the worker ${victimIdentity} is one of ours`).toBeDefined();

    // Every other message of the first accounts out, so that what is due is exact.
    await engine.smtp.waitForMessages(before, 60_000);
    await engine.twilio.waitForMessages(before, 60_000);
    const beforeKill = await tasksByWorker(engine, caseIds);

    // The first half of every balance, through both APIs; the kill comes with the first answer,
    // while the others are on their way and the cases are taking the signals.
    const firstHalves = caseIds.map((caseId, i) => pay(apiFor(i), caseId, `BOX-${i}-1`, balance / 2));
    await Promise.race(firstHalves);
    const killedAt = Date.now();
    await victim?.kill('SIGKILL');
    releaseHeldSms();
    await Promise.all(firstHalves);

    // The survivor alone from here: new accounts, the callers' repeats and the second halves.
    const later = await Promise.all(Array.from({ length: after }, (_, n) => enroll(before + n)));
    caseIds.push(...later);
    await Promise.all(caseIds.slice(0, before).map((caseId, i) => pay(otherApiFor(i), caseId, `BOX-${i}-1`, balance / 2)));
    await Promise.all(caseIds.slice(0, before).map((caseId, i) => pay(otherApiFor(i), caseId, `BOX-${i}-2`, balance / 2)));
    // The new accounts' messages out before they are paid off (a paid case sends nothing more).
    await engine.smtp.waitForMessages(before + after, 60_000);
    await engine.twilio.waitForMessages(before + after, 60_000);
    await Promise.all(later.map((caseId, n) => pay(apiFor(before + n), caseId, `BOX-${before + n}-1`, balance)));
    await Promise.all(later.map((caseId, n) => pay(otherApiFor(before + n), caseId, `BOX-${before + n}-1`, balance)));

    const interrupted = await eventually(
      async () => (await engine.db.communication.findFirst({ where: { caseId: heldCaseId, channel: 'sms', status: 'sent' }, include: { events: true } })) ?? false,
      'the interrupted SMS settled by the surviving worker',
      90_000,
    );
    expect(interrupted.events.map((event) => event.status)).toContain('reconciled');
    for (const caseId of caseIds) await eventually(() => settled(caseId), `case ${caseId} paid off with nothing pending`, 90_000);

    // Exactly once: at the sinks, at the stand-in's API, in the database and in each case.
    const counts = sinkCounts(engine);
    for (let i = 0; i < before + after; i++) {
      expect(counts.email.get(emailOf(externalIdOf(i))), externalIdOf(i)).toBe(1);
      expect(counts.sms.get(phoneOf(i)), phoneOf(i)).toBe(1);
    }
    expect(engine.smtp.messages).toHaveLength(before + after);
    expect(engine.twilio.requests.filter((request) => request.method === 'POST')).toHaveLength(before + after);
    const paymentRows = await engine.db.payment.count({ where: { caseId: { in: caseIds } } });
    expect(paymentRows).toBe(before * 2 + after);
    expect(await engine.db.account.count({ where: { externalId: { startsWith: 'BOX-' } } })).toBe(before + after);
    for (const caseId of caseIds) {
      const live = await expectNotStuck(engine, caseId);
      expect(live).toMatchObject({ status: 'closed', closeReason: 'paid', balance: 0 });
    }
    expectOnlyExplained5xx(tally);

    // Both workers did the work: each ran cases' workflow tasks before the kill and activities
    // over the run, and the survivor took the interrupted send over (its recorded start is the survivor's).
    const byWorker = await tasksByWorker(engine, caseIds);
    const tasksOf = (tasks: typeof byWorker, pid: number | undefined) => [...tasks.entries()].find(([identity]) => pidOfIdentity(identity) === pid)?.[1];
    for (const worker of [victim, survivor]) {
      expect(tasksOf(beforeKill, worker?.pid)?.workflowTasks, `workflow tasks of worker ${worker?.pid} before the kill`).toBeGreaterThan(0);
      expect(tasksOf(byWorker, worker?.pid)?.activities, `activities of worker ${worker?.pid}`).toBeGreaterThan(0);
    }
    expect([...byWorker.keys()].every((identity) => workerPids.includes(pidOfIdentity(identity))), 'no other worker').toBe(true);
    const smsStart = (await engine.temporal.workflow.getHandle(heldCaseId).fetchHistory()).events?.find(
      (event) => event.activityTaskStartedEventAttributes && event.activityTaskStartedEventAttributes.attempt && event.activityTaskStartedEventAttributes.attempt >= 2,
    )?.activityTaskStartedEventAttributes;
    expect(pidOfIdentity(smsStart?.identity ?? ''), 'the retried send ran on the survivor').toBe(survivor?.pid);

    const perWorker = (tasks: typeof byWorker) =>
      Object.fromEntries([...tasks].map(([identity, { workflowTasks, activities, cases }]) => [identity === victimIdentity ? 'killed' : 'survivor', { workflowTasks, activities, cases: cases.size }]));
    await reportFigures('two workers, two API processes, one worker kill -9', {
      accounts: before + after,
      emailsDue: before + after,
      emailsAtSmtp: engine.smtp.messages.length,
      smsDue: before + after,
      smsAtTwilio: engine.twilio.messages.length,
      paymentReferences: before * 2 + after,
      paymentsPosted: (before * 2 + after) * 2 - before,
      paymentRows,
      beforeKill: perWorker(beforeKill),
      wholeRun: perWorker(byWorker),
      settledAfterKillMs: Date.now() - killedAt,
      runMs: Date.now() - startedAt,
      callerRequests: tally.requests,
      callerRetries: tally.retries,
      serverErrors: tally.serverErrors,
      stuckCases: 0,
    });
  });
});
