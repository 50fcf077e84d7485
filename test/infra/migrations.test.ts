// Embedded PostgreSQL + offline migrations (wasm schema engine) + the Prisma client, end to end.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../lib/db.js';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../lib/embedded-postgres.js';
import { freePort } from '../../lib/free-port.js';
import { applyMigrations, MIGRATIONS_DIR } from '../../lib/migrations.js';

describe('embedded postgres + migrations', () => {
  let dir: string;
  let pg: EmbeddedPostgresHandle;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dunning-migrations-'));
    pg = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port: await freePort() });
  });

  afterAll(async () => {
    await pg?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('applies every migration once, then nothing', async () => {
    const committed = (await readdir(MIGRATIONS_DIR, { withFileTypes: true }))
      .filter((d) => d.isDirectory()).map((d) => d.name).sort();
    expect(committed.some((name) => name.endsWith('_init'))).toBe(true);

    expect(await applyMigrations(pg.url)).toEqual(committed);
    expect(await applyMigrations(pg.url)).toEqual([]);
  });

  it('writes and reads a row through the Prisma client', async () => {
    const db = createDb(pg.url);
    try {
      const created = await db.debtor.create({ data: { name: 'Ana Ruiz', timeZone: 'America/Chicago' } });
      const found = await db.debtor.findUnique({ where: { id: created.id } });
      expect(found).toMatchObject({ name: 'Ana Ruiz', timeZone: 'America/Chicago' });
    } finally {
      await db.$disconnect();
    }
  });

  it('keeps its data across a restart', async () => {
    await pg.stop();
    pg = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port: await freePort() });
    const db = createDb(pg.url);
    try {
      expect(await db.debtor.count()).toBe(1);
      expect(await applyMigrations(pg.url)).toEqual([]);
    } finally {
      await db.$disconnect();
    }
  });
});
