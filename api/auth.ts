import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
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

export interface Principal {
  role: Role;
  /** A stable, non-secret name for the key, for the audit trail. */
  keyId: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Roles allowed on the route; a route without roles is public. */
    roles?: readonly Role[];
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** Parses `API_KEYS` (`key:role,key:role`), naming the bad entry. */
export function parseApiKeys(value: string): Map<string, Role> {
  const keys = new Map<string, Role>();
  for (const entry of value.split(',').map((part) => part.trim()).filter(Boolean)) {
    const separator = entry.lastIndexOf(':');
    const key = entry.slice(0, separator);
    const role = entry.slice(separator + 1) as Role;
    if (separator <= 0 || !roles.includes(role)) {
      throw new Error(`API_KEYS: entry "${entry.slice(0, 4)}…" must be key:role with role one of ${roles.join(', ')}`);
    }
    if (key.length < 16) throw new Error(`API_KEYS: the key for role ${role} is shorter than 16 characters`);
    keys.set(key, role);
  }
  return keys;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Bearer-key authentication and per-route role checks. */
export function registerAuth(app: FastifyInstance, apiKeys: Map<string, Role>): void {
  // Compare digests in constant time so a key cannot be guessed byte by byte.
  const known = [...apiKeys].map(([key, role]) => ({ digest: digest(key), role, keyId: digest(key).toString('hex').slice(0, 12) }));

  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const allowed = request.routeOptions.config.roles;
    if (!allowed) return;
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw new ApiError(401, 'unauthenticated', 'send an API key as "Authorization: Bearer <key>"');
    const presented = digest(match[1]);
    const entry = known.find((candidate) => timingSafeEqual(candidate.digest, presented));
    if (!entry) throw new ApiError(401, 'unauthenticated', 'the API key is not valid');
    request.principal = { role: entry.role, keyId: entry.keyId };
    if (!allowed.includes(entry.role)) {
      throw new ApiError(403, 'forbidden', `role ${entry.role} may not do this; allowed: ${allowed.join(', ')}`);
    }
  });
}

/** The caller as the audit trail names it. */
export function actorOf(request: FastifyRequest): string {
  return request.principal ? `${request.principal.role}:${request.principal.keyId}` : 'anonymous';
}
