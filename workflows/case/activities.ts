import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import type { ContactChannel } from '../../domain/case-facts.js';
import { channelIds, channels } from '../../domain/channels/index.js';
import type { LiveCase } from './state.js';

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

/** The send activities the channels name (domain/channels/); a channel whose activity is missing does not compile. */
const sendActivities: Pick<typeof sends, (typeof channels)[ContactChannel]['sendActivity']> = sends;

/** The send activity of each channel, as its module names it. */
export const channelSends = Object.fromEntries(channelIds.map((channel) => [channel, sendActivities[channels[channel].sendActivity]])) as Record<
  ContactChannel,
  (typeof sends)['sendEmail']
>;

/** Where the case writes its projection: `localRecords`, or `records` for cases started before the `local-projection` patch. */
export type Projector = Pick<Activities, 'projectCase'>;

/** Writes the state and the events since the last write; loops while signals add more. */
export async function project(live: LiveCase, projects: Projector): Promise<void> {
  const { state } = live;
  do {
    const events = live.unprojected;
    live.unprojected = [];
    await projects.projectCase({
      caseId: live.caseId,
      seq: state.seq,
      state: {
        status: state.status,
        closeReason: state.closeReason,
        balance: state.balance,
        currentStep: state.currentStep,
        nextActionAt: state.nextActionAt,
        nextActionWhy: state.nextActionWhy,
      },
      events,
    });
  } while (live.unprojected.length > 0);
}
