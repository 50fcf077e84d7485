import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../api/auth.js';
import { ensureSchemathesis, schemathesisVersion } from '../../lib/schemathesis.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { consumerEarly } from '../support/strategies.js';

/**
 * schemathesis (pinned, installed by lib/schemathesis.ts into .tools/) attacks the running API
 * through its own /openapi.json: examples, boundary values and fuzzed requests for every route,
 * with each role's key. A 5xx, an undocumented status code or content type, or a body that does
 * not match its declared schema fails the build with schemathesis's report. One real strategy and
 * case are made first and handed to schemathesis as the `key` and `caseId` path parameters.
 *
 * The budget is small and fixed (deterministic, seeded) so CI stays fast and repeatable; a bigger
 * run by hand: `npm run fuzz:schema` (SCHEMATHESIS_MAX_EXAMPLES, SCHEMATHESIS_SEED, SCHEMATHESIS_ROLES).
 *
 * The provider webhooks (/webhooks/*) are left out: every request to them must carry a valid
 * provider signature (Twilio's HMAC over URL and form, ours over the raw email), which
 * schemathesis cannot compute, so all it could see is the 403 that test/communications covers.
 */

const maxExamples = Number(process.env.SCHEMATHESIS_MAX_EXAMPLES ?? 5);
const seed = process.env.SCHEMATHESIS_SEED ?? '20261204';
/** Admins reach every route; auditors get the masked answers (their own shapes). */
const roles = (process.env.SCHEMATHESIS_ROLES ?? 'admin,auditor').split(',') as Role[];

let engine: Engine;
let executable: string;
let workDir: string;

beforeAll(async () => {
  [engine, executable] = await Promise.all([startEngine({ smtp: true, twilio: true }), ensureSchemathesis()]);
  // schemathesis keeps its crash files and example database in the working directory: not in the repo.
  workDir = await mkdtemp(path.join(os.tmpdir(), 'schemathesis-'));

  // One real strategy, case and person, so the routes under /strategies/{key}, /cases/{caseId} and /debtors/{debtorId} reach
  // their logic (a running workflow, the records) instead of a 404. Nothing is due for a month.
  const strategy = { ...consumerEarly, key: 'fuzz-target', steps: [{ id: 'call', at: 'P30D', action: 'call' }] };
  expect((await engine.call('POST', '/api/v1/strategies', { body: strategy })).status).toBe(201);
  const enrolled = await engine.call('POST', '/api/v1/accounts', {
    body: {
      externalId: 'FUZZ-1',
      strategy: strategy.key,
      currency: 'USD',
      balance: 10_000,
      debtor: { name: 'Fuzz Target', email: 'fuzz@example.com', phone: '+15555550142', timeZone: 'Etc/GMT' },
    },
  });
  expect(enrolled.status).toBe(201);
  await writeFile(
    path.join(workDir, 'schemathesis.toml'),
    `[parameters]\n"path.caseId" = ${JSON.stringify(enrolled.body.caseId)}\n"path.key" = ${JSON.stringify(strategy.key)}\n` +
      // The person behind the case, so the /debtors/{debtorId} routes reach their logic too.
      `"path.debtorId" = ${JSON.stringify((await engine.db.account.findUniqueOrThrow({ where: { externalId: 'FUZZ-1' } })).debtorId)}\n`,
  );
}, 300_000);

afterAll(async () => {
  await engine?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

function schemathesis(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(executable, args, { cwd: workDir, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

describe(`schemathesis ${schemathesisVersion} against /openapi.json`, () => {
  it.each(roles)('finds no server error and nothing undocumented with the %s key', async (role) => {
    const { code, output } = await schemathesis([
      '--config-file', path.join(workDir, 'schemathesis.toml'),
      'run',
      `${engine.baseUrl}/openapi.json`,
      '--header', `Authorization: Bearer ${engine.keys[role]}`,
      '--checks', 'not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance',
      '--phases', 'examples,coverage,fuzzing',
      '--max-examples', String(maxExamples),
      '--seed', seed,
      '--generation-deterministic',
      '--workers', '1',
      '--exclude-path-regex', '^/webhooks/',
      '--no-color',
    ]);
    expect(code, output).toBe(0);
    // A run that skipped routes (a schema it could not load or generate for) is not a pass.
    const selected = /Selected: (\d+)\//.exec(output)?.[1];
    expect(Number(selected), output).toBeGreaterThan(40);
    expect(/Tested: (\d+)/.exec(output)?.[1], output).toBe(selected);
  }, 600_000 + maxExamples * 20_000);
});
