// `npm run bench`: runs the scenarios against real servers started here, prints each table, and
// writes the figures to bench/results/ (latest.json, a dated copy, latest.md).
//   npm run bench -- --only 1,3 --capacity 2000 --worker maxCachedWorkflows=5000
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { installWorkerRuntime } from '../worker/runtime.js';
import { formatScenario, newRun, writeResults } from './results.js';
import { startBenchStack, type BenchStack } from './lib/stack.js';
import { useTemporalPragmas } from './lib/temporal-pragmas.js';
import { describeTuning, parseTuning } from './lib/worker-options.js';
import { defaultSizes, scenarios, type BenchSizes } from './scenarios/index.js';

const usage = `usage: npm run bench -- [options]
  --only 1,2,3,4,5,6,7,8   scenarios to run (default: all)
  --enroll N              1: accounts enrolled, and bare starts (${defaultSizes.enrollCount})
  --concurrency N         concurrent callers / starts (${defaultSizes.concurrency})
  --pay-cases N           2: open cases (${defaultSizes.payCases})
  --payments N            2: payments sent (${defaultSizes.payments})
  --pay-rate N            2: payments per second (${defaultSizes.payRate})
  --pay-poll-ms N         2: read-back interval (${defaultSizes.payPollMs})
  --capacity N            3: open cases woken together (${defaultSizes.capacityCount})
  --capacity-memory-only  3: stop after the asleep memory figures (no burst, no bare counterpart)
  --burst-channel C       3: email or sms (${defaultSizes.burstChannel})
  --sim-cases N           4: simulated cases (${defaultSizes.simCases})
  --sim-days N            4: simulated days (${defaultSizes.simDays})
  --simulator-cases N     8: cases of the pure simulator (${defaultSizes.simulatorCases})
  --simulator-days N      8: horizon in days (${defaultSizes.simulatorDays})
  --simulator-runs N      8: Monte Carlo runs (${defaultSizes.simulatorRuns})
  --simulator-arms N      8: 1 (champion) or 2 (champion and challenger) (${defaultSizes.simulatorArms})
  --simulator-shared P    8: percent of cases whose person has two accounts (${defaultSizes.simulatorSharedPercent})
  --seed N                random seed (${defaultSizes.seed})
  --report-cases N        5: cases seeded into the projection (${defaultSizes.reportCases})
  --report-requests N     5: timed requests per route (${defaultSizes.reportRequests})
  --dialer-rows N         6: accounts in the dialer round trip (${defaultSizes.dialerRows})
  --xlsx-rows N           7: rows of the imported .xlsx workbook (${defaultSizes.xlsxRows})
  --worker k=v,...        worker settings: maxCachedWorkflows, maxConcurrentWorkflowTaskExecutions,
                          maxConcurrentActivityTaskExecutions, workflowTaskPollers, activityTaskPollers
  --temporal-pragmas p,.. SQLite pragmas for the dev server, e.g. journal_mode=wal,synchronous=normal
                          (default: WAL with synchronous=NORMAL, as lib/temporal-dev-server.ts starts it)
  --out DIR               results folder (bench/results)`;

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    enroll: { type: 'string' },
    concurrency: { type: 'string' },
    'pay-cases': { type: 'string' },
    payments: { type: 'string' },
    'pay-rate': { type: 'string' },
    'pay-poll-ms': { type: 'string' },
    capacity: { type: 'string' },
    'capacity-memory-only': { type: 'boolean' },
    'burst-channel': { type: 'string' },
    'sim-cases': { type: 'string' },
    'sim-days': { type: 'string' },
    'simulator-cases': { type: 'string' },
    'simulator-days': { type: 'string' },
    'simulator-runs': { type: 'string' },
    'simulator-arms': { type: 'string' },
    'simulator-shared': { type: 'string' },
    seed: { type: 'string' },
    'report-cases': { type: 'string' },
    'report-requests': { type: 'string' },
    'dialer-rows': { type: 'string' },
    'xlsx-rows': { type: 'string' },
    worker: { type: 'string' },
    'temporal-pragmas': { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean' },
  },
});
if (values.help) {
  console.log(usage);
  process.exit(0);
}

