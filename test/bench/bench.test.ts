import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBenchStack, type BenchStack } from '../../bench/lib/stack.js';
import { useTemporalPragmas } from '../../bench/lib/temporal-pragmas.js';
import type { ScenarioResult } from '../../bench/results.js';
import { openCaseCapacity } from '../../bench/scenarios/capacity.js';
import { dialerRoundTrip } from '../../bench/scenarios/dialer.js';
import { enrollmentThroughput } from '../../bench/scenarios/enrollment.js';
import { paymentLatency } from '../../bench/scenarios/payment-latency.js';
import { reportQueries } from '../../bench/scenarios/reports.js';
import { paymentModel, strategySimulation } from '../../bench/scenarios/simulation.js';
import { xlsxImport } from '../../bench/scenarios/xlsx-import.js';

/**
 * Every benchmark scenario at a tiny size on one shared stack, so `npm run bench` cannot rot:
 * each must finish and return sane numbers (positive rates, ordered percentiles, counts equal to
 * what was asked).
 */

let stack: BenchStack;

beforeAll(async () => {
  process.env.BENCH_QUIET = '1';
  // The dev server's SQLite without a rollback journal per write: same results, much less waiting
  // on fsync (and it exercises `npm run bench -- --temporal-pragmas`).
  await useTemporalPragmas(['journal_mode=wal', 'synchronous=normal']);
  stack = await startBenchStack({ trivialWorker: true });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

function expectOrdered(result: ScenarioResult, prefix: string): void {
  const { [`${prefix}_p50_ms`]: p50, [`${prefix}_p95_ms`]: p95, [`${prefix}_p99_ms`]: p99 } = result.figures;
  expect(p50, `${prefix} p50`).toBeGreaterThan(0);
  expect(p50!).toBeLessThanOrEqual(p95!);
  expect(p95!).toBeLessThanOrEqual(p99!);
}

describe('benchmark scenarios at a tiny size', () => {
  it('1. enrollment: both rates positive, every account enrolled and every bare workflow completed', async () => {
    const result = await enrollmentThroughput(stack, { count: 20, concurrency: 4, warmup: 4 });
    expect(result.figures.bare_starts_per_s).toBeGreaterThan(0);
    expect(result.figures.enrollments_per_s).toBeGreaterThan(0);
    expect(result.figures.ratio_enroll_to_bare).toBeGreaterThan(0);
    expect(result.figures.enrolled).toBe(20);
    expect(result.figures.bare_completed).toBe(20);
    expectOrdered(result, 'bare_start');
    expectOrdered(result, 'enroll');
    const { rows } = await stack.sql.query<{ n: string }>(`SELECT count(*) AS n FROM "Account" WHERE "externalId" LIKE 'ENR-%-run-%'`);
    expect(Number(rows[0]?.n)).toBe(20);
  });

  it('2. payment latency: every payment becomes visible, percentiles ordered', async () => {
    const result = await paymentLatency(stack, { openCases: 6, payments: 8, ratePerSecond: 10, pollMs: 10, concurrency: 4, seed: 1 });
    expect(result.figures.payments_visible).toBe(8);
    expect(result.figures.achieved_payments_per_s).toBeGreaterThan(0);
    expectOrdered(result, 'post');
    expectOrdered(result, 'visible_live');
    expectOrdered(result, 'visible_projection');
  });

  it('3. capacity: every open case sends its step once after the common timer', async () => {
    const sentBefore = stack.twilio.messages.length;
    const result = await openCaseCapacity(stack, { openCases: 12, concurrency: 4, channel: 'sms', timerMarginMs: 3_000 });
    expect(result.figures.sends).toBe(12);
    expect(result.figures.worker_rss_asleep_mib).toBeGreaterThan(0);
    expect(result.figures.temporal_disk_asleep_mib).toBeGreaterThan(0);
    expect(result.figures.burst_all_projected_s).toBeGreaterThanOrEqual(result.figures.burst_all_sent_s!);
    expect(result.figures.burst_steps_per_s).toBeGreaterThan(0);
    // The bare counterpart sent as many again, in the same run.
    expect(stack.twilio.messages.length - sentBefore).toBe(24);
    expect(result.figures.bare_timer_sends_per_s).toBeGreaterThan(0);
    expect(result.figures.ratio_burst_to_bare).toBeGreaterThan(0);
    expect(result.notes.join('\n')).not.toContain('WARNING');
  });

  it('5. reports: the seeded cases are counted and every route answers', async () => {
    const result = await reportQueries(stack, { cases: 300, requests: 3 });
    expect(result.figures.seeded_cases).toBe(300);
    const { rows } = await stack.sql.query<{ n: string }>(`SELECT count(*) AS n FROM "Case" WHERE id LIKE 'case-ra-%'`);
    expect(Number(rows[0]?.n)).toBe(300);
    expect(result.figures['cases p95_ms']).toBeGreaterThan(0);
    expect(result.figures['cases?status=open p95_ms']).toBeGreaterThanOrEqual(result.figures['cases?status=open p50_ms']!);
    expect(result.notes.filter((note) => note.startsWith('failed'))).toEqual([]);
  });

  it('6. dialer: every account exported is imported back once, and the repeat is all duplicates', async () => {
    const result = await dialerRoundTrip(stack, { rows: 12, concurrency: 4 });
    expect(result.figures).toMatchObject({ exported_rows: 12, import_applied: 12, import_rejected: 0, repeat_duplicates: 12 });
    expect(result.figures.round_trip_ms).toBeGreaterThan(0);
  });

  it('7. xlsx import: every good row of the workbook created, every bad one rejected, a positive rate', async () => {
    const result = await xlsxImport(stack, { rows: 120, pollMs: 100 });
    expect(result.figures).toMatchObject({ created: 119, rejected: 1, total_rows_at_upload: 120 });
    expect(result.figures.rows_per_s).toBeGreaterThan(0);
    expect(result.figures.bare_starts_per_s).toBeGreaterThan(0);
    expect(result.figures.ratio_rows_to_bare_starts).toBeGreaterThan(0);
    const { rows } = await stack.sql.query<{ n: string }>(`SELECT count(*) AS n FROM "Account" WHERE "externalId" LIKE 'XLSX-%'`);
    expect(Number(rows[0]?.n)).toBe(119);
  });
});

describe('strategy simulation at a tiny size', () => {
  it('4. runs every case to its end with the outcome the seeded model predicts', async () => {
    const result = await strategySimulation({ cases: 12, days: 120, seed: 7, concurrency: 4 });
    expect(result.figures.cases_finished).toBe(12);
    expect(result.figures.closed_paid).toBe(result.figures.expected_paid);
    expect(result.figures.closed_paid! + result.figures.referred!).toBe(12);
    expect(result.figures.cases_per_s).toBeGreaterThan(0);
    expect(result.figures.payments_injected).toBe(paymentModel(12, 120, 7).payments.length);
  });

  it('the payment model is reproducible from its seed', () => {
    expect(paymentModel(50, 120, 3)).toEqual(paymentModel(50, 120, 3));
    expect(paymentModel(50, 120, 3)).not.toEqual(paymentModel(50, 120, 4));
  });
});
