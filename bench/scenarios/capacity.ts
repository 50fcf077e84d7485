import { randomUUID } from 'node:crypto';
import type { TStep } from '../../domain/strategy.js';
import type { ScenarioResult } from '../results.js';
import { benchDefinition, middayZone, saveStrategy } from '../lib/bench-strategies.js';
import { openCasesInBulk } from '../lib/bulk-cases.js';
import { cpuFigures, cpuSpent } from '../lib/cpu.js';
import { progress } from '../lib/log.js';
import { markPhase } from '../lib/profile-phases.js';
import { runPool } from '../lib/pool.js';
import { eventually } from '../../testing/eventually.js';
import { projectionBytes, temporalDiskBytes, type BenchStack } from '../lib/stack.js';
import { perSecond, round } from '../lib/stats.js';
import { trivialTaskQueue } from '../workflows/trivial.js';

/**
 * Scenario 3: many open cases asleep on timers, then all woken by the same timer.
 *
 * Every case starts at one common instant with a strategy whose first step is due at one common
 * offset ("Monday 8 a.m."), so all their timers fire together. Before that, with all of them
 * asleep, the worker's resident memory and the dev server's SQLite size give the cost per open
 * case. Then the time from the due instant until every case has sent its step (to the local SMTP
 * sink or Twilio stand-in) and projected the result.
 *
 * The due instant must fall after setup ends: a pilot batch (asleep on a far timer, not part of
 * the burst) measures this machine's setup speed, and the offset is set from it with a margin.
 *
 * Then the bare counterpart in the same run: as many plain workflows asleep on one timer, each
 * sending one message through the same kind of mailer or SMS client when it fires
 * (bench/workflows/trivial.ts), on the baseline worker; the ratio of the two rates is what the
 * engine's step costs beyond Temporal's timer and one activity.
 */

export type BurstChannel = 'email' | 'sms';

export interface CapacityOptions {
  openCases: number;
  /** Concurrent workflow starts during setup. */
  concurrency: number;
  channel: BurstChannel;
  /** Added to the estimated setup time when placing the common timer; default 20 s. */
  timerMarginMs?: number;
  /** Stop after the "asleep" figures (memory, disk): no burst, no bare counterpart; the cases sleep on a far timer. */
  memoryOnly?: boolean;
}

const mib = 2 ** 20;
const templates: Record<BurstChannel, string> = { email: 'reminder', sms: 'nudge' };

function timeline(channel: BurstChannel, firstAt: string): TStep[] {
  return [
    { id: 'monday', at: firstAt, action: channel, template: templates[channel] },
    { id: 'later', at: 'P30D', action: 'letter', template: 'demand' },
  ];
}

async function countOnStep(stack: BenchStack, strategyId: string, step: string): Promise<number> {
  const { rows } = await stack.sql.query<{ n: string }>(`SELECT count(*) AS n FROM "Case" WHERE "strategyId" = $1 AND "currentStep" = $2`, [strategyId, step]);
  return Number(rows[0]?.n ?? 0);
}

