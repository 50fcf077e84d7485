import type { Client } from '@temporalio/client';
import { DateTime } from 'luxon';
import { ZNegotiationPolicy, type TNegotiationPolicy } from '../../../domain/negotiation-policy.js';
import { planOffers, type PlanOffer } from '../../../domain/plan-offers.js';
import type { Db } from '../../../lib/db.js';
import type { Itemization } from '../../../domain/ledger/ledger.js';
import { caseLedgerRecord } from '../../../records/ledger-entries.js';
import { ledgerQuery, statusQuery, type CaseStatus } from '../../../workflows/case-messages.js';

/**
 * What a person who confirmed who they are sees: each open account with its creditor, balance and
 * how it adds up (the ledger's itemization and parts), any promise or plan with its schedule, a
 * dispute hold, and the plans the strategy's policy offers. The live status comes from the case (statusQuery); when the case does
 * not answer in time the read model stands in (balance only).
 */

export interface PageAccount {
  caseId: string;
  externalId: string;
  creditor: string;
  currency: string;
  balance: number;
  /** What the balance is made of (the case's ledger); null when the case did not answer. */
  balanceParts?: CaseStatus['balanceParts'] | null;
  originalBalance: number;
  /** Payments received and not reversed, minor units. */
  paid: number;
  waived: number;
  closed: boolean;
  disputed: boolean;
  arrangement: CaseStatus['arrangement'];
  policy: TNegotiationPolicy;
  offers: PlanOffer[];
  /** Whether the figures are the case's own (false: the read model's, the case did not answer). */
  live: boolean;
  /** Regulation F's itemization from the case's ledger (owed on the itemization date, interest, fees, payments and credits since); null for a case without one. */
  itemization: Itemization | null;
}

export interface PagePerson {
  debtorId: string;
  language: string;
  timeZone: string;
  preferences: unknown;
  accounts: PageAccount[];
}

const liveWithin = 3_000;

/** The case's answer to `query`, or null when it does not answer within {@link liveWithin}. */
async function liveAnswer<T>(query: Promise<T>): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), liveWithin)));
  try {
    return await Promise.race([query.catch(() => null), late]);
  } finally {
    clearTimeout(timer);
  }
}

const liveStatus = (temporal: Client, caseId: string): Promise<CaseStatus | null> => liveAnswer(temporal.workflow.getHandle(caseId).query(statusQuery));

/** The ledger's itemization: the case's own, else the read model's; null for a case without a ledger. */
async function itemizationOf(db: Db, temporal: Client, caseId: string): Promise<Itemization | null> {
  const ledger = await liveAnswer(temporal.workflow.getHandle(caseId).query(ledgerQuery));
  return ledger?.itemization ?? (await caseLedgerRecord(db, caseId))?.itemization ?? null;
}

/** The first due date plans are offered with: a week from today (UTC calendar day), as a default the person may change. */
export const defaultFirstDueDate = (now: number) => DateTime.fromMillis(now, { zone: 'utc' }).plus({ days: 7 }).toISODate()!;

export async function pagePerson({
  db,
  temporal,
  debtorId,
  creditorName,
  now = Date.now(),
  firstDueDate = defaultFirstDueDate(now),
}: {
  db: Db;
  temporal: Client;
  debtorId: string;
  creditorName: string;
  now?: number;
  firstDueDate?: string;
}): Promise<PagePerson | null> {
  const person = await db.debtor.findUnique({
    where: { id: debtorId },
    select: {
      id: true,
      language: true,
      timeZone: true,
      preferences: true,
      accounts: {
        orderBy: { createdAt: 'asc' },
        select: {
          externalId: true,
          currency: true,
          originalBalance: true,
          cases: { where: { status: { not: 'closed' } }, select: { id: true, balance: true, status: true, strategy: { select: { definition: true } }, payments: { where: { reversedAt: null }, select: { amount: true } } } },
        },
      },
    },
  });
  if (!person) return null;
  const cases = person.accounts.flatMap((account) => account.cases.map((row) => ({ account, row })));
  const accounts = await Promise.all(
    cases.map(async ({ account, row }): Promise<PageAccount> => {
      const live = await liveStatus(temporal, row.id);
      const definition = row.strategy.definition as { negotiation?: unknown } | null;
      const policy = ZNegotiationPolicy.parse(definition?.negotiation ?? {});
      const balance = live?.balance ?? row.balance;
      const disputed = live?.hold?.kind === 'dispute';
      const arrangement = live?.arrangement ?? null;
      return {
        caseId: row.id,
        externalId: account.externalId,
        creditor: creditorName,
        currency: account.currency,
        balance,
        balanceParts: live?.balanceParts ?? null,
        originalBalance: account.originalBalance,
        paid: row.payments.reduce((sum, payment) => sum + payment.amount, 0),
        waived: live?.waived ?? 0,
        closed: (live?.status ?? row.status) === 'closed',
        disputed,
        arrangement,
        policy,
        offers: arrangement || disputed || balance <= 0 ? [] : planOffers({ balance, policy, firstDueDate, now }),
        live: live !== null,
        itemization: await itemizationOf(db, temporal, row.id),
      };
    }),
  );
  return { debtorId: person.id, language: person.language, timeZone: person.timeZone, preferences: person.preferences, accounts };
}
