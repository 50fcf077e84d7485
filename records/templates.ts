import type { Db } from '../lib/db.js';

/**
 * Managed templates as stored: the message activities send them and the API previews them, so
 * both find "the version asked for, else the active one" the same way.
 */

/** The stored template `key` in `language`: that version when given, else the active one; null when there is none. */
export async function managedTemplate(db: Db, { key, language, version }: { key: string; language: string; version?: number | null | undefined }) {
  return db.template.findFirst({
    where: { key, language, ...(version ? { version } : { status: 'active' }) },
    orderBy: { version: 'desc' },
  });
}
