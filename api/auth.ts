import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../lib/db.js';
import { ApiError } from './errors.js';

export const Role = {
  manager: 'manager',
  officer: 'officer',
  integration: 'integration',
  auditor: 'auditor',
  admin: 'admin',
} as const;
export type Role = (typeof Role)[keyof typeof Role];
export const roles = Object.values(Role);
export const isRole = (value: string): value is Role => (roles as string[]).includes(value);

export interface Principal {
  role: Role;
  /** A stable, non-secret name for the key, for the audit trail and rate limits. */
  keyId: string;
  /** The team whose cases the key may see and act on; null sees every case. */
  team: string | null;
  /** The client (creditor, a Client's key) whose portfolios, statements and report figures the key sees; null sees every client. */
  client?: string | null;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Roles allowed on the route; a route without roles is public. */
    roles?: readonly Role[];
  }
  interface FastifyRequest {
    principal: Principal | null;
    /** Why the presented credentials were refused, reported once the rate limit has counted the request. */
    authProblem: ApiError | null;
  }
}

/** Parses `API_KEYS` (`key:role,key:role`), naming the bad entry. */
export function parseApiKeys(value: string): Map<string, Role> {
  const keys = new Map<string, Role>();
  for (const entry of value.split(',').map((part) => part.trim()).filter(Boolean)) {
    const separator = entry.lastIndexOf(':');
    const key = entry.slice(0, separator);
    const role = entry.slice(separator + 1);
    if (separator <= 0 || !isRole(role)) {
      throw new Error(`API_KEYS: entry "${entry.slice(0, 4)}…" must be key:role with role one of ${roles.join(', ')}`);
    }
    if (key.length < 16) throw new Error(`API_KEYS: the key for role ${role} is shorter than 16 characters`);
    keys.set(key, role);
  }
  return keys;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** The keyId of a key from `API_KEYS`: the first 12 hex digits of its SHA-256 (not secret, stable). */
export const envKeyId = (key: string) => digest(key).toString('hex').slice(0, 12);

/**
 * The stored form of an API key: hex SHA-256. Keys are 256 random bits, so a slow password hash
 * (scrypt, argon2) would add nothing against guessing, while a fast one lets each request find its
 * key by index and keeps authentication from being a CPU sink under a flood.
 */
export const hashApiKey = (key: string) => digest(key).toString('hex');

/** A new key: `dk_` and 32 random bytes, base64url; recognisable by secret scanners. */
export const generateApiKey = () => `dk_${randomBytes(32).toString('base64url')}`;

/** Finds keys in the `ApiKey` table by hash, with a short cache so revocation applies within `ttlMs`. */
export function apiKeyTable(db: Db, { ttlMs = 10_000, maxEntries = 10_000 } = {}) {
  const cache = new Map<string, { principal: Principal | null; until: number }>();
  const touched = new Map<string, number>();
  return {
    async find(key: string): Promise<Principal | null> {
      const hash = hashApiKey(key);
      const cached = cache.get(hash);
      if (cached && cached.until > Date.now()) return cached.principal;
      const row = await db.apiKey.findUnique({ where: { hash } });
      const principal = row && !row.revokedAt && isRole(row.role) ? { role: row.role, keyId: row.id, team: row.team, client: row.client } : null;
      // Unknown keys are cached too, so a flood of made-up keys does not reach the database.
      if (cache.size >= maxEntries) cache.clear();
      cache.set(hash, { principal, until: Date.now() + ttlMs });
      if (principal && (touched.get(principal.keyId) ?? 0) < Date.now() - 60_000) {
        touched.set(principal.keyId, Date.now());
        // Best effort and at most once a minute per key: a failed touch must not fail the request.
        db.apiKey.update({ where: { id: principal.keyId }, data: { lastUsedAt: new Date() } }).catch(() => {});
      }
      return principal;
    },
  };
}
export type ApiKeyTable = ReturnType<typeof apiKeyTable>;

/**
 * Bearer-key authentication and per-route role checks. Keys come from `API_KEYS` (bootstrap and
 * development; they see every team) and, when a database is given, from the `ApiKey` table.
 * The key is resolved first (so the rate limit can count per key, and count refused keys per
 * address), and the route's roles are enforced before the body is read.
 */
export function registerAuth(app: FastifyInstance, apiKeys: Map<string, Role>, { db, table = db ? apiKeyTable(db) : undefined }: { db?: Db; table?: ApiKeyTable } = {}): void {
  // Compare digests in constant time so a key cannot be guessed byte by byte.
  const known = [...apiKeys].map(([key, role]) => ({ digest: digest(key), principal: { role, keyId: envKeyId(key), team: null } }));

  app.decorateRequest('principal', null);
  app.decorateRequest('authProblem', null);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    if (!request.routeOptions.config.roles) return;
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    if (!match?.[1]) {
      request.authProblem = new ApiError(401, 'unauthenticated', 'send an API key as "Authorization: Bearer <key>"');
      return;
    }
    const presented = digest(match[1]);
    const fromEnv = known.find((candidate) => timingSafeEqual(candidate.digest, presented))?.principal;
    request.principal = fromEnv ?? (match[1].length <= 200 ? ((await table?.find(match[1])) ?? null) : null);
    if (!request.principal) request.authProblem = new ApiError(401, 'unauthenticated', 'the API key is not valid');
  });
  app.addHook('preParsing', async (request: FastifyRequest, _reply, payload) => {
    const allowed = request.routeOptions.config.roles;
    if (!allowed) return payload;
    if (request.authProblem) throw request.authProblem;
    const role = request.principal?.role;
    if (!role || !allowed.includes(role)) {
      throw new ApiError(403, 'forbidden', `role ${role ?? 'none'} may not do this; allowed: ${allowed.join(', ')}`);
    }
    return payload;
  });
}

/** The caller as the audit trail names it. */
export function actorOf(request: FastifyRequest): string {
  return request.principal ? `${request.principal.role}:${request.principal.keyId}` : 'anonymous';
}
