import { writeFile } from 'node:fs/promises';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { startEngine } from '../../testing/engine.js';
import { importFile } from '../../testing/imports.js';
import { importWorkflowId } from '../../workflows/import-messages.js';
import { consumerEarly } from './strategies.js';

/**
 * `node --import tsx test/support/record-import-history.ts <name>`: imports a five-line file
 * (a bad row, a duplicate, batches of two) on the dev server without payload encryption and
 * saves the import workflow's history as test/histories/<name>.json for the replay test. Record
 * a new file when the import workflow gains a behaviour; never re-record an old one.
 */

const name = process.argv[2];
if (!name || !/^import-[\w-]+$/.test(name)) throw new Error('usage: record-import-history.ts import-<helper>-v<n>');
const engine = await startEngine({ encrypted: false, imports: { batchSize: 2, concurrency: 2 } });
try {
  const strategy = { ...consumerEarly, key: 'recorded', steps: [{ id: 'reminder', at: 'P30D', action: 'email', template: 'reminder' }] };
  if ((await engine.call('POST', '/api/v1/strategies', { body: strategy })).status !== 201) throw new Error('the strategy was refused');
  const header = 'externalId,strategy,currency,balance,daysPastDue,debtorName,timeZone';
  const rows = ['R-1,recorded,USD,100,0,A,UTC', 'R-2,recorded,USD,x,0,B,UTC', 'R-3,recorded,USD,300,0,C,UTC', 'R-1,recorded,USD,100,0,A,UTC', 'R-4,recorded,USD,400,0,D,UTC'];
  const job = await importFile(engine, [header, ...rows].join('\n'), 'text/csv');
  if (job.status !== 'completed') throw new Error(`the import ended ${job.status}`);
  const history = await engine.temporal.workflow.getHandle(importWorkflowId(job.jobId)).fetchHistory();
  await writeFile(new URL(`../histories/${name}.json`, import.meta.url), historyToJSON(history));
} finally {
  await engine.stop();
}
