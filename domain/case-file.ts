import { z } from 'zod';
import { nameInitials } from './person-name.js';

/**
 * The case file: everything an agency or the legal team needs to take a case over (account,
 * debtor, contacts, balance history, every communication with its delivery trail, every outcome),
 * as one versioned document. Built from the database projection by a pure function, with every
 * list in a stable order and no clock of its own, so the same data always gives the same bytes:
 * a retried delivery sends the same file and its hash identifies it.
 */

/** Format version of {@link ZCaseFile}; a change to the shape bumps it. */
export const caseFileVersion = 1;

export const CaseFilePurpose = { agency: 'agency', legal: 'legal', review: 'review' } as const;
export type CaseFilePurpose = (typeof CaseFilePurpose)[keyof typeof CaseFilePurpose];

const ZInstant = z.string().describe('ISO-8601 UTC instant');
const ZMinor = z.number().int().describe('integer minor units');
const ZData = z.record(z.string(), z.unknown());

export const ZBalanceEntry = z.object({
  at: ZInstant,
  /** payment, reversal (a returned payment), adjustment (the balance was set), waiver (settled). */
  kind: z.enum(['payment', 'reversal', 'adjustment', 'waiver']),
  /** The payment's reference, for payments and reversals. */
  reference: z.string().nullable(),
  /** What moved, always positive: the payment, the returned amount, the adjustment, the waived rest. */
  amount: ZMinor,
  /** Its effect on the balance: negative lowers it (a payment beyond the balance lowers it only to 0). */
  change: ZMinor,
  /** The running balance after this entry. */
  balanceAfter: ZMinor,
  detail: z.string().nullable(),
});
export type TBalanceEntry = z.infer<typeof ZBalanceEntry>;

export const ZCaseFile = z.object({
  version: z.literal(caseFileVersion),
  purpose: z.enum(['agency', 'legal', 'review']),
  /** The latest instant of anything in the file: the data it reflects, not when it was built. */
  asOf: ZInstant,
  case: z.object({
    id: z.string(),
    status: z.string(),
    closeReason: z.string().nullable(),
    currency: z.string(),
    startedAt: ZInstant,
    closedAt: ZInstant.nullable(),
    strategy: z.object({ key: z.string(), version: z.number().int() }),
    currentStep: z.string().nullable(),
    officer: z.string().nullable(),
    team: z.string().nullable(),
  }),
  account: z.object({
    id: z.string(),
    externalId: z.string(),
    currency: z.string(),
    originalBalance: ZMinor,
    balance: ZMinor,
    daysPastDue: z.number().int(),
    portfolio: z.string().nullable(),
    createdAt: ZInstant,
  }),
  debtor: z.object({ id: z.string(), name: z.string(), timeZone: z.string() }),
  contacts: z.array(
    z.object({
      channel: z.string(),
      value: z.string(),
      status: z.string(),
      consent: z.boolean(),
      consentAt: ZInstant.nullable(),
      consentSource: z.string().nullable(),
      optedOutAt: ZInstant.nullable(),
      optOutSource: z.string().nullable(),
    }),
  ),
  placement: z.object({ agency: z.string(), balance: ZMinor, currency: z.string(), placedAt: ZInstant }).nullable(),
  balance: z.object({
    currency: z.string(),
    /** The balance the case started with. */
    opening: ZMinor,
    /** Opening plus every entry: the balance the file accounts for. */
    closing: ZMinor,
    /** The balance the projection holds; differs from `closing` only while events are in flight. */
    recorded: ZMinor,
    entries: z.array(ZBalanceEntry),
  }),
  /** What the balance is made of and Regulation F's itemization, from the account ledger; absent for a case started before it. */
  ledger: z
    .object({
      parts: z.object({ principal: ZMinor, interest: ZMinor, fees: ZMinor }),
      itemization: z.object({ itemizationDate: z.string(), onItemizationDate: ZMinor, interestSince: ZMinor, feesSince: ZMinor, paidOrCreditedSince: ZMinor, now: ZMinor }),
    })
    .optional(),
  payments: z.array(z.object({ reference: z.string(), amount: ZMinor, currency: z.string(), receivedAt: ZInstant, reversedAt: ZInstant.nullable() })),
  communications: z.array(
    z.object({
      id: z.string(),
      stepId: z.string(),
      channel: z.string(),
      template: z.string(),
      templateLanguage: z.string().nullable(),
      templateVersion: z.number().int().nullable(),
      recipient: z.string(),
      subject: z.string().nullable(),
      /** The rendered text as sent. */
      body: z.string(),
      /** The rendered HTML part of an email is referenced by its hash. */
      htmlSha256: z.string().nullable(),
      /** A letter's PDF (or an email's attachment), kept by the letters outbox: file name and hash. */
      document: z.object({ name: z.string(), sha256: z.string().nullable() }).nullable(),
      status: z.string(),
      provider: z.string().nullable(),
      providerId: z.string().nullable(),
      error: z.string().nullable(),
      createdAt: ZInstant,
      sentAt: ZInstant.nullable(),
      deliveredAt: ZInstant.nullable(),
      /** Every status change, in order. */
      events: z.array(z.object({ at: ZInstant, status: z.string(), source: z.string(), detail: z.string().nullable() })),
    }),
  ),
  /** Messages the debtor (or a mail system) sent us. */
  inbound: z.array(z.object({ at: ZInstant, channel: z.string(), kind: z.string(), from: z.string(), text: z.string(), intent: z.string().nullable() })),
  /** Negotiated outcomes, call outcomes, arrangements, holds, placement, closing: the case's course. */
  outcomes: z.array(z.object({ at: ZInstant, actor: z.string(), action: z.string(), detail: z.string().nullable(), data: ZData })),
  tasks: z.array(
    z.object({
      id: z.string(),
      kind: z.string(),
      stepId: z.string().nullable(),
      status: z.string(),
      reason: z.string().nullable(),
      assignee: z.string().nullable(),
      outcome: z.string().nullable(),
      outcomeNote: z.string().nullable(),
      createdAt: ZInstant,
      completedAt: ZInstant.nullable(),
    }),
  ),
  /**
   * The officers' notes, oldest first; a correction is a later note naming the one it corrects.
   * Added after version 1 without a version change: files stored before it read as having none.
   */
  notes: z
    .array(z.object({ id: z.string(), at: ZInstant, author: z.string(), text: z.string(), corrects: z.string().nullable() }))
    .default([]),
  /** Every event of the case's audit trail except reads of it, in order (steps, replies, changes). */
  history: z.array(z.object({ at: ZInstant, actor: z.string(), action: z.string(), stepId: z.string().nullable(), detail: z.string().nullable() })),
});
export type TCaseFile = z.infer<typeof ZCaseFile>;

