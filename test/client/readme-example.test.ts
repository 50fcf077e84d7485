import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDunningClient, DunningApiError, orThrow, problemOf } from '../../client/src/index.js';
import { clientTypesFile, clientTypesSource } from '../../scripts/client-types.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { consumerEarly } from '../support/strategies.js';

/**
 * The typed client (client/) as someone who installs it would use it, against the real engine: the
 * package is packed by `npm pack` (its build and its `files` list included), unpacked into a
 * project's node_modules, and the README's example, read from the README itself so it cannot
 * drift, is compiled with tsc against the packed types and run with node. Its committed types must
 * be what the running API's /openapi.json gives, so an API change without `npm run client:types`
 * fails here.
 */

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
const clientDir = path.join(root, 'client');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');

let engine: Engine;
let project: string;

/** The README's code block marked `<!-- example: enroll-and-pay ... -->`. */
async function readmeExample(): Promise<string> {
  const readme = await readFile(path.join(clientDir, 'README.md'), 'utf8');
  const code = /<!-- example: enroll-and-pay[^>]*-->\s*```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!code) throw new Error('client/README.md has no ```ts block after <!-- example: enroll-and-pay -->');
  return code;
}

/** A project with @dunning/client installed from the packed tarball (its one dependency linked from ours). */
async function projectWithPackedClient(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dunning-client-'));
  await run('npm', ['pack', '--pack-destination', dir, '--silent'], { cwd: clientDir });
  const tarball = (await readdir(dir)).find((name) => name.endsWith('.tgz'));
  if (!tarball) throw new Error('npm pack made no tarball');
  const installed = path.join(dir, 'node_modules', '@dunning', 'client');
  await mkdir(installed, { recursive: true });
  await run('tar', ['-xzf', path.join(dir, tarball), '-C', installed, '--strip-components=1']);
  await symlink(path.join(root, 'node_modules', 'openapi-fetch'), path.join(dir, 'node_modules', 'openapi-fetch'));
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  await writeFile(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        lib: ['ES2023', 'DOM'],
        strict: true,
        noUncheckedIndexedAccess: true,
        typeRoots: [path.join(root, 'node_modules', '@types')],
        types: ['node'],
        outDir: 'out',
      },
      files: ['example.ts'],
    }),
  );
  return dir;
}

beforeAll(async () => {
  [engine, project] = await Promise.all([startEngine({ strategies: [consumerEarly] }), projectWithPackedClient()]);
});
afterAll(async () => {
  await engine?.stop();
  if (project) await rm(project, { recursive: true, force: true });
});

describe('the typed client', () => {
  it("has the types the running API's /openapi.json gives (else: npm run client:types)", async () => {
    const response = await fetch(`${engine.baseUrl}/openapi.json`);
    expect(response.status).toBe(200);
    const expected = await clientTypesSource(await response.json());
    const committed = await readFile(clientTypesFile, 'utf8');
    // Not toBe: a diff of 600 kB of types would bury the one thing to do.
    expect(committed === expected, 'client/src/generated/openapi.ts is stale: run `npm run client:types` and commit it').toBe(true);
  });

  it("runs the README's example: it compiles against the packed package, enrolls an account and records a payment, once however often it runs", async () => {
    await writeFile(path.join(project, 'example.ts'), await readmeExample());
    const compiled = await run(process.execPath, [tsc, '-p', project]).catch((error: { stdout: string }) => ({ stdout: error.stdout, failed: true }));
    expect(compiled.stdout, 'the README example does not compile against @dunning/client').toBe('');

    const runExample = () => run(process.execPath, [path.join(project, 'out', 'example.js')], { cwd: project, env: { ...process.env, DUNNING_URL: engine.baseUrl, DUNNING_API_KEY: engine.keys.integration } });
    const first = await runExample();
    const caseId = /^case (\S+) is open, balance 125000$/m.exec(first.stdout)?.[1];
    expect(caseId, first.stdout + first.stderr).toBeDefined();
    expect(first.stdout).toContain(`payment accepted on case ${caseId}`);
    await expect.poll(async () => (await engine.call('GET', `/api/v1/cases/${caseId}`)).body.balance).toBe(75_000);

    // Enrollment is idempotent by externalId and the payment by reference: a second run changes nothing.
    const second = await runExample();
    expect(second.stdout).toContain(`case ${caseId} is open`);
    expect(second.stdout).toContain(`payment accepted on case ${caseId}`);
    const payments = await engine.db.payment.count({ where: { reference: 'PAY-1' } });
    expect(payments).toBe(1);
    expect((await engine.call('GET', `/api/v1/cases/${caseId}`)).body.balance).toBe(75_000);
  });

  it("answers the API's refusals as typed values, and orThrow throws them", async () => {
    const dunning = createDunningClient({ baseUrl: engine.baseUrl, apiKey: engine.keys.integration });
    const refused = await dunning.POST('/api/v1/accounts', {
      body: { externalId: 'ACC-BAD', strategy: 'consumer-early', currency: 'USD', balance: -5, debtor: { name: 'Ana Ruiz', timeZone: 'America/Chicago' } },
    });
    expect(refused.response.status).toBe(400);
    const problem = problemOf(refused);
    expect(problem).toBeInstanceOf(DunningApiError);
    expect(problem?.fields.map((field) => field.path)).toContain('body.balance');
    expect(() => orThrow(refused)).toThrow(problem?.message);

    // A wrong key is refused with the API's own words, not a bare status.
    const stranger = createDunningClient({ baseUrl: engine.baseUrl, apiKey: 'not-a-key' });
    const unknown = problemOf(await stranger.GET('/api/v1/cases/{caseId}', { params: { path: { caseId: 'case-nobody' } } }));
    expect(unknown?.status).toBe(401);
    expect(unknown?.code).not.toBe('http_error');
  });
});
