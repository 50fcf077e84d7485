import path from 'node:path';
import { createDb, type Db } from '../../lib/db.js';
import { startEmbeddedPostgres } from '../../lib/embedded-postgres.js';
import { freePort } from '../../lib/free-port.js';
import { applyMigrations } from '../../lib/migrations.js';
import type { StopStack } from '../stop-stack.js';

export interface PostgresPart {
  url: string;
  /** The server's data folder (the bench measures its CPU). */
  dataDir: string;
  db: Db;
  /** Stops the server (`crash`: SIGKILL, recovery on start) and starts it again on the same data and port, `downMs` later. */
  restart(downMs?: number, options?: { crash?: boolean }): Promise<void>;
}

/** A migrated embedded PostgreSQL under `dataDir`, and a client of it. */
export async function startPostgres(stops: StopStack, dataDir: string): Promise<PostgresPart> {
  const folder = path.join(dataDir, 'postgres');
  const port = await freePort();
  let server = await startEmbeddedPostgres({ dataDir: folder, port });
  stops.push('postgres', () => server.stop());
  await applyMigrations(server.url);
  const db = createDb(server.url);
  stops.push('database client', () => db.$disconnect());
  return {
    url: server.url,
    dataDir: folder,
    db,
    async restart(downMs = 0, { crash = false } = {}) {
      await (crash ? server.kill() : server.stop());
      await new Promise((resolve) => setTimeout(resolve, downMs));
      server = await startEmbeddedPostgres({ dataDir: folder, port });
    },
  };
}
