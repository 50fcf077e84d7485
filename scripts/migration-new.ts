// `npm run migrate:new -- <name> [--empty]`: writes prisma/migrations/<timestamp>_<name>/migration.sql
// with the SQL that takes the existing migrations to prisma/schema.prisma.
// The engine replays the migrations in a temporary shadow database: on the server of DATABASE_URL
// when set (needs CREATEDB), otherwise on a throwaway embedded PostgreSQL.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../lib/embedded-postgres.js';
import { freePort } from '../lib/free-port.js';
import { createMigration } from '../lib/migrations.js';

const args = process.argv.slice(2);
const empty = args.includes('--empty');
const name = args.find((a) => !a.startsWith('--'));
if (!name || !/^[A-Za-z0-9_-]+$/.test(name)) {
  console.error('usage: npm run migrate:new -- <name> [--empty]   (name: letters, digits, _ or -)');
  process.exit(1);
}

let cleanup = async () => {};
try {
  let url = process.env.DATABASE_URL;
  if (!url) {
    const dir = await mkdtemp(join(tmpdir(), 'dunning-shadow-'));
    const pg = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port: await freePort() });
    url = pg.url;
    cleanup = async () => {
      await pg.stop();
      await rm(dir, { recursive: true, force: true });
    };
  }
  const created = await createMigration(url, name, { empty });
  console.log(created.path ? `created ${created.path}` : 'no schema changes: nothing to migrate (use --empty for a hand-written migration)');
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
} finally {
  await cleanup();
}