function count(name: keyof typeof values, fallback: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer, not "${raw}"`);
  return value;
}

const channel = values['burst-channel'] ?? defaultSizes.burstChannel;
if (channel !== 'email' && channel !== 'sms') throw new Error(`--burst-channel must be email or sms, not "${channel}"`);
const simulatorArms = count('simulator-arms', defaultSizes.simulatorArms);
if (simulatorArms !== 1 && simulatorArms !== 2) throw new Error(`--simulator-arms must be 1 or 2, not "${simulatorArms}"`);
const sizes: BenchSizes = {
  enrollCount: count('enroll', defaultSizes.enrollCount),
  concurrency: count('concurrency', defaultSizes.concurrency),
  payCases: count('pay-cases', defaultSizes.payCases),
  payments: count('payments', defaultSizes.payments),
  payRate: count('pay-rate', defaultSizes.payRate),
  payPollMs: count('pay-poll-ms', defaultSizes.payPollMs),
  capacityCount: count('capacity', defaultSizes.capacityCount),
  capacityMemoryOnly: values['capacity-memory-only'] ?? false,
  burstChannel: channel,
  simCases: count('sim-cases', defaultSizes.simCases),
  simDays: count('sim-days', defaultSizes.simDays),
  simulatorCases: count('simulator-cases', defaultSizes.simulatorCases),
  simulatorDays: count('simulator-days', defaultSizes.simulatorDays),
  simulatorRuns: count('simulator-runs', defaultSizes.simulatorRuns),
  simulatorArms,
  simulatorSharedPercent: values['simulator-shared'] === undefined ? defaultSizes.simulatorSharedPercent : Math.min(100, Math.max(0, Number(values['simulator-shared']) || 0)),
  seed: count('seed', defaultSizes.seed),
  reportCases: count('report-cases', defaultSizes.reportCases),
  reportRequests: count('report-requests', defaultSizes.reportRequests),
  dialerRows: count('dialer-rows', defaultSizes.dialerRows),
  xlsxRows: count('xlsx-rows', defaultSizes.xlsxRows),
};
const tuning = parseTuning(values.worker);
const only = values.only ? new Set(values.only.split(',').map((n) => Number(n.trim()))) : undefined;
const outDir = values.out ?? fileURLToPath(new URL('./results/', import.meta.url));

installWorkerRuntime('warn'); // the simulation's worker runs in this process
const pragmas = (values['temporal-pragmas'] ?? '').split(',').map((p) => p.trim()).filter(Boolean);
if (pragmas.length > 0) await useTemporalPragmas(pragmas);
// lib/temporal-dev-server.ts already runs SQLite with journal_mode=WAL, synchronous=NORMAL.
const devServerPragmas = 'SQLite journal_mode=WAL, synchronous=NORMAL';
const temporalServer = pragmas.length > 0 ? `start-dev (${devServerPragmas}) + ${pragmas.join(', ')}` : `start-dev (${devServerPragmas})`;
const run = newRun(process.argv.slice(2));
console.log(`bench: commit ${run.commit}${run.dirty ? ' (uncommitted changes)' : ''}, ${run.machine.cpus} CPUs, ${run.machine.memoryGiB} GiB, Node ${run.machine.node}`);
console.log(`bench: worker settings: ${describeTuning(tuning)}; Temporal: ${temporalServer}`);

let failed = false;
// Ctrl-C or a kill mid-scenario still stops the servers and the worker process (they would
// otherwise outlive the bench and load the machine).
let running: BenchStack | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\nbench: ${signal}: stopping the servers`);
    void (running?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}
for (const scenario of scenarios.filter((s) => !only || only.has(s.number))) {
  const begin = Date.now();
  // Other work on the machine skews every figure: the load before and after is printed beside them.
  const loadBefore = os.loadavg()[0]!.toFixed(2);
  console.log(`\nbench: scenario ${scenario.number} (${scenario.id}) starting at ${new Date().toISOString()}`);
  let stack: BenchStack | undefined;
  try {
    if (scenario.needsStack) stack = running = await startBenchStack({ tuning, trivialWorker: scenario.trivialWorker ?? false });
    const result = await scenario.run(stack, sizes);
    if (stack) {
      // Each failure is retried by Temporal and so hidden from the figures: count them beside.
      const { activities, workflowTasks } = stack.worker.failures();
      result.figures = { ...result.figures, worker_failed_activity_attempts: activities, worker_failed_workflow_tasks: workflowTasks };
      if (activities + workflowTasks > 0) result.notes.push(`worker log with the failures: ${stack.workerLog}`);
    }
    result.settings = {
      ...result.settings,
      worker: describeTuning(tuning),
      ...(scenario.needsStack ? { temporalServer } : {}),
      scenarioWallSeconds: Math.round((Date.now() - begin) / 1000),
      loadAvg1mBeforeAfter: `${loadBefore}/${os.loadavg()[0]!.toFixed(2)}`,
    };
    run.scenarios.push(result);
    console.log(formatScenario(result));
  } catch (error) {
    failed = true;
    console.error(`bench: scenario ${scenario.number} (${scenario.id}) failed:`, error);
  } finally {
    running = undefined;
    await stack?.stop();
  }
}
run.finishedAt = new Date().toISOString();
const files = await writeResults(run, outDir);
console.log(`\nbench: results written to ${files.join(', ')}`);
process.exit(failed ? 1 : 0);
