// Python command-line tools the tests and `npm start` need (schemathesis, localstripe), each at a
// pinned version: `<NAME>_PATH` when set, else a project-local venv .tools/<name>-<version>/,
// created with `python3 -m venv` and filled by pip from PyPI (the only source reachable without
// internet access).
import { execFile } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * `.tools/` by its real path: worktrees share one `.tools` through a link, and a venv names its
 * interpreter by path, so every checkout must build (and find) it at the same place.
 */
function toolsDir(): string {
  const dir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '.tools');
  return existsSync(dir) ? realpathSync(dir) : dir;
}

/** A function answering the tool's executable, installing the pinned version on first use (once per process). */
export function pipTool({ name, version, pathVariable }: { name: string; version: string; pathVariable: string }): () => Promise<string> {
  let pending: Promise<string> | undefined;

  async function locate(): Promise<string> {
    const fromEnv = process.env[pathVariable];
    if (fromEnv) {
      if (!existsSync(fromEnv)) throw new Error(`${pathVariable}=${fromEnv} does not exist`);
      return resolve(fromEnv);
    }
    return installIntoVenv();
  }

  async function installIntoVenv(): Promise<string> {
    // The marker, written last, names the version and the place the venv was built for: a venv
    // without it, or one built elsewhere and copied here, is a broken install to start over.
    const tools = toolsDir();
    const venv = join(tools, `${name}-${version}`);
    const executable = join(venv, 'bin', name);
    const marker = join(venv, '.installed');
    const stamp = `${version} ${venv}`;
    if (existsSync(executable) && (await readFile(marker, 'utf8').catch(() => '')).trim() === stamp) return executable;

    const maxBuffer = 16 * 1024 * 1024;
    try {
      await rm(venv, { recursive: true, force: true });
      await mkdir(tools, { recursive: true });
      await run('python3', ['-m', 'venv', venv], { maxBuffer });
      await run(join(venv, 'bin', 'python'), ['-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', `${name}==${version}`], { maxBuffer });
      await writeFile(marker, `${stamp}\n`);
      return executable;
    } catch (e) {
      throw new Error(
        `could not install ${name} ${version} into ${venv} (python3 -m venv, pip): ` +
          `${e instanceof Error ? e.message : String(e)}\n(set ${pathVariable} to an existing ${name} executable instead)`,
      );
    }
  }

  return () => {
    pending ??= locate();
    pending.catch(() => (pending = undefined));
    return pending;
  };
}
