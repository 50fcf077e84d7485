/**
 * What the engine knows about one message channel, in one place: how it names itself in reasons,
 * what its addresses look like, which contact rules apply to it, what its templates may hold,
 * which activity sends it and how its inbound messages are recognised. Pure data and functions
 * (no zod, no IO): the strategy language, the contact rules, the workflow and the API all read it.
 * The senders (IO) are activities named by `sendActivity`.
 */

/** What an address of the channel is. */
export type ChannelAddressKind = 'email' | 'e164' | 'postal';

/** How a message of the channel tells the debtor to opt out (12 CFR 1006.6(e)). */
export type ChannelOptOut = 'unsubscribe_link' | 'reply_stop' | null;

export interface ChannelSpec {
  /** Its name in reasons and audit lines: "SMS undeliverable to this number". */
  name: string;
  /** One message of it and several, in reasons: "3 texts in 7 days". */
  nouns: readonly [singular: string, plural: string];
  /** How the channel is spoken of in reasons: "the debtor asked not to be contacted by text messages". */
  medium: string;
  /** The reason when the case has no contact point for it. */
  missing: string;
  address: ChannelAddressKind;
  /** Words that name the channel in a debtor's request to stop it ("stop texting me"). */
  words: RegExp;
  /** Contact happens the moment we send, so the debtor's local hours apply (a letter takes days). */
  timed: boolean;
  /**
   * Recorded consent (opt-in) for the number is required before anything is sent, and it follows
   * the number (regulation/consent.ts).
   */
  consent: boolean;
  /** The opt-out instruction every message carries, or `null` (a letter has no reply path). */
  optOut: ChannelOptOut;
  template: {
    /** Whether a template of the channel has a subject. */
    subject: 'required' | 'forbidden' | 'optional';
    /** Rendered length is limited in SMS segments (SMS_MAX_SEGMENTS). */
    segments: boolean;
    /** Rendered to HTML as well as text. */
    html: boolean;
    /**
     * A template may name the provider-approved template it is (`approvedTemplate`), which the
     * channel may send where free text is refused (WhatsApp outside its session window).
     */
    approvedTemplate?: boolean;
  };
  /** The activity (activities/index.ts) that sends a step of this channel. */
  sendActivity: string;
  /**
   * Messages from the debtor arrive through `webhook`; `parseFrom` answers the debtor's address
   * (as stored on the contact) when an inbound sender is this channel's, else `null`.
   */
  inbound?: { webhook: string; parseFrom(from: string): string | null };
}
