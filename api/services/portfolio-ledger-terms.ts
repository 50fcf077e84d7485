import type { Client } from '@temporalio/client';
import { waterfalls, type Waterfall } from '../../domain/ledger/allocation.js';
import { defaultWaterfall } from '../../domain/ledger/account-ledger.js';
import type { Db } from '../../lib/db.js';
import { ledgerTermsChangedSignal } from '../../workflows/case-messages.js';
import { signalCaseIfOpen } from './communication-records.js';

/**
 * A portfolio's ledger terms (its waterfall, whether interest accrues) reach its running cases:
 * when an update changes them, each open case of the portfolio's accounts gets the
 * `ledgerTermsChanged` signal (workflows/case/ledger-terms.ts), a page of cases at a time with a
 * few signals in flight, so a large portfolio neither floods the server nor holds the database.
 */

export interface PortfolioLedgerTerms {
  waterfall: Waterfall;
  accruesInterest: boolean;
}

const casesPerPage = 200;
const signalsInFlight = 10;

/** The terms as stored now, or null when the portfolio is new. */
export async function portfolioLedgerTerms(db: Db, key: string): Promise<PortfolioLedgerTerms | null> {
  const row = await db.portfolio.findUnique({ where: { key }, select: { waterfall: true, accruesInterest: true } });
  return row ? { waterfall: row.waterfall in waterfalls ? (row.waterfall as Waterfall) : defaultWaterfall, accruesInterest: row.accruesInterest } : null;
}

/** Tells the open cases of `portfolio` its new terms when they differ from `before`; returns how many were told. */
export async function tellOpenCasesOfTerms({ db, temporal, portfolio, before, after, by }: { db: Db; temporal: Client; portfolio: string; before: PortfolioLedgerTerms | null; after: PortfolioLedgerTerms; by: string }): Promise<number> {
  if (!before || (before.waterfall === after.waterfall && before.accruesInterest === after.accruesInterest)) return 0;
  let told = 0;
  let cursor: string | undefined;
  for (;;) {
    const page = await db.case.findMany({
      where: { status: { not: 'closed' }, account: { portfolio } },
      orderBy: { id: 'asc' },
      take: casesPerPage,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
      select: { id: true },
    });
    for (let start = 0; start < page.length; start += signalsInFlight) {
      const sent = await Promise.all(page.slice(start, start + signalsInFlight).map(({ id }) => signalCaseIfOpen(temporal, id, ledgerTermsChangedSignal, { ...after, by })));
      told += sent.filter(Boolean).length;
    }
    if (page.length < casesPerPage) return told;
    cursor = page.at(-1)?.id;
  }
}
