import { parseWhatsAppAddress, sessionWindowRefusal, whatsappAddress } from '../../domain/channels/whatsapp.js';
import type { Db } from '../../lib/db.js';
import type { CommunicationSettings } from '../communication-settings.js';
import { createMessageKit, type SendMessageInput } from '../message-kit.js';
import { communicationIdFor, deliverOnce, type Delivery } from '../outbox.js';
import type { SmsSender } from '../sms-sender.js';
import { resolveTemplate } from '../template-resolver.js';

/**
 * `sendWhatsApp`: a WhatsApp message through Twilio's Messages API (the SMS sender, built with a
 * `whatsapp:+...` From; an outbox folder when Twilio is not configured), delivered once like
 * every send. At send time, besides opt-in and opt-out, the 24-hour session window: the debtor's
 * last WhatsApp message to us is read from the inbound messages.
 */
export function createWhatsAppActivities({ db, whatsapp, settings }: { db: Db; whatsapp: SmsSender; settings: CommunicationSettings }) {
  const { renderWith, caseProfile, contentCheck, permitWith, stored } = createMessageKit({ db, settings });

  /** When the debtor last wrote to us on WhatsApp from this number (epoch ms), or `null`. */
  async function lastInboundAt(number: string): Promise<number | null> {
    const last = await db.inboundMessage.findFirst({ where: { channel: 'whatsapp', fromAddress: number }, orderBy: { receivedAt: 'desc' }, select: { receivedAt: true } });
    return last ? last.receivedAt.getTime() : null;
  }

  return {
    async sendWhatsApp(given: SendMessageInput) {
      const { input, facts } = await caseProfile(given);
      const number = parseWhatsAppAddress(input.to) ?? input.to;
      const resolved = await resolveTemplate(db, 'whatsapp', input);
      const id = communicationIdFor(input.idempotencyKey);
      const { text: body } = renderWith(resolved, input);
      const content = contentCheck('whatsapp', resolved, body, facts);
      const standing = permitWith(content, 'whatsapp', { ...input, to: number });
      const statusCallback = settings.statusCallbacks ? `${settings.publicUrl}/webhooks/twilio/status?c=${id}` : undefined;
      const to = whatsappAddress(number);
      return deliverOnce({
        db,
        ...input,
        message: { channel: 'whatsapp', ...stored(resolved), recipient: number, body },
        permit: async () => {
          const refused = await standing();
          if (refused) return refused;
          const reason = sessionWindowRefusal({ lastInboundAt: await lastInboundAt(number), now: Date.now(), approvedTemplate: input.template?.approvedTemplate });
          return reason === null ? null : { reason };
        },
        reconcile: (row) =>
          whatsapp.find({
            communicationId: row.id,
            to,
            body,
            since: row.sendingAt ?? row.createdAt,
            exclude: async (sid) => (await db.communication.count({ where: { providerId: sid, NOT: { id: row.id } } })) > 0,
          }),
        deliver: async (row): Promise<Delivery> => whatsapp.send({ communicationId: row.id, to, body, ...(statusCallback ? { statusCallback } : {}) }),
      });
    },
  };
}
