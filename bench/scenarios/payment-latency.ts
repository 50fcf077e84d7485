import { randomUUID } from 'node:crypto';
import type { ScenarioResult } from '../results.js';
import { benchDefinition, middayZone, saveStrategy } from '../lib/bench-strategies.js';
import { openCasesInBulk, type BulkCase } from '../lib/bulk-cases.js';
import { cpuFigures, cpuSpent } from '../lib/cpu.js';
import { randomStream } from '../../domain/simulation/random.js';
import { shuffled } from '../lib/pool.js';
import { benchKeys, type BenchStack } from '../lib/stack.js';
import { percentiles, perSecond, round, since } from '../lib/stats.js';
import { quietTimeline } from '../lib/timelines.js';

/**
 * Scenario 2: with many open cases asleep, payments arrive at a steady rate (open loop: each is
 * sent on schedule whether or not earlier ones are visible yet). For each one: the time from
 * `POST /cases/:id/payments` until `GET /cases/:id` (live from the workflow) shows the new
 * balance, and until the projection row in PostgreSQL does.
 */

export interface PaymentLatencyOptions {
  openCases: number;
  payments: number;
  ratePerSecond: number;
  /** How often each pending payment's case is read back. */
  pollMs: number;
  /** Concurrent workflow starts while opening the cases. */
  concurrency: number;
  seed: number;
}

const amount = 100; // minor units: partial payments keep every case open

/** After this long a payment's read-back slows down, by this factor per poll, up to this interval. */
const backoffAfterMs = 500;
const backoffFactor = 1.25;
const maxPollMs = 250;

/**
 * Polls `check` every `pollMs`; a payment not visible after half a second is polled less and less
 * often (up to every 250 ms). Every live read is a query the worker must answer: at 10 ms for
 * every payment still pending, the read-backs of a backlog became the heaviest load of the run
 * (POST p50 5.4 s, visible p95 30 s in the first full-size run) and the figures measured the
 * probes. The backoff costs at most ~25% resolution on the slow tail, none on the fast path.
 */
async function pollUntil(check: () => Promise<boolean>, pollMs: number, timeoutMs: number, what: string): Promise<void> {
  const start = performance.now();
  let interval = pollMs;
  while (!(await check())) {
    if (performance.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, interval));
    if (performance.now() - start > backoffAfterMs) interval = Math.min(maxPollMs, Math.max(pollMs, interval * backoffFactor));
  }
}

export async function paymentLatency(stack: BenchStack, options: PaymentLatencyOptions): Promise<ScenarioResult> {
  const { openCases, payments, ratePerSecond, pollMs, concurrency, seed } = options;
  const run = randomUUID().slice(0, 8);
  const strategy = await saveStrategy(stack, benchDefinition(`bench-pay-${run}`, quietTimeline()));
  const timeZone = middayZone();
  const opened = await openCasesInBulk(stack, { strategy, count: openCases, startedAt: new Date(), timeZone, label: `pay-${run}`, concurrency });

  // A seeded shuffle spreads payments over the cases; a case paid again expects the sum.
  const order = shuffled(opened.cases, randomStream(seed));
  const expected = new Map(opened.cases.map((c) => [c.caseId, c.balance]));
  const postMs: number[] = [];
  const liveMs: number[] = [];
  const projectedMs: number[] = [];

  async function pay(index: number, target: BulkCase): Promise<void> {
    const balance = expected.get(target.caseId)! - amount;
    expected.set(target.caseId, balance);
    const begin = performance.now();
    const posted = await stack.call('POST', `/api/v1/cases/${target.caseId}/payments`, {
      key: benchKeys.integration,
      body: { reference: `PAY-${run}-${index}`, amount },
    });
    if (posted.status !== 202) throw new Error(`payment answered ${posted.status}: ${JSON.stringify(posted.body)}`);
    postMs.push(since(begin));
    await Promise.all([
      pollUntil(async () => {
        const { body } = await stack.call('GET', `/api/v1/cases/${target.caseId}`);
        return body.live === true && typeof body.balance === 'number' && body.balance <= balance;
      }, pollMs, 60_000, 'the live status to show the payment').then(() => liveMs.push(since(begin))),
      pollUntil(async () => {
        const { rows } = await stack.sql.query<{ balance: number }>('SELECT balance FROM "Case" WHERE id = $1', [target.caseId]);
        return (rows[0]?.balance ?? Infinity) <= balance;
      }, pollMs, 60_000, 'the projection to show the payment').then(() => projectedMs.push(since(begin))),
    ]);
  }

  const cpuBefore = await stack.cpu();
  const interval = 1000 / ratePerSecond;
  const start = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let index = 0; index < payments; index++) {
    const due = start + index * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(pay(index, order[index % order.length]!));
  }
  const sentMs = since(start);
  await Promise.all(inFlight);
  const cpuAfter = await stack.cpu();

  const post = percentiles(postMs);
  const live = percentiles(liveMs);
  const projected = percentiles(projectedMs);
  return {
    id: 'payment-latency',
    title: '2. Payment to visible state',
    settings: { openCases, payments, targetRatePerSecond: ratePerSecond, pollMs, paymentAmount: amount, seed, cachedWorkflows: stack.worker.cachedWorkflows },
    figures: {
      achieved_payments_per_s: round(perSecond(payments, sentMs)),
      post_p50_ms: round(post.p50),
      post_p95_ms: round(post.p95),
      post_p99_ms: round(post.p99),
      visible_live_p50_ms: round(live.p50),
      visible_live_p95_ms: round(live.p95),
      visible_live_p99_ms: round(live.p99),
      visible_live_max_ms: round(live.max),
      visible_projection_p50_ms: round(projected.p50),
      visible_projection_p95_ms: round(projected.p95),
      visible_projection_p99_ms: round(projected.p99),
      payments_visible: liveMs.length,
      open_cases_setup_s: round((opened.insertMs + opened.settledMs) / 1000),
      ...cpuFigures('payments', cpuSpent(cpuBefore, cpuAfter)),
    },
    notes: [
      `cases opened in bulk (projection rows by SQL, workflows started directly with the enrollment input), asleep until their first step a day later`,
      `visible_live: from the POST until GET /api/v1/cases/:id (live query of the workflow) shows the new balance, polled every ${pollMs} ms, backing off after ${backoffAfterMs} ms by x${backoffFactor} up to ${maxPollMs} ms; visible_projection: until the Case row in PostgreSQL does (same polling)`,
    ],
  };
}
