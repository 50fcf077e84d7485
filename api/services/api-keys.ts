import { generateApiKey, hashApiKey, type Role } from '../auth.js';
import type { Db } from '../../lib/db.js';

/**
 * API keys in the ApiKey table, for the admin command (scripts/api-keys.ts): only the SHA-256 of
 * a key is stored, so `createApiKey` is the one moment the key exists in clear. Creating and
 * revoking are audit events.
 */

export async function createApiKey(db: Db, { role, name, team, client, actor }: { role: Role; name: string; team?: string | undefined; client?: string | undefined; actor: string }) {
  const key = generateApiKey();
  const row = await db.$transaction(async (tx) => {
    const created = await tx.apiKey.create({ data: { name, role, team: team ?? null, client: client ?? null, hash: hashApiKey(key), createdBy: actor } });
    await tx.auditEvent.create({ data: { actor, action: 'api_key_created', data: { keyId: created.id, name, role, team: team ?? null, client: client ?? null } } });
    return created;
  });
  return { key, row };
}

export function listApiKeys(db: Db) {
  return db.apiKey.findMany({ orderBy: { createdAt: 'asc' }, omit: { hash: true } });
}

/** Revokes a key; false when there is no such key. Running APIs refuse it once their ~10 s cache lapses. */
export async function revokeApiKey(db: Db, { id, actor }: { id: string; actor: string }) {
  const row = await db.apiKey.findUnique({ where: { id } });
  if (!row) return { found: false as const };
  if (row.revokedAt) return { found: true as const, row, alreadyRevoked: true };
  const [revoked] = await db.$transaction([
    db.apiKey.update({ where: { id }, data: { revokedAt: new Date() } }),
    db.auditEvent.create({ data: { actor, action: 'api_key_revoked', data: { keyId: id, name: row.name, role: row.role } } }),
  ]);
  return { found: true as const, row: revoked, alreadyRevoked: false };
}
