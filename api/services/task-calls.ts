import { conversationOutcomes } from '../../domain/regulation/events.js';
import type { Db } from '../../lib/db.js';

/**
 * A call task completed after a click-to-call placed for it reports that call, not another: the
 * case hears of the attempt once, under the call's id and time, so its person (which counted the
 * call when it granted the dial) counts it once too. The call takes the task's outcome as its
 * disposition.
 */

/** The attempt to tell the case when task `taskId` is completed with `outcome`; null when its call's disposition reached the case already. */
export async function callAttemptOfTask(db: Db, taskId: string, outcome: string): Promise<{ taskId: string; placedAt: string } | null> {
  const call = await db.call.findFirst({ where: { taskId, source: 'click_to_call', status: { not: 'failed' } }, orderBy: { placedAt: 'desc' } });
  if (!call) return { taskId, placedAt: new Date().toISOString() };
  const rightParty = conversationOutcomes.includes(outcome);
  const disposition = { outcome, rightParty, connected: call.connected ?? false, note: null };
  const { count } = await db.call.updateMany({ where: { id: call.id, dispositionAt: null }, data: { dispositionAt: new Date(), disposition, outcome, rightParty } });
  return count === 0 ? null : { taskId: call.id, placedAt: call.placedAt.toISOString() };
}
