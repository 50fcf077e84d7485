import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import type { ContactChannel } from '../../domain/case-facts.js';
import { channelIds, channels } from '../../domain/channels/index.js';

/**
 * Every activity the case calls, with its timeouts and retries, and the projection of the case
 * into the read model: change a policy here and every caller follows.
 */

/** Provider calls: a bad address fails at once, an outage retries with backoff until it ends. */
export const sends = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '30 minutes' },
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

/** The send activities the channels name (domain/channels/); a channel whose activity is missing does not compile. */
const sendActivities: Pick<typeof sends, (typeof channels)[ContactChannel]['sendActivity']> = sends;

/** The send activity of each channel, as its module names it. */
export const channelSends = Object.fromEntries(channelIds.map((channel) => [channel, sendActivities[channels[channel].sendActivity]])) as Record<
  ContactChannel,
  (typeof sends)['sendEmail']
>;

/** Where the case writes its projection: `localRecords`, or `records` for cases started before the `local-projection` patch. */
export type Projector = Pick<Activities, 'projectCase'>;
