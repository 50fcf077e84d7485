import { identityHashesOf, identityKey } from './debtor-page/identity-facts.js';
import { usStateOf, type TAccountEnrollment } from '../../domain/account.js';
import { contactPointsOf } from '../../domain/account-contacts.js';
import type { Prisma } from '../../generated/prisma/client.js';
import { ApiError } from '../errors.js';
import { normalizedName } from './debtor-matches.js';

/**
 * The person an enrolled account belongs to (find-or-create, inside enrollment's transaction).
 *
 * - Without `debtor.externalId`, every account gets a debtor of its own, as before persons
 *   existed; match suggestions (debtor-matches.ts) let a manager join them later.
 * - With one, the first enrollment creates the person and later ones join it. The person's
 *   identity is its name (compared as match suggestions compare names: case, spacing and accents
 *   aside) and time zone: a later account that names the same person with another name or zone is refused (409, the fields named), because a person is not renamed or moved by
 *   a side effect of placing another debt — the API's debtor routes change a person on purpose.
 *   Other debtor fields of a later account (language, address state) do not change the person
 *   either: the first stands. Its contacts are added to the person's (each with its source,
 *   `enrollment` or `import`); a contact the person already has is left as it is, except that
 *   consent given with this enrollment is recorded when the contact had none and is not opted out.
 * - A person merged into another (DebtorMerge) passes its new accounts to the survivor.
 *
 * Two first enrollments of one person at once: one creates the row, the other's transaction
 * fails on the unique external id and enrollment's retry joins the person.
 */

const contactSource = (actor: string) => (actor.startsWith('import:') ? 'import' : 'enrollment');

/** The contact rows of a new person (without its debtorId), each with where it came from. */
export function newContactRows(input: TAccountEnrollment, actor: string, at: Date) {
  return Object.entries(contactPointsOf(input.debtor)).map(([channel, contact]) => ({
    channel,
    value: contact.address,
    consent: contact.consent,
    source: contactSource(actor),
    // Consent is recorded with where it was given: an API enrollment or a bulk import.
    ...(contact.consent ? { consentAt: at, consentSource: contactSource(actor) } : {}),
  }));
}

/** The 409 of an account that names a known person differently; values are not echoed (they are the debtor's data). */
function identityConflict(externalId: string, differing: string[]): ApiError {
  return new ApiError(
    409,
    'debtor_conflict',
    `debtor.externalId "${externalId}" is a person already known with a different ${differing.map((path) => path.replace('debtor.', '')).join(' and ')}; the person's data stands (change it through /api/v1/debtors)`,
    differing.map((path) => ({ path: `body.${path}`, message: 'differs from the person known by this debtor.externalId' })),
  );
}

/**
 * The person's identity facts for the debtor page, as keyed hashes (identity-facts.ts); none
 * without the key (a caller with no link secret, such as the seed) or without the facts.
 */
function personIdentityHashes(input: TAccountEnrollment, identitySecret: string | undefined) {
  if (!identitySecret) return {};
  const { postalCodeHash, birthDateHash } = identityHashesOf(identityKey(identitySecret), {
    postalCode: input.debtor.postalCode ?? input.debtor.address?.postalCode,
    birthDate: input.debtor.birthDate,
  });
  return { ...(postalCodeHash ? { postalCodeHash } : {}), ...(birthDateHash ? { birthDateHash } : {}) };
}

/** The Debtor row of a new person (contacts aside: {@link newContactRows}). */
export function newDebtorFields(input: TAccountEnrollment, identitySecret: string | undefined) {
  return {
    externalId: input.debtor.externalId ?? null,
    name: input.debtor.name,
    timeZone: input.debtor.timeZone,
    language: input.debtor.language ?? 'en',
    state: usStateOf(input.debtor.address) ?? null,
    ...personIdentityHashes(input, identitySecret),
  };
}

export async function debtorForEnrollment(tx: Prisma.TransactionClient, input: TAccountEnrollment, actor: string, at: Date, identitySecret?: string): Promise<{ debtorId: string; created: boolean }> {
  const contacts = newContactRows(input, actor, at);
  const externalId = input.debtor.externalId;
  const known = externalId === undefined ? null : await tx.debtor.findUnique({ where: { externalId }, select: { id: true, name: true, timeZone: true, mergedIntoId: true } });
  if (!known) {
    const created = await tx.debtor.create({
      data: { ...newDebtorFields(input, identitySecret), contacts: { create: contacts } },
      select: { id: true }, // only the id is used: no read-back of the whole row
    });
    return { debtorId: created.id, created: true };
  }
  const differing = [
    // "ANA  RUIZ" is Ana Ruiz: the creditor's systems differ in case and spacing, not in the person.
    ...(normalizedName(known.name) !== normalizedName(input.debtor.name) ? ['debtor.name'] : []),
    ...(known.timeZone !== input.debtor.timeZone ? ['debtor.timeZone'] : []),
  ];
  if (differing.length > 0) throw identityConflict(externalId!, differing);
  const debtorId = await survivorOf(tx, known.id, known.mergedIntoId);
  const hashes = personIdentityHashes(input, identitySecret);
  // A later account may bring facts the person's first did not: they fill what is missing, never overwrite.
  if (hashes.postalCodeHash) await tx.debtor.updateMany({ where: { id: debtorId, postalCodeHash: null }, data: { postalCodeHash: hashes.postalCodeHash } });
  if (hashes.birthDateHash) await tx.debtor.updateMany({ where: { id: debtorId, birthDateHash: null }, data: { birthDateHash: hashes.birthDateHash } });
  for (const contact of contacts) {
    const existing = await tx.contact.findUnique({ where: { debtorId_channel_value: { debtorId, channel: contact.channel, value: contact.value } } });
    if (!existing) await tx.contact.create({ data: { debtorId, ...contact } });
    else if (contact.consent && !existing.consent && !existing.optedOutAt) {
      await tx.contact.update({ where: { id: existing.id }, data: { consent: true, consentAt: at, consentSource: contact.source } });
    }
  }
  return { debtorId, created: false };
}

/** The person a merged person now lives in (merges chain: A into B, then B into C). */
async function survivorOf(tx: Prisma.TransactionClient, debtorId: string, mergedIntoId: string | null): Promise<string> {
  let current = debtorId;
  let next = mergedIntoId;
  for (let hops = 0; next && hops < 100; hops++) {
    current = next;
    next = (await tx.debtor.findUniqueOrThrow({ where: { id: current }, select: { mergedIntoId: true } })).mergedIntoId;
  }
  return current;
}
