import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { parse } from 'csv-parse/sync';
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { Db } from '../../lib/db.js';
import { numberToDial } from '../../domain/calls/number-to-dial.js';
import { textProblem } from '../../domain/well-formed-text.js';
import { callAttemptedSignal } from '../../workflows/case-messages.js';
import type { PersonLedgerView } from '../../workflows/person-messages.js';
import { casePermission, type CaseCallPermission } from './call-permission.js';
import { isConversation } from './calls.js';
import { csvCell, csvLine } from './csv.js';
import { table, type SyncTable } from './tables.js';
import { ApiError, invalidRequest } from '../errors.js';
import { CallOutcome } from './tasks.js';

/**
 * The predictive dialer's two files. The campaign export lists the accounts a team may call now
 * (or today), each with its permitted local window and the calls the rules leave, decided live
 * as a dial would be (api/services/call-permission.ts). The disposition import turns the dialer's
 * results into call attempts on the right cases, once per dialer call id, every bad row reported
 * by its line and field and none of it applied. Columns: docs/dialer.md.
 */

export const campaignColumns = [
  'call_ref',
  'account',
  'person_ref',
  'phone',
  'name',
  'time_zone',
  'window_start',
  'window_end',
  'window_start_local',
  'window_end_local',
  'calls_allowed',
  'balance',
  'currency',
] as const;

export interface CampaignRow {
  callRef: string;
  account: string;
  personRef: string;
  phone: string;
  name: string;
  timeZone: string;
  windowStart: string;
  windowEnd: string;
  windowStartLocal: string;
  windowEndLocal: string;
  callsAllowed: number;
  balance: number;
  currency: string;
}

/** Runs `work` over `items`, `concurrency` at a time, answers in order. */
async function pool<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index] as T);
      }
    }),
  );
  return results;
}

/** The end of `now`'s local day in `zone`, epoch ms. */
function endOfLocalDay(now: number, zone: string): number {
  return DateTime.fromMillis(now, { zone }).endOf('day').toMillis() + 1;
}

/** The window of `permission` that falls in `window` (now, or the rest of the debtor's local day); null when none. */
function windowOf(permission: CaseCallPermission, window: 'now' | 'today', now: number): { start: number; end: number } | null {
  if (permission.callsAllowed <= 0 || !permission.windowStart || !permission.windowEnd) return null;
  const start = Date.parse(permission.windowStart);
  const end = Date.parse(permission.windowEnd);
  if (window === 'now') return permission.permitted ? { start, end } : null;
  const dayEnd = endOfLocalDay(now, permission.timeZone);
  return start < dayEnd ? { start, end: Math.min(end, dayEnd) } : null;
}

export async function campaign({ db, temporal, team, window, now = Date.now() }: { db: Db; temporal: Client; team: string; window: 'now' | 'today'; now?: number }): Promise<CampaignRow[]> {
  const cases = await db.case.findMany({
    where: { team, status: 'open' },
    select: { id: true, balance: true, currency: true, account: { select: { externalId: true, debtorId: true, debtor: { select: { name: true, timeZone: true } } } } },
    orderBy: { startedAt: 'asc' },
  });
  const debtorIds = [...new Set(cases.map((row) => row.account.debtorId))];
  const contacts = await db.contact.findMany({ where: { debtorId: { in: debtorIds }, channel: { in: ['phone', 'sms'] }, status: 'valid', retiredAt: null }, orderBy: { createdAt: 'asc' } });
  // The number click-to-call would dial, per person.
  const byDebtor = new Map<string, typeof contacts>();
  for (const contact of contacts) {
    const own = byDebtor.get(contact.debtorId);
    if (own) own.push(contact);
    else byDebtor.set(contact.debtorId, [contact]);
  }
  const numbers = new Map<string, string>();
  for (const [debtorId, own] of byDebtor) {
    const number = numberToDial(own);
    if (number) numbers.set(debtorId, number);
  }
  const callable = cases.filter((row) => numbers.has(row.account.debtorId));
  const ledgers = new Map<string, Promise<PersonLedgerView | null>>();
  const permissions = await pool(callable, 16, (row) => casePermission({ temporal, caseId: row.id, now, timeZone: row.account.debtor.timeZone, ledgers }));
  const rows: CampaignRow[] = [];
  callable.forEach((row, index) => {
    const permission = permissions[index];
    const span = permission ? windowOf(permission, window, now) : null;
    if (!permission || !span) return;
    const local = (at: number) => DateTime.fromMillis(at, { zone: permission.timeZone }).toFormat('HH:mm');
    rows.push({
      callRef: row.id,
      account: row.account.externalId,
      personRef: row.account.debtorId,
      phone: numbers.get(row.account.debtorId) ?? '',
      name: row.account.debtor.name,
      timeZone: permission.timeZone,
      windowStart: new Date(span.start).toISOString(),
      windowEnd: new Date(span.end).toISOString(),
      windowStartLocal: local(span.start),
      windowEndLocal: local(span.end),
      callsAllowed: permission.callsAllowed,
      balance: row.balance,
      currency: row.currency,
    });
  });
  return rows;
}

