import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedPostgresDataDir, startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../lib/embedded-postgres.js';
import { freePort } from '../../lib/free-port.js';
import { applyMigrations } from '../../lib/migrations.js';

/**
 * `npm run api-keys` without DATABASE_URL works on the embedded PostgreSQL that `npm start` runs,
 * found with the same DATA_DIR and EMBEDDED_POSTGRES_PORT, and says what to do when it is not running.
 */

const run = promisify(execFile);
const script = fileURLToPath(new URL('../../scripts/api-keys.ts', import.meta.url));

let dataDir: string;
let port: number;
let postgres: EmbeddedPostgresHandle | undefined;

function apiKeys(...args: string[]) {
  const { DATABASE_URL: _unset, ...env } = process.env;
  return run(process.execPath, ['--import', 'tsx', script, ...args], { env: { ...env, DATA_DIR: dataDir, EMBEDDED_POSTGRES_PORT: String(port) } });
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'dunning-api-keys-'));
  port = await freePort();
  // What `npm start` does with this DATA_DIR and port.
  postgres = await startEmbeddedPostgres({ dataDir: embeddedPostgresDataDir(dataDir), port });
  await applyMigrations(postgres.url);
}, 120_000);

afterAll(async () => {
  await postgres?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('npm run api-keys without DATABASE_URL', () => {
  it("uses the embedded database on npm start's DATA_DIR and EMBEDDED_POSTGRES_PORT", async () => {
    const created = await apiKeys('create', '--role', 'officer', '--name', 'alice');
    expect(created.stdout).toMatch(/created key \S+ \(officer\) for alice/);
    const listed = await apiKeys('list');
    expect(listed.stdout).toMatch(/officer .* alice {2}\(active; never used\)/);
  }, 60_000);

  it('refuses at once, saying how to start it, when the embedded database is not running', async () => {
    await postgres?.stop();
    postgres = undefined;
    const failure = await apiKeys('list').then(
      ({ stdout }: { stdout: string }) => ({ code: 0, stderr: stdout }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain('is not running: start `npm start`');
    expect(failure?.stderr).toContain('DATABASE_URL');
  }, 60_000);
});
