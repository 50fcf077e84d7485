import type { Client } from '@temporalio/client';
import type { ContactMedium } from '../../domain/case-facts.js';
import { contactMedia } from '../../domain/debtor-preferences.js';
import type { ContactVerdict } from '../../domain/regulation/index.js';
import type { Prisma } from '../../generated/prisma/client.js';
import type { Db } from '../../lib/db.js';
import { debtGroupOf } from '../../records/persons.js';
import { contactPermissionQuery, statusQuery, type CaseStatus } from '../../workflows/case-messages.js';
import { findPerson, personWhere, type PersonScope } from './debtor-access.js';
import { contactView } from './debtor-contacts.js';
import { flagsView } from './debtor-flags.js';
import { preferencesView } from './debtor-preferences.js';

/**
 * Reading persons: the list (search by name, the person's or an account's external id, or a
 * contact value) and one person with everything the debtor screen shows: accounts with their
 * live case state, contacts with sources, preferences, flags, the holds each open case's rules
 * give right now (its `contactPermission` query per medium the person has, and its own hold), and
 * the history across all the person's accounts.
 */

export async function listDebtors({
  db,
  q,
  externalId,
  includeMerged,
  limit,
  cursor,
  scope,
}: {
  db: Db;
  q?: string | undefined;
  externalId?: string | undefined;
  includeMerged: boolean;
  limit: number;
  cursor?: string | undefined;
  scope: PersonScope;
}) {
  const search: Prisma.DebtorWhereInput | undefined = q
    ? {
        OR: [
          { name: { contains: q, mode: 'insensitive' } },
          { externalId: q },
          { accounts: { some: { externalId: q } } },
          { contacts: { some: { value: { equals: q, mode: 'insensitive' } } } },
        ],
      }
    : undefined;
  const rows = await db.debtor.findMany({
    where: {
      AND: [personWhere(scope), ...(search ? [search] : []), ...(externalId ? [{ externalId }] : []), ...(includeMerged ? [] : [{ mergedIntoId: null }])],
    },
    include: { accounts: { select: { cases: { select: { status: true } } } } },
    orderBy: { id: 'asc' },
    take: limit + 1,
    ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
  });
  const page = rows.slice(0, limit);
  return {
    items: page.map((row) => ({
      debtorId: row.id,
      externalId: row.externalId,
      name: row.name,
      timeZone: row.timeZone,
      mergedInto: row.mergedIntoId,
      accounts: row.accounts.length,
      openCases: row.accounts.filter((account) => account.cases.some((c) => c.status !== 'closed')).length,
    })),
    nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null,
  };
}

/** A query to a case that cannot answer (no worker, ended long ago) gives nothing rather than failing the page. */
async function ask<T>(work: () => Promise<T>): Promise<T | null> {
  try {
    return await work();
  } catch {
    return null;
  }
}

export interface HoldView {
  caseId: string;
  accountExternalId: string;
  /** The medium held; null for a hold of the whole case (dispute, hardship, legal review, wrong party). */
  channel: string | null;
  kind: string;
  until: string | null;
  reason: string;
}

function verdictHold(caseId: string, accountExternalId: string, channel: ContactMedium, verdict: ContactVerdict | null): HoldView[] {
  if (!verdict || verdict.kind === 'permitted') return [];
  return [{ caseId, accountExternalId, channel, kind: verdict.kind, until: verdict.kind === 'held' && verdict.until !== null ? new Date(verdict.until).toISOString() : null, reason: verdict.reason }];
}

export async function getDebtorDetail({ db, temporal, debtorId, scope }: { db: Db; temporal: Client; debtorId: string; scope: PersonScope }) {
  const person = await findPerson(db, debtorId, scope);
  const [accounts, contacts] = await Promise.all([
    db.account.findMany({ where: { debtorId }, include: { cases: true }, orderBy: { createdAt: 'asc' } }),
    db.contact.findMany({ where: { debtorId }, orderBy: [{ channel: 'asc' }, { createdAt: 'asc' }] }),
  ]);
  const cases = accounts.flatMap((account) => account.cases.map((row) => ({ account, row })));
  const media = contactMedia.filter((medium) => contacts.some((contact) => contact.channel === medium && !contact.retiredAt));
  const [lives, holds, events] = await Promise.all([
    Promise.all(cases.map(async ({ row }) => (row.status === 'closed' ? null : ask<CaseStatus>(() => temporal.workflow.getHandle(row.id).query(statusQuery))))),
    Promise.all(
      cases
        .filter(({ row }) => row.status !== 'closed')
        .map(async ({ account, row }) => {
          const handle = temporal.workflow.getHandle(row.id);
          const verdicts = await Promise.all(media.map((channel) => ask(() => handle.query(contactPermissionQuery, { channel }))));
          return media.flatMap((channel, index) => verdictHold(row.id, account.externalId, channel, verdicts[index] ?? null));
        }),
    ),
    db.auditEvent.findMany({
      where: { OR: [{ debtorId }, ...(cases.length ? [{ caseId: { in: cases.map(({ row }) => row.id) } }] : [])] },
      orderBy: [{ at: 'desc' }, { id: 'desc' }],
      take: 200,
    }),
  ]);
  const externalIdOfCase = new Map(cases.map(({ account, row }) => [row.id, account.externalId]));
  const caseHolds: HoldView[] = cases.flatMap(({ account, row }, index) => {
    const hold = lives[index]?.hold;
    return hold ? [{ caseId: row.id, accountExternalId: account.externalId, channel: null, kind: hold.kind, until: hold.until, reason: hold.reason }] : [];
  });
  return {
    debtorId: person.id,
    externalId: person.externalId,
    name: person.name,
    timeZone: person.timeZone,
    language: person.language,
    state: person.state,
    mergedInto: person.mergedIntoId,
    accounts: cases.map(({ account, row }, index) => {
      const live = lives[index];
      return {
        accountId: account.id,
        externalId: account.externalId,
        debtGroup: debtGroupOf(account),
        caseId: row.id,
        status: live?.status ?? row.status,
        balance: live?.balance ?? row.balance,
        currency: row.currency,
        currentStep: live ? live.currentStep : row.currentStep,
        nextActionAt: live ? live.nextActionAt : (row.nextActionAt?.toISOString() ?? null),
        nextActionWhy: live ? live.nextActionWhy : row.nextActionWhy,
        live: live !== null && live !== undefined,
      };
    }),
    contacts: contacts.map(contactView),
    preferences: preferencesView(person.language, person.preferences),
    flags: flagsView(person.preferences),
    holds: [...caseHolds, ...holds.flat()],
    history: events.map((event) => ({
      at: event.at.toISOString(),
      caseId: event.caseId,
      accountExternalId: event.caseId ? (externalIdOfCase.get(event.caseId) ?? null) : null,
      type: event.action,
      actor: event.actor,
      detail: historyDetail(event.data),
    })),
  };
}
export type DebtorDetail = Awaited<ReturnType<typeof getDebtorDetail>>;

function historyDetail(data: unknown): string | null {
  if (typeof data !== 'object' || !data) return null;
  if ('detail' in data && typeof data.detail === 'string') return data.detail;
  if ('reason' in data && typeof data.reason === 'string') return data.reason;
  return null;
}
