import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { TAccountEnrollment } from '../../domain/account.js';
import type { Db } from '../../lib/db.js';
import { noPortfolioTerms, portfolioTerms } from './portfolio-terms.js';
import { newContactRows, newDebtorFields } from './debtor-identity.js';
import { caseInput, enrollmentInTeam, newEnrollmentRows, ownerSubject, planNewEnrollment, startCase, type NewEnrollment } from './enrollment.js';
import { createLimiter } from '../../lib/limiter.js';
import { ownersForNewCases } from './owners.js';
import { activeStrategy } from './strategies.js';

/**
 * New accounts enrolled together (an import's batch): the same decisions as one enrollment
 * (enrollment.ts), with the batch's lookups shared, its rows written in one transaction of a few
 * multi-row inserts, then each case started, `concurrency` at a time (each debtor is a new person
 * with one account, whom its case starts when it first talks to it).
 *
 * Only what is surely new goes this way: accounts no row in the database names yet, whose debtor
 * is a person of their own (no `debtor.externalId`, whose find-or-create is one by one). The rest,
 * and every row when the insert is refused (another enrollment took an external id meanwhile, a
 * value the database cannot hold), is left to the one-by-one path, which answers repeats and
 * races and names a row's own fault. Safe to repeat: the rows commit together before any start,
 * so a batch that dies after the commit finds its accounts enrolled on the retry, whose one-by-one
 * path finishes their starts.
 */

export interface BatchEnrollmentRow {
  line: number;
  input: TAccountEnrollment;
}

export interface BatchEnrollmentResult {
  /** Enrolled and started here: the case of each line. */
  created: Map<number, string>;
  /** Refused here (team, strategy, portfolio): the error enrollment would have thrown, by line. */
  refused: Map<number, unknown>;
}

/** Remembers each answer of `lookup` by key, so a batch asks once per strategy or portfolio. */
function remembered<T>(lookup: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const answers = new Map<string, Promise<T>>();
  return (key) => {
    let answer = answers.get(key);
    if (!answer) answers.set(key, (answer = lookup(key)));
    return answer;
  };
}

/** Whether a Prisma error is the database refusing the data (a constraint, a value too long...), not an outage. */
const refusedByDatabase = (error: unknown) => /^P2\d{3}$/.test(String((error as { code?: unknown }).code));

export async function enrollNewAccounts({
  db,
  temporal,
  rows,
  actor,
  callerTeam,
  identitySecret,
  concurrency,
  abandoned = () => false,
}: {
  db: Db;
  temporal: Client;
  rows: BatchEnrollmentRow[];
  actor: string;
  callerTeam: string | null;
  identitySecret?: string | undefined;
  concurrency: number;
  /** Checked before the writes and between starts: a given-up attempt stops (and throws). */
  abandoned?: () => boolean;
}): Promise<BatchEnrollmentResult> {
  const result: BatchEnrollmentResult = { created: new Map(), refused: new Map() };
  const candidates = rows.filter((row) => row.input.debtor.externalId === undefined);
  if (candidates.length === 0) return result;
  const known = await db.account.findMany({ where: { externalId: { in: candidates.map((row) => row.input.externalId) } }, select: { externalId: true } });
  const taken = new Set(known.map((account) => account.externalId));
  const fresh = candidates.filter((row) => !taken.has(row.input.externalId) && (taken.add(row.input.externalId), true));

  const strategyNamed = remembered((key) => activeStrategy(db, key));
  const termsAnswer = remembered((portfolio) => portfolioTerms(db, portfolio));
  const termsOf: typeof portfolioTerms = async (_db, portfolio) => (portfolio ? termsAnswer(portfolio) : noPortfolioTerms);
  const limit = createLimiter(concurrency);
  const planned = await Promise.all(
    fresh.map((row) =>
      limit(async () => {
        try {
          const input = enrollmentInTeam(row.input, callerTeam);
          const named = input.strategy === undefined ? null : await strategyNamed(input.strategy);
          return { line: row.line, plan: await planNewEnrollment(db, input, named, { termsOf }) };
        } catch (error) {
          result.refused.set(row.line, error);
          return null;
        }
      }),
    ),
  );
  const plans = planned.filter((entry): entry is { line: number; plan: NewEnrollment } => entry !== null);
  if (plans.length === 0) return result;
  if (abandoned()) throw new Error('this attempt was given up before its writes');

  const debtorIds = plans.map(() => randomUUID());
  try {
    await db.$transaction(async (tx) => {
      const owners = await ownersForNewCases(
        tx,
        plans.map(({ plan }) => ownerSubject(plan)),
      );
      const written = plans.map(({ plan }, index) => newEnrollmentRows(plan, { debtorId: debtorIds[index]!, owner: owners[index] ?? null, actor, identitySecret }));
      await tx.debtor.createMany({ data: plans.map(({ plan }, index) => ({ id: debtorIds[index]!, ...newDebtorFields(plan.input, identitySecret) })) });
      const contacts = plans.flatMap(({ plan }, index) => newContactRows(plan.input, actor, plan.startedAt).map((contact) => ({ debtorId: debtorIds[index]!, ...contact })));
      if (contacts.length > 0) await tx.contact.createMany({ data: contacts });
      await tx.account.createMany({ data: written.map((rows) => rows.account) });
      await tx.case.createMany({ data: written.map((rows) => rows.case) });
      await tx.auditEvent.createMany({ data: written.flatMap((rows) => rows.audits) });
    });
  } catch (error) {
    // Nothing was written: the one-by-one path takes every row and finds which (if any) is at fault.
    if (refusedByDatabase(error)) return { created: new Map(), refused: result.refused };
    throw error;
  }

  await Promise.all(
    plans.map(({ line, plan }, index) =>
      limit(async () => {
        // The rows are committed: a retry of the batch finishes these starts one by one.
        if (abandoned()) throw new Error('this attempt was given up between starts');
        // Each debtor is a new person with this one account: its case starts it when it needs it.
        await startCase(temporal, caseInput(plan.caseId, plan.accountId, debtorIds[index]!, plan.input, plan.strategy, plan.startedAt, plan.portfolio), null);
        result.created.set(line, plan.caseId);
      }),
    ),
  );
  return result;
}
