import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { usStateOf, type TAccountEnrollment } from '../../domain/account.js';
import { accountLedgerProblems, defaultWaterfall, ledgerTermsOf, openingEntry } from '../../domain/ledger/account-ledger.js';
import { writeLedgerEntries } from '../../records/ledger-entries.js';
import { contactPointsOf } from '../../domain/account-contacts.js';
import { candidateTimeZones } from '../../domain/regulation/zones.js';
import type { Db } from '../../lib/db.js';
import { caseWorkflow } from '../../workflows/case.js';
import { caseWorkflowId, taskQueue, type CaseInput } from '../../workflows/case-messages.js';
import { currentCodeGeneration } from '../../workflows/patches.js';
import { caseJoinedSignal, type PersonInput } from '../../workflows/person-messages.js';
import { personInputOf } from '../../records/persons.js';
import { signalPersonWithStart } from '../../records/person-workflow.js';
import { ApiError, unprocessable } from '../errors.js';
import { debtorForEnrollment } from './debtor-identity.js';
import { identityHashesOf, identityKey } from './debtor-page/identity-facts.js';
import { differingFields, enrollmentConflict, enrollmentFingerprint, type EnrollmentFingerprint } from './enrollment-conflicts.js';
import { ownerAudit, ownerForNewCase, type RuleDecision } from './owners.js';
import { assertStrategyInPortfolio, portfolioTerms, type PortfolioTerms } from './portfolio-terms.js';
import { chooseStrategyFor } from './segments.js';
import { activeStrategy, toVersion, type StrategyVersion } from './strategies.js';

/**
 * Enrollment is idempotent by the account's external id and safe to repeat after a partial
 * failure: the rows are written in one transaction, then the workflow is started if it is not
 * already running. Repeating the request finishes whatever the first attempt left undone; a
 * repeat that differs from the first request is refused with the differing fields (409,
 * enrollment-conflicts.ts).
 */

export interface EnrollmentResult {
  created: boolean;
  caseId: string;
}

/**
 * Starts the case. With `person` (a person who may have other accounts), its person first: the
 * person runs (signal-with-start) and counts the case among its open ones before the case's first
 * contact asks it. Without (a person created by this enrollment, with this one account), the case
 * alone: it starts its person the first time it talks to it (workflows/case/person-start.ts), so
 * a new case costs Temporal and the worker one workflow, not two.
 */