/** The export as a table (the .xlsx download): the CSV's columns and values, typed cells. */
export function campaignTable(rows: readonly CampaignRow[]): SyncTable {
  return table(
    'Campaign',
    campaignColumns,
    rows.map((row) => [row.callRef, row.account, row.personRef, row.phone, row.name, row.timeZone, row.windowStart, row.windowEnd, row.windowStartLocal, row.windowEndLocal, row.callsAllowed, row.balance, row.currency]),
  );
}

/** The export as CSV; the phone number as E.164 without the spreadsheet guard (dialers read it as it is). */
export function campaignCsv(rows: readonly CampaignRow[]): string {
  return (
    csvLine(campaignColumns) +
    rows
      .map((row) =>
        [
          csvCell(row.callRef),
          csvCell(row.account),
          csvCell(row.personRef),
          /^\+\d+$/.test(row.phone) ? row.phone : csvCell(row.phone),
          csvCell(row.name),
          csvCell(row.timeZone),
          row.windowStart,
          row.windowEnd,
          row.windowStartLocal,
          row.windowEndLocal,
          row.callsAllowed,
          row.balance,
          csvCell(row.currency),
        ].join(',') + '\r\n',
      )
      .join('')
  );
}

// Disposition import.

export const dispositionColumns = ['call_id', 'call_ref', 'placed_at', 'connected', 'right_party', 'outcome', 'duration_seconds', 'agent', 'recording_ref', 'note'] as const;
const requiredColumns = ['call_id', 'call_ref', 'placed_at', 'connected', 'right_party', 'outcome'] as const;

const ZYesNo = z
  .string()
  .transform((value) => value.trim().toLowerCase())
  .pipe(z.enum(['true', 'false', 'yes', 'no', '1', '0', 'y', 'n']))
  .transform((value) => ['true', 'yes', '1', 'y'].includes(value));
const ZOptionalText = (max: number) =>
  z
    .string()
    .max(max)
    .optional()
    .transform((value) => (value === undefined || value.trim() === '' ? null : value.trim()));

export const ZDispositionRow = z.object({
  call_id: z.string().trim().min(1, 'required').max(200),
  call_ref: z.string().trim().min(1, 'required').max(100),
  placed_at: z
    .string()
    .trim()
    .refine((value) => DateTime.fromISO(value, { setZone: true }).isValid && /[zZ]|[+-]\d{2}:?\d{2}$/.test(value), 'an ISO-8601 instant with its offset, e.g. 2026-12-05T14:03:00Z'),
  connected: ZYesNo,
  right_party: ZYesNo,
  outcome: z.enum(CallOutcome),
  duration_seconds: z
    .string()
    .optional()
    .transform((value) => (value === undefined || value.trim() === '' ? null : value.trim()))
    .pipe(z.string().regex(/^\d{1,6}$/, 'whole seconds, 0 or more').transform(Number).nullable()),
  agent: ZOptionalText(200),
  recording_ref: ZOptionalText(500),
  note: ZOptionalText(2000),
});
export type TDispositionRow = z.infer<typeof ZDispositionRow>;

