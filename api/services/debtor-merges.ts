import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { combinedPreferences, preferenceChanges } from '../../domain/debtor-preference-changes.js';
import { preferencesOf } from '../../domain/debtor-preferences.js';
import { Prisma } from '../../generated/prisma/client.js';
import type { Db } from '../../lib/db.js';
import { debtGroupOf, personContactsOf, personInputOf } from '../../records/persons.js';
import { caseJoinedSignal, caseLeftSignal, personMergedSignal, type PersonCaseRef, type PersonChange } from '../../workflows/person-messages.js';
import { ApiError, unprocessable } from '../errors.js';
import { assertNotMerged, findPerson, type PersonScope } from './debtor-access.js';
import { ensurePersonRunning, signalPersonFromRows } from '../../records/person-workflow.js';
import { lockPersons, resyncPerson, stateChanges, tellPerson } from './debtor-writes.js';

/**
 * Merging two persons a manager confirmed are one (match suggestions), and undoing it. A merge
 * moves the merged person's accounts and contacts to the survivor (a contact the survivor already
 * has stays behind), combines their preferences (every restriction of either holds) and marks the
 * merged person `mergedInto` the survivor, all in one transaction, recorded in a DebtorMerge row
 * with exactly what moved. The undo moves back exactly those accounts and contacts and restores
 * the survivor's preferences as they were before the merge (a preference changed on the survivor
 * in between is lost with it: the undo is exact, not a second merge). Accounts enrolled with the
 * merged person's debtor.externalId while it was merged went to the survivor and stay there.
 *
 * Then the person workflows are told: the merged person that it now lives in the survivor
 * (`personMerged`), the survivor of each case it gained (`caseJoined`) and of its combined facts
 * (`personChange`); the undo says the reverse.
 */

export const ZMergeRequest = z
  .object({
    /** The person merged into this one (it keeps its id and history, marked merged). */
    from: z.string().trim().min(1).max(100),
    reason: z.string().trim().min(1).max(500),
  })
  .strict();
export const ZUndoMergeRequest = z.object({ reason: z.string().trim().min(1).max(500) }).strict();

export function mergeView(row: Prisma.DebtorMergeGetPayload<object>) {
  return {
    mergeId: row.id,
    survivor: row.survivorId,
    merged: row.mergedId,
    accountIds: row.accountIds,
    contactIds: row.contactIds,
    by: row.by,
    reason: row.reason,
    at: row.at.toISOString(),
    undoneAt: row.undoneAt?.toISOString() ?? null,
    undoneBy: row.undoneBy,
    undoReason: row.undoReason,
  };
}
export type MergeView = ReturnType<typeof mergeView>;

async function openCaseRefs(db: Prisma.TransactionClient, accountIds: string[]): Promise<PersonCaseRef[]> {
  const accounts = await db.account.findMany({
    where: { id: { in: accountIds } },
    select: { externalId: true, debtGroup: true, cases: { where: { status: { not: 'closed' } }, select: { id: true } } },
  });
  return accounts.flatMap((account) => account.cases.map((row) => ({ caseId: row.id, accountExternalId: account.externalId, debtGroup: debtGroupOf(account) })));
}

async function contactsChange(tx: Prisma.TransactionClient, debtorId: string, source: string, at: number): Promise<PersonChange> {
  return { kind: 'contacts', contacts: personContactsOf(await tx.contact.findMany({ where: { debtorId } })), source, at };
}

interface Told {
  survivorAudit: bigint;
  mergedAudit: bigint;
  survivorChanges: PersonChange[];
  mergedChanges: PersonChange[];
}

/**
 * Tells both persons' workflows what a merge (or its undo) did. `told` null: a repeat of one done
 * before, whose first telling may have failed: the same signals again (a person takes a case it
 * has once), and both persons' whole state under changeIds that are hashes of it.
 */
async function tellMerge(db: Db, temporal: Client, merge: MergeView, told: Told | null, actor: string, undone: boolean): Promise<void> {
  const moved = await openCaseRefs(db, merge.accountIds);
  // The merged person signals the survivor itself (what it knew; or, undone, that it takes its cases back): the survivor must run.
  await ensurePersonRunning(temporal, await personInputOf(db, merge.survivor));
  await signalPersonFromRows(temporal, db, merge.merged, personMergedSignal, { into: undone ? null : merge.survivor, by: actor, mergeId: merge.mergeId });
  for (const ref of moved) {
    if (undone) {
      await signalPersonFromRows(temporal, db, merge.survivor, caseLeftSignal, { caseId: ref.caseId });
      await signalPersonFromRows(temporal, db, merge.merged, caseJoinedSignal, ref);
    } else {
      await signalPersonFromRows(temporal, db, merge.survivor, caseJoinedSignal, ref);
    }
  }
  if (told) {
    await tellPerson(db, temporal, merge.survivor, told.survivorChanges, told.survivorAudit);
    await tellPerson(db, temporal, merge.merged, told.mergedChanges, told.mergedAudit);
    return;
  }
  for (const debtorId of [merge.survivor, merge.merged]) await resyncPerson(db, temporal, debtorId, await stateChanges(db, debtorId, actor));
}

