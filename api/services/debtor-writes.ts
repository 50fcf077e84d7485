import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Prisma } from '../../generated/prisma/client.js';
import type { Db } from '../../lib/db.js';
import { stateAsChanges } from '../../domain/debtor-preference-changes.js';
import { preferencesOf } from '../../domain/debtor-preferences.js';
import { personInputOf } from '../../records/persons.js';
import { personChangeSignal, type PersonChange, type PersonInput } from '../../workflows/person-messages.js';
import { ApiError } from '../errors.js';
import { assertNotMerged, findPerson, type PersonRow, type PersonScope } from './debtor-access.js';
import { signalPersonWithStart } from '../../records/person-workflow.js';

/**
 * Every change to a person goes the same way: in one transaction, the person's row is locked
 * (writes to one person are serialized), the change is applied and its audit event written (with
 * the person's id, before/after, and the caller's Idempotency-Key when one was sent); then the
 * person workflow is told (signal-with-start, so a person whose workflow is not running starts
 * from the rows just written), the changeId being the audit event's id so a repeat is applied once.
 *
 * A retry is safe: with the same Idempotency-Key it answers as the first did and tells the person
 * again (the workflow ignores a changeId it has seen), which also finishes a first attempt whose
 * signal failed (Temporal down: that attempt answered 503 after its rows were committed). The same
 * key with another request is refused.
 */

export interface AppliedWrite<R> {
  result: R;
  /** False for a request that found the person already as asked: no audit event. */
  changed: boolean;
  changes: PersonChange[];
  /**
   * For a request that changed nothing: the state it asked for, told to the person again (its
   * changeId is a hash of the change, so the same state is applied once). A plain retry after a
   * first attempt whose signal failed (503) thus still reaches the person workflow.
   */
  resync?: PersonChange[];
  before?: unknown;
  after?: unknown;
  data?: Record<string, unknown>;
}

export interface PersonWriteRequest<R> {
  db: Db;
  temporal: Client;
  debtorId: string;
  scope: PersonScope;
  actor: string;
  /** The audit event's action, e.g. `debtor_contact_added`. */
  action: string;
  /** The Idempotency-Key header, when the caller sent one. */
  idempotencyKey?: string | undefined;
  /** The request as received, to recognise the same key reused for another request. */
  request: unknown;
  apply(tx: Prisma.TransactionClient, person: PersonRow, at: Date): Promise<AppliedWrite<R>>;
  /**
   * The answer to a repeat (same Idempotency-Key), read afresh from the rows and the first write's
   * `after`: the audit trail keeps no copy of the answer, which may hold the debtor's data.
   */
  answerAgain(db: Db, after: unknown): Promise<R>;
}

const requestHash = (request: unknown) => createHash('sha256').update(JSON.stringify(request ?? null)).digest('base64url').slice(0, 22);
const json = (value: unknown) => (value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as Prisma.InputJsonValue));

/** Locks the person's row for the rest of the transaction (FOR UPDATE): one write per person at a time. */
export async function lockPersons(tx: Prisma.TransactionClient, ids: string[]): Promise<void> {
  // In id order, so two merges of the same pair lock alike and cannot deadlock.
  for (const id of [...new Set(ids)].sort()) await tx.$queryRaw`SELECT "id" FROM "Debtor" WHERE "id" = ${id} FOR UPDATE`;
}

/** A `contacts` change is stored without the contact points (the debtor's data); a repeat rebuilds them from the rows. */
type StoredChange = PersonChange | { kind: 'contacts'; source: string; at: number; contacts?: undefined };

interface StoredWrite {
  request: string;
  changes: StoredChange[];
}

const storable = (change: PersonChange): StoredChange => (change.kind === 'contacts' ? { kind: 'contacts', source: change.source, at: change.at } : change);

