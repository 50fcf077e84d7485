import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** What every scenario returns: its settings, its figures (units in the names) and notes. */
export interface ScenarioResult {
  id: string;
  title: string;
  settings: Record<string, string | number | boolean>;
  figures: Record<string, number>;
  notes: string[];
}

export interface BenchRun {
  startedAt: string;
  finishedAt: string;
  commit: string;
  /** True when the working tree had uncommitted changes. */
  dirty: boolean;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; platform: string };
  argv: string[];
  scenarios: ScenarioResult[];
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

export function describeMachine(): BenchRun['machine'] {
  const cpus = os.cpus();
  return {
    cpus: os.availableParallelism?.() ?? cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}

export function newRun(argv: string[]): BenchRun {
  return {
    startedAt: new Date().toISOString(),
    finishedAt: '',
    commit: git(['rev-parse', '--short', 'HEAD']),
    dirty: git(['status', '--porcelain']) !== '',
    machine: describeMachine(),
    argv,
    scenarios: [],
  };
}

const formatValue = (value: number) => (Number.isInteger(value) ? value.toLocaleString('en-US') : value.toLocaleString('en-US', { maximumFractionDigits: 2 }));
const formatSettings = (settings: ScenarioResult['settings']) => Object.entries(settings).map(([key, value]) => `${key}=${value}`).join(', ');

/** Plain-text table of one scenario for the console. */
export function formatScenario(result: ScenarioResult): string {
  const width = Math.max(...Object.keys(result.figures).map((key) => key.length), 10);
  const lines = [`\n== ${result.title}`, `   settings: ${formatSettings(result.settings)}`];
  for (const [key, value] of Object.entries(result.figures)) lines.push(`   ${key.padEnd(width)}  ${formatValue(value)}`);
  for (const note of result.notes) lines.push(`   note: ${note}`);
  return lines.join('\n');
}

/** The run as Markdown: one table per scenario with its settings beside it, for bench/README.md. */
export function formatMarkdown(run: BenchRun): string {
  const { machine } = run;
  const lines = [
    `Run ${run.startedAt} → ${run.finishedAt}, commit \`${run.commit}\`${run.dirty ? ' (with uncommitted changes)' : ''}, ` +
      `${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}.`,
    `Command: \`npm run bench --${run.argv.length ? ` ${run.argv.join(' ')}` : ''}\``,
  ];
  for (const result of run.scenarios) {
    lines.push('', `### ${result.title}`, '', `Settings: ${formatSettings(result.settings)}`, '', '| figure | value |', '| --- | ---: |');
    for (const [key, value] of Object.entries(result.figures)) lines.push(`| ${key} | ${formatValue(value)} |`);
    if (result.notes.length) lines.push('', ...result.notes.map((note) => `- ${note}`));
  }
  return `${lines.join('\n')}\n`;
}

/** Writes `<dir>/latest.json`, a dated copy for comparison, and `latest.md`. */
export async function writeResults(run: BenchRun, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const stamp = run.startedAt.replace(/[:.]/g, '-');
  const json = `${JSON.stringify(run, null, 2)}\n`;
  const files = [path.join(dir, 'latest.json'), path.join(dir, `${stamp}-${run.commit}.json`), path.join(dir, 'latest.md')];
  await writeFile(files[0]!, json);
  await writeFile(files[1]!, json);
  await writeFile(files[2]!, formatMarkdown(run));
  return files;
}