/** Audit actions that are the case's outcomes: what was agreed or decided and what it led to. */
export const outcomeActions: readonly string[] = [
  'outcome_recorded',
  'call_outcome',
  'arrangement_made',
  'arrangement_kept',
  'arrangement_broken',
  'arrangement_cancelled',
  'hold_started',
  'hold_ended',
  'placed',
  'recalled',
  'closed',
  'reopened',
];

/** Audit actions that record who looked at or called the API, not what happened to the case. */
export const accessActions: readonly string[] = ['contact_details_read', 'api_change', 'case_file_read'];

/** The projection rows a case file is built from (the Prisma rows fit these shapes). */
export interface CaseFileSource {
  caseRow: {
    id: string;
    status: string;
    closeReason: string | null;
    balance: number;
    currency: string;
    startedAt: Date;
    closedAt: Date | null;
    currentStep: string | null;
    officer: string | null;
    team: string | null;
    strategy: { key: string; version: number };
  };
  account: { id: string; externalId: string; currency: string; originalBalance: number; balance: number; daysPastDue: number; portfolio: string | null; createdAt: Date };
  debtor: { id: string; name: string; timeZone: string };
  contacts: {
    channel: string;
    value: string;
    status: string;
    consent: boolean;
    consentAt: Date | null;
    consentSource: string | null;
    optedOutAt: Date | null;
    optOutSource: string | null;
  }[];
  placement: { agency: string; balance: number; currency: string; placedAt: Date } | null;
  /** The account ledger's parts and itemization (records/ledger-entries.ts); absent or null for a case without one. */
  ledger?: { parts: { principal: number; interest: number; fees: number }; itemization: { itemizationDate: string; onItemizationDate: number; interestSince: number; feesSince: number; paidOrCreditedSince: number; now: number } } | null;
  payments: { reference: string; amount: number; currency: string; receivedAt: Date; reversedAt: Date | null }[];
  communications: {
    id: string;
    stepId: string;
    channel: string;
    template: string;
    templateLanguage: string | null;
    templateVersion: number | null;
    recipient: string;
    subject: string | null;
    body: string;
    htmlSha256: string | null;
    documentPath: string | null;
    documentSha256: string | null;
    status: string;
    provider: string | null;
    providerId: string | null;
    error: string | null;
    createdAt: Date;
    sentAt: Date | null;
    deliveredAt: Date | null;
    events: { id: bigint; at: Date; status: string; source: string; detail: string | null }[];
  }[];
  inbound: { id: string; receivedAt: Date; channel: string; kind: string; fromAddress: string; text: string; intent: string | null }[];
  auditEvents: { id: bigint; at: Date; actor: string; action: string; data: unknown }[];
  tasks: {
    id: string;
    kind: string;
    stepId: string | null;
    status: string;
    reason: string | null;
    assignee: string | null;
    outcome: string | null;
    outcomeNote: string | null;
    createdAt: Date;
    completedAt: Date | null;
  }[];
  /** The case's notes (CaseNote rows); absent reads as none. */
  notes?: { id: string; author: string; text: string; correctsId: string | null; createdAt: Date }[];
}

