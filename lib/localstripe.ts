// Finds or installs localstripe (a stateful stand-in of Stripe's API with a fake Stripe.js) at a
// pinned version, for the tests and `npm start`. Order: LOCALSTRIPE_PATH, then the project-local
// venv .tools/localstripe-<version>/, created with `python3 -m venv` and filled by pip from PyPI
// (the only source reachable without internet access), as lib/schemathesis.ts does.
import { execFile } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The pinned version: testing/parts/stripe.ts and payments/stripe-processor.ts rely on its behaviour (docs: README, "Payments"). */
export const localstripeVersion = '1.15.10';

/**
 * `.tools/` by its real path: worktrees share one `.tools` through a link, and a venv names its
 * interpreter by path, so every checkout must build (and find) it at the same place.
 */
function toolsDir(): string {
  const dir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '.tools');
  return existsSync(dir) ? realpathSync(dir) : dir;
}

let pending: Promise<string> | undefined;

/** Absolute path of the `localstripe` executable, installing the pinned version on first use. */
export function ensureLocalstripe(): Promise<string> {
  pending ??= locate();
  pending.catch(() => (pending = undefined));
  return pending;
}

async function locate(): Promise<string> {
  const fromEnv = process.env.LOCALSTRIPE_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`LOCALSTRIPE_PATH=${fromEnv} does not exist`);
    return resolve(fromEnv);
  }
  return installIntoVenv();
}

async function installIntoVenv(): Promise<string> {
  // The marker, written last, names the version and the place the venv was built for: a venv
  // without it, or one built elsewhere and copied here, is a broken install to start over.
  const tools = toolsDir();
  const venv = join(tools, `localstripe-${localstripeVersion}`);
  const executable = join(venv, 'bin', 'localstripe');
  const marker = join(venv, '.installed');
  const stamp = `${localstripeVersion} ${venv}`;
  if (existsSync(executable) && (await readFile(marker, 'utf8').catch(() => '')).trim() === stamp) return executable;

  const maxBuffer = 16 * 1024 * 1024;
  try {
    await rm(venv, { recursive: true, force: true });
    await mkdir(tools, { recursive: true });
    await run('python3', ['-m', 'venv', venv], { maxBuffer });
    await run(join(venv, 'bin', 'python'), ['-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', `localstripe==${localstripeVersion}`], { maxBuffer });
    await writeFile(marker, `${stamp}\n`);
    return executable;
  } catch (e) {
    throw new Error(
      `could not install localstripe ${localstripeVersion} into ${venv} (python3 -m venv, pip): ` +
        `${e instanceof Error ? e.message : String(e)}\n(set LOCALSTRIPE_PATH to an existing localstripe executable instead)`,
    );
  }
}
