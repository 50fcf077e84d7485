import type { SimulatedCase, SimulationArm, TResponseModel } from '../../domain/simulation/contract.js';
import { randomStream } from '../../domain/simulation/random.js';
import { simulateChunk } from '../../domain/simulation/simulate.js';
import { summarize } from '../../domain/simulation/summarize.js';
import type { TStep } from '../../domain/strategy.js';
import type { ScenarioResult } from '../results.js';
import { benchDefinition, longTimeline } from '../lib/bench-strategies.js';
import { round } from '../lib/stats.js';

/**
 * Scenario 8: the pure strategy simulator (domain/simulation, issue 21) on a portfolio in one
 * process: `cases` × `days` × `runs`, one chunk, the way the simulation workflow's activity runs
 * one. Target: 10,000 cases × 180 days × 20 runs in under 10 s on the two-core machine. Prints
 * cases × days per second (counting every run and arm), wall time and memory.
 */

export interface SimulatorOptions {
  cases: number;
  days: number;
  runs: number;
  /** 1: the champion alone; 2: champion and challenger on the same draws. */
  arms: 1 | 2;
  seed: number;
  /**
   * Share of cases whose person has another account in the portfolio. A person of two or three
   * accounts is read from remembered joint walks (person-tree.ts); four or more are walked directly.
   */
  sharedPersons: number;
}

const zones = ['America/New_York', 'America/Chicago', 'America/Denver', 'America/Phoenix', 'America/Los_Angeles', 'Pacific/Honolulu'];
const startedAt = Date.UTC(2027, 0, 4, 15); // a Monday morning in the US

/** A portfolio as the projection would hand it over: mixed zones, balances, channels; `sharedPersons` of the cases share a person with the case before. */
export function benchPortfolio(cases: number, seed: number, sharedPersons: number): SimulatedCase[] {
  const random = randomStream(seed);
  const portfolio: SimulatedCase[] = [];
  for (let index = 0; index < cases; index++) {
    const shared = index > 0 && random() < sharedPersons;
    const personKey = shared ? (portfolio[index - 1] as SimulatedCase).personKey : `person-${index}`;
    const timeZone = shared ? (portfolio[index - 1] as SimulatedCase).timeZone : (zones[Math.floor(random() * zones.length)] as string);
    portfolio.push({
      caseId: `case-${index}`,
      personKey,
      balance: 5_000 + Math.floor(random() * 495_000),
      daysPastDue: 30 + Math.floor(random() * 150),
      timeZone,
      contacts: {
        email: { address: `debtor${index}@example.com`, valid: true, optedOut: false, consent: false },
        ...(random() < 0.6 ? { sms: { address: '+15555550100', valid: true, optedOut: false, consent: true } } : {}),
        ...(random() < 0.9 ? { letter: { address: '1 Main St | Springfield, IL 62701 | US', valid: true, optedOut: false, consent: false } } : {}),
      },
    });
  }
  return portfolio;
}

const rates = (given: Partial<TResponseModel['base']>): TResponseModel['base'] => ({ pay_full: 0, pay_part: 0, promise_kept: 0, promise_broken: 0, reply: 0, dispute: 0, opt_out: 0, bounce: 0, ...given });

export const benchModel: TResponseModel = {
  name: 'bench',
  version: 1,
  responseWindowDays: 14,
  partShare: 0.4,
  priorStrength: 20,
  base: rates({ pay_full: 0.02, pay_part: 0.02, promise_kept: 0.015, promise_broken: 0.015, reply: 0.03, dispute: 0.005, opt_out: 0.01, bounce: 0.01 }),
  backgroundDailyPayFull: 0.0008,
  strata: [
    { key: { action: 'sms' }, rates: rates({ pay_full: 0.025, pay_part: 0.02, reply: 0.05, opt_out: 0.04, bounce: 0.02 }), observations: 5_000 },
    { key: { action: 'call' }, rates: rates({ pay_full: 0.05, promise_kept: 0.06, promise_broken: 0.05, dispute: 0.01 }), observations: 2_000 },
    { key: { action: 'letter', balanceBand: '2000+' }, rates: rates({ pay_part: 0.04, dispute: 0.015 }), observations: 800 },
  ],
};

export function benchArms(arms: 1 | 2): SimulationArm[] {
  const window = { start: '08:00', end: '21:00' };
  const champion = benchDefinition('sim-champion', longTimeline());
  // The challenger texts sooner and calls where the champion sends its second letter.
  const challengerSteps: TStep[] = longTimeline().map((step) => (step.id === 'nudge' ? { ...step, at: 'P1D' } : step.id === 'letter-2' ? { id: 'call-early', at: step.at, action: 'call' } : step));
  const challenger = benchDefinition('sim-challenger', challengerSteps);
  const list = [
    { label: 'champion', definition: { ...champion, contact: { ...champion.contact, allowedHours: window } } },
    { label: 'challenger', definition: { ...challenger, contact: { ...challenger.contact, allowedHours: window } } },
  ];
  return list.slice(0, arms);
}

export function simulatorThroughput({ cases, days, runs, arms, seed, sharedPersons }: SimulatorOptions): ScenarioResult {
  const portfolio = benchPortfolio(cases, seed, sharedPersons);
  const armList = benchArms(arms);
  const heapBefore = process.memoryUsage().heapUsed;
  const begin = performance.now();
  const totals = simulateChunk({ cases: portfolio, arms: armList, model: benchModel, runs, seed, startedAt, horizonDays: days, costs: { email: 2, sms: 8, letter: 90, call: 400 } });
  const wallSeconds = (performance.now() - begin) / 1000;
  const summary = summarize(totals, armList);
  const memory = process.memoryUsage();
  const caseDays = cases * days * runs * arms;
  const [first, second] = summary.arms;
  return {
    id: 'simulator',
    title: 'Strategy simulator (pure, one chunk)',
    settings: { cases, days, runs, arms, seed, sharedPersons, casesSharingAPerson: portfolio.length - new Set(portfolio.map((each) => each.personKey)).size },
    figures: {
      wall_s: round(wallSeconds, 2),
      case_days_per_s: Math.round(caseDays / wallSeconds),
      case_runs_per_s: Math.round((cases * runs * arms) / wallSeconds),
      rss_mib: round(memory.rss / 2 ** 20, 1),
      heap_used_mib: round(memory.heapUsed / 2 ** 20, 1),
      heap_growth_mib: round((memory.heapUsed - heapBefore) / 2 ** 20, 1),
      max_rss_mib: round(process.resourceUsage().maxRSS / 1024, 1),
      champion_recovery_rate: round(first?.recoveryRate.mean ?? 0, 4),
      ...(second ? { challenger_recovery_rate: round(second.recoveryRate.mean, 4), difference_mean: round(summary.difference?.mean ?? 0, 4), difference_low: round(summary.difference?.low ?? 0, 4), difference_high: round(summary.difference?.high ?? 0, 4) } : {}),
    },
    notes: [`target: 10,000 cases × 180 days × 20 runs in under 10 s; ${arms} arm(s), ${(caseDays / 1e6).toFixed(1)} M case-days`],
  };
}
