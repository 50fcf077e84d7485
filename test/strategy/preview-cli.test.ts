import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** `npm run preview -- <strategy> [account] [--start ISO]`, run as a person would. */

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
const tsx = path.join(root, 'node_modules/.bin/tsx');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'preview-cli-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function preview(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(tsx, ['scripts/preview.ts', ...args], { cwd: root });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('the preview CLI', () => {
  it('prints the dated timeline of a YAML strategy for a sample account, holds included', async () => {
    // 06:00 in Chicago: the 09:00–17:00 window holds the first email three hours.
    const { code, stdout } = await preview('examples/small-business-b2b.yaml', '--start', '2026-01-05T12:00:00Z');
    expect(code).toBe(0);
    const rows = stdout.split('\n');
    expect(rows[0]).toBe('small-business-b2b (Small business, B2B) for a USD 125000 account, 30 days past due');
    expect(rows.find((row) => row.includes('invoice-reminder') && row.includes('held'))).toContain('2026-01-05 06:00');
    expect(rows.find((row) => row.includes('invoice-reminder') && row.includes(' run '))).toContain('2026-01-05 09:00');
    expect(rows.find((row) => row.includes('plan-check'))).toContain('no payment plan is active');
    expect(stdout).toContain('ends +75d');
  });

  it('takes an account with events and simulated failures from a file', async () => {
    const file = path.join(dir, 'request.json');
    await writeFile(
      file,
      JSON.stringify({
        account: { currency: 'USD', balance: 480_000, daysPastDue: 200, debtor: { name: 'Ben', email: 'ben@example.com', phone: '+15555550101', smsConsent: true, timeZone: 'America/New_York' } },
        failures: { offer: 'bounced' },
      }),
    );
    const { code, stdout } = await preview('examples/post-charge-off.json', file, '--start', '2026-01-05T15:00:00Z');
    expect(code).toBe(0);
    expect(stdout).toMatch(/notice\.fallback\s+call\s+run/);
    expect(stdout).toMatch(/offer\s+email\s+run \(bounced\)/);
    expect(stdout).toMatch(/bounce-call\s+call\s+run/);
  });

  it('refuses an invalid strategy file with each problem, its path and its line', async () => {
    const file = path.join(dir, 'broken.yaml');
    await writeFile(file, ['key: broken', 'name: Broken', 'steps:', '  - id: memo', '    at: P1D', '    action: note'].join('\n'));
    const { code, stderr } = await preview(file);
    expect(code).toBe(1);
    expect(stderr).toContain('has 1 problem(s)');
    expect(stderr).toContain('steps.0.note (line 4): a note step needs a note');
  });
});
