// Finds or installs schemathesis (the API fuzzer that attacks /openapi.json) at a pinned version.
// Order: SCHEMATHESIS_PATH, then the project-local venv .tools/schemathesis-<version>/, created with
// `python3 -m venv` and filled by pip from PyPI (the only source reachable without internet access).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const TOOLS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '.tools');

/** The pinned version: its CLI flags are the ones test/security/schemathesis.test.ts passes. */
export const schemathesisVersion = '4.32.5';

let pending: Promise<string> | undefined;

/** Absolute path of the `schemathesis` executable, installing the pinned version on first use. */
export function ensureSchemathesis(): Promise<string> {
  pending ??= locate();
  pending.catch(() => (pending = undefined));
  return pending;
}

async function locate(): Promise<string> {
  const fromEnv = process.env.SCHEMATHESIS_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`SCHEMATHESIS_PATH=${fromEnv} does not exist`);
    return resolve(fromEnv);
  }
  return installIntoVenv();
}

async function installIntoVenv(): Promise<string> {
  // A venv cannot be moved (its scripts name their interpreter by path), so it is built in place;
  // the marker, written last, names the version and the place it was built for: a venv without it,
  // or one built elsewhere and copied or linked here, is a broken install to start over.
  const venv = join(TOOLS_DIR, `schemathesis-${schemathesisVersion}`);
  const executable = join(venv, 'bin', 'schemathesis');
  const marker = join(venv, '.installed');
  const stamp = `${schemathesisVersion} ${venv}`;
  if (existsSync(executable) && (await readFile(marker, 'utf8').catch(() => '')).trim() === stamp) return executable;

  const maxBuffer = 16 * 1024 * 1024;
  try {
    await rm(venv, { recursive: true, force: true });
    await mkdir(TOOLS_DIR, { recursive: true });
    await run('python3', ['-m', 'venv', venv], { maxBuffer });
    await run(join(venv, 'bin', 'python'), ['-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', `schemathesis==${schemathesisVersion}`], {
      maxBuffer,
    });
    await writeFile(marker, `${stamp}\n`);
    return executable;
  } catch (e) {
    throw new Error(
      `could not install schemathesis ${schemathesisVersion} into ${venv} (python3 -m venv, pip): ` +
        `${e instanceof Error ? e.message : String(e)}\n(set SCHEMATHESIS_PATH to an existing schemathesis executable instead)`,
    );
  }
}
