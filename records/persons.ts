import type { ContactMedium, ContactPlace, ContactPoint } from '../domain/case-facts.js';
import { contactMedia, preferencesOf } from '../domain/debtor-preferences.js';
import { isTemplateLanguage } from '../domain/disclosures.js';
import { candidateTimeZones } from '../domain/regulation/zones.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { PersonCaseRef, PersonFacts, PersonInput } from '../workflows/person-messages.js';

/**
 * The person as the database records them, in the person workflow's terms (workflows/person-messages.ts):
 * its facts from the Contact rows and the Debtor's preferences, and its open cases. The API
 * passes it with every signal-with-start (records/person-workflow.ts), so a person whose
 * workflow is not running yet starts from what we know.
 */

type ContactRow = Prisma.ContactGetPayload<object>;

/** The debt group of an account: its own, or its external id (a debt of its own). */
export const debtGroupOf = (account: { externalId: string; debtGroup: string | null }) => account.debtGroup ?? account.externalId;

export function contactPointOf(row: ContactRow): ContactPoint {
  return {
    address: row.value,
    valid: row.status === 'valid',
    optedOut: row.optedOutAt !== null,
    consent: row.consent,
    ...(row.place ? { place: row.place as ContactPlace } : {}),
    ...(row.optedOutAt ? { optOut: { at: row.optedOutAt.getTime(), source: row.optOutSource ?? 'unknown' } } : {}),
    ...(row.consentAt ? { consentRecord: { at: row.consentAt.getTime(), source: row.consentSource ?? 'unknown', granted: row.consent, address: row.value } } : {}),
  };
}

/** Usable first (valid, not opted out), then verified, then the newest: the one each case writes to. */
function preferredContact(rows: ContactRow[]): ContactRow | undefined {
  const rank = (row: ContactRow) => [row.status === 'valid' && !row.optedOutAt ? 1 : 0, row.verifiedAt ? 1 : 0, row.createdAt.getTime()];
  return [...rows].sort((a, b) => {
    const [x, y] = [rank(a), rank(b)];
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return (y[i] ?? 0) - (x[i] ?? 0);
    return 0;
  })[0];
}

/** One contact point per medium from the person's contacts (retired ones are never used). */
export function personContactsOf(rows: ContactRow[]): Partial<Record<ContactMedium, ContactPoint>> {
  const contacts: Partial<Record<ContactMedium, ContactPoint>> = {};
  for (const medium of contactMedia) {
    const chosen = preferredContact(rows.filter((row) => row.channel === medium && row.retiredAt === null));
    if (chosen) contacts[medium] = contactPointOf(chosen);
  }
  return contacts;
}

type DebtorWithContacts = Prisma.DebtorGetPayload<{ include: { contacts: true } }>;
interface OpenAccountRow {
  externalId: string;
  debtGroup: string | null;
  cases: { id: string }[];
}

/** The person from its rows: the debtor with its contacts, and its accounts with an open case (oldest first). */
function personInputFrom(debtor: DebtorWithContacts, accounts: OpenAccountRow[]): PersonInput {
  const preferences = preferencesOf(debtor.preferences);
  const contacts = personContactsOf(debtor.contacts);
  const phone = contacts.phone?.address ?? contacts.sms?.address;
  const facts: PersonFacts = {
    contacts,
    timeZones: candidateTimeZones({ timeZone: debtor.timeZone, ...(phone ? { phone } : {}), ...(debtor.state ? { state: debtor.state } : {}) }),
    ...(debtor.state ? { state: debtor.state } : {}),
    ...(preferences.refusedMedia?.length ? { refusedMedia: preferences.refusedMedia } : {}),
    ...(preferences.refusedPlaces?.length ? { refusedPlaces: preferences.refusedPlaces } : {}),
    ...(preferences.inconvenientTimes?.length ? { inconvenientTimes: preferences.inconvenientTimes } : {}),
    ...(preferences.callConsent ? { callConsent: preferences.callConsent } : {}),
    ...(preferences.flags && Object.keys(preferences.flags).length > 0 ? { flags: preferences.flags } : {}),
    ...(isTemplateLanguage(debtor.language) ? { language: debtor.language } : {}),
    ...(preferences.preferredChannel ? { preferredChannel: preferences.preferredChannel } : {}),
  };
  const cases: PersonCaseRef[] = accounts.flatMap((account) =>
    account.cases.map((row) => ({ caseId: row.id, accountExternalId: account.externalId, debtGroup: debtGroupOf(account) })),
  );
  return { personId: debtor.id, name: debtor.name, timeZone: debtor.timeZone, facts, cases, announceAtStart: true };
}

const openAccounts = {
  select: { debtorId: true, externalId: true, debtGroup: true, cases: { select: { id: true } } },
  orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
} satisfies Prisma.AccountFindManyArgs;

export async function personInputOf(db: Prisma.TransactionClient, debtorId: string): Promise<PersonInput> {
  const debtor = await db.debtor.findUniqueOrThrow({ where: { id: debtorId }, include: { contacts: true } });
  const accounts = await db.account.findMany({ where: { debtorId, cases: { some: { status: { not: 'closed' } } } }, ...openAccounts });
  return personInputFrom(debtor, accounts);
}
