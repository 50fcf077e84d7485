import type { Db } from '../lib/db.js';

/**
 * What a send reads of its case before it goes out, in one statement: the debtor's language and
 * state and the account's time-barred flag (the content rules), and with `standing`, the debtor's
 * contacts with that channel and address (the contact rules at send time). Prisma reads a nested
 * select a table at a time (case, account, debtor, contacts: four statements per send).
 */

/** What the contact rules read of a contact at send time. */
export interface StandingRow {
  consent: boolean;
  optedOutAt: Date | null;
  optOutSource: string | null;
  status: string;
}

export interface SendProfile {
  timeBarred: boolean;
  language: string;
  state: string | null;
  /** The debtor's contacts with the channel and address asked for; empty when none was asked. */
  contacts: StandingRow[];
}

/** The case's send profile, or null when the case has no row. */
export async function sendProfile(db: Db, caseId: string, standing?: { channel: string; value: string }): Promise<SendProfile | null> {
  const rows = await db.$queryRaw<{ timeBarred: boolean; language: string; state: string | null; contacts: (Omit<StandingRow, 'optedOutAt'> & { optedOutAt: string | null })[] }[]>`
    SELECT a."timeBarred", d."language", d."state",
      COALESCE((SELECT json_agg(json_build_object('consent', c."consent", 'optedOutAt', c."optedOutAt", 'optOutSource', c."optOutSource", 'status', c."status"))
                FROM "Contact" c WHERE c."debtorId" = d."id" AND c."channel" = ${standing?.channel ?? null} AND c."value" = ${standing?.value ?? null}), '[]') AS contacts
    FROM "Case" k JOIN "Account" a ON a."id" = k."accountId" JOIN "Debtor" d ON d."id" = a."debtorId"
    WHERE k."id" = ${caseId}`;
  const row = rows[0];
  if (!row) return null;
  // json_build_object writes a timestamp without its zone; the column holds UTC, as Prisma writes it.
  const contacts = row.contacts.map((contact) => ({ ...contact, optedOutAt: contact.optedOutAt ? new Date(`${contact.optedOutAt}Z`) : null }));
  return { timeBarred: row.timeBarred, language: row.language, state: row.state, contacts };
}