export async function openCaseCapacity(stack: BenchStack, { openCases, concurrency, channel, timerMarginMs = 20_000, memoryOnly = false }: CapacityOptions): Promise<ScenarioResult> {
  const run = randomUUID().slice(0, 8);
  const timeZone = middayZone();
  const sentSoFar = () => (channel === 'sms' ? stack.twilio.messages.length : stack.smtp.messages.length);

  // Pilot: how long this machine takes per case to insert, start and settle.
  const pilotCount = Math.min(500, Math.max(10, Math.round(openCases / 20)));
  const pilotStrategy = await saveStrategy(stack, benchDefinition(`bench-pilot-${run}`, timeline(channel, 'P30D')));
  const pilot = await openCasesInBulk(stack, { strategy: pilotStrategy, count: pilotCount, startedAt: new Date(), timeZone, label: `pilot-${run}`, concurrency });
  const perCaseMs = (pilot.insertMs + pilot.settledMs) / pilotCount;

  const idle = await stack.worker.memory();
  const diskIdle = await temporalDiskBytes(stack);
  const projectionIdle = await projectionBytes(stack);

  // The pilot fits in the worker's cache; past the cache, cases settle slower (at 20,000 they took
  // 1.8× the pilot's time per case), so the lead has more room there.
  const slowdown = openCases > stack.worker.cachedWorkflows ? 2.5 : 1.2;
  const leadSeconds = Math.ceil((perCaseMs * openCases * slowdown + timerMarginMs) / 1000);
  // Memory only: the cases sleep on the pilot's far timer, so a slow setup cannot wake them.
  const burstStrategy = await saveStrategy(stack, benchDefinition(`bench-burst-${run}`, timeline(channel, memoryOnly ? 'P30D' : `PT${leadSeconds}S`)));
  const startedAt = new Date();
  const dueAt = startedAt.getTime() + leadSeconds * 1000;
  const sentBefore = sentSoFar();
  const cpuSetupStart = await stack.cpu();
  const opened = await openCasesInBulk(stack, { strategy: burstStrategy, count: openCases, startedAt, timeZone, label: `burst-${run}`, concurrency });
  const settledAt = Date.now();
  const cpuSetupEnd = await stack.cpu();

  const asleep = await stack.worker.memory();
  const diskAsleep = await temporalDiskBytes(stack);
  const projectionAsleep = await projectionBytes(stack);
  const earlySends = sentSoFar() - sentBefore;
  const asleepFigures = {
    setup_insert_s: round(opened.insertMs / 1000),
    setup_start_calls_per_s: round(perSecond(openCases, opened.startMs)),
    setup_all_asleep_s: round(opened.settledMs / 1000),
    worker_rss_idle_mib: round(idle.rss / mib),
    worker_rss_asleep_mib: round(asleep.rss / mib),
    worker_rss_per_open_case_kib: round((asleep.rss - idle.rss) / openCases / 1024, 2),
    worker_heap_used_idle_mib: round(idle.heapUsed / mib),
    worker_heap_used_asleep_mib: round(asleep.heapUsed / mib),
    worker_external_asleep_mib: round(asleep.external / mib),
    temporal_disk_asleep_mib: round(diskAsleep / mib),
    temporal_disk_per_open_case_kib: round((diskAsleep - diskIdle) / openCases / 1024, 2),
    projection_per_open_case_kib: round((projectionAsleep - projectionIdle) / openCases / 1024, 2),
  };
  const setupNotes = [
    `setup: projection rows inserted by SQL, workflows started directly with the Temporal client (the input enrollment builds); enrollment through the API is scenario 1`,
    `pilot: ${pilotCount} cases opened first to size the timer (asleep for 30 days, not in the burst); baselines for memory and disk were taken after it`,
    `disk: the dev server's temporal.sqlite* files; memory: process.memoryUsage() of the worker's own process`,
  ];
  if (memoryOnly) {
    return {
      id: 'capacity',
      title: '3. Open-case capacity (memory only: no burst)',
      settings: { openCases, setupConcurrency: concurrency, memoryOnly, timeZone, cachedWorkflows: stack.worker.cachedWorkflows },
      figures: { ...asleepFigures, ...cpuFigures('setup', cpuSpent(cpuSetupStart, cpuSetupEnd)) },
      notes: [...setupNotes, 'memory only (--capacity-memory-only): the cases sleep on a 30-day timer; the burst and its bare counterpart were not run'],
    };
  }

  // The burst: sample progress until every case has sent and projected its step.
  progress(`all ${openCases} cases asleep; rss ${round(asleep.rss / mib)} MiB; the common timer fires in ${round((dueAt - Date.now()) / 1000)} s`);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, dueAt - Date.now())));
  let peakRss = asleep.rss;
  const marks: Partial<Record<'first' | 'p50' | 'p95' | 'p99' | 'all', number>> = {};
  const burstStart = Date.now();
  const cpuBurstStart = await stack.cpu();
  markPhase('burst', 'start');
  let lastReport = Date.now();
  const allProjectedAt = await eventually(async () => {
    if (Date.now() - lastReport > 10_000) {
      lastReport = Date.now();
      progress(`burst: ${sentSoFar() - sentBefore}/${openCases} sent after ${round((Date.now() - dueAt) / 1000)} s`);
    }
    peakRss = Math.max(peakRss, (await stack.worker.memory()).rss);
    const sent = sentSoFar() - sentBefore;
    const elapsed = Date.now() - dueAt;
    if (sent >= 1) marks.first ??= elapsed;
    if (sent >= openCases * 0.5) marks.p50 ??= elapsed;
    if (sent >= openCases * 0.95) marks.p95 ??= elapsed;
    if (sent >= openCases * 0.99) marks.p99 ??= elapsed;
    if (sent >= openCases) marks.all ??= elapsed;
    return marks.all !== undefined && (await countOnStep(stack, burstStrategy.id, 'monday')) >= openCases && Date.now();
  }, `${openCases} due steps to run`, 60 * 60_000, 200);
  const burstMs = allProjectedAt - dueAt;
  markPhase('burst', 'end');
  const cpuBurstEnd = await stack.cpu();
  const sent = sentSoFar() - sentBefore;
  const bare = await bareBurst(stack, { count: openCases, concurrency, channel, run, sentSoFar, leadMs: (opened.startMs * 2) + timerMarginMs });
  const burstRate = perSecond(openCases, burstMs);

  const notes = [
    ...setupNotes,
    `sends go to the ${channel === 'sms' ? 'Twilio stand-in (real twilio client over HTTP)' : 'SMTP sink (real nodemailer over SMTP)'}; burst progress sampled every 200 ms`,
  ];
  notes.push(`bare: ${openCases} workflows started with the Temporal client on the baseline worker's queue, asleep until one instant, each sending one ${channel} (no outbox, rules or read model); rate from that instant until the last message reached the stand-in`);
  if (bare.overran) notes.push('WARNING: the bare workflows were still starting when their timer fired: the bare rate includes their starts');
  if (settledAt > dueAt || earlySends > 0) {
    notes.push(`WARNING: setup overran the common timer by ${round((settledAt - dueAt) / 1000)} s (${earlySends} sends before setup ended): the burst figures include setup`);
  }
  return {
    id: 'capacity',
    title: '3. Open-case capacity and the "Monday 8 a.m." burst',
    settings: { openCases, setupConcurrency: concurrency, burstChannel: channel, timeZone, timerLeadSeconds: leadSeconds, cachedWorkflows: stack.worker.cachedWorkflows },
    figures: {
      ...asleepFigures,
      idle_before_timer_s: round((dueAt - settledAt) / 1000),
      burst_first_send_s: round((marks.first ?? Number.NaN) / 1000, 2),
      burst_50pct_sent_s: round((marks.p50 ?? Number.NaN) / 1000, 1),
      burst_95pct_sent_s: round((marks.p95 ?? Number.NaN) / 1000, 1),
      burst_99pct_sent_s: round((marks.p99 ?? Number.NaN) / 1000, 1),
      burst_all_sent_s: round((marks.all ?? Number.NaN) / 1000, 1),
      burst_all_projected_s: round(burstMs / 1000, 1),
      burst_steps_per_s: round(burstRate),
      bare_timer_sends_per_s: round(bare.perSecond),
      ratio_burst_to_bare: round(burstRate / bare.perSecond, 2),
      worker_rss_peak_burst_mib: round(peakRss / mib),
      sends: sent,
      burst_polls_started_late_ms: Math.max(0, burstStart - dueAt),
      ...cpuFigures('setup', cpuSpent(cpuSetupStart, cpuSetupEnd)),
      ...cpuFigures('burst', cpuSpent(cpuBurstStart, cpuBurstEnd)),
    },
    notes,
  };
}

