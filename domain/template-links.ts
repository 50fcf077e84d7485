import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Tokens that tie a link or an address in a message back to its communication: the one-click
 * unsubscribe link (`/u/<token>`), the debtor's page link (`/p/<token>`, `{{links.pay}}`: it
 * expires a while after its message was written, api/services/debtor-page/links.ts) and the
 * reply/bounce addresses (`reply+<token>@MAIL_DOMAIN`,
 * `bounce+<token>@MAIL_DOMAIN`). A token is the communication id plus an HMAC of it, so it
 * cannot be forged or pointed at another debtor's case. Lowercase hex only: mail systems may
 * lowercase the local part of an address. Uses node:crypto, so never import it from workflows.
 */

export const LinkPurpose = { unsubscribe: 'unsubscribe', reply: 'reply', pay: 'pay' } as const;
export type LinkPurpose = (typeof LinkPurpose)[keyof typeof LinkPurpose];

/** 80 bits of HMAC: enough against guessing, short enough for a 64-character local part. */
const signatureHexLength = 20;

function signature(secret: string, purpose: LinkPurpose, id: string): string {
  return createHmac('sha256', secret).update(`${purpose}:${id}`).digest('hex').slice(0, signatureHexLength);
}

/** `<uuid without dashes>.<signature>` for a communication id (a UUID). */
export function signLinkToken(secret: string, purpose: LinkPurpose, communicationId: string): string {
  const compact = communicationId.replace(/-/g, '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(compact)) throw new Error('a link token needs a UUID communication id');
  return `${compact}.${signature(secret, purpose, compact)}`;
}

/** The communication id a token stands for, or `null` when it is malformed or not ours. */
export function verifyLinkToken(secret: string, purpose: LinkPurpose, token: string): string | null {
  const match = /^([0-9a-f]{32})\.([0-9a-f]+)$/.exec(token.trim().toLowerCase());
  if (!match?.[1] || !match[2]) return null;
  const [, compact, given] = match;
  const expected = Buffer.from(signature(secret, purpose, compact));
  if (given.length !== expected.length || !timingSafeEqual(Buffer.from(given), expected)) return null;
  return `${compact.slice(0, 8)}-${compact.slice(8, 12)}-${compact.slice(12, 16)}-${compact.slice(16, 20)}-${compact.slice(20)}`;
}

/** The debtor's page link of a communication (`{{links.pay}}`): `<publicUrl>/p/<token>`. */
export function payLinkUrl(publicUrl: string, secret: string, communicationId: string): string {
  return `${publicUrl}/p/${signLinkToken(secret, LinkPurpose.pay, communicationId)}`;
}

/** `reply+<token>@domain` / `bounce+<token>@domain`. */
export function tokenAddress(kind: 'reply' | 'bounce', token: string, domain: string): string {
  return `${kind}+${token}@${domain}`;
}

/** Tokens found in `reply+…@domain` / `bounce+…@domain` addresses within `text`, in order. */
export function tokensInAddresses(text: string, domain: string): string[] {
  const escaped = domain.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`(?:reply|bounce)\\+([0-9a-f]{32}\\.[0-9a-f]+)@${escaped}`, 'gi');
  return [...text.matchAll(pattern)].map((match) => (match[1] ?? '').toLowerCase());
}

/** Communication ids in our own Message-IDs (`<id@domain>`) within `text`, e.g. In-Reply-To. */
export function communicationIdsInMessageIds(text: string, domain: string): string[] {
  const escaped = domain.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`<([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})@${escaped}>`, 'gi');
  return [...text.matchAll(pattern)].map((match) => (match[1] ?? '').toLowerCase());
}

/**
 * The secret both the worker (which mints tokens) and the API (which checks them) use: `LINK_SECRET`
 * when set, else one generated once into `<dataDir>/link-secret`, which `npm start`'s processes
 * share. Separate machines must set LINK_SECRET.
 */
export function resolveLinkSecret({ configured, dataDir }: { configured?: string | undefined; dataDir: string }): string {
  if (configured) return configured;
  const file = path.resolve(dataDir, 'link-secret');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(path.dirname(file), { recursive: true });
    try {
      // 'wx': when two processes race, the second fails here and reads the first one's secret.
      writeFileSync(file, randomBytes(32).toString('hex'), { flag: 'wx', mode: 0o600 });
    } catch {
      /* written by the other process */
    }
    return readFileSync(file, 'utf8').trim();
  }
}
