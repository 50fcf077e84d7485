// Summarises V8 .cpuprofile files (e.g. from BENCH_WORKER_CPU_PROF): self time by function and
// by file, so a profile can be read without a browser. `npx tsx bench/cpu-profile-top.ts <file...>`
// `--phase burst` keeps only the samples taken during that phase of the scenario (the last one
// marked in phases.jsonl beside the first profile: bench/lib/profile-phases.ts).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

interface PhaseMark {
  name: string;
  edge: 'start' | 'end';
  micros: number;
}

/** The [start, end] in monotonic microseconds of the last run of `name` marked in the profiles' folder. */
async function phaseWindow(name: string, dir: string): Promise<[number, number]> {
  const file = path.join(dir, 'phases.jsonl');
  if (!existsSync(file)) throw new Error(`no phases.jsonl in ${dir}`);
  const marks = (await readFile(file, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as PhaseMark).filter((mark) => mark.name === name);
  const start = marks.findLast((mark) => mark.edge === 'start');
  const end = marks.findLast((mark) => mark.edge === 'end');
  if (!start || !end || end.micros < start.micros) throw new Error(`phase ${name} is not marked whole in ${file}`);
  return [start.micros, end.micros];
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

/** The project's own frames (not a package, not Node's): where a sample's time is spent on our account. */
const ownFrame = (url: string) => url !== '' && !url.includes('node_modules') && !url.startsWith('node:');

const byFunction = new Map<string, number>();
const byFile = new Map<string, number>();
/** Inclusive: each of the project's functions on the sample's stack, counted once per sample. */
const byOwnFunction = new Map<string, number>();
let total = 0;
const args = process.argv.slice(2);
const phaseAt = args.indexOf('--phase');
const phase = phaseAt >= 0 ? args.splice(phaseAt, 2)[1] : undefined;
const window = phase && args[0] ? await phaseWindow(phase, path.dirname(args[0])) : undefined;
for (const file of args) {
  const profile = JSON.parse(await readFile(file, 'utf8')) as { startTime: number; nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  let at = profile.startTime;
  profile.samples.forEach((id, index) => {
    const node = nodes.get(id);
    const micros = profile.timeDeltas[index] ?? 0;
    at += micros;
    if (!node || (window && (at < window[0] || at > window[1]))) return;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url.replace(/^.*node_modules\//, '').replace(/^file:\/\/\/work\/main\//, '') || '(native)';
    byFunction.set(`${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`, (byFunction.get(`${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`) ?? 0) + micros);
    const bucket = where.startsWith('(') ? functionName || where : where.split('/').slice(0, where.startsWith('@') ? 2 : 1).join('/');
    byFile.set(bucket, (byFile.get(bucket) ?? 0) + micros);
    const seen = new Set<string>();
    for (let up: number | undefined = id; up !== undefined; up = parents.get(up)) {
      const frame = nodes.get(up)?.callFrame;
      if (!frame || !ownFrame(frame.url)) continue;
      const name = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*\/(wt-[^/]+|main)\//, '')}:${frame.lineNumber + 1}`;
      if (seen.has(name)) continue;
      seen.add(name);
      byOwnFunction.set(name, (byOwnFunction.get(name) ?? 0) + micros);
    }
    total += micros;
  });
}
const show = (title: string, map: Map<string, number>, count: number) => {
  console.log(`\n${title} (of ${(total / 1e6).toFixed(1)} s sampled${phase ? ` during ${phase}` : ''})`);
  for (const [key, micros] of [...map].sort((a, b) => b[1] - a[1]).slice(0, count)) console.log(`  ${((micros / total) * 100).toFixed(1).padStart(5)}%  ${key}`);
};
show('self time by package / top folder', byFile, 25);
show('self time by function', byFunction, 40);
show("total time under the project's own functions (inclusive)", byOwnFunction, 40);