/** Scenario 3's bare counterpart: `count` bare timer workflows due at one instant; answers their send rate. */
async function bareBurst(stack: BenchStack, { count, concurrency, channel, run, sentSoFar, leadMs }: { count: number; concurrency: number; channel: BurstChannel; run: string; sentSoFar: () => number; leadMs: number }) {
  const dueAt = Date.now() + leadMs;
  const before = sentSoFar();
  const recipient = (index: number) => (channel === 'sms' ? `+1555${String(index % 10_000_000).padStart(7, '0')}` : `bare-${index}@bench.local`);
  await runPool(count, concurrency, async (index) => {
    await stack.temporal.workflow.start('bareTimerWorkflow', { taskQueue: trivialTaskQueue, workflowId: `bare-timer-${run}-${index}`, args: [dueAt, channel, recipient(index)] });
  });
  const overran = Date.now() > dueAt || sentSoFar() > before;
  progress(`bare: ${count} timer workflows asleep; their timer fires in ${round((dueAt - Date.now()) / 1000)} s`);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, dueAt - Date.now())));
  const doneAt = await eventually(async () => sentSoFar() - before >= count && Date.now(), `${count} bare sends`, 60 * 60_000, 200);
  return { perSecond: perSecond(count, doneAt - dueAt), overran };
}
