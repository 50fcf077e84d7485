import { appendFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Marks a scenario's phases for BENCH_WORKER_CPU_PROF: V8 stamps a profile's samples on the
 * monotonic clock that `process.hrtime` reads, the same clock in every process of the machine, so
 * the bench's start and end of a phase (here) select the worker's samples of that phase
 * (`npx tsx bench/cpu-profile-top.ts --phase burst <dir>/*.cpuprofile`). No-op without the variable.
 */
export function markPhase(name: string, edge: 'start' | 'end'): void {
  const dir = process.env.BENCH_WORKER_CPU_PROF;
  if (!dir) return;
  const micros = Number(process.hrtime.bigint() / 1000n);
  appendFileSync(path.join(dir, 'phases.jsonl'), `${JSON.stringify({ name, edge, micros })}\n`);
}
