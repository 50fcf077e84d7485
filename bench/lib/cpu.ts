import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * CPU seconds spent by each part of the stack (from /proc on Linux), so a figure can say where
 * the time went: the Temporal server, the worker, PostgreSQL (postmaster and backends) and this
 * process (API, stand-ins, load generator). Zeros where /proc is not available.
 */

export interface CpuParts {
  temporal: number;
  worker: number;
  postgres: number;
  bench: number;
}

const ticksPerSecond = 100; // USER_HZ on Linux

async function processTimes(): Promise<Map<number, { ppid: number; seconds: number }>> {
  const times = new Map<number, { ppid: number; seconds: number }>();
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields after the name: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14).
    const ppid = Number(fields[1]);
    const seconds = (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / ticksPerSecond;
    if (Number.isFinite(seconds)) times.set(Number(entry), { ppid, seconds });
  }
  return times;
}

async function pidFrom(file: string): Promise<number | undefined> {
  const pid = Number((await readFile(file, 'utf8').catch(() => '')).split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export async function cpuSnapshot({ workerPid, temporalDataDir, postgresDataDir }: { workerPid: number; temporalDataDir: string; postgresDataDir: string }): Promise<CpuParts> {
  const times = await processTimes();
  const own = (pid: number | undefined) => (pid ? (times.get(pid)?.seconds ?? 0) : 0);
  const postmaster = await pidFrom(path.join(postgresDataDir, 'postmaster.pid'));
  let postgres = own(postmaster);
  for (const { ppid, seconds } of times.values()) if (postmaster && ppid === postmaster) postgres += seconds;
  const usage = process.cpuUsage();
  return {
    temporal: own(await pidFrom(path.join(temporalDataDir, 'temporal.pid'))),
    worker: own(workerPid),
    postgres,
    bench: (usage.user + usage.system) / 1e6,
  };
}

export function cpuSpent(before: CpuParts, after: CpuParts): CpuParts {
  return {
    temporal: after.temporal - before.temporal,
    worker: after.worker - before.worker,
    postgres: after.postgres - before.postgres,
    bench: after.bench - before.bench,
  };
}

/** Figures `cpu_<phase>_<part>_s` for a result, rounded to 0.1 s. */
export function cpuFigures(phase: string, spent: CpuParts): Record<string, number> {
  return Object.fromEntries(Object.entries(spent).map(([part, seconds]) => [`cpu_${phase}_${part}_s`, Math.round(seconds * 10) / 10]));
}
