import type { Db } from '../../lib/db.js';
import { findPerson, type PersonScope } from './debtor-access.js';
import { mergeView } from './debtor-merges.js';

/**
 * The merges a person took part in (kept, or merged away), newest first, with both names: what a
 * manager reads on the debtor screen before undoing one.
 */
export async function mergeHistory({ db, debtorId, scope }: { db: Db; debtorId: string; scope: PersonScope }) {
  await findPerson(db, debtorId, scope);
  const rows = await db.debtorMerge.findMany({ where: { OR: [{ survivorId: debtorId }, { mergedId: debtorId }] }, orderBy: [{ at: 'desc' }, { id: 'desc' }], take: 200 });
  const persons = await db.debtor.findMany({ where: { id: { in: rows.flatMap((row) => [row.survivorId, row.mergedId]) } }, select: { id: true, name: true } });
  const names = new Map(persons.map((person) => [person.id, person.name]));
  return { items: rows.map((row) => ({ ...mergeView(row), survivorName: names.get(row.survivorId) ?? '', mergedName: names.get(row.mergedId) ?? '' })) };
}
