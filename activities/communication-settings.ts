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
}
