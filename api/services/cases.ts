import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { SignalDefinition } from '@temporalio/common';
import type { Db } from '../../lib/db.js';
import { balancePartsOf } from '../../records/ledger-entries.js';
import { casePayments } from '../../records/payments.js';
import {
  debtorRepliedSignal,
  paymentReceivedSignal,
  pauseSignal,
  resumeSignal,
  statusQuery,
  type CaseStatus,
  type CaseStatusValue,
  type DebtorReplied,
  type PauseRequest,
  type PaymentReceived,
} from '../../workflows/case-messages.js';
import { conflict, notFound, unprocessable } from '../errors.js';
import { recordPaymentRequest } from './payment-requests.js';

/** Reads a case (live from its workflow, history from the database) and sends it messages. */

async function caseRow(db: Db, caseId: string) {
  const row = await db.case.findUnique({ where: { id: caseId }, include: { strategy: true, account: true } });
  if (!row) throw notFound(`case "${caseId}"`);
  return row;
}

type CaseRow = Awaited<ReturnType<typeof caseRow>>;

/** The public case shape: the contract fields plus what an officer needs next. */
export function caseView(row: CaseRow, live: CaseStatus | null) {
  return {
    caseId: row.id,
    accountId: row.accountId,
    externalId: row.account.externalId,
    status: live?.status ?? (row.status as CaseStatusValue),
    closeReason: live?.closeReason ?? row.closeReason,
    balance: live?.balance ?? row.balance,
    originalBalance: row.account.originalBalance,
    currency: row.currency,
    currentStep: live ? live.currentStep : row.currentStep,
    nextActionAt: live ? live.nextActionAt : (row.nextActionAt?.toISOString() ?? null),
    nextActionWhy: live ? live.nextActionWhy : row.nextActionWhy,
    strategy: { key: row.strategy.key, version: row.strategy.version },
    team: row.team,
    officer: row.officer,
    startedAt: row.startedAt.toISOString(),
    /** False when the workflow could not be asked and the fields come from the database. */
    live: live !== null,
    channels: live?.channels ?? {},
  };
}
export type CaseView = ReturnType<typeof caseView>;

async function liveStatus(temporal: Client, caseId: string): Promise<CaseStatus | null> {
  try {
    return await temporal.workflow.getHandle(caseId).query(statusQuery);
  } catch {
    // No worker or no workflow: the projection still answers.
    return null;
  }
}

/** The arrangement as a person reads it (the workflow's bookkeeping, such as reminders sent, left out). */
function arrangementView({ kind, status, paidTotal, graceDays, agreedBy, agreedAt, installments, pendingChange }: NonNullable<CaseStatus['arrangement']>) {
  return {
    kind,
    status,
    paidTotal,
    graceDays,
    agreedBy,
    agreedAt,
    installments: installments.map(({ seq, dueDate, amount, paid }) => ({ seq, dueDate, amount, paid })),
    pendingChange: pendingChange ?? null,
  };
}

/** The case as its projection and, unless `live` is false, its running workflow tell it. */
export async function getCase({ db, temporal, caseId, live: askLive = true }: { db: Db; temporal: Client; caseId: string; live?: boolean }) {
  // All at once: the live query (which waits for a pending workflow task) need not wait for the row. A missing
  // case is the row's 404 as soon as the row is read: Promise.all rejects with it there and then, and the query's
  // outcome, whenever it comes, is dropped (liveStatus never rejects). test/cases/missing-case.test.ts.
  const [row, live, events, payments, recordedParts] = await Promise.all([
    caseRow(db, caseId),
    askLive ? liveStatus(temporal, caseId) : null,
    db.auditEvent.findMany({ where: { caseId }, orderBy: [{ at: 'desc' }, { id: 'desc' }], take: 200 }),
    casePayments(db, caseId),
    balancePartsOf(db, [caseId]),
  ]);
  const view = caseView(row, live);
  return {
    ...view,
    // Live parts where the workflow answers (a case from before the ledger has none: its balance is principal).
    balanceParts: live?.balanceParts ?? recordedParts.get(caseId) ?? { principal: view.balance, interest: 0, fees: 0 },
    arrangement: live?.arrangement ? arrangementView(live.arrangement) : null,
    hold: live?.hold ?? null,
    readModelLag: live?.projection ?? null,
    payments: payments.map(({ reference, amount, currency, receivedAt }) => ({ reference, amount, currency, receivedAt: receivedAt.toISOString() })),
    history: events.map((event) => ({
      at: event.at.toISOString(),
      actor: event.actor,
      action: event.action,
      detail: typeof event.data === 'object' && event.data && 'detail' in event.data && typeof event.data.detail === 'string' ? event.data.detail : null,
    })),
  };
}

