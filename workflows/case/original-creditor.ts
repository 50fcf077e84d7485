import type { LiveCase } from './state.js';

/**
 * The debtor asked in writing for the original creditor's name and address (12 CFR 1006.38(c)):
 * collection holds, as for a dispute, until the answer is sent (a manager's `dispute_resolution`
 * with `originalCreditor`).
 */
export function requestOriginalCreditor(live: LiveCase, reason: string, by: string): void {
  live.comply({ type: 'original_creditor_requested', at: live.now(), source: by });
  live.startHold('dispute', `the debtor asked for the original creditor's name and address: ${reason}`);
  live.sideEffects.push({ kind: 'task', task: { kind: 'dispute', reason: "send the original creditor's name and address" } });
}
