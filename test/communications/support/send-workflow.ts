import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../../activities/index.js';
import type { SendMessageInput } from '../../../activities/messages.js';

/**
 * One SMS send, as the case workflow makes it, with a short start-to-close timeout so a test
 * that kills the worker mid-send sees the retry within seconds (the case workflow allows a
 * minute). The activity, its outbox and its provider are the real ones.
 */
const { sendSms } = proxyActivities<Activities>({
  startToCloseTimeout: '8 seconds',
  retry: { initialInterval: '300 milliseconds', maximumAttempts: 10 },
});

export async function sendOnce(input: SendMessageInput) {
  return sendSms(input);
}
