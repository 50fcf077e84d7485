/** What the template routes, webhooks and unsubscribe page need; built from the API's config. */
export interface ApiCommunicationSettings {
  /** The URL Twilio and debtors reach the API at; Twilio signs requests over it. */
  publicUrl: string;
  /** Checks unsubscribe links and reply addresses (the worker signs them with the same secret). */
  linkSecret: string;
  /** Twilio webhooks are refused while unset. */
  twilioAuthToken?: string | undefined;
  /** Inbound email posts are refused while unset. */
  inboundEmailSecret?: string | undefined;
  mailDomain: string;
  smsMaxSegments: number;
  smsHelpText: string;
  /** The creditor the debtor page names (CREDITOR_NAME, as the worker's templates do). */
  creditorName?: string;
}
