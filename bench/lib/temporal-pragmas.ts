import { execFile } from 'node:child_process';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * Runs the dev server with extra SQLite pragmas (e.g. journal_mode=wal) without touching
 * lib/temporal-dev-server.ts: a wrapper script around the real CLI, named by TEMPORAL_CLI_PATH,
 * which lib/temporal-binaries.ts honours. Must run before this process starts any dev server
 * (the binary's path is cached on first use).
 */
export async function useTemporalPragmas(pragmas: string[]): Promise<void> {
  const script = fileURLToPath(new URL('../../scripts/temporal-binaries.ts', import.meta.url));
  // Asked in a separate process so this one's cache of the binary's path stays empty.
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], { env: process.env });
  const cli = /temporal CLI:\s+(\S+)/.exec(stdout)?.[1];
  if (!cli) throw new Error(`could not find the Temporal CLI: ${stdout}`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dunning-bench-temporal-'));
  const wrapper = path.join(dir, 'temporal');
  const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
  const extra = pragmas.map((pragma) => `--sqlite-pragma ${quote(pragma)}`).join(' ');
  await writeFile(wrapper, `#!/bin/sh\nexec ${quote(cli)} "$@" ${extra}\n`);
  await chmod(wrapper, 0o755);
  process.env.TEMPORAL_CLI_PATH = wrapper;
}
