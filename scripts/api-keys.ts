// `npm run api-keys -- <command>`: API keys in the ApiKey table (an admin's command; the API only
// reads the table). Only a key's SHA-256 is stored: `create` prints the key once, never again.
//
//   create --role <role> --name <name> [--team <team>] [--client <client>]   make a key and print it
//                                                 (--client: the key sees that client's portfolios, statements and report figures only)
//   list                                                 every key, without secrets
//   revoke <id>                                          refuse the key from now on (within ~10 s)
//
// DATABASE_URL names the database; unset, the embedded one `npm start` runs is used (same DATA_DIR
// and EMBEDDED_POSTGRES_PORT as `npm start`; it must be running).
import os from 'node:os';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { roles, type Role } from '../api/auth.js';
import { ZTeam } from '../api/schemas.js';
import { ZClientKey } from '../domain/portfolio.js';
import { createApiKey, listApiKeys, revokeApiKey } from '../api/services/api-keys.js';
import { cliDatabaseUrl } from '../lib/cli-database.js';
import { createDb, type Db } from '../lib/db.js';

const actor = `cli:${os.userInfo().username}`;

const ZCreate = z.object({
  role: z.enum(roles as [Role, ...Role[]], { error: `--role must be one of ${roles.join(', ')}` }),
  name: z.string().trim().min(1, '--name is required').max(100),
  team: ZTeam.optional(),
  client: ZClientKey.optional(),
});

async function create(db: Db, args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { role: { type: 'string' }, name: { type: 'string' }, team: { type: 'string' }, client: { type: 'string' } } });
  const parsed = ZCreate.safeParse({ ...values, name: values.name ?? '' });
  if (!parsed.success) throw new Error(parsed.error.issues.map((issue) => issue.message).join('\n'));
  const { key, row } = await createApiKey(db, { ...parsed.data, actor });
  process.stdout.write(`created key ${row.id} (${row.role}${row.team ? `, team ${row.team}` : ''}${row.client ? `, client ${row.client}` : ''}) for ${row.name}\n`);
  process.stdout.write(`\n  ${key}\n\nThis is the only time the key is shown: store it now.\n`);
}

async function list(db: Db): Promise<void> {
  const rows = await listApiKeys(db);
  if (rows.length === 0) process.stdout.write('no keys in the table (keys from API_KEYS are not listed)\n');
  for (const row of rows) {
    const state = row.revokedAt ? `revoked ${row.revokedAt.toISOString()}` : 'active';
    const used = row.lastUsedAt ? `last used ${row.lastUsedAt.toISOString()}` : 'never used';
    process.stdout.write(`${row.id}  ${row.role.padEnd(11)} ${(row.team ?? '-').padEnd(12)} ${(row.client ?? '-').padEnd(12)} ${row.name}  (${state}; ${used})\n`);
  }
}

async function revoke(db: Db, id: string | undefined): Promise<void> {
  if (!id) throw new Error('usage: npm run api-keys -- revoke <id>');
  const result = await revokeApiKey(db, { id, actor });
  if (!result.found) throw new Error(`no key with id ${id}`);
  process.stdout.write(
    result.alreadyRevoked
      ? `key ${id} was already revoked\n`
      : `revoked key ${id} (${result.row.role}, ${result.row.name}); running APIs refuse it within ~10 seconds\n`,
  );
}

const [command, ...rest] = process.argv.slice(2);
const commands: Record<string, (db: Db) => Promise<void>> = {
  create: (db) => create(db, rest),
  list,
  revoke: (db) => revoke(db, rest[0]),
};
let db: Db | undefined;
try {
  const run = command ? commands[command] : undefined;
  if (!run) throw new Error('usage: npm run api-keys -- create --role <role> --name <name> [--team <team>] [--client <client>] | list | revoke <id>');
  db = createDb(await cliDatabaseUrl());
  await run(db);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await db?.$disconnect();
}
