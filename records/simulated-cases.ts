import type { ComplianceFacts, ContactChannel, ContactPoint } from '../domain/case-facts.js';
import { isChannel } from '../domain/channels/index.js';
import { preferencesOf } from '../domain/debtor-preferences.js';
import { candidateTimeZones } from '../domain/regulation/zones.js';
import type { SimulatedCase } from '../domain/simulation/contract.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { Db } from '../lib/db.js';
import { personContactsOf } from './persons.js';

/**
 * The open cases a simulation starts from, read from the projection: which ones (a portfolio, a
 * segment, a strategy's cases, or any of them together), and each one as the simulator starts it (domain/simulation/contract.ts
 * SimulatedCase): the case's balance, the account's days past due today, the person's zone,
 * contacts and what the contact rules know of them.
 */

export interface SimulationScope {
  /** Accounts placed in this portfolio (Account.portfolio). */
  portfolio?: string | undefined;
  /** Cases whose segment rule chose their strategy (Case.segment). */
  segment?: string | undefined;
  /** Cases on any version of this strategy (the editor's "simulate this draft"). */
  strategy?: string | undefined;
}

const openIn = (scope: SimulationScope): Prisma.CaseWhereInput => ({
  status: 'open',
  ...(scope.segment !== undefined ? { segment: scope.segment } : {}),
  ...(scope.portfolio !== undefined ? { account: { portfolio: scope.portfolio } } : {}),
  ...(scope.strategy !== undefined ? { strategy: { key: scope.strategy } } : {}),
});

/**
 * The scope's open cases with their person, a person's cases together, in a stable order: chunks
 * are slices of it that never part a person's cases (the simulator counts contacts per person).
 */
export async function openCases(db: Db, scope: SimulationScope): Promise<Array<{ caseId: string; personKey: string }>> {
  const rows = await db.case.findMany({ where: openIn(scope), select: { id: true, account: { select: { debtorId: true } } }, orderBy: [{ account: { debtorId: 'asc' } }, { id: 'asc' }] });
  return rows.map((row) => ({ caseId: row.id, personKey: row.account.debtorId }));
}

/** Where each chunk of `cases` starts: at least `size` cases each (the last may be smaller), never parting a person's cases. */
export function chunkStarts(cases: ReadonlyArray<{ personKey: string }>, size: number): number[] {
  const starts: number[] = [];
  let inChunk = 0;
  cases.forEach((each, index) => {
    if (index === 0 || (inChunk >= size && each.personKey !== cases[index - 1]!.personKey)) {
      starts.push(index);
      inChunk = 0;
    }
    inChunk++;
  });
  return starts;
}

const dayMs = 86_400_000;

type CaseRow = Prisma.CaseGetPayload<{ include: { account: { include: { debtor: { include: { contacts: true } } } } } }>;

function simulatedCaseOf(row: CaseRow, now: number): SimulatedCase {
  const { account } = row;
  const { debtor } = account;
  const contacts: Partial<Record<ContactChannel, ContactPoint>> = {};
  for (const [medium, point] of Object.entries(personContactsOf(debtor.contacts))) if (isChannel(medium)) contacts[medium] = point;
  const phone = personContactsOf(debtor.contacts).phone?.address ?? contacts.sms?.address;
  const preferences = preferencesOf(debtor.preferences);
  const flags = { ...preferences.flags, ...(account.timeBarred ? { timeBarred: { at: account.createdAt.getTime(), source: 'placement' } } : {}) };
  const compliance: ComplianceFacts = {
    timeZones: candidateTimeZones({ timeZone: debtor.timeZone, ...(phone ? { phone } : {}), ...(debtor.state ? { state: debtor.state } : {}) }),
    ...(debtor.state ? { state: debtor.state } : {}),
    ...(Object.keys(flags).length > 0 ? { flags } : {}),
    ...(preferences.refusedMedia?.length ? { refusedMedia: preferences.refusedMedia } : {}),
    ...(preferences.refusedPlaces?.length ? { refusedPlaces: preferences.refusedPlaces } : {}),
    ...(preferences.inconvenientTimes?.length ? { inconvenientTimes: preferences.inconvenientTimes } : {}),
    ...(preferences.callConsent ? { callConsent: preferences.callConsent } : {}),
  };
  return {
    caseId: row.id,
    // A merged person is contacted as the one it was merged into.
    personKey: debtor.mergedIntoId ?? debtor.id,
    balance: row.balance,
    // Placed days past due, plus the days the case has run since.
    daysPastDue: account.daysPastDue + Math.max(0, Math.floor((now - row.startedAt.getTime()) / dayMs)),
    timeZone: debtor.timeZone,
    contacts,
    compliance,
  };
}

/** The cases of `caseIds`, in that order; a case no longer in the projection is left out. */
export async function simulatedCases(db: Db, caseIds: readonly string[], now: number): Promise<SimulatedCase[]> {
  const rows = await db.case.findMany({ where: { id: { in: [...caseIds] } }, include: { account: { include: { debtor: { include: { contacts: true } } } } } });
  const byId = new Map(rows.map((row) => [row.id, row]));
  return caseIds.flatMap((id) => {
    const row = byId.get(id);
    return row ? [simulatedCaseOf(row, now)] : [];
  });
}