export async function writePerson<R>(write: PersonWriteRequest<R>): Promise<{ result: R; replayed: boolean }> {
  const { db, temporal, debtorId, scope, actor, action, idempotencyKey } = write;
  const storedKey = idempotencyKey ? `debtor:${debtorId}:${action}:${idempotencyKey}` : undefined;
  const hash = requestHash(write.request);
  const replay = async () => {
    if (!storedKey) return null;
    const earlier = await db.auditEvent.findUnique({ where: { idempotencyKey: storedKey } });
    if (!earlier) return null;
    // The key is the caller's: another team's key must not read this person's result through it.
    await findPerson(db, debtorId, scope);
    const stored = earlier.data as unknown as StoredWrite;
    if (stored.request !== hash) {
      throw new ApiError(409, 'idempotency_key_reused', 'this Idempotency-Key was used for another request', [
        { path: 'headers.idempotency-key', message: 'already used for a different request; send a new key' },
      ]);
    }
    await tellPerson(db, temporal, debtorId, stored.changes, earlier.id);
    return { result: await write.answerAgain(db, earlier.after), replayed: true };
  };
  const first = await replay();
  if (first) return first;

  let outcome: { result: R; changes: PersonChange[]; auditId: bigint | null; resync: PersonChange[] };
  try {
    outcome = await db.$transaction(async (tx) => {
      await lockPersons(tx, [debtorId]);
      const person = await findPerson(tx, debtorId, scope);
      assertNotMerged(person);
      const at = new Date();
      const applied = await write.apply(tx, person, at);
      if (!applied.changed) return { result: applied.result, changes: [], auditId: null, resync: applied.resync ?? [] };
      const stored: StoredWrite = { request: hash, changes: applied.changes.map(storable) };
      const audit = await tx.auditEvent.create({
        data: {
          debtorId,
          actor,
          action,
          at,
          ...(applied.before !== undefined ? { before: json(applied.before) } : {}),
          ...(applied.after !== undefined ? { after: json(applied.after) } : {}),
          data: json({ ...applied.data, ...stored }),
          ...(storedKey ? { idempotencyKey: storedKey } : {}),
        },
        select: { id: true },
      });
      return { result: applied.result, changes: applied.changes, auditId: audit.id, resync: [] };
    });
  } catch (error) {
    // The same key sent twice at once: the other request wrote first; answer as its repeat.
    if ((error as { code?: string }).code === 'P2002' && storedKey) {
      const again = await replay();
      if (again) return again;
    }
    throw error;
  }
  if (outcome.auditId !== null) await tellPerson(db, temporal, debtorId, outcome.changes, outcome.auditId);
  else await resyncPerson(db, temporal, debtorId, outcome.resync);
  return { result: outcome.result, replayed: false };
}

/** A stored change as the person is told it: a `contacts` change with the contact points as the rows now hold them. */
const fullChange = (change: StoredChange, input: PersonInput): PersonChange =>
  change.kind === 'contacts' && !change.contacts ? { ...change, contacts: input.facts.contacts } : change;

/** The changeId of the `index`-th change of audit event `auditId`. */
export const changeIdOf = (auditId: bigint, index: number) => `debtor-audit-${auditId}${index > 0 ? `.${index}` : ''}`;

/** Tells the person workflow each change, in order (starting it from the rows when it is not running). */
export async function tellPerson(db: Db, temporal: Client, debtorId: string, changes: StoredChange[], auditId: bigint): Promise<void> {
  if (changes.length === 0) return;
  const input = await personInputOf(db, debtorId);
  for (const [index, change] of changes.entries()) {
    await signalPersonWithStart(temporal, input, personChangeSignal, { changeId: changeIdOf(auditId, index), change: fullChange(change, input) });
  }
}

/** Tells the person the state a no-op request asked for, once per distinct state. */
export async function resyncPerson(db: Db, temporal: Client, debtorId: string, changes: StoredChange[]): Promise<void> {
  if (changes.length === 0) return;
  const input = await personInputOf(db, debtorId);
  for (const change of changes) {
    const full = fullChange(change, input);
    // The hash leaves out when and by whom, so repeating the same request is the same change.
    const { at: _at, source: _source, ...content } = full as PersonChange & { at?: number; source?: string };
    const id = createHash('sha256').update(JSON.stringify(content)).digest('base64url').slice(0, 22);
    await signalPersonWithStart(temporal, input, personChangeSignal, { changeId: `debtor-resync-${debtorId}-${id}`, change: full });
  }
}

/** The person's contacts and stored preferences as changes that only add (domain/debtor-preference-changes.ts `stateAsChanges`). */
export async function stateChanges(db: Db, debtorId: string, source: string): Promise<StoredChange[]> {
  const person = await db.debtor.findUniqueOrThrow({ where: { id: debtorId } });
  const at = person.updatedAt.getTime();
  return [{ kind: 'contacts', source, at }, ...stateAsChanges({ preferences: preferencesOf(person.preferences), language: person.language }, { source, at })];
}
