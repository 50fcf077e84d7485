import path from 'node:path';
import { embeddedPostgresDataDir, embeddedPostgresRunning, embeddedPostgresUrl } from './embedded-postgres-address.js';
import { parseEnv, ZEmbeddedPostgresEnv, ZStorageEnv, type Env } from './env.js';

const ZCliDatabaseEnv = ZStorageEnv.pick({ DATABASE_URL: true, DATA_DIR: true }).extend(ZEmbeddedPostgresEnv.shape);

/**
 * The database an admin command (`npm run api-keys`) works on: DATABASE_URL, else the embedded
 * PostgreSQL that `npm start` runs, found with the same DATA_DIR and EMBEDDED_POSTGRES_PORT
 * defaults. Refuses at once, saying what to do, when that server is not running.
 */
export async function cliDatabaseUrl(env: Env = process.env): Promise<string> {
  const config = parseEnv(ZCliDatabaseEnv, env);
  if (config.DATABASE_URL) return config.DATABASE_URL;
  const dataDir = embeddedPostgresDataDir(config.DATA_DIR);
  if (!(await embeddedPostgresRunning(dataDir))) {
    const shown = path.relative(process.cwd(), dataDir);
    throw new Error(
      `the embedded PostgreSQL (${shown && !shown.startsWith('..') ? shown : dataDir}) is not running: ` +
        'start `npm start` in another terminal (with the same DATA_DIR and EMBEDDED_POSTGRES_PORT), or set DATABASE_URL',
    );
  }
  return embeddedPostgresUrl({ port: config.EMBEDDED_POSTGRES_PORT });
}