export interface RowProblem {
  line: number;
  callId: string | null;
  field: string;
  code: string;
  message: string;
}

/** What a row records, for comparing a repeat with the first. */
function fingerprintOf(row: TDispositionRow) {
  return {
    callRef: row.call_ref,
    placedAt: new Date(DateTime.fromISO(row.placed_at, { setZone: true }).toMillis()).toISOString(),
    connected: row.connected,
    rightParty: row.right_party,
    outcome: row.outcome,
    durationSeconds: row.duration_seconds,
    agent: row.agent,
    recordingRef: row.recording_ref,
    note: row.note,
  };
}
type Fingerprint = ReturnType<typeof fingerprintOf>;
const fieldOfKey: Record<keyof Fingerprint, string> = {
  callRef: 'call_ref',
  placedAt: 'placed_at',
  connected: 'connected',
  rightParty: 'right_party',
  outcome: 'outcome',
  durationSeconds: 'duration_seconds',
  agent: 'agent',
  recordingRef: 'recording_ref',
  note: 'note',
};

function differences(first: Fingerprint, again: Fingerprint): string[] {
  return (Object.keys(fieldOfKey) as (keyof Fingerprint)[]).filter((key) => first[key] !== again[key]).map((key) => fieldOfKey[key]);
}

export interface DispositionReport {
  rows: number;
  applied: number;
  duplicates: number;
  rejected: RowProblem[];
}

/**
 * Applies a dialer's disposition file: each good row becomes one call attempt on its case
 * (`callAttempted`, counted toward the caps by the case and its person), once per `call_id`; a
 * repeat with the same content is a duplicate, one that differs is a row error naming the fields
 * (the first stands). A bad row is reported and nothing of it is applied.
 */
export async function importDispositions({ db, temporal, csv, actor, scope }: { db: Db; temporal: Client; csv: string; actor: string; scope: { team?: string } }): Promise<DispositionReport> {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse<Record<string, string>>(csv, { columns: true, skip_empty_lines: true, bom: true, info: true, trim: false, relax_column_count: true }) as unknown as typeof records;
  } catch (error) {
    throw invalidRequest([{ path: 'body', message: `not a CSV file: ${(error as Error).message}` }]);
  }
  const header = Object.keys(records[0]?.record ?? {});
  if (records.length === 0) throw invalidRequest([{ path: 'body', message: 'the file has no rows' }]);
  const missing = requiredColumns.filter((column) => !header.includes(column));
  if (missing.length > 0) throw invalidRequest(missing.map((column) => ({ path: `body.${column}`, message: `the column ${column} is missing (columns: ${dispositionColumns.join(', ')})` })));

  const rejected: RowProblem[] = [];
  const good: { line: number; row: TDispositionRow }[] = [];
  for (const { record, info } of records) {
    const line = info.lines;
    const callId = record.call_id?.trim() || null;
    const illFormed = Object.entries(record).find(([, value]) => typeof value === 'string' && textProblem(value) !== null);
    if (illFormed) {
      rejected.push({ line, callId, field: illFormed[0], code: 'ill_formed_text', message: 'holds a NUL or ill-formed Unicode' });
      continue;
    }
    const parsed = ZDispositionRow.safeParse(record);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) rejected.push({ line, callId, field: String(issue.path[0] ?? 'row'), code: 'invalid', message: issue.message });
      continue;
    }
    good.push({ line, row: parsed.data });
  }

  // The cases the rows name, within the caller's team.
  const refs = [...new Set(good.map(({ row }) => row.call_ref))];
  const known = new Set((await db.case.findMany({ where: { id: { in: refs }, ...(scope.team ? { team: scope.team } : {}) }, select: { id: true } })).map((row) => row.id));
  const firstInFile = new Map<string, { line: number; fingerprint: Fingerprint }>();
  const toApply: { line: number; row: TDispositionRow; fingerprint: Fingerprint }[] = [];
  let duplicates = 0;
  for (const { line, row } of good) {
    if (!known.has(row.call_ref)) {
      rejected.push({ line, callId: row.call_id, field: 'call_ref', code: 'unknown_case', message: `no case "${row.call_ref}"` });
      continue;
    }
    const fingerprint = fingerprintOf(row);
    const earlier = firstInFile.get(row.call_id);
    if (earlier) {
      const differs = differences(earlier.fingerprint, fingerprint);
      if (differs.length === 0) duplicates++;
      else rejected.push({ line, callId: row.call_id, field: differs[0] ?? 'call_id', code: 'conflict', message: `call_id repeats line ${earlier.line} with another ${differs.join(', ')}; the first stands` });
      continue;
    }
    firstInFile.set(row.call_id, { line, fingerprint });
    toApply.push({ line, row, fingerprint });
  }

  let applied = 0;
  const results = await pool(toApply, 8, (item) => applyRow(db, temporal, item, actor));
  for (const result of results) {
    if (result.kind === 'applied') applied++;
    else if (result.kind === 'duplicate') duplicates++;
    else rejected.push(result.problem);
  }
  rejected.sort((a, b) => a.line - b.line);
  return { rows: records.length, applied, duplicates, rejected };
}

