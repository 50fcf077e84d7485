import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { freePort } from '../../lib/free-port.js';
import { ensureTemporalTestServer } from '../../lib/temporal-binaries.js';
import { startTemporalDevServer, type TemporalDevServerHandle } from '../../lib/temporal-dev-server.js';
import type { StopStack } from '../stop-stack.js';

export interface TemporalPart {
  address: string;
  /** The time-skipping environment: its client, `sleep` and `currentTimeMs` (time-skipping only). */
  testEnv?: TestWorkflowEnvironment;
  /** Stops the server (SIGTERM, or `signal`) and starts it again on the same data and ports (dev server only). */
  restart(downMs?: number, signal?: NodeJS.Signals): Promise<void>;
}

/**
 * The time-skipping test server from the pinned binary. Time skipping is global to a server, so
 * one per test file.
 */
export async function startTimeSkippingServer(stops: StopStack): Promise<TemporalPart> {
  const testEnv = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: await ensureTemporalTestServer() } } });
  stops.push('time-skipping server', () => testEnv.teardown());
  return {
    address: testEnv.address,
    testEnv,
    restart: () => Promise.reject(new Error('the time-skipping server does not restart')),
  };
}

/** The Temporal dev server with its SQLite file under `dataDir`, as `npm start` runs it. */
export async function startDevServer(stops: StopStack, dataDir: string): Promise<TemporalPart> {
  const folder = path.join(dataDir, 'temporal');
  let ports = { port: 0, uiPort: 0 };
  let server: TemporalDevServerHandle | undefined;
  // A free port can be taken by another process before the server binds it: try fresh ones.
  for (let attempt = 1; !server; attempt++) {
    ports = { port: await freePort(), uiPort: await freePort() };
    try {
      server = await startTemporalDevServer({ dataDir: folder, ...ports });
    } catch (error) {
      if (attempt >= 3 || !/address already in use/.test(String(error))) throw error;
    }
  }
  stops.push('temporal dev server', () => server?.stop());
  return {
    address: server.address,
    async restart(downMs = 0, signal: NodeJS.Signals = 'SIGTERM') {
      await server?.stop(signal);
      await new Promise((resolve) => setTimeout(resolve, downMs));
      server = await startTemporalDevServer({ dataDir: folder, ...ports });
    },
  };
}
