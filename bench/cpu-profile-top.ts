// Summarises V8 .cpuprofile files (e.g. from BENCH_WORKER_CPU_PROF): self time by function and
// by file, so a profile can be read without a browser. `npx tsx bench/cpu-profile-top.ts <file...>`
import { readFile } from 'node:fs/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

const byFunction = new Map<string, number>();
const byFile = new Map<string, number>();
let total = 0;
for (const file of process.argv.slice(2)) {
  const profile = JSON.parse(await readFile(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  profile.samples.forEach((id, index) => {
    const node = nodes.get(id);
    const micros = profile.timeDeltas[index] ?? 0;
    if (!node) return;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url.replace(/^.*node_modules\//, '').replace(/^file:\/\/\/work\/main\//, '') || '(native)';
    byFunction.set(`${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`, (byFunction.get(`${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`) ?? 0) + micros);
    const bucket = where.startsWith('(') ? functionName || where : where.split('/').slice(0, where.startsWith('@') ? 2 : 1).join('/');
    byFile.set(bucket, (byFile.get(bucket) ?? 0) + micros);
    total += micros;
  });
}
const show = (title: string, map: Map<string, number>, count: number) => {
  console.log(`\n${title} (of ${(total / 1e6).toFixed(1)} s sampled)`);
  for (const [key, micros] of [...map].sort((a, b) => b[1] - a[1]).slice(0, count)) console.log(`  ${((micros / total) * 100).toFixed(1).padStart(5)}%  ${key}`);
};
show('self time by package / top folder', byFile, 25);
show('self time by function', byFunction, 40);
