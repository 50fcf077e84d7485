import type { Db } from '../../lib/db.js';
import { personWhere, type PersonScope } from './debtor-access.js';

/**
 * Persons that may be one person, for a manager to confirm (and then merge): the same email
 * address (compared trimmed and case-insensitively), or the same phone number AND the same name
 * (compared without case, accents, punctuation or extra spaces). Never a phone number alone:
 * households and reassigned numbers share phones. Retired contacts and merged persons are left
 * out. The reasons name what matched, never the value itself.
 */

export const MatchReason = { sameEmail: 'same_email', samePhoneAndName: 'same_phone_and_name' } as const;
export type MatchReason = (typeof MatchReason)[keyof typeof MatchReason];

/** "José  O'Neil" and "jose oneil" are the same name; "Ana Ruiz" and "Ana Ruiz Lopez" are not. */
export function normalizedName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLocaleLowerCase('en')
    .replace(/[^\p{L}\p{N}\s]/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
}

interface Pair {
  a: string;
  b: string;
}

export async function matchSuggestions({ db, scope, limit }: { db: Db; scope: PersonScope; limit: number }) {
  // Pairs of active persons sharing a contact value; names are compared below (Unicode-aware).
  const emailPairs = await db.$queryRaw<Pair[]>`
    SELECT DISTINCT x."debtorId" AS a, y."debtorId" AS b
    FROM "Contact" x
    JOIN "Contact" y ON lower(trim(x."value")) = lower(trim(y."value")) AND x."debtorId" < y."debtorId"
    JOIN "Debtor" dx ON dx."id" = x."debtorId" AND dx."mergedIntoId" IS NULL
    JOIN "Debtor" dy ON dy."id" = y."debtorId" AND dy."mergedIntoId" IS NULL
    WHERE x."channel" = 'email' AND y."channel" = 'email' AND x."retiredAt" IS NULL AND y."retiredAt" IS NULL
    LIMIT 5000`;
  const phonePairs = await db.$queryRaw<Pair[]>`
    SELECT DISTINCT x."debtorId" AS a, y."debtorId" AS b
    FROM "Contact" x
    JOIN "Contact" y ON x."value" = y."value" AND x."debtorId" < y."debtorId"
    JOIN "Debtor" dx ON dx."id" = x."debtorId" AND dx."mergedIntoId" IS NULL
    JOIN "Debtor" dy ON dy."id" = y."debtorId" AND dy."mergedIntoId" IS NULL
    WHERE x."channel" IN ('sms', 'phone', 'whatsapp') AND y."channel" IN ('sms', 'phone', 'whatsapp')
      AND x."retiredAt" IS NULL AND y."retiredAt" IS NULL
    LIMIT 5000`;
  const ids = [...new Set([...emailPairs, ...phonePairs].flatMap(({ a, b }) => [a, b]))];
  const persons = await db.debtor.findMany({
    where: { id: { in: ids }, ...personWhere(scope) },
    select: { id: true, name: true, externalId: true, _count: { select: { accounts: true } } },
  });
  const byId = new Map(persons.map((person) => [person.id, person]));
  const reasons = new Map<string, Set<MatchReason>>();
  const add = ({ a, b }: Pair, reason: MatchReason) => {
    const key = `${a} ${b}`;
    reasons.set(key, (reasons.get(key) ?? new Set()).add(reason));
  };
  for (const pair of emailPairs) add(pair, MatchReason.sameEmail);
  for (const pair of phonePairs) {
    const [a, b] = [byId.get(pair.a), byId.get(pair.b)];
    if (a && b && normalizedName(a.name) === normalizedName(b.name)) add(pair, MatchReason.samePhoneAndName);
  }
  const items = [...reasons]
    // A team-scoped key sees a pair only when it sees both persons.
    .filter(([key]) => key.split(' ').every((id) => byId.has(id)))
    .map(([key, found]) => {
      const [a, b] = key.split(' ').map((id) => byId.get(id)!);
      return {
        debtorIds: [a!.id, b!.id],
        reasons: [...found].sort(),
        persons: [a!, b!].map((person) => ({ debtorId: person.id, externalId: person.externalId, name: person.name, accounts: person._count.accounts })),
      };
    })
    .sort((x, y) => y.reasons.length - x.reasons.length || x.debtorIds.join().localeCompare(y.debtorIds.join()));
  return { items: items.slice(0, limit), total: items.length };
}
