import { z } from 'zod';
import { formatPostalAddress, ZE164, ZPostalAddress } from './account.js';

/**
 * Skip tracing: what we ask a vendor about a person and what it answers, in both of its formats
 * (one HTTP request per person, or a CSV batch out and back). Pure; the activities and the
 * stand-in vendor share it.
 */

/** What the vendor is told: our reference (the request id), the name and the contacts we hold. */
export interface SkipTraceSubject {
  reference: string;
  name: string;
  phones: string[];
  emails: string[];
  addresses: string[];
}

/** One contact the vendor found, as it answers over HTTP. */
export const ZSkipTraceFinding = z.object({
  channel: z.enum(['phone', 'email', 'letter']),
  /** A phone in E.164, an email address, or a postal address object. */
  value: z.union([z.string().trim().min(1).max(320), ZPostalAddress]),
  /** How sure the vendor is, 0–100. */
  confidence: z.number().int().min(0).max(100),
});
export type TSkipTraceFinding = z.infer<typeof ZSkipTraceFinding>;

export const ZSkipTraceAnswer = z.object({ reference: z.string().optional(), results: z.array(z.unknown()).max(100) });

/** A finding ready to store: the contact's channel and one-line value, or why it was left out. */
export type StoredFinding = { ok: true; channel: 'phone' | 'email' | 'letter'; value: string; confidence: number } | { ok: false; reason: string };

const ZEmail = z.email();

/** Checks one finding the way the contacts API checks a contact, so nothing malformed is stored. */
export function storedFinding(raw: unknown, personName: string): StoredFinding {
  const parsed = ZSkipTraceFinding.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'result'}: ${issue.message}`).join('; ') };
  const { channel, value, confidence } = parsed.data;
  if (channel === 'letter') {
    return typeof value === 'string' ? { ok: false, reason: 'value: a postal address is an object' } : { ok: true, channel, value: formatPostalAddress(personName, value), confidence };
  }
  if (typeof value !== 'string') return { ok: false, reason: `value: a ${channel} is a string` };
  const checked = channel === 'email' ? ZEmail.safeParse(value) : ZE164.safeParse(value);
  return checked.success ? { ok: true, channel, value: checked.data, confidence } : { ok: false, reason: `value: not a valid ${channel}` };
}

/** The CSV batch out: one line per person. */
export const skipTraceBatchHeader = ['reference', 'name', 'phones', 'emails', 'addresses'] as const;
/** The CSV that comes back: one line per contact found (phones and emails). */
export const skipTraceResultsHeader = ['reference', 'channel', 'value', 'confidence'] as const;

/** A results line as a finding (the confidence is text in a CSV). */
export function findingOfCsv(row: Record<string, string>): unknown {
  const confidence = Number(row.confidence);
  return { channel: row.channel, value: row.value, confidence: Number.isFinite(confidence) && row.confidence !== '' ? confidence : row.confidence };
}

/**
 * One line of a machine-read CSV (RFC 4180 quoting only). Unlike the spreadsheet CSV of the
 * reports (api/services/csv.ts), values are not prefixed against formulas: `+1555...` must reach
 * the vendor, and come back, as the phone number it is.
 */
export function plainCsvLine(cells: readonly (string | number | null | undefined)[]): string {
  const cell = (value: string | number | null | undefined) => {
    const text = value === null || value === undefined ? '' : String(value);
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return `${cells.map(cell).join(',')}\r\n`;
}
