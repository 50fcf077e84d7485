import path from 'node:path';
import type { Client } from '@temporalio/client';
import { resolveLinkSecret } from '../domain/template-links.js';
import type { Db } from '../lib/db.js';
import type { PaymentProcessor } from '../payments/processor.js';
import { createAgencyActivities } from './agency.js';
import { createAutopayActivities } from './autopay.js';
import type { AgencyProviderSettings } from './case-file-delivery.js';
import { createWhatsAppActivities } from './channels/whatsapp.js';
import { createConsolidatedActivities } from './consolidated.js';
import { withHeartbeats } from './heartbeat.js';
import type { CommunicationSettings } from './communication-settings.js';
import { createLetterSender, type LetterProviderSettings } from './letter-sender.js';
import type { Mailer } from './mailer.js';
import { createMessageActivities } from './messages.js';
import { createPersonActivities } from './person.js';
import { createProjectionActivities } from './projection.js';
import { createSkipTraceActivities } from './skip-trace.js';
import { createHttpSkipTraceVendor, type SkipTraceVendorSettings } from './skip-trace-vendor.js';
import { createSmsSender, type SmsSender } from './sms-sender.js';
import { createTaskActivities } from './tasks.js';
import { createValidationNoticeActivities } from './validation-notice.js';
import { createWebhookDeliveryActivities, type WebhookDeliverySettings } from './webhook-delivery.js';

export interface ActivityDeps {
  db: Db;
  mailer: Mailer;
  sms: SmsSender;
  /** WhatsApp through Twilio (the SMS sender with a `whatsapp:` From); the whatsapp outbox folder when absent. */
  whatsapp?: SmsSender | undefined;
  /** Root of the outbox folders (letters, agency files). */
  outboxDir: string;
  /** Domain for Message-IDs of the emails we send. */
  mailDomain: string;
  /** Links, limits and sender details for messages (worker config `communications`). */
  communications?: CommunicationSettings;
  /** An HTTP print-and-mail provider for letters; the letters outbox folder when absent. */
  letterProvider?: LetterProviderSettings | undefined;
  /** An HTTP endpoint of the collection agency for case files; the agency outbox folder when absent. */
  agencyProvider?: AgencyProviderSettings | undefined;
  /** The skip-trace vendor's HTTP endpoint; without it a skip trace fails with that reason. */
  skipTraceVendor?: SkipTraceVendorSettings | undefined;
  /** Temporal, for the updates a workflow cannot send itself (a case asking its person for a contact); without it a case decides alone. */
  temporal?: Client | undefined;
  /** The payment processor autopay charges saved methods through; without it an autopay installment is recorded as not charged. */
  payments?: PaymentProcessor | undefined;
  /** How outbound webhooks are retried, timed out and given up on (worker config `webhooks`); the defaults when absent. */
  webhookDelivery?: WebhookDeliverySettings | undefined;
}

/** Every activity the case workflow calls, bound to its dependencies (built once per worker). */
export function createActivities({ db, mailer, sms, whatsapp, outboxDir, mailDomain, communications, letterProvider, agencyProvider, skipTraceVendor, temporal, payments, webhookDelivery }: ActivityDeps) {
  // Without settings from the config (older callers), links point at a local API and the
  // token secret is the one `npm start` shares under DATA_DIR (the outbox's parent folder).
  const settings: CommunicationSettings = communications ?? {
    publicUrl: 'http://127.0.0.1:3000',
    statusCallbacks: false,
    linkSecret: resolveLinkSecret({ dataDir: path.dirname(outboxDir) }),
    smsMaxSegments: 3,
    creditorName: 'the creditor',
    letterSender: ['Collections Department'],
  };
  const letters = createLetterSender({ outboxDir: path.join(outboxDir, 'letters'), provider: letterProvider });
  return {
    // The sends heartbeat, so a worker that dies mid-send is noticed in seconds (case/activities.ts `sends`).
    ...withHeartbeats(createMessageActivities({ db, mailer, sms, letters, mailDomain, settings })),
    ...withHeartbeats(createConsolidatedActivities({ db, mailer, sms, mailDomain, settings })),
    ...withHeartbeats(createValidationNoticeActivities({ db, mailer, letters, mailDomain, settings })),
    ...withHeartbeats(createWhatsAppActivities({ db, whatsapp: whatsapp ?? createSmsSender({ outboxDir: path.join(outboxDir, 'whatsapp') }), settings })),
    ...createTaskActivities({ db }),
    ...createAgencyActivities({ db, outboxDir: path.join(outboxDir, 'agency'), provider: agencyProvider }),
    ...createProjectionActivities({ db, temporal }),
    ...createWebhookDeliveryActivities({ db, settings: webhookDelivery }),
    ...createPersonActivities({ temporal, db }),
    ...createSkipTraceActivities({ db, vendor: skipTraceVendor ? createHttpSkipTraceVendor(skipTraceVendor) : undefined }),
    ...createAutopayActivities({ db, payments }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
