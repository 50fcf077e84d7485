// Runs localstripe (lib/localstripe.ts) on a port of our choice. localstripe keeps its objects in a
// pickle at the fixed path /tmp/localstripe.pickle, shared by every copy on the machine; we run it
// through its own interpreter with that path moved to `storePath`, so parallel test files and
// `npm start` each keep their own (and `npm start` finds its saved cards again after a restart).
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { ensureLocalstripe } from './localstripe.js';

export interface LocalstripeOptions {
  port: number;
  /** Where localstripe keeps its objects; loaded at start when it exists. */
  storePath: string;
  /** Its access log and errors; default: discarded. */
  logPath?: string;
  /** How long to wait for it to answer; default 30 s. */
  startTimeoutMs?: number;
}

export interface LocalstripeHandle {
  /** `http://127.0.0.1:<port>`: the API (STRIPE_API_BASE) and the fake Stripe.js at `/js.stripe.com/v3/`. */
  url: string;
  stop(): Promise<void>;
}

/** The stand-in's secret and publishable keys: it accepts any `sk_`/`pk_` key. */
export const localstripeKeys = { secretKey: 'sk_test_localstripe', publishableKey: 'pk_test_localstripe' } as const;

// The store's path patched in before the server module reads it; then localstripe's own start().
const launcher = [
  'import pickle, sys',
  'from localstripe import resources, server',
  'path = sys.argv.pop(1)',
  'def load(self):',
  '    try:',
  '        with open(path, "rb") as f:',
  '            self.clear(); self.update(pickle.load(f))',
  '    except FileNotFoundError:',
  '        pass',
  'def dump(self):',
  '    with open(path + ".tmp", "wb") as f:',
  '        pickle.dump(self, f, protocol=pickle.HIGHEST_PROTOCOL)',
  '    __import__("os").replace(path + ".tmp", path)',
  'resources.Store.try_load_from_disk = load',
  'resources.Store.dump_to_disk = dump',
  'server.start()',
].join('\n');

/** The Python interpreter a console script names on its first line (`#!/…/python`). */
async function interpreterOf(executable: string): Promise<string> {
  const first = (await readFile(executable, 'utf8')).split('\n', 1)[0] ?? '';
  if (!first.startsWith('#!')) throw new Error(`${executable} is not a Python console script (LOCALSTRIPE_PATH names the localstripe executable)`);
  return first.slice(2).trim().split(/\s+/)[0] as string;
}

export async function startLocalstripe(options: LocalstripeOptions): Promise<LocalstripeHandle> {
  const python = await interpreterOf(await ensureLocalstripe());
  const logFd = options.logPath ? openSync(options.logPath, 'a') : 'ignore';
  let child: ChildProcess;
  try {
    child = spawn(python, ['-c', launcher, options.storePath, '--port', String(options.port)], { stdio: ['ignore', logFd, logFd] });
  } finally {
    if (typeof logFd === 'number') closeSync(logFd);
  }
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.once('error', () => {}); // reported by the readiness wait
  const url = `http://127.0.0.1:${options.port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
  };
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  let gone = false;
  void exited.then(() => (gone = true));
  for (;;) {
    try {
      const answer = await fetch(`${url}/js.stripe.com/v3/`);
      if (answer.ok) return { url, stop };
    } catch {
      // not listening yet
    }
    if (gone) throw new Error(`localstripe exited before it answered on ${url}${options.logPath ? ` (see ${options.logPath})` : ''}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`localstripe did not answer on ${url} within ${options.startTimeoutMs ?? 30_000} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