type RowResult = { kind: 'applied' } | { kind: 'duplicate' } | { kind: 'rejected'; problem: RowProblem };

/**
 * One row: the call row is claimed by its dialer call id first (unique), then the case is told,
 * then the row is marked recorded. A claim left `pending` by a crash is told again on the next
 * import of the row (a call counted twice rather than not at all).
 */
async function applyRow(db: Db, temporal: Client, { line, row, fingerprint }: { line: number; row: TDispositionRow; fingerprint: Fingerprint }, actor: string): Promise<RowResult> {
  const existing = await db.call.findUnique({ where: { dialerCallId: row.call_id } });
  if (existing && existing.status !== 'pending') {
    const differs = differences(existing.disposition as Fingerprint, fingerprint);
    return differs.length === 0
      ? { kind: 'duplicate' }
      : { kind: 'rejected', problem: { line, callId: row.call_id, field: differs[0] ?? 'call_id', code: 'conflict', message: `call_id was imported before with another ${differs.join(', ')}; the first stands` } };
  }
  const placedAt = new Date(fingerprint.placedAt);
  if (!existing) {
    try {
      await db.call.create({
        data: {
          caseId: row.call_ref,
          source: 'dialer',
          officer: row.agent ?? actor,
          status: 'pending',
          dialerCallId: row.call_id,
          placedAt,
          connected: row.connected,
          rightParty: row.right_party,
          durationSeconds: row.duration_seconds,
          outcome: row.outcome,
          note: row.note,
          recordingRef: row.recording_ref,
          disposition: fingerprint,
        },
      });
    } catch (error) {
      // Another import claimed this call id in the same instant: judge the row against it.
      if ((error as { code?: string }).code === 'P2002') return applyRow(db, temporal, { line, row, fingerprint }, actor);
      throw error;
    }
  }
  try {
    await temporal.workflow.getHandle(row.call_ref).signal(callAttemptedSignal, {
      taskId: `dialer:${row.call_id}`,
      placedAt: fingerprint.placedAt,
      outcome: row.outcome,
      conversation: isConversation({ connected: row.connected, rightParty: row.right_party, outcome: row.outcome }),
      by: row.agent ?? actor,
    });
  } catch (error) {
    await db.call.deleteMany({ where: { dialerCallId: row.call_id, status: 'pending' } });
    if (error instanceof WorkflowNotFoundError) return { kind: 'rejected', problem: { line, callId: row.call_id, field: 'call_ref', code: 'case_closed', message: `case "${row.call_ref}" is closed` } };
    throw error;
  }
  await db.call.update({ where: { dialerCallId: row.call_id }, data: { status: 'recorded', dispositionAt: new Date(), endedAt: placedAt } });
  return { kind: 'applied' };
}

/** Refuses a body that is not text. */
export function csvBody(body: unknown): string {
  if (typeof body === 'string') return body;
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  throw new ApiError(415, 'unsupported_media_type', 'send the dispositions as text/csv');
}