export async function mergeDebtors({
  db,
  temporal,
  survivorId,
  body,
  actor,
  scope,
  idempotencyKey,
}: {
  db: Db;
  temporal: Client;
  survivorId: string;
  body: z.infer<typeof ZMergeRequest>;
  actor: string;
  scope: PersonScope;
  idempotencyKey?: string | undefined;
}): Promise<{ merge: MergeView; replayed: boolean }> {
  if (body.from === survivorId) {
    throw unprocessable('merge_into_itself', 'a debtor cannot be merged into itself', [{ path: 'body.from', message: 'is the debtor merged into (the path\'s debtorId); name the other debtor' }]);
  }
  const storedKey = idempotencyKey ? `debtor-merge:${survivorId}:${idempotencyKey}` : undefined;
  const replay = async () => {
    if (!storedKey) return null;
    const earlier = await db.auditEvent.findUnique({ where: { idempotencyKey: storedKey } });
    if (!earlier) return null;
    await findPerson(db, survivorId, scope);
    const after = earlier.after as { mergeId: string; from: string };
    if (after.from !== body.from) {
      throw new ApiError(409, 'idempotency_key_reused', 'this Idempotency-Key was used for another merge', [{ path: 'headers.idempotency-key', message: 'already used for a different merge; send a new key' }]);
    }
    const merge = mergeView(await db.debtorMerge.findUniqueOrThrow({ where: { id: after.mergeId } }));
    if (!merge.undoneAt) await tellMerge(db, temporal, merge, null, actor, false);
    return { merge, replayed: true };
  };
  const first = await replay();
  if (first) return first;

  let done: { merge: MergeView; told: Told };
  try {
    done = await db.$transaction(async (tx) => {
      await lockPersons(tx, [survivorId, body.from]);
      const survivor = await findPerson(tx, survivorId, scope);
      const merged = await findPerson(tx, body.from, scope, 'body.from');
      assertNotMerged(survivor);
      assertNotMerged(merged, 'body.from');
      const at = new Date();
      const accounts = await tx.account.findMany({ where: { debtorId: merged.id }, select: { id: true } });
      const [theirs, mine] = await Promise.all([tx.contact.findMany({ where: { debtorId: merged.id } }), tx.contact.findMany({ where: { debtorId: survivor.id } })]);
      const moving = theirs.filter((contact) => !mine.some((own) => own.channel === contact.channel && own.value === contact.value));
      await tx.account.updateMany({ where: { id: { in: accounts.map((a) => a.id) } }, data: { debtorId: survivor.id } });
      await tx.contact.updateMany({ where: { id: { in: moving.map((c) => c.id) } }, data: { debtorId: survivor.id } });
      const before = preferencesOf(survivor.preferences);
      const combined = combinedPreferences(before, preferencesOf(merged.preferences));
      await tx.debtor.update({ where: { id: survivor.id }, data: { preferences: combined as Prisma.InputJsonValue } });
      await tx.debtor.update({ where: { id: merged.id }, data: { mergedIntoId: survivor.id } });
      const row = await tx.debtorMerge.create({
        data: {
          survivorId: survivor.id,
          mergedId: merged.id,
          accountIds: accounts.map((a) => a.id),
          contactIds: moving.map((c) => c.id),
          survivorPreferencesBefore: survivor.preferences === null ? Prisma.DbNull : (survivor.preferences as Prisma.InputJsonValue),
          by: actor,
          reason: body.reason,
          at,
        },
      });
      const trail = { mergeId: row.id, from: merged.id, into: survivor.id, accounts: row.accountIds.length, contacts: row.contactIds.length };
      const survivorChanges = [
        await contactsChange(tx, survivor.id, actor, at.getTime()),
        ...preferenceChanges({ preferences: before, language: survivor.language }, { preferences: combined, language: survivor.language }, { source: actor, at: at.getTime() }),
      ];
      const survivorAudit = await tx.auditEvent.create({
        data: { debtorId: survivor.id, actor, action: 'debtor_merged', at, after: trail, data: { reason: body.reason }, ...(storedKey ? { idempotencyKey: storedKey } : {}) },
      });
      const mergedAudit = await tx.auditEvent.create({ data: { debtorId: merged.id, actor, action: 'debtor_merged_into', at, after: trail, data: { reason: body.reason } } });
      return { merge: mergeView(row), told: { survivorAudit: survivorAudit.id, mergedAudit: mergedAudit.id, survivorChanges, mergedChanges: [] } };
    });
  } catch (error) {
    if ((error as { code?: string }).code === 'P2002' && storedKey) {
      const again = await replay();
      if (again) return again;
    }
    throw error;
  }
  await tellMerge(db, temporal, done.merge, done.told, actor, false);
  return { merge: done.merge, replayed: false };
}

