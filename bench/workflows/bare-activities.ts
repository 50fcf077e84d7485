import { randomUUID } from 'node:crypto';
import type { Mailer } from '../../activities/mailer.js';
import type { SmsSender } from '../../activities/sms-sender.js';

/** The bare timer workflow's one activity: one message, no outbox, no rules, no read model. */
export function createBareActivities({ mailer, sms }: { mailer: Mailer; sms: SmsSender }) {
  return {
    async bareSend(channel: 'email' | 'sms', to: string): Promise<void> {
      const id = randomUUID();
      if (channel === 'email') await mailer.send({ to, subject: 'Bare reminder', text: 'A bare Temporal baseline message.', messageId: `<${id}@bench.local>` });
      else await sms.send({ communicationId: id, to, body: 'A bare Temporal baseline message.' });
    },
  };
}

export type BareActivities = ReturnType<typeof createBareActivities>;
