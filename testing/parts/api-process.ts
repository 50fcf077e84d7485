import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { apiClient, testKeys, type CallOptions, type CallResult } from '../api-client.js';
import type { StopStack } from '../stop-stack.js';

export interface ApiProcessPart {
  baseUrl: () => string;
  /** Calls this API process with a key (the manager's by default). */
  call(method: string, url: string, options?: CallOptions): Promise<CallResult>;
  readonly pid: number | undefined;
  /** Sends `signal` (default SIGKILL) to the API process and waits until it is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the API process again on the same port; resolves once it answers HTTP. */
  start(): Promise<void>;
}

const apiMain = fileURLToPath(new URL('../../api/main.ts', import.meta.url));

/** `API_KEYS` for {@link testKeys}, as `npm run api` reads it. */
const apiKeysEnv = Object.entries(testKeys)
  .map(([name, key]) => `${key}:${name === 'officer2' ? 'officer' : name}`)
  .join(',');

/**
 * The API as production runs it, `npm run api` (api/main.ts) in its own process, so the chaos soak
 * can kill it -9 and start it again on the same port. Its settings are the engine's `env` plus
 * the port, the keys and the API's own secrets; its output goes to `logs`.
 */
export async function startApiProcess(stops: StopStack, { port, env, logs, rateLimitPerMinute }: { port: number; env: Record<string, string>; logs: string[]; rateLimitPerMinute: number }): Promise<ApiProcessPart> {
  let child: ChildProcess | undefined;
  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;

  async function kill(signal: NodeJS.Signals = 'SIGKILL') {
    const current = child;
    if (!current || !running()) return;
    const exited = new Promise((resolve) => current.once('exit', resolve));
    current.kill(signal);
    const timer = setTimeout(() => current.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }

  async function start() {
    if (running()) throw new Error('the API process is already running');
    const spawned = spawn(process.execPath, ['--import', 'tsx', apiMain], {
      env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', API_KEYS: apiKeysEnv, RATE_LIMIT_PER_MINUTE: String(rateLimitPerMinute) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = spawned;
    let output = '';
    let exitCode: number | null | undefined;
    spawned.once('exit', (code) => (exitCode = code));
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output = (output + text).slice(-4000);
      logs.push(...text.split('\n').filter(Boolean));
    };
    spawned.stdout?.on('data', onData);
    spawned.stderr?.on('data', onData);
    // Ready once it answers HTTP at all (health may say 503 while a dependency is down).
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (exitCode !== undefined) throw new Error(`the API process exited (code ${exitCode}) before it answered:\n${output}`);
      try {
        await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2_000) });
        return;
      } catch {
        if (Date.now() > deadline) {
          await kill('SIGKILL');
          throw new Error(`the API process did not answer on port ${port} within 90 s:\n${output}`);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  await start();
  stops.push('api process', () => kill('SIGTERM'));
  return {
    baseUrl: () => `http://127.0.0.1:${port}`,
    call: apiClient(() => `http://127.0.0.1:${port}`),
    get pid() {
      return child?.pid;
    },
    kill,
    start,
  };
}
