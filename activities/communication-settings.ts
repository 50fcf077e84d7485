/** What the message activities need to know beyond their providers; built from the worker's config. */
export interface CommunicationSettings {
  /** The API's public base URL: unsubscribe links point at `${publicUrl}/u/<token>`. */
  publicUrl: string;
  /** Whether Twilio should post delivery status to `${publicUrl}/webhooks/twilio/status` (PUBLIC_URL set). */
  statusCallbacks: boolean;
  /** Signs unsubscribe and reply tokens; the API must have the same one. */
  linkSecret: string;
  /** An SMS longer than this many segments is shortened at send time. */
  smsMaxSegments: number;
  /** Creditor named by templates when the account names none. */
  creditorName: string;
  /** The letters' sender block, one line per entry. */
  letterSender: string[];
  /**
   * Refuse a template written inline in a strategy that lacks the collection disclosure or (email,
   * SMS) the opt-out, as managed templates are. Off by default until strategies are checked for it
   * when saved: until then such a send goes out with a content warning on its record. This case's
   * own rules (a time-barred debt's disclosure, no threat of suit) are enforced either way.
   */
  enforceInlineTemplateContent?: boolean;
}
