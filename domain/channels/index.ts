import { email } from './email.js';
import { letter } from './letter.js';
import { sms } from './sms.js';
import type { ChannelSpec } from './spec.js';
import { whatsapp } from './whatsapp.js';

/**
 * The message channels, one module each, registered here. Adding a channel is its module, a line
 * in `channelIds` and one in `channels`, and its send activity; everything that lists channels
 * (the strategy language, the contact rules, the workflow, the API and, through the API's schema,
 * the console) reads this table.
 */

export type { ChannelSpec, ChannelAddressKind, ChannelOptOut } from './spec.js';

/** Every message channel, in the order the API documents them. */
export const channelIds = ['email', 'sms', 'letter', 'whatsapp'] as const;

/** A channel a message goes through; a contact point per channel (domain/case-facts.ts). */
export type ContactChannel = (typeof channelIds)[number];

export const channels = { email, sms, letter, whatsapp } as const satisfies Record<ContactChannel, ChannelSpec>;

export function isChannel(value: string): value is ContactChannel {
  return (channelIds as readonly string[]).includes(value);
}

/** The channel of a Twilio-style inbound sender and the address it is stored under, or `null`. */
export function inboundChannelOf(from: string): { channel: ContactChannel; address: string } | null {
  for (const channel of channelIds) {
    const spec: ChannelSpec = channels[channel];
    const address = spec.inbound?.parseFrom(from);
    if (address) return { channel, address };
  }
  return null;
}

/** Channels whose contact happens the moment we send (the debtor's local hours apply). */
export const timedChannels: readonly ContactChannel[] = channelIds.filter((channel) => channels[channel].timed);
