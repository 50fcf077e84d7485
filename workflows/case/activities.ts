import { ActivityFailure, ApplicationFailure, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import type { ContactChannel } from '../../domain/case-facts.js';
import { channelIds, channels } from '../../domain/channels/index.js';

/**
 * Every activity the case calls, with its timeouts and retries, and the projection of the case
 * into the read model: change a policy here and every caller follows.
 */

/**
 * Provider calls: a bad address fails at once, an outage retries with backoff until it ends.
 *
 * A worker that dies mid-send is noticed by its silence: the sends heartbeat while they run
 * (activities/heartbeat.ts), the server times the attempt out `heartbeatTimeout` after the last
 * heartbeat it got (the worker forwards one a second: worker/create-worker.ts, so 4-5 s after the
 * death) and starts
 * the retry `initialInterval` later on a worker that is polling; the retry finds the outbox row
 * `sending` and asks the provider before sending again (activities/outbox.ts). Recovery is
 * bounded by heartbeatTimeout + initialInterval + pickup + the retry's own work: about 7 s
 * (test/faults/worker-kill.test.ts; 70 s before heartbeats: start-to-close, then 10 s). The case
 * takes the result one workflow task later, which the server first offers to the dead worker's
 * sticky queue for the worker's stickyQueueScheduleToStartTimeout (3 s, worker/create-worker.ts):
 * about 9-10 s after the kill (`npm run chaos` measures both).
 * Start-to-close still bounds a provider call that hangs while its worker lives. The price: a
 * worker whose heartbeats stop reaching the server for 5 s (event loop stalled that long, or cut
 * off from Temporal but not from the provider) is taken for dead while it may still be sending;
 * its attempt stops before the provider call once it learns so (`throwIfAbandoned`), not during it.
 */
export const sends = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 minutes' },
});

/** Database projection and work queue: quick, and retried until the database is back. */
export const records = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * The projection as a local activity: run by the worker inside the workflow task that asked for
 * it, so writing the read model costs no activity dispatch and no second workflow task (a new
 * case or a payment settles in one task instead of two). Same retry policy as `records`.
 */
export const localRecords = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * The projection since 'projection-bounded': a few quick attempts, then the case goes on without
 * it and catches up later (case/projection.ts), so a write that cannot succeed never holds up the
 * timeline nor grows the history without bound.
 */
export const boundedLocalRecords = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  scheduleToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '4 seconds', maximumAttempts: 3 },
});

/**
 * Asking the person for a contact: quick (the person answers at once), retried until it answers,
 * the same grant id every attempt so it is counted once.
 */
export const personCalls = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', nonRetryableErrorTypes: ['PersonNotRunning'] },
});

/** The send activities the channels name (domain/channels/); a channel whose activity is missing does not compile. */
const sendActivities: Pick<typeof sends, (typeof channels)[ContactChannel]['sendActivity']> = sends;

/** The send activity of each channel, as its module names it. */
export const channelSends = Object.fromEntries(channelIds.map((channel) => [channel, sendActivities[channels[channel].sendActivity]])) as Record<
  ContactChannel,
  (typeof sends)['sendEmail']
>;

/** Where the case writes its projection: `localRecords`, or `records` for cases started before the `local-projection` patch. */
export type Projector = Pick<Activities, 'projectCase'>;

/** What an activity's failure was: its ApplicationFailure type (e.g. `InvalidRecipient`) and message. */
export function failureOf(error: unknown): { type: string | null; message: string } {
  const failure = error instanceof ActivityFailure ? error.cause : error;
  return { type: failure instanceof ApplicationFailure ? (failure.type ?? null) : null, message: failure instanceof Error ? failure.message : String(failure) };
}
