import type { Client } from '@temporalio/client';
import type { Components } from '../../../domain/ledger/components.js';
import { DateTime } from 'luxon';
import { ZNegotiationPolicy, type TNegotiationPolicy } from '../../../domain/negotiation-policy.js';
import { planOffers, type PlanOffer } from '../../../domain/plan-offers.js';
import type { Db } from '../../../lib/db.js';
import { balancePartsOf, caseLedgerRecord } from '../../../records/ledger-entries.js';
import { ledgerQuery, statusQuery, type CaseStatus } from '../../../workflows/case-messages.js';
import type { Itemization } from '../../../domain/ledger/ledger.js';

/**
 * What a person who confirmed who they are sees: each open account with its creditor, balance and
 * how it adds up (principal, interest and fees from the case's ledger), any promise or plan with its schedule, a dispute hold, and the plans the
 * strategy's policy offers. The live status comes from the case (statusQuery); when the case does
 * not answer in time the read model stands in (balance and the ledger's parts).
 */

export interface PageAccount {
  caseId: string;
  externalId: string;
  creditor: string;
  currency: string;
  balance: number;
  /** What the balance is made of (the case's ledger; all principal for a case without one). */
  parts: Components;
  /** Regulation F's itemization from the case's ledger (owed on the itemization date, interest, fees, payments and credits since); null for a case without one. */
  itemization: Itemization | null;
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
async function live<T>(query: Promise<T>): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), liveWithin)));
  try {
    return await Promise.race([query.catch(() => null), late]);
  } finally {
    clearTimeout(timer);
  }
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
      const handle = temporal.workflow.getHandle(row.id);
      const [status, ledger] = await Promise.all([live(handle.query(statusQuery)), live(handle.query(ledgerQuery))]);
      const definition = row.strategy.definition as { negotiation?: unknown } | null;
      const policy = ZNegotiationPolicy.parse(definition?.negotiation ?? {});
      const balance = status?.balance ?? row.balance;
      const parts = status?.balanceParts ?? (await balancePartsOf(db, [row.id])).get(row.id) ?? { principal: balance, interest: 0, fees: 0 };
      const disputed = status?.hold?.kind === 'dispute';
      const arrangement = status?.arrangement ?? null;
      return {
        caseId: row.id,
        externalId: account.externalId,
        creditor: creditorName,
        currency: account.currency,
        balance,
        parts,
        itemization: ledger?.itemization ?? (await caseLedgerRecord(db, row.id))?.itemization ?? null,
        originalBalance: account.originalBalance,
        paid: row.payments.reduce((sum, payment) => sum + payment.amount, 0),
        waived: status?.waived ?? 0,
        closed: (status?.status ?? row.status) === 'closed',
        disputed,
        arrangement,
        policy,
        offers: arrangement || disputed || balance <= 0 ? [] : planOffers({ balance, policy, firstDueDate, now }),
        live: status !== null,
      };
    }),
  );
  return { debtorId: person.id, language: person.language, timeZone: person.timeZone, preferences: person.preferences, accounts };
}
