import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkStartConfig } from '../../scripts/start-config.js';

/**
 * `npm start` checks the configuration of every process it runs before it starts anything, so a
 * bad variable fails in a second with its name, instead of after PostgreSQL and Temporal are up.
 */

const run = promisify(execFile);
const startScript = fileURLToPath(new URL('../../scripts/start.ts', import.meta.url));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'dunning-start-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const problemsOf = (env: Record<string, string>) => {
  try {
    checkStartConfig(env);
    return '';
  } catch (error) {
    return (error as Error).message;
  }
};

describe('checkStartConfig', () => {
  it('names the Twilio variables missing when only TWILIO_AUTH_TOKEN is set', () => {
    const problems = problemsOf({ TWILIO_AUTH_TOKEN: 'token' });
    expect(problems).toContain('TWILIO_ACCOUNT_SID: set all of the TWILIO_* variables, or none');
    expect(problems).toContain('TWILIO_FROM: set all of the TWILIO_* variables, or none');
  });

  it("reports the worker's, the API's and npm start's own variables together", () => {
    const problems = problemsOf({ PORT: 'eighty', TEMPORAL_UI_PORT: 'x', API_KEYS: 'short:manager', LINK_SECRET: 'too-short' });
    expect(problems).toMatch(/PORT: /);
    expect(problems).toMatch(/TEMPORAL_UI_PORT: /);
    expect(problems).toContain('API_KEYS: the key for role manager is shorter than 16 characters');
    expect(problems).toContain('LINK_SECRET: use at least 32 characters');
  });

  it('accepts the defaults, which is what a newcomer runs', () => {
    expect(checkStartConfig({})).toMatchObject({ EMBEDDED_POSTGRES_PORT: 54329, TEMPORAL_PORT: 7233, SEED_DEMO: 'true', DATA_DIR: '.data' });
  });
});

describe('npm start with only TWILIO_AUTH_TOKEN set', () => {
  it('stops at once naming the variables, before any server starts', async () => {
    const dataDir = path.join(dir, 'data');
    const started = Date.now();
    const failure = await run(process.execPath, ['--import', 'tsx', startScript], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, TWILIO_AUTH_TOKEN: 'only-the-token' },
      timeout: 60_000,
    }).then(
      ({ stdout }) => ({ code: 0, stdout, stderr: '' }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(failure.code).toBe(1);
    expect(failure.stderr).toContain('TWILIO_ACCOUNT_SID: set all of the TWILIO_* variables, or none');
    expect(failure.stderr).toContain('TWILIO_FROM: set all of the TWILIO_* variables, or none');
    expect(failure.stdout).not.toContain('starting');
    expect(existsSync(dataDir)).toBe(false);
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 60_000);
});
