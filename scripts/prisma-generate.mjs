#!/usr/bin/env node
// Runs `prisma generate` offline (postinstall). The Prisma CLI wants a native schema engine it
// would download; generate never executes it, so naming any existing file skips the download.
// Skips the work when generated/ already matches the schema and the Prisma version (--force redoes it).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const schemaPath = join(root, 'prisma', 'schema.prisma');
const outDir = join(root, 'generated', 'prisma');
const stampPath = join(outDir, '.generate-stamp');

const prismaPkgPath = require.resolve('prisma/package.json');
const prismaVersion = JSON.parse(readFileSync(prismaPkgPath, 'utf8')).version;
const configPath = join(root, 'prisma.config.ts');
const stamp = createHash('sha256')
  .update(prismaVersion)
  .update(readFileSync(schemaPath))
  .update(existsSync(configPath) ? readFileSync(configPath) : '')
  .digest('hex');

const force = process.argv.includes('--force');
if (!force && existsSync(join(outDir, 'client.ts')) && existsSync(stampPath) &&
    readFileSync(stampPath, 'utf8').trim() === stamp) {
  process.exit(0);
}

const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || fileURLToPath(import.meta.url),
  CHECKPOINT_DISABLE: '1', // no telemetry/update-check request (there is no internet)
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
};
const cli = join(dirname(prismaPkgPath), 'build', 'index.js');
const res = spawnSync(process.execPath, [cli, 'generate', '--schema', schemaPath], {
  cwd: root,
  env,
  encoding: 'utf8',
});
if (res.status !== 0) {
  process.stderr.write(res.stdout ?? '');
  process.stderr.write(res.stderr ?? '');
  console.error(`prisma generate failed (exit ${res.status ?? res.signal ?? res.error?.message})`);
  process.exit(1);
}
writeFileSync(stampPath, stamp + '\n');
console.log(`prisma generate: client ${prismaVersion} written to generated/prisma`);