export async function listCases({
  db,
  filter,
  limit,
  cursor,
  scope = {},
}: {
  db: Db;
  filter: {
    status?: string;
    strategy?: string;
    step?: string;
    officer?: string;
    minBalance?: number;
    maxBalance?: number;
    minDaysPastDue?: number;
    maxDaysPastDue?: number;
  };
  limit: number;
  cursor?: string;
  /** The caller's team restriction (api/access.ts `caseScope`). */
  scope?: { team?: string };
}) {
  const rows = await db.case.findMany({
    where: {
      ...scope,
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.strategy ? { strategy: { key: filter.strategy } } : {}),
      ...(filter.step ? { currentStep: filter.step } : {}),
      ...(filter.officer ? { officer: filter.officer } : {}),
      ...(filter.minBalance !== undefined || filter.maxBalance !== undefined
        ? { balance: { ...(filter.minBalance !== undefined ? { gte: filter.minBalance } : {}), ...(filter.maxBalance !== undefined ? { lte: filter.maxBalance } : {}) } }
        : {}),
      ...(filter.minDaysPastDue !== undefined || filter.maxDaysPastDue !== undefined
        ? {
            account: {
              daysPastDue: { ...(filter.minDaysPastDue !== undefined ? { gte: filter.minDaysPastDue } : {}), ...(filter.maxDaysPastDue !== undefined ? { lte: filter.maxDaysPastDue } : {}) },
            },
          }
        : {}),
    },
    include: { strategy: true, account: true },
    orderBy: { id: 'asc' },
    take: limit + 1,
    ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
  });
  const page = rows.slice(0, limit);
  return { items: page.map((row) => caseView(row, null)), nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null };
}

/** The debtor behind a case and every contact on file, with its standing per channel. */
export async function getDebtor({ db, caseId }: { db: Db; caseId: string }) {
  const row = await db.case.findUnique({
    where: { id: caseId },
    select: { account: { select: { daysPastDue: true, portfolio: true, debtor: { include: { contacts: { orderBy: [{ channel: 'asc' }, { createdAt: 'asc' }] } } } } } },
  });
  if (!row) throw notFound(`case "${caseId}"`);
  const { debtor, daysPastDue, portfolio } = row.account;
  return {
    // The person's id, for the debtor screen (GET /api/v1/debtors/:debtorId).
    debtorId: debtor.id,
    name: debtor.name,
    timeZone: debtor.timeZone,
    daysPastDue,
    portfolio,
    contacts: debtor.contacts.map((contact) => ({
      id: contact.id,
      channel: contact.channel,
      value: contact.value,
      status: contact.status,
      consent: contact.consent,
      optedOut: contact.optedOutAt !== null,
      // Where consent and opt-out came from, and when: what a regulator asks for.
      consentAt: contact.consentAt?.toISOString() ?? null,
      consentSource: contact.consentSource,
      optedOutAt: contact.optedOutAt?.toISOString() ?? null,
      optOutSource: contact.optOutSource,
    })),
  };
}

export async function listCommunications({ db, caseId }: { db: Db; caseId: string }) {
  await caseRow(db, caseId);
  const rows = await db.communication.findMany({ where: { caseId }, orderBy: { createdAt: 'asc' } });
  return rows.map((row) => ({
    id: row.id,
    stepId: row.stepId,
    channel: row.channel,
    template: row.template,
    recipient: row.recipient,
    subject: row.subject,
    body: row.body,
    status: row.status,
    provider: row.provider,
    providerId: row.providerId,
    error: row.error,
    createdAt: row.createdAt.toISOString(),
    sentAt: row.sentAt?.toISOString() ?? null,
  }));
}

/** Sends a signal, mapping "the workflow has ended" to a 409 the caller can act on. */
export async function signalCase<Arg>(temporal: Client, caseId: string, signal: SignalDefinition<[Arg]>, arg: Arg): Promise<void> {
  try {
    await temporal.workflow.getHandle(caseId).signal(signal, arg);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw conflict('case_closed', `case "${caseId}" is closed and accepts no more messages`);
    throw error;
  }
}

/** Sends a payment to its case; without a currency it is in the case's. */
export async function receivePayment({
  db,
  temporal,
  caseId,
  payment,
  actor,
}: {
  db: Db;
  temporal: Client;
  caseId: string;
  payment: Omit<PaymentReceived, 'currency'> & { currency?: string | undefined };
  actor: string;
}) {
  // The currency alone: a payment needs neither the strategy nor the account (one statement, not three).
  const row = await db.case.findUnique({ where: { id: caseId }, select: { currency: true } });
  if (!row) throw notFound(`case "${caseId}"`);
  const currency = payment.currency ?? row.currency;
  if (currency !== row.currency) {
    throw unprocessable('currency_mismatch', `the case is in ${row.currency}, the payment in ${currency}`, [
      { path: 'body.currency', message: `must be ${row.currency}, the case's currency` },
    ]);
  }
  // The first request for a reference stands; a repeat that differs is refused before the case hears of it.
  const undo = await recordPaymentRequest(db, { caseId, payment: { ...payment, currency }, actor });
  try {
    await signalCase(temporal, caseId, paymentReceivedSignal, { ...payment, currency });
  } catch (error) {
    // The case was not told: nothing of this request stays behind.
    await undo();
    throw error;
  }
}

export async function receiveReply({ db, temporal, caseId, reply }: { db: Db; temporal: Client; caseId: string; reply: DebtorReplied }) {
  await caseRow(db, caseId);
  await signalCase(temporal, caseId, debtorRepliedSignal, reply);
}

export async function setPaused({ db, temporal, caseId, paused, request }: { db: Db; temporal: Client; caseId: string; paused: boolean; request: PauseRequest }) {
  await caseRow(db, caseId);
  await signalCase(temporal, caseId, paused ? pauseSignal : resumeSignal, request);
}
