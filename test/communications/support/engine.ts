import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../../../activities/index.js';
import { createMailer } from '../../../activities/mailer.js';
import { createSmsSender } from '../../../activities/sms-sender.js';
import { freePort } from '../../../lib/free-port.js';
import { startTemporalDevServer } from '../../../lib/temporal-dev-server.js';
import { taskQueue } from '../../../workflows/case-messages.js';
import { bundlerOptions, workflowsPath } from '../../../worker/workflows-path.js';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.js';
import { startTwilioStandIn, type TwilioStandIn } from '../../support/twilio-standin.js';
import { apiSettings, mailDomain, startApi, startDatabase, workerSettings, type TestDatabase } from './harness.js';

/**
 * The engine for the webhook tests: PostgreSQL, the Temporal dev server, the real case workflow
 * in a worker whose activities carry the communication settings, an SMTP server on loopback,
 * the Twilio stand-in, and the API with its webhooks configured.
 */

export const twilioFrom = '+15555550199';
export const whatsappFrom = 'whatsapp:+15555550198';

export interface CommsEngine {
  database: TestDatabase;
  temporal: Client;
  smtp: SmtpSink;
  twilio: TwilioStandIn;
  api: Awaited<ReturnType<typeof startApi>>;
  settings: ReturnType<typeof apiSettings>;
  stop(): Promise<void>;
}

export async function startCommsEngine(): Promise<CommsEngine> {
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const step of stops) await step().catch((error: unknown) => console.error(error));
    stops.length = 0;
  };
  try {
    const database = await startDatabase();
    stops.unshift(() => database.stop());
    const server = await startTemporalDevServer({ dataDir: path.join(database.dataDir, 'temporal'), port: await freePort(), uiPort: await freePort() });
    stops.unshift(() => server.stop());
    const smtp = await startSmtpSink();
    stops.unshift(() => smtp.close());
    // One Twilio account: its auth token signs the stand-in's callbacks and the API checks them.
    const twilio = await startTwilioStandIn({ authToken: apiSettings().twilioAuthToken });
    stops.unshift(() => twilio.close());

    const outboxDir = path.join(database.dataDir, 'outbox');
    const mailer = createMailer({ smtpUrl: smtp.url, from: 'Collections <collections@mail.test>', outboxDir: path.join(outboxDir, 'email') });
    // Bundled here with a quiet logger; the SDK's own lines only from warnings up.
    const workflowBundle = await bundleWorkflowCode({ workflowsPath, ...bundlerOptions, logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error } });
    try {
      Runtime.install({ logger: new DefaultLogger('WARN') });
    } catch {
      /* already installed in this process */
    }
    const connection = await NativeConnection.connect({ address: server.address });
    const worker = await Worker.create({
      connection,
      taskQueue,
      workflowBundle,
      activities: createActivities({
        db: database.db,
        mailer,
        sms: createSmsSender({ twilio: { accountSid: twilio.accountSid, authToken: twilio.authToken, from: twilioFrom, apiBase: twilio.url }, outboxDir }),
        whatsapp: createSmsSender({ twilio: { accountSid: twilio.accountSid, authToken: twilio.authToken, from: whatsappFrom, apiBase: twilio.url }, outboxDir }),
        outboxDir,
        mailDomain,
        communications: workerSettings(),
      }),
    });
    const running = worker.run();
    stops.unshift(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      mailer.close();
      await connection.close();
    });

    const temporal = new Client({ connection: await Connection.connect({ address: server.address }) });
    stops.unshift(() => temporal.connection.close());
    const settings = apiSettings();
    const api = await startApi({ db: database.db, temporal, communications: settings });
    stops.unshift(() => api.close());
    return { database, temporal, smtp, twilio, api, settings, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A zone where it is early afternoon now, so the 08:00–21:00 contact window is open during the test. */
export function afternoonZone(): string {
  const utcHour = new Date().getUTCHours();
  const offset = ((13 - utcHour + 36) % 24) - 12;
  return offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}