export async function startCase(temporal: Client, input: CaseInput, person: PersonInput | null): Promise<void> {
  const { personId, externalId, debtGroup } = input.account;
  if (person && personId) await signalPersonWithStart(temporal, person, caseJoinedSignal, { caseId: input.caseId, accountExternalId: externalId, debtGroup: debtGroup ?? externalId });
  // Started on this code: every patch it has is taken without a marker (workflows/patches.ts).
  const started: CaseInput = { ...input, codeGeneration: currentCodeGeneration, ...(personId ? { account: { ...input.account, personStarted: person !== null } } : {}) };
  try {
    await temporal.workflow.start(caseWorkflow, {
      taskQueue,
      workflowId: input.caseId,
      args: [started],
      // A closed case is never silently restarted by a repeated enrollment.
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
  } catch (error) {
    // Already running or already finished under this id: the case exists, which is what we want.
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
}

/** Every zone the debtor may be in (declared, phone area code, US address state): contact must suit all. */
function complianceAtEnrollment(input: TAccountEnrollment, startedAt: Date) {
  const { debtor } = input;
  const state = usStateOf(debtor.address);
  return {
    timeZones: candidateTimeZones({ timeZone: debtor.timeZone, ...(debtor.phone ? { phone: debtor.phone } : {}), ...(state ? { state } : {}) }),
    ...(state ? { state } : {}),
    // Placed time-barred: the contact rules forbid suit from the start (no litigation steps).
    ...(input.timeBarred ? { flags: { timeBarred: { at: startedAt.getTime(), source: 'enrollment' } } } : {}),
  };
}

export function caseInput(caseId: string, accountId: string, debtorId: string, input: TAccountEnrollment, strategy: StrategyVersion, startedAt: Date, portfolio: PortfolioTerms): CaseInput {
  // A portfolio that stops interest: the account's own terms bear none.
  const ledger = input.ledger && (portfolio.accruesInterest ? input.ledger : { ...input.ledger, interest: undefined });
  const { regime } = portfolio;
  return {
    caseId,
    startedAt: startedAt.toISOString(),
    account: {
      accountId,
      externalId: input.externalId,
      currency: input.currency,
      balance: input.balance,
      daysPastDue: input.daysPastDue,
      debtor: { name: input.debtor.name, timeZone: input.debtor.timeZone },
      contacts: contactPointsOf(input.debtor),
      compliance: complianceAtEnrollment(input, startedAt),
      // The person behind the account: its case asks the person before each contact.
      personId: debtorId,
      debtGroup: input.debtGroup ?? input.externalId,
      ...(regime ? { regime } : {}),
      ...(ledger ? { ledger: ledgerTermsOf(ledger, portfolio.waterfall) } : {}),
    },
    strategy: { id: strategy.id, key: strategy.key, version: strategy.version, definition: strategy.definition },
  };
}

/**
 * Object-level access of enrollment (api/access.ts), one rule for a single enrollment and for
 * every row of an import: a key with a team enrolls into that team only (another team named is
 * 403; none named is its own), and cannot reach an existing account outside it (409, checked in
 * {@link enrollAccount}), so neither another team's case nor its balance can be touched.
 */
export function enrollmentInTeam(input: TAccountEnrollment, callerTeam: string | null | undefined): TAccountEnrollment {
  if (!callerTeam) return input;
  if (input.team !== undefined && input.team !== callerTeam) {
    throw new ApiError(403, 'forbidden', `this key may enroll accounts into team "${callerTeam}" only`, [
      { path: 'body.team', message: `must be "${callerTeam}" (the key's own team) or absent` },
    ]);
  }
  return { ...input, team: callerTeam };
}

/** The account's ledger as the agreement and the debtor's state allow it, or 422 naming each field (before anything is written). */
function assertLedgerAllowed(input: TAccountEnrollment): void {
  if (!input.ledger) return;
  const problems = accountLedgerProblems({ ledger: input.ledger, balance: input.balance, state: usStateOf(input.debtor.address), today: new Date().toISOString().slice(0, 10) });
  if (problems.length === 0) return;
  throw unprocessable(
    'ledger_refused',
    `the account's ledger cannot be opened: ${problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ')}`,
    problems.map((problem) => ({ path: `body.${problem.path}`, message: problem.message })),
  );
}

/** A new account's enrollment, decided before its rows are written: ids, start and strategy. */
export interface NewEnrollment {
  input: TAccountEnrollment;
  accountId: string;
  caseId: string;
  startedAt: Date;
  strategy: StrategyVersion;
  choice: Awaited<ReturnType<typeof chooseStrategyFor>>;
  /** What the case takes from the account's portfolio: its regime, its waterfall, whether interest accrues. */
  portfolio: PortfolioTerms;
}

/**
 * Chooses the strategy of a new account (the named one, `named` as the caller looked it up, else
 * the segment rules') and checks it against the portfolio; a 422 says why none fits. An import's
 * batch passes a `termsOf` that remembers its answers.
 */
export async function planNewEnrollment(
  db: Db,
  input: TAccountEnrollment,
  named: StrategyVersion | null,
  { termsOf = portfolioTerms }: { termsOf?: typeof portfolioTerms } = {},
): Promise<NewEnrollment> {
  assertLedgerAllowed(input);
  // No strategy named: the segment rules choose it, and the champion/challenger arm.
  const choice = input.strategy === undefined ? await chooseStrategyFor(db, input) : null;
  const strategyKey = input.strategy ?? choice?.strategy;
  if (strategyKey === undefined) {
    throw unprocessable('no_segment', 'no strategy named and no segment rule matches the account', [
      { path: 'body.strategy', message: 'name a strategy, or add a segment rule that matches this account (PUT /api/v1/segments)' },
    ]);
  }
  const strategy = input.strategy === undefined ? await activeStrategy(db, strategyKey) : named;
  if (!strategy) {
    throw unprocessable('unknown_strategy', `no active strategy "${strategyKey}"`, [
      { path: 'body.strategy', message: `no active strategy named "${strategyKey}"${choice ? ` (chosen by segment "${choice.segmentId}")` : ''}` },
    ]);
  }
  const portfolio = await termsOf(db, input.portfolio);
  assertStrategyInPortfolio(input.portfolio, portfolio, strategy.key);
  const accountId = randomUUID();
  return { input, accountId, caseId: caseWorkflowId(accountId), startedAt: new Date(), strategy, choice, portfolio };
}

/** What the assignment rules (owners.ts) see of a new case. */
export function ownerSubject({ input, choice }: NewEnrollment) {
  return { team: input.team ?? null, segment: choice?.segmentId ?? null, balance: input.balance, currency: input.currency };
}

/** The rows a new enrollment writes beside its debtor: the account, the case and their audit events (the owner's first). */
export function newEnrollmentRows(
  { input, accountId, caseId, startedAt, strategy, choice }: NewEnrollment,
  { debtorId, owner, actor, identitySecret }: { debtorId: string; owner: RuleDecision | null; actor: string; identitySecret?: string | undefined },
) {
  const assignment = choice && { segment: choice.segmentId, arm: choice.arm, bucket: choice.bucket, ruleSetVersion: choice.ruleSetVersion, ...(choice.portfolioRules ? { portfolioRules: choice.portfolioRules } : {}) };
  const segment = choice?.segmentId ?? null;
  return {
    account: {
      id: accountId,
      externalId: input.externalId,
      debtorId,
      currency: input.currency,
      originalBalance: input.balance,
      balance: input.balance,
      daysPastDue: input.daysPastDue,
      portfolio: input.portfolio ?? null,
      timeBarred: input.timeBarred ?? false,
      debtGroup: input.debtGroup ?? null,
      last4Hash: identitySecret && input.accountLast4 ? identityHashesOf(identityKey(identitySecret), { accountLast4: input.accountLast4 }).last4Hash : null,
    },
    case: { id: caseId, accountId, strategyId: strategy.id, balance: input.balance, currency: input.currency, startedAt, arm: choice?.arm ?? null, team: input.team ?? null, segment, officer: owner?.officer ?? null },
    audits: [
      ...(owner ? [ownerAudit({ caseId, actor, before: null, after: owner.officer, data: { source: 'rules', ...owner } })] : []),
      {
        caseId,
        actor,
        action: 'account_enrolled',
        // The fingerprint is what a repeat is compared with (enrollment-conflicts.ts).
        data: { externalId: input.externalId, strategy: strategy.key, version: strategy.version, ...assignment, ...(input.team ? { team: input.team } : {}), fingerprint: enrollmentFingerprint(input) },
      },
    ],
  };
}

export async function enrollAccount({
  db,
  temporal,
  input: requested,
  actor,
  allowBalanceChange = false,
  callerTeam = null,
  identitySecret,
}: {
  db: Db;
  temporal: Client;
  input: TAccountEnrollment;
  actor: string;
  /** An import: a changed balance is the creditor's new placed amount (imports.ts applies it), not a conflict. */
  allowBalanceChange?: boolean;
  /** The team of the key (or of the import job) asking; null for keys that see every team. */
  callerTeam?: string | null;
  /** LINK_SECRET: keys the hashes of the debtor page's identity facts; without it none are stored. */
  identitySecret?: string | undefined;
}): Promise<EnrollmentResult> {
  const input = enrollmentInTeam(requested, callerTeam);
  // A named strategy is looked up alongside the account (one round trip's wait, not two); unused on a repeat.
  const [existing, namedStrategy] = await Promise.all([
    db.account.findUnique({ where: { externalId: input.externalId }, include: { debtor: { select: { name: true, timeZone: true } }, cases: { include: { strategy: true } } } }),
    input.strategy === undefined ? null : activeStrategy(db, input.strategy),
  ]);
  if (existing?.cases[0]) {
    const current = existing.cases[0];
    if (callerTeam && current.team !== callerTeam) {
      // Says nothing about the other case (not even its id): it answers as absent to this key.
      throw new ApiError(409, 'account_exists', `an account with externalId "${input.externalId}" already exists outside team "${callerTeam}"`, [
        { path: 'body.externalId', message: `belongs to an account outside team "${callerTeam}"` },
      ]);
    }
    const enrolled = await db.auditEvent.findFirst({ where: { caseId: current.id, action: 'account_enrolled' }, orderBy: { at: 'asc' }, select: { data: true } });
    const fingerprint = (enrolled?.data as { fingerprint?: EnrollmentFingerprint } | null)?.fingerprint ?? null;
    const differing = differingFields(
      input,
      {
        fingerprint,
        strategyKey: current.strategy.key,
        placedBalance: existing.originalBalance,
        stored: { currency: existing.currency, daysPastDue: existing.daysPastDue, debtor: existing.debtor },
      },
      { ignoreBalance: allowBalanceChange },
    );
    if (differing.length > 0) throw enrollmentConflict(input.externalId, differing);
    // Finish a start the first attempt may not have reached; a no-op when the case is running.
    if (current.status !== 'closed') {
      // A person whose only open case this is needs no workflow before it (as for a new person).
      const person = await personInputOf(db, existing.debtorId);
      const alone = person.cases.every((ref) => ref.caseId === current.id);
      await startCase(temporal, caseInput(current.id, existing.id, existing.debtorId, input, toVersion(current.strategy), current.startedAt, await portfolioTerms(db, existing.portfolio ?? undefined)), alone ? null : person);
    }
    return { created: false, caseId: current.id };
  }

  const plan = await planNewEnrollment(db, input, namedStrategy);
  const { accountId, caseId, startedAt, strategy, portfolio } = plan;
  let debtorId = '';
  let newPerson = false;
  try {
    await db.$transaction(async (tx) => {
      // The person: found by debtor.externalId or created (debtor-identity.ts).
      ({ debtorId, created: newPerson } = await debtorForEnrollment(tx, input, actor, startedAt, identitySecret));
      // The owner, by the manager's assignment rules (owners.ts); none when no rule matches.
      const owner = await ownerForNewCase(tx, ownerSubject(plan));
      const rows = newEnrollmentRows(plan, { debtorId, owner, actor, identitySecret });
      await tx.account.create({ data: rows.account });
      await tx.case.create({ data: rows.case });
      for (const audit of rows.audits) await tx.auditEvent.create({ data: audit });
      // The ledger's first entry as the case opens it (workflows/case/account-ledger.ts), so the read model has the parts from the start.
      const opening = openingEntry({ terms: input.ledger && ledgerTermsOf(input.ledger, defaultWaterfall), balance: input.balance, startedOn: startedAt.toISOString().slice(0, 10) });
      if (opening.kind === 'itemization') await writeLedgerEntries(tx, caseId, [{ position: 0, entry: opening, effect: opening.parts }]);
    });
  } catch (error) {
    // A concurrent request with the same external id won the race: answer as a repeat.
    if ((error as { code?: string }).code === 'P2002') return enrollAccount({ db, temporal, input, actor, allowBalanceChange, callerTeam, identitySecret });
    throw error;
  }
  // A person this enrollment created has this one account: its case starts it when it needs it.
  await startCase(temporal, caseInput(caseId, accountId, debtorId, input, strategy, startedAt, portfolio), newPerson ? null : await personInputOf(db, debtorId));
  return { created: true, caseId };
}
