import path from 'node:path';
import type { Db } from '../lib/db.js';
import { createAgencyActivities } from './agency.js';
import { createLetterSender } from './letter-sender.js';
import type { Mailer } from './mailer.js';
import { createMessageActivities } from './messages.js';
import { createProjectionActivities } from './projection.js';
import type { SmsSender } from './sms-sender.js';
import { createTaskActivities } from './tasks.js';

export interface ActivityDeps {
  db: Db;
  mailer: Mailer;
  sms: SmsSender;
  /** Root of the outbox folders (letters, agency files). */
  outboxDir: string;
  /** Domain for Message-IDs of the emails we send. */
  mailDomain: string;
}

/** Every activity the case workflow calls, bound to its dependencies (built once per worker). */
export function createActivities({ db, mailer, sms, outboxDir, mailDomain }: ActivityDeps) {
  return {
    ...createMessageActivities({ db, mailer, sms, letters: createLetterSender({ outboxDir: path.join(outboxDir, 'letters') }), mailDomain }),
    ...createTaskActivities({ db }),
    ...createAgencyActivities({ db, outboxDir: path.join(outboxDir, 'agency') }),
    ...createProjectionActivities({ db }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
