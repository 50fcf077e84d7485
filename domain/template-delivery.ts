/**
 * What happens to a message after it is rendered: the statuses of a communication, their order,
 * and how provider reports (Twilio error codes, email delivery status notifications) map to them.
 * Pure, shared by the send activities and the webhooks.
 */

export const CommunicationStatus = {
  pending: 'pending',
  /** A provider call began and its outcome is not yet recorded. */
  sending: 'sending',
  sent: 'sent',
  delivered: 'delivered',
  undelivered: 'undelivered',
  /** Refused by the provider at send time, or reported failed afterwards. */
  failed: 'failed',
  bounced: 'bounced',
  returned: 'returned',
  /** Never sent: the contact rules in force at send time forbade it. */
  suppressed: 'suppressed',
  /** Never sent: the rendered message lacks content the law requires for this case (error says what). */
  refused: 'refused',
} as const;
export type CommunicationStatus = (typeof CommunicationStatus)[keyof typeof CommunicationStatus];

/** Statuses after which the message left us: a retried send must not go out again. */
export const leftUsStatuses: readonly string[] = ['sent', 'delivered', 'undelivered', 'bounced', 'returned'];

const rank: Record<string, number> = { pending: 0, sending: 1, sent: 2, delivered: 3, undelivered: 3, failed: 3, bounced: 3, returned: 3 };

/**
 * Whether a reported status may replace the current one: providers report out of order (a late
 * "sent" after "delivered"), so a status never moves back; final statuses may still correct each
 * other (a "delivered" email can bounce later).
 */
export function statusMayAdvance(current: string, next: string): boolean {
  return (rank[next] ?? 0) >= (rank[current] ?? 0) && current !== next;
}

/** Twilio error codes reported on undelivered/failed messages that mean the number is no good. */
export const permanentTwilioDeliveryCodes: ReadonlySet<number> = new Set([
  21211, // invalid 'To' number
  21614, // not a mobile number
  30005, // unknown destination handset (number does not exist)
  30006, // landline or unreachable carrier
]);

/** The carrier says the recipient has opted out (STOP at the carrier level). */
export const twilioOptedOutCode = 21610;

/** Twilio's message statuses mapped to ours; intermediate ones keep the communication as sent. */
export function twilioStatus(status: string): CommunicationStatus | null {
  switch (status) {
    case 'delivered':
    case 'read':
      return 'delivered';
    case 'undelivered':
      return 'undelivered';
    case 'failed':
      return 'failed';
    case 'sent':
      return 'sent';
    default:
      return null; // accepted, queued, sending, scheduled: nothing new for the record
  }
}

export interface DeliveryStatusReport {
  /** `5.1.1`: class 5 is permanent, 4 is transient. */
  status: string;
  action: string;
  finalRecipient: string | null;
  diagnostic: string | null;
  permanent: boolean;
}

/**
 * Reads the per-recipient fields of a `message/delivery-status` part (RFC 3464). The first
 * recipient block with a Status is taken: we send one recipient per message.
 */
export function parseDeliveryStatus(text: string): DeliveryStatusReport | null {
  // Header continuation lines fold into the field they continue.
  const unfolded = text.replace(/\r?\n[ \t]+/g, ' ');
  const blocks = unfolded.split(/\r?\n\s*\r?\n/);
  for (const block of blocks) {
    const fields = new Map<string, string>();
    for (const line of block.split(/\r?\n/)) {
      const match = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (match?.[1] && match[2] !== undefined) fields.set(match[1].toLowerCase(), match[2].trim());
    }
    const status = /^([245])\.\d{1,3}\.\d{1,3}/.exec(fields.get('status') ?? '')?.[0];
    if (!status) continue;
    const recipient = fields.get('final-recipient') ?? fields.get('original-recipient') ?? null;
    return {
      status,
      action: (fields.get('action') ?? '').toLowerCase(),
      finalRecipient: recipient ? recipient.replace(/^rfc822;\s*/i, '') : null,
      diagnostic: fields.get('diagnostic-code') ?? null,
      permanent: status.startsWith('5'),
    };
  }
  return null;
}
