import type { Client } from '@temporalio/client';
import type { Db } from '../lib/db.js';
import type { PaymentProcessor } from '../payments/processor.js';
import type { ApiCommunicationSettings } from './services/communication-settings.js';
import type { ImportSettings } from './services/imports.js';
import type { VoiceSettings } from './services/voice-settings.js';

/** What the API's routes are built over (api/server.ts builds them; the routes and tests name it). */
export interface ApiDeps {
  db: Db;
  temporal: Client;
  /** Where import uploads are kept (DATA_DIR) and how imports run; DATA_DIR's default when absent. */
  imports?: ImportSettings;
  /** Webhook secrets, link secret, public URL, SMS limits (api config `communications`); webhooks refuse all requests when absent. */
  communications?: ApiCommunicationSettings;
  /** Twilio Voice for click-to-call (api/services/voice-settings.ts); calls are refused when absent. */
  voice?: VoiceSettings | undefined;
  /** Outbound webhook receivers may be on loopback or private networks (WEBHOOK_ALLOW_PRIVATE_URLS); default: public addresses only. */
  allowPrivateWebhookUrls?: boolean;
  /** The payment processor (Stripe, or localstripe in tests and `npm start`); card payments answer 409 and /webhooks/stripe 403 without it. */
  payments?: PaymentProcessor;
}
