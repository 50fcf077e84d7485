import type { IdentityMethod } from '../../../domain/self-service-policy.js';
import type { Db } from '../../../lib/db.js';
import { lockPersons } from '../debtor-writes.js';
import { recordPageEvent, PageEvent } from './events.js';
import { IdentityFact, identityKey, identityMatches, lastNameMatches } from './identity-facts.js';
import type { Visit } from './visit.js';

/**
 * The identity check before the page shows anything about a debt: last name and ZIP code, date of
 * birth, or the account number's last four digits, as the strategy allows and the engine holds.
 * Wrong answers are limited per person (not per link, so a second message does not reset them):
 * after {@link maxWrongAnswers} within {@link lockMinutes} the check is locked for that long.
 * Every attempt is audited, without the answers.
 */

export const maxWrongAnswers = 3;
export const lockMinutes = 30;

export interface IdentityAnswers {
  method: IdentityMethod;
  lastName?: string | undefined;
  postalCode?: string | undefined;
  birthDate?: string | undefined;
  last4?: string | undefined;
}

export type IdentityResult = { ok: true } | { ok: false; left: number } | { ok: false; lockedUntil: Date };

/** The strategy's methods, in its order, that the engine holds the facts for. */
export async function availableMethods(db: Db, visit: Visit): Promise<IdentityMethod[]> {
  const person = await db.debtor.findUnique({
    where: { id: visit.debtorId },
    select: { postalCodeHash: true, birthDateHash: true, accounts: { where: { last4Hash: { not: null } }, select: { id: true }, take: 1 } },
  });
  if (!person) return [];
  const held: Record<IdentityMethod, boolean> = { last_name_zip: Boolean(person.postalCodeHash), birth_date: Boolean(person.birthDateHash), last4: person.accounts.length > 0 };
  return visit.selfService.identity.filter((method) => held[method]);
}

/** Until when the person's check is locked, or null. */
export async function lockedUntil(db: Pick<Db, 'auditEvent'>, debtorId: string, now = new Date()): Promise<Date | null> {
  const since = new Date(now.getTime() - lockMinutes * 60_000);
  const recent = await db.auditEvent.findMany({
    where: { debtorId, action: { in: [PageEvent.identityFailed, PageEvent.identityConfirmed] }, at: { gte: since } },
    orderBy: { at: 'desc' },
    select: { action: true, at: true },
    take: maxWrongAnswers,
  });
  const failures = recent.filter((event) => event.action === PageEvent.identityFailed);
  // A confirmation in between starts the count again.
  if (failures.length < maxWrongAnswers || recent.some((event) => event.action === PageEvent.identityConfirmed)) return null;
  return new Date(failures[0]!.at.getTime() + lockMinutes * 60_000);
}

async function answersMatch(db: Pick<Db, 'debtor'>, key: string, debtorId: string, answers: IdentityAnswers): Promise<boolean> {
  const person = await db.debtor.findUnique({
    where: { id: debtorId },
    select: { name: true, postalCodeHash: true, birthDateHash: true, accounts: { where: { last4Hash: { not: null } }, select: { last4Hash: true } } },
  });
  if (!person) return false;
  switch (answers.method) {
    case 'last_name_zip':
      // Both are checked, so the answer does not tell which one was wrong.
      return [lastNameMatches(person.name, answers.lastName ?? ''), identityMatches(key, IdentityFact.postalCode, answers.postalCode ?? '', person.postalCodeHash)].every(Boolean);
    case 'birth_date':
      return identityMatches(key, IdentityFact.birthDate, answers.birthDate ?? '', person.birthDateHash);
    case 'last4':
      return person.accounts.some((account) => identityMatches(key, IdentityFact.last4, answers.last4 ?? '', account.last4Hash));
  }
}

/** Checks the answers under the person's row lock (two tabs cannot both get a fourth try), and audits the attempt. */
export async function confirmIdentity({ db, linkSecret, visit, answers, now = new Date() }: { db: Db; linkSecret: string; visit: Visit; answers: IdentityAnswers; now?: Date }): Promise<IdentityResult> {
  const allowed = await availableMethods(db, visit);
  return db.$transaction(async (tx) => {
    await lockPersons(tx, [visit.debtorId]);
    const locked = await lockedUntil(tx, visit.debtorId, now);
    if (locked) {
      await recordPageEvent(tx, { action: PageEvent.identityLocked, visit, data: { method: answers.method } });
      return { ok: false, lockedUntil: locked };
    }
    const ok = allowed.includes(answers.method) && (await answersMatch(tx, identityKey(linkSecret), visit.debtorId, answers));
    await recordPageEvent(tx, { action: ok ? PageEvent.identityConfirmed : PageEvent.identityFailed, visit, data: { method: answers.method } });
    if (ok) return { ok: true };
    const nowLocked = await lockedUntil(tx, visit.debtorId, now);
    if (nowLocked) return { ok: false, lockedUntil: nowLocked };
    const since = new Date(now.getTime() - lockMinutes * 60_000);
    const recent = await tx.auditEvent.findMany({
      where: { debtorId: visit.debtorId, action: { in: [PageEvent.identityFailed, PageEvent.identityConfirmed] }, at: { gte: since } },
      orderBy: { at: 'desc' },
      select: { action: true },
      take: maxWrongAnswers,
    });
    const streak = recent.findIndex((event) => event.action === PageEvent.identityConfirmed);
    const wrong = streak === -1 ? recent.length : streak;
    return { ok: false, left: Math.max(maxWrongAnswers - wrong, 0) };
  });
}