const iso = (date: Date) => date.toISOString();
const isoOrNull = (date: Date | null) => (date ? date.toISOString() : null);

function byTimeThenId<T>(at: (row: T) => Date, id: (row: T) => string | bigint) {
  return (a: T, b: T) => at(a).getTime() - at(b).getTime() || (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0);
}

function dataOf(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Same content, keys sorted at every level: JSON read back from Postgres (jsonb) has no key order we chose. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

const integer = (value: unknown): number | null => (typeof value === 'number' && Number.isInteger(value) ? value : null);

/**
 * The balance history: the opening balance, then each payment, returned payment, adjustment and
 * settlement waiver with the running balance. The workflow's events carry the balance it computed
 * after each movement, which is the truth (a payment beyond the balance lowers it only to zero, a
 * payment after closing changes nothing); a movement without it (a payment row written by another
 * path) is applied by the same rules. Payments on record that no event mentions are included too.
 */
export function balanceHistory({
  opening,
  events,
  payments,
}: {
  opening: number;
  events: CaseFileSource['auditEvents'];
  payments: CaseFileSource['payments'];
}): { entries: TBalanceEntry[]; closing: number } {
  type Movement = { at: Date; order: string; kind: TBalanceEntry['kind']; reference: string | null; amount: number | null; balanceAfter: number | null; detail: string | null };
  const movements: Movement[] = [];
  const seenPayments = new Set<string>();
  const seenReversals = new Set<string>();
  for (const event of events) {
    const data = dataOf(event.data);
    const detail = typeof data.detail === 'string' ? data.detail : null;
    const order = `e${String(event.id).padStart(20, '0')}`;
    const reference = typeof data.reference === 'string' ? data.reference : null;
    if (event.action === 'payment_applied') {
      if (reference) seenPayments.add(reference);
      movements.push({ at: event.at, order, kind: 'payment', reference, amount: integer(data.amount), balanceAfter: integer(data.balanceAfter), detail });
    } else if (event.action === 'payment_reversed') {
      if (reference) seenReversals.add(reference);
      movements.push({ at: event.at, order, kind: 'reversal', reference, amount: integer(data.amount), balanceAfter: integer(data.balanceAfter), detail });
    } else if (event.action === 'balance_adjusted') {
      movements.push({ at: event.at, order, kind: 'adjustment', reference: null, amount: null, balanceAfter: integer(data.balanceAfter), detail });
    } else if (event.action === 'closed' && data.reason === 'settled') {
      movements.push({ at: event.at, order, kind: 'waiver', reference: null, amount: null, balanceAfter: 0, detail });
    }
  }
  for (const payment of payments) {
    if (!seenPayments.has(payment.reference)) {
      movements.push({ at: payment.receivedAt, order: `p${payment.reference}`, kind: 'payment', reference: payment.reference, amount: payment.amount, balanceAfter: null, detail: null });
    }
    if (payment.reversedAt && !seenReversals.has(payment.reference)) {
      movements.push({ at: payment.reversedAt, order: `r${payment.reference}`, kind: 'reversal', reference: payment.reference, amount: payment.amount, balanceAfter: null, detail: null });
    }
  }
  movements.sort((a, b) => a.at.getTime() - b.at.getTime() || (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));

  let running = opening;
  const entries: TBalanceEntry[] = [];
  for (const movement of movements) {
    const computed =
      movement.kind === 'payment' ? Math.max(0, running - (movement.amount ?? 0)) : movement.kind === 'reversal' ? running + (movement.amount ?? 0) : running;
    const balanceAfter = movement.balanceAfter ?? computed;
    const change = balanceAfter - running;
    // A waiver of nothing (a settlement whose last payment cleared it) is no movement.
    if (movement.kind === 'waiver' && change === 0) continue;
    entries.push({
      at: iso(movement.at),
      kind: movement.kind,
      reference: movement.reference,
      amount: movement.amount ?? Math.abs(change),
      change,
      balanceAfter,
      detail: movement.detail,
    });
    running = balanceAfter;
  }
  return { entries, closing: running };
}

/** Builds the case file from the projection rows; the same rows give a deep-equal document. */
export function buildCaseFile(source: CaseFileSource, purpose: CaseFilePurpose): TCaseFile {
  const events = [...source.auditEvents].sort(byTimeThenId((event) => event.at, (event) => event.id));
  const enrolled = events.find((event) => event.action === 'enrolled');
  const opening = integer(dataOf(enrolled?.data).balance) ?? source.account.originalBalance;
  const payments = [...source.payments].sort(byTimeThenId((payment) => payment.receivedAt, (payment) => payment.reference));
  const { entries, closing } = balanceHistory({ opening, events, payments });
  const communications = [...source.communications].sort(byTimeThenId((row) => row.createdAt, (row) => row.id));
  const inbound = [...source.inbound].sort(byTimeThenId((row) => row.receivedAt, (row) => row.id));
  const tasks = [...source.tasks].sort(byTimeThenId((row) => row.createdAt, (row) => row.id));
  const notes = [...(source.notes ?? [])].sort(byTimeThenId((row) => row.createdAt, (row) => row.id));
  const caseEvents = events.filter((event) => !accessActions.includes(event.action));
  const detailOf = (data: Record<string, unknown>) => (typeof data.detail === 'string' ? data.detail : null);

  const instants: Date[] = [
    source.caseRow.startedAt,
    ...(source.caseRow.closedAt ? [source.caseRow.closedAt] : []),
    ...(source.placement ? [source.placement.placedAt] : []),
    ...payments.flatMap((payment) => [payment.receivedAt, ...(payment.reversedAt ? [payment.reversedAt] : [])]),
    ...communications.flatMap((row) => [row.createdAt, ...row.events.map((event) => event.at)]),
    ...inbound.map((row) => row.receivedAt),
    ...tasks.flatMap((task) => [task.createdAt, ...(task.completedAt ? [task.completedAt] : [])]),
    ...caseEvents.map((event) => event.at),
    ...notes.map((note) => note.createdAt),
  ];
  const asOf = new Date(Math.max(...instants.map((instant) => instant.getTime())));

  return {
    ...(source.ledger ? { ledger: { parts: { ...source.ledger.parts }, itemization: { ...source.ledger.itemization } } } : {}),
    version: caseFileVersion,
    purpose,
    asOf: iso(asOf),
    case: {
      id: source.caseRow.id,
      status: source.caseRow.status,
      closeReason: source.caseRow.closeReason,
      currency: source.caseRow.currency,
      startedAt: iso(source.caseRow.startedAt),
      closedAt: isoOrNull(source.caseRow.closedAt),
      strategy: { key: source.caseRow.strategy.key, version: source.caseRow.strategy.version },
      currentStep: source.caseRow.currentStep,
      officer: source.caseRow.officer,
      team: source.caseRow.team,
    },
    account: {
      id: source.account.id,
      externalId: source.account.externalId,
      currency: source.account.currency,
      originalBalance: source.account.originalBalance,
      balance: source.account.balance,
      daysPastDue: source.account.daysPastDue,
      portfolio: source.account.portfolio,
      createdAt: iso(source.account.createdAt),
    },
    debtor: { id: source.debtor.id, name: source.debtor.name, timeZone: source.debtor.timeZone },
    contacts: [...source.contacts]
      .sort((a, b) => (a.channel + '\u0000' + a.value < b.channel + '\u0000' + b.value ? -1 : 1))
      .map((contact) => ({
        channel: contact.channel,
        value: contact.value,
        status: contact.status,
        consent: contact.consent,
        consentAt: isoOrNull(contact.consentAt),
        consentSource: contact.consentSource,
        optedOutAt: isoOrNull(contact.optedOutAt),
        optOutSource: contact.optOutSource,
      })),
    placement: source.placement
      ? { agency: source.placement.agency, balance: source.placement.balance, currency: source.placement.currency, placedAt: iso(source.placement.placedAt) }
      : null,
    balance: { currency: source.account.currency, opening, closing, recorded: source.caseRow.balance, entries },
    payments: payments.map((payment) => ({
      reference: payment.reference,
      amount: payment.amount,
      currency: payment.currency,
      receivedAt: iso(payment.receivedAt),
      reversedAt: isoOrNull(payment.reversedAt),
    })),
    communications: communications.map((row) => ({
      id: row.id,
      stepId: row.stepId,
      channel: row.channel,
      template: row.template,
      templateLanguage: row.templateLanguage,
      templateVersion: row.templateVersion,
      recipient: row.recipient,
      subject: row.subject,
      body: row.body,
      htmlSha256: row.htmlSha256,
      document: row.documentPath ? { name: row.documentPath.split(/[\\/]/).at(-1) ?? row.documentPath, sha256: row.documentSha256 } : null,
      status: row.status,
      provider: row.provider,
      providerId: row.providerId,
      error: row.error,
      createdAt: iso(row.createdAt),
      sentAt: isoOrNull(row.sentAt),
      deliveredAt: isoOrNull(row.deliveredAt),
      events: [...row.events]
        .sort(byTimeThenId((event) => event.at, (event) => event.id))
        .map((event) => ({ at: iso(event.at), status: event.status, source: event.source, detail: event.detail })),
    })),
    inbound: inbound.map((row) => ({ at: iso(row.receivedAt), channel: row.channel, kind: row.kind, from: row.fromAddress, text: row.text, intent: row.intent })),
    outcomes: caseEvents
      .filter((event) => outcomeActions.includes(event.action))
      .map((event) => {
        const { detail: _detail, seq: _seq, ...data } = dataOf(event.data);
        return { at: iso(event.at), actor: event.actor, action: event.action, detail: detailOf(dataOf(event.data)), data: sortedKeys(data) as Record<string, unknown> };
      }),
    tasks: tasks.map((task) => ({
      id: task.id,
      kind: task.kind,
      stepId: task.stepId,
      status: task.status,
      reason: task.reason,
      assignee: task.assignee,
      outcome: task.outcome,
      outcomeNote: task.outcomeNote,
      createdAt: iso(task.createdAt),
      completedAt: isoOrNull(task.completedAt),
    })),
    notes: notes.map((note) => ({ id: note.id, at: iso(note.createdAt), author: note.author, text: note.text, corrects: note.correctsId })),
    history: caseEvents.map((event) => {
      const data = dataOf(event.data);
      return { at: iso(event.at), actor: event.actor, action: event.action, stepId: typeof data.stepId === 'string' ? data.stepId : null, detail: detailOf(data) };
    }),
  };
}

/** The JSON artifact: one document per case file, two-space indented, newline-terminated. */
export function caseFileJson(file: TCaseFile): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}

/**
 * The file for a reader who may not see contact details (api/access.ts): the debtor's name
 * becomes initials, addresses and numbers are masked, what was said (messages, replies, an
 * officer's call note, a case note) reads `[masked]`; amounts, dates, statuses and outcomes stay.
 */
export function maskCaseFile(file: TCaseFile, mask: (value: string) => string): TCaseFile {
  return {
    ...file,
    debtor: { ...file.debtor, name: nameInitials(file.debtor.name) },
    tasks: file.tasks.map((task) => ({ ...task, outcomeNote: task.outcomeNote === null ? null : '[masked]' })),
    contacts: file.contacts.map((contact) => ({ ...contact, value: mask(contact.value) })),
    communications: file.communications.map((row) => ({ ...row, recipient: mask(row.recipient), subject: row.subject === null ? null : '[masked]', body: '[masked]' })),
    inbound: file.inbound.map((row) => ({ ...row, from: mask(row.from), text: '[masked]' })),
    notes: file.notes.map((note) => ({ ...note, text: '[masked]' })),
  };
}
