import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import type { ScenarioResult } from '../results.js';
import { benchDefinition, middayZone, saveStrategy } from '../lib/bench-strategies.js';
import { openCasesInBulk } from '../lib/bulk-cases.js';
import { progress } from '../lib/log.js';
import { benchKeys, type BenchStack } from '../lib/stack.js';
import { round, since } from '../lib/stats.js';

/**
 * Scenario 6: the predictive dialer's round trip. A team's open cases (bulk-opened, each with a
 * phone number and a running workflow) are exported as a campaign (every row decided live: the
 * case's call facts, the rules, the window and the allowance), then a disposition file with one
 * row per exported account is imported (each row a `callAttempted` on its case, once per dialer
 * call id), then the same file again (all duplicates). Cases here have no person workflow.
 */

export interface DialerOptions {
  rows: number;
  concurrency: number;
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await work();
  return { value, ms: since(start) };
}

export async function dialerRoundTrip(stack: BenchStack, { rows, concurrency }: DialerOptions): Promise<ScenarioResult> {
  const run = randomUUID().slice(0, 8);
  const team = `bench-dialer-${run}`;
  const strategy = await saveStrategy(stack, benchDefinition(`bench-dialer-${run}`, [{ id: 'call', at: 'P30D', action: 'call' }]));
  await openCasesInBulk(stack, { strategy, count: rows, startedAt: new Date(), timeZone: middayZone(), label: `dialer-${run}`, concurrency });
  await stack.sql.query(`UPDATE "Case" SET "team" = $1 WHERE "strategyId" = $2`, [team, strategy.id]);
  progress(`dialer: ${rows} cases open in team ${team}; exporting`);
  const headers = { authorization: `Bearer ${benchKeys.manager}` };

  const exported = await timed(async () => {
    const answer = await fetch(`${stack.baseUrl}/api/v1/dialer/campaign?team=${team}&window=now`, { headers });
    if (answer.status !== 200) throw new Error(`campaign export answered ${answer.status}: ${await answer.text()}`);
    return parse<Record<string, string>>(await answer.text(), { columns: true });
  });
  const placedAt = new Date().toISOString();
  const csv = [
    'call_id,call_ref,placed_at,connected,right_party,outcome,duration_seconds,agent',
    ...exported.value.map((row, index) => `DIALER-${run}-${index},${row.call_ref},${placedAt},${index % 3 === 0 ? 'yes' : 'no'},no,${index % 3 === 0 ? 'left_message' : 'no_answer'},${index % 3 === 0 ? 25 : 0},agent-${index % 20}`),
  ].join('\n');
  const post = () =>
    timed(async () => {
      const answer = await fetch(`${stack.baseUrl}/api/v1/dialer/dispositions`, { method: 'POST', headers: { ...headers, 'content-type': 'text/csv' }, body: csv });
      if (answer.status !== 200) throw new Error(`disposition import answered ${answer.status}: ${await answer.text()}`);
      return (await answer.json()) as { applied: number; duplicates: number; rejected: unknown[] };
    });
  const imported = await post();
  const repeated = await post();
  progress(`dialer: exported ${exported.value.length} rows in ${Math.round(exported.ms)} ms, imported in ${Math.round(imported.ms)} ms, repeated in ${Math.round(repeated.ms)} ms`);
  return {
    id: 'dialer',
    title: '6. Dialer round trip: campaign export and disposition import',
    settings: { cases: rows, window: 'now', role: 'manager', personWorkflows: false },
    figures: {
      exported_rows: exported.value.length,
      export_ms: round(exported.ms),
      import_applied: imported.value.applied,
      import_rejected: imported.value.rejected.length,
      import_ms: round(imported.ms),
      repeat_duplicates: repeated.value.duplicates,
      repeat_ms: round(repeated.ms),
      round_trip_ms: round(exported.ms + imported.ms),
      rows_per_s: round((exported.value.length * 2) / ((exported.ms + imported.ms) / 1000)),
    },
    notes: ['every exported row is decided live (callFacts query per case, the rules at the API clock); every imported row is a signal to its case'],
  };
}
