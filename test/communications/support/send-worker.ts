import path from 'node:path';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../../../activities/index.js';
import { createMailer } from '../../../activities/mailer.js';
import { createSmsSender } from '../../../activities/sms-sender.js';
import { createDb } from '../../../lib/db.js';
import { mailDomain, workerSettings } from './harness.js';

/**
 * A worker in its own process, so a test can kill -9 it while a send is in flight: the real
 * activities (database, twilio client) and the one-send workflow from a prebuilt bundle.
 */
const env = process.env as Record<string, string>;
Runtime.install({ logger: new DefaultLogger('ERROR') });
// A standby worker loads everything first and polls only when told ("go" on stdin), so a test
// can have a replacement ready the moment it kills the first one.
if (env.STANDBY === '1') {
  process.stdout.write('worker loaded\n');
  await new Promise<void>((resolve) => process.stdin.on('data', (chunk: Buffer) => chunk.toString().includes('go') && resolve()));
}
const db = createDb(env.DATABASE_URL ?? '');
const outboxDir = path.join(env.DATA_DIR ?? '.', 'outbox');
const connection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS ?? '' });
const worker = await Worker.create({
  connection,
  taskQueue: env.TASK_QUEUE ?? '',
  workflowBundle: { codePath: env.BUNDLE_PATH ?? '' },
  // No sticky cache: the next workflow task goes to whichever worker is alive.
  maxCachedWorkflows: 0,
  activities: createActivities({
    db,
    mailer: createMailer({ from: 'c@mail.test', outboxDir }),
    sms: createSmsSender({ twilio: { accountSid: env.TWILIO_ACCOUNT_SID ?? '', authToken: env.TWILIO_AUTH_TOKEN ?? '', from: '+15555550199', apiBase: env.TWILIO_API_BASE ?? '' }, outboxDir }),
    outboxDir,
    mailDomain,
    communications: workerSettings(),
  }),
});
const running = worker.run();
process.stdout.write('worker ready\n');
await running;
await connection.close();
await db.$disconnect();
