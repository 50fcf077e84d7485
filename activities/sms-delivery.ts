import { smsLength, type SmsLength } from '../domain/template-sms.js';
import type { Db } from '../lib/db.js';
import type { Delivery, OutboxRow } from './outbox.js';
import type { SmsSender } from './sms-sender.js';

/**
 * The two provider calls `deliverOnce` makes for one SMS, shared by the step's SMS and the
 * consolidated one: find what an interrupted attempt may have left at the provider (a sid that
 * another communication owns is not ours), else send. `sharedByTemplate`: rows of that template
 * share one provider message (a consolidated SMS records a row per covered case), so they do not
 * count as other owners of its sid.
 */
export function smsDelivery({
  db,
  sms,
  to,
  body,
  statusCallback,
  sharedByTemplate,
  length: counted,
}: {
  db: Db;
  sms: SmsSender;
  to: string;
  body: string;
  statusCallback: string | undefined;
  sharedByTemplate?: string;
  /** The body's length when the caller counted it already (fitting it to the segment limit). */
  length?: SmsLength;
}) {
  const ownedElsewhere = (row: OutboxRow) => async (sid: string) =>
    (await db.communication.count({
      where: { providerId: sid, NOT: { id: row.id }, ...(sharedByTemplate ? { template: { not: sharedByTemplate } } : {}) },
    })) > 0;
  return {
    reconcile: (row: OutboxRow) => sms.find({ communicationId: row.id, to, body, since: row.sendingAt ?? row.createdAt, exclude: ownedElsewhere(row) }),
    deliver: async (row: OutboxRow): Promise<Delivery> => {
      const length = counted ?? smsLength(body);
      const delivery = await sms.send({ communicationId: row.id, to, body, ...(statusCallback ? { statusCallback } : {}) });
      return { ...delivery, segments: delivery.segments ?? length.segments, encoding: length.encoding };
    },
  };
}