/** Undoes a merge exactly; a merge already undone answers as it stands (a retry is likely). */
export async function undoMerge({
  db,
  temporal,
  mergeId,
  body,
  actor,
  scope,
}: {
  db: Db;
  temporal: Client;
  mergeId: string;
  body: z.infer<typeof ZUndoMergeRequest>;
  actor: string;
  scope: PersonScope;
}): Promise<{ merge: MergeView; replayed: boolean }> {
  const unknown = () => new ApiError(404, 'not_found', `merge "${mergeId}" not found`, [{ path: 'params.mergeId', message: 'no such merge' }]);
  const found = await db.debtorMerge.findUnique({ where: { id: mergeId } });
  if (!found) throw unknown();
  // A team-scoped key reaches the merge through the survivor, which holds the accounts.
  await findPerson(db, found.survivorId, scope).catch(() => {
    throw unknown();
  });
  if (found.undoneAt) {
    // Told again only while the undo still stands (the persons were not merged again since).
    const merged = await db.debtor.findUniqueOrThrow({ where: { id: found.mergedId }, select: { mergedIntoId: true } });
    if (merged.mergedIntoId === null) await tellMerge(db, temporal, mergeView(found), null, actor, true);
    return { merge: mergeView(found), replayed: true };
  }

  const done = await db.$transaction(async (tx) => {
    await lockPersons(tx, [found.survivorId, found.mergedId]);
    const merge = await tx.debtorMerge.findUniqueOrThrow({ where: { id: mergeId } });
    if (merge.undoneAt) return { merge: mergeView(merge), told: null };
    const survivor = await tx.debtor.findUniqueOrThrow({ where: { id: merge.survivorId } });
    const merged = await tx.debtor.findUniqueOrThrow({ where: { id: merge.mergedId } });
    if (survivor.mergedIntoId) {
      throw new ApiError(409, 'merge_superseded', `debtor "${survivor.id}" was merged into "${survivor.mergedIntoId}" since; undo that merge first`, [
        { path: 'params.mergeId', message: `its survivor was merged into debtor "${survivor.mergedIntoId}" since` },
      ]);
    }
    if (merged.mergedIntoId !== survivor.id) {
      throw new ApiError(409, 'merge_superseded', `debtor "${merged.id}" is no longer merged into "${survivor.id}"`, [{ path: 'params.mergeId', message: 'no longer in force' }]);
    }
    const at = new Date();
    const before = preferencesOf(survivor.preferences);
    const restored = preferencesOf(merge.survivorPreferencesBefore);
    await tx.account.updateMany({ where: { id: { in: merge.accountIds }, debtorId: survivor.id }, data: { debtorId: merged.id } });
    await tx.contact.updateMany({ where: { id: { in: merge.contactIds }, debtorId: survivor.id }, data: { debtorId: merged.id } });
    const preferences = merge.survivorPreferencesBefore === null ? Prisma.DbNull : (merge.survivorPreferencesBefore as Prisma.InputJsonValue);
    await tx.debtor.update({ where: { id: survivor.id }, data: { preferences } });
    await tx.debtor.update({ where: { id: merged.id }, data: { mergedIntoId: null } });
    const row = await tx.debtorMerge.update({ where: { id: merge.id }, data: { undoneAt: at, undoneBy: actor, undoReason: body.reason } });
    const trail = { mergeId: merge.id, from: merged.id, into: survivor.id, accounts: merge.accountIds.length, contacts: merge.contactIds.length };
    const survivorAudit = await tx.auditEvent.create({ data: { debtorId: survivor.id, actor, action: 'debtor_merge_undone', at, after: trail, data: { reason: body.reason } } });
    const mergedAudit = await tx.auditEvent.create({ data: { debtorId: merged.id, actor, action: 'debtor_merge_undone', at, after: trail, data: { reason: body.reason } } });
    const survivorChanges = [
      await contactsChange(tx, survivor.id, actor, at.getTime()),
      ...preferenceChanges({ preferences: before, language: survivor.language }, { preferences: restored, language: survivor.language }, { source: actor, at: at.getTime() }),
    ];
    const mergedChanges = [await contactsChange(tx, merged.id, actor, at.getTime())];
    return { merge: mergeView(row), told: { survivorAudit: survivorAudit.id, mergedAudit: mergedAudit.id, survivorChanges, mergedChanges } };
  });
  await tellMerge(db, temporal, done.merge, done.told, actor, true);
  return { merge: done.merge, replayed: done.told === null };
}
