import { writeFile } from 'node:fs/promises';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { caseWorkflow } from '../../workflows/case.js';
import { debtorRepliedSignal, paymentReceivedSignal, pauseSignal, resumeSignal } from '../../workflows/case-messages.js';
import { caseFixture, recordingActivities } from './case-fixtures.js';
import { consumerEarly, strategy } from './strategies.js';
import { createTimeSkippingEnv, workflowBundle } from './time-skipping.js';

/**
 * `npm run record:histories`: runs the scenarios below on the time-skipping server and saves
 * their histories under test/histories/. Record a new file whenever the workflow gains a
 * behaviour; never re-record an old one: the replay test proves today's code still replays
 * what yesterday's code wrote.
 */

const scenarios = {
  /** Email, STOP by SMS, pause and resume, a duplicate and a partial payment, paid in full. */
  'case-paid-v1': async (handle, sleep) => {
    await sleep('4 days');
    await handle.signal(debtorRepliedSignal, { channel: 'sms', text: 'STOP', receivedAt: '2026-01-05T10:00:00Z' });
    await handle.signal(pauseSignal, { reason: 'debtor asked for a week', by: 'officer:test' });
    await sleep('7 days');
    await handle.signal(resumeSignal, { reason: 'week over', by: 'officer:test' });
    const payment = { reference: 'PAY-1', amount: 25_000, currency: 'USD', receivedAt: '2026-01-12T10:00:00Z' };
    await handle.signal(paymentReceivedSignal, payment);
    await handle.signal(paymentReceivedSignal, payment);
    await sleep('10 days');
    await handle.signal(paymentReceivedSignal, { ...payment, reference: 'PAY-2', amount: 100_000 });
  },
  /** The whole timeline to agency referral, untouched. */
  'case-referred-v1': async () => {},
} satisfies Record<string, (handle: { signal: (...args: never[]) => Promise<void> } & Awaited<ReturnType<typeof startCase>>, sleep: (d: string) => Promise<void>) => Promise<void>>;

type Env = Awaited<ReturnType<typeof createTimeSkippingEnv>>;
async function startCase(env: Env, taskQueue: string, id: string) {
  const input = caseFixture(await env.currentTimeMs(), strategy(consumerEarly));
  return env.client.workflow.start(caseWorkflow, { taskQueue, workflowId: `${id}-${input.caseId}`, args: [{ ...input, caseId: `${id}-${input.caseId}` }] });
}

const env = await createTimeSkippingEnv();
try {
  for (const [name, scenario] of Object.entries(scenarios)) {
    const taskQueue = `record-${name}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities: recordingActivities().activities });
    await worker.runUntil(async () => {
      const handle = await startCase(env, taskQueue, name);
      await scenario(handle, (duration) => env.sleep(duration));
      await handle.result();
      const file = new URL(`../histories/${name}.json`, import.meta.url);
      await writeFile(file, historyToJSON(await handle.fetchHistory()));
      process.stdout.write(`recorded ${file.pathname}\n`);
    });
  }
} finally {
  await env.teardown();
}
