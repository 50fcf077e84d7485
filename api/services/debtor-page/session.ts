import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The short-lived session a person gets once they confirmed who they are, and the CSRF token of
 * its forms. Both are HMACs with LINK_SECRET (purpose-separated from the link tokens): the cookie
 * names the person, the message that brought them and when it ends; the form token is bound to
 * the session, so a form from another session or site is refused. The cookie itself is HttpOnly,
 * SameSite=Strict and Secure over https (api/routes/debtor-page.ts).
 */

export const sessionCookie = 'dp_session';
export const sessionMinutes = 15;

export interface PageSession {
  debtorId: string;
  communicationId: string;
  /** Epoch ms. */
  expiresAt: number;
}

const mac = (secret: string, purpose: string, value: string) => createHmac('sha256', secret).update(`${purpose}:${value}`).digest('base64url');

function same(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function signSession(secret: string, session: PageSession): string {
  const body = `${session.debtorId}.${session.communicationId}.${session.expiresAt.toString(36)}`;
  return `${body}.${mac(secret, 'debtor-page-session', body)}`;
}

/** The session a cookie holds, or null when it is absent, forged or over. */
export function verifySession(secret: string, value: string | undefined, now = Date.now()): PageSession | null {
  if (!value) return null;
  const parts = value.split('.');
  if (parts.length !== 4) return null;
  const [debtorId, communicationId, expires, given] = parts as [string, string, string, string];
  const body = `${debtorId}.${communicationId}.${expires}`;
  if (!same(given, mac(secret, 'debtor-page-session', body))) return null;
  const expiresAt = parseInt(expires, 36);
  if (!Number.isFinite(expiresAt) || expiresAt <= now) return null;
  return { debtorId, communicationId, expiresAt };
}

/** The CSRF token of the forms a session's pages carry. */
export const csrfToken = (secret: string, sessionValue: string) => mac(secret, 'debtor-page-csrf', sessionValue).slice(0, 32);

export const csrfMatches = (secret: string, sessionValue: string, given: unknown) => typeof given === 'string' && same(given, csrfToken(secret, sessionValue));

/**
 * What a form that changed something says, carried across its redirect (POST, then 303 to the page,
 * so a reload does not send the form again): the notice's text in a short-lived signed cookie.
 */
export const flashCookie = 'dp_flash';

export function signFlash(secret: string, notice: { kind: 'ok' | 'error'; text: string }): string {
  const body = Buffer.from(JSON.stringify(notice)).toString('base64url');
  return `${body}.${mac(secret, 'debtor-page-flash', body)}`;
}

export function verifyFlash(secret: string, value: string | undefined): { kind: 'ok' | 'error'; text: string } | null {
  const [body, given] = (value ?? '').split('.');
  if (!body || !given || !same(given, mac(secret, 'debtor-page-flash', body))) return null;
  try {
    const notice = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { kind?: unknown; text?: unknown };
    return (notice.kind === 'ok' || notice.kind === 'error') && typeof notice.text === 'string' ? { kind: notice.kind, text: notice.text } : null;
  } catch {
    return null;
  }
}
