import type { ScenarioResult } from '../results.js';
import type { BenchStack } from '../lib/stack.js';
import { openCaseCapacity, type BurstChannel } from './capacity.js';
import { dialerRoundTrip } from './dialer.js';
import { enrollmentThroughput } from './enrollment.js';
import { paymentLatency } from './payment-latency.js';
import { reportQueries } from './reports.js';
import { strategySimulation } from './simulation.js';
import { simulatorThroughput } from './simulator.js';
import { xlsxImport } from './xlsx-import.js';

/** Sizes and settings of every scenario; `npm run bench` fills them from the command line. */
export interface BenchSizes {
  enrollCount: number;
  concurrency: number;
  payCases: number;
  payments: number;
  payRate: number;
  payPollMs: number;
  capacityCount: number;
  /** Scenario 3 stops after the asleep memory figures. */
  capacityMemoryOnly: boolean;
  burstChannel: BurstChannel;
  simCases: number;
  simDays: number;
  simulatorCases: number;
  simulatorDays: number;
  simulatorRuns: number;
  simulatorArms: 1 | 2;
  simulatorSharedPercent: number;
  seed: number;
  reportCases: number;
  reportRequests: number;
  dialerRows: number;
  xlsxRows: number;
}

export const defaultSizes: BenchSizes = {
  enrollCount: 5_000,
  concurrency: 32,
  payCases: 2_000,
  payments: 1_000,
  payRate: 20,
  payPollMs: 10,
  capacityCount: 20_000,
  capacityMemoryOnly: false,
  burstChannel: 'sms',
  simCases: 1_000,
  simDays: 120,
  simulatorCases: 10_000,
  simulatorDays: 180,
  simulatorRuns: 20,
  simulatorArms: 1,
  simulatorSharedPercent: 0,
  seed: 42,
  reportCases: 100_000,
  reportRequests: 30,
  dialerRows: 1_000,
  xlsxRows: 10_000,
};

export interface Scenario {
  number: number;
  id: string;
  /** Needs the real stack (PostgreSQL, dev server, worker, API); the simulation brings its own server. */
  needsStack: boolean;
  /** Starts the bare-Temporal baseline worker as well. */
  trivialWorker?: boolean;
  run(stack: BenchStack | undefined, sizes: BenchSizes): Promise<ScenarioResult>;
}

const withStack = (stack: BenchStack | undefined) => {
  if (!stack) throw new Error('this scenario needs a stack');
  return stack;
};

export const scenarios: Scenario[] = [
  {
    number: 1,
    id: 'enrollment',
    needsStack: true,
    trivialWorker: true,
    run: (stack, s) => enrollmentThroughput(withStack(stack), { count: s.enrollCount, concurrency: s.concurrency, warmup: Math.min(200, s.enrollCount) }),
  },
  {
    number: 2,
    id: 'payment-latency',
    needsStack: true,
    run: (stack, s) => paymentLatency(withStack(stack), { openCases: s.payCases, payments: s.payments, ratePerSecond: s.payRate, pollMs: s.payPollMs, concurrency: s.concurrency, seed: s.seed }),
  },
  {
    number: 3,
    id: 'capacity',
    needsStack: true,
    trivialWorker: true,
    run: (stack, s) => openCaseCapacity(withStack(stack), { openCases: s.capacityCount, concurrency: s.concurrency, channel: s.burstChannel, memoryOnly: s.capacityMemoryOnly }),
  },
  {
    number: 4,
    id: 'simulation',
    needsStack: false,
    run: (_stack, s) => strategySimulation({ cases: s.simCases, days: s.simDays, seed: s.seed, concurrency: s.concurrency }),
  },
  {
    number: 5,
    id: 'reports',
    needsStack: true,
    run: (stack, s) => reportQueries(withStack(stack), { cases: s.reportCases, requests: s.reportRequests }),
  },
  {
    number: 6,
    id: 'dialer',
    needsStack: true,
    run: (stack, s) => dialerRoundTrip(withStack(stack), { rows: s.dialerRows, concurrency: s.concurrency }),
  },
  {
    number: 7,
    id: 'xlsx-import',
    needsStack: true,
    trivialWorker: true,
    run: (stack, s) => xlsxImport(withStack(stack), { rows: s.xlsxRows }),
  },
  {
    number: 8,
    id: 'simulator',
    needsStack: false,
    run: async (_stack, s) => simulatorThroughput({ cases: s.simulatorCases, days: s.simulatorDays, runs: s.simulatorRuns, arms: s.simulatorArms, seed: s.seed, sharedPersons: s.simulatorSharedPercent / 100 }),
  },
];
