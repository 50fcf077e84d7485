import type { Db } from '../../lib/db.js';
import { scrubText } from '../../lib/logger.js';
import { caseCommunications } from '../../records/communications.js';
import { maskContact } from '../access.js';
import { notFound } from '../errors.js';
import { table, tableCsv, type SyncTable } from './tables.js';

/**
 * A case's communications for an audit: every message with its rendered content, channel,
 * address, template and version, provider id, and every status change with its time and
 * source, plus what the debtor sent back. JSON nests the events; CSV has one line per event.
 */

export async function exportCommunications(db: Db, caseId: string) {
  const found = await db.case.findUnique({ where: { id: caseId }, select: { id: true } });
  if (!found) throw notFound(`case "${caseId}"`);
  const { communications, inbound } = await caseCommunications(db, caseId);
  return {
    caseId,
    exportedAt: new Date().toISOString(),
    communications: communications.map((row) => ({
      id: row.id,
      stepId: row.stepId,
      channel: row.channel,
      recipient: row.recipient,
      template: row.template,
      templateLanguage: row.templateLanguage,
      templateVersion: row.templateVersion,
      subject: row.subject,
      body: row.body,
      html: row.html,
      status: row.status,
      provider: row.provider,
      providerId: row.providerId,
      attempts: row.attempts,
      segments: row.segments,
      encoding: row.encoding,
      price: row.price,
      priceUnit: row.priceUnit,
      documentSha256: row.documentSha256,
      error: row.error,
      createdAt: row.createdAt.toISOString(),
      sentAt: row.sentAt?.toISOString() ?? null,
      deliveredAt: row.deliveredAt?.toISOString() ?? null,
      events: row.events.map((event) => ({ at: event.at.toISOString(), status: event.status, source: event.source, detail: event.detail })),
    })),
    inbound: inbound.map((row) => ({
      id: row.id,
      channel: row.channel,
      kind: row.kind,
      from: row.fromAddress,
      text: row.text,
      intent: row.intent,
      communicationId: row.communicationId,
      receivedAt: row.receivedAt.toISOString(),
    })),
  };
}

export type CommunicationsExport = Awaited<ReturnType<typeof exportCommunications>>;

const masked = '[masked]';

/**
 * The export as a role that does not contact debtors may see it (api/access.ts): addresses and
 * numbers masked, and the content (subject, text, HTML, the debtor's replies) replaced whole by
 * `[masked]` — it holds the name, the balance and free text, which no pattern can find reliably.
 * What an audit needs stays: channel, template and version, provider ids and every status change
 * (its detail with any address or number inside masked, as a bounce's diagnostic may quote one).
 */
export function maskCommunicationsExport(data: CommunicationsExport): CommunicationsExport {
  const scrub = (text: string | null) => (text === null ? null : scrubText(text));
  return {
    ...data,
    communications: data.communications.map((row) => ({
      ...row,
      recipient: maskContact(row.recipient),
      subject: row.subject === null ? null : masked,
      body: masked,
      html: row.html === null ? null : masked,
      error: scrub(row.error),
      events: row.events.map((event) => ({ ...event, detail: scrub(event.detail) })),
    })),
    inbound: data.inbound.map((row) => ({ ...row, from: maskContact(row.from), text: masked })),
  };
}

const columns = [
  'communication_id', 'step_id', 'channel', 'recipient', 'template', 'template_language', 'template_version', 'provider', 'provider_id',
  'current_status', 'event_at', 'event_status', 'event_source', 'event_detail', 'subject', 'body',
] as const;

/** One row per status event (a communication without events still gets one row). */
export function communicationsTable(data: CommunicationsExport): SyncTable {
  const rows: unknown[][] = [];
  for (const row of data.communications) {
    const events = row.events.length > 0 ? row.events : [{ at: row.createdAt, status: row.status, source: 'record', detail: null }];
    for (const event of events) {
      rows.push([row.id, row.stepId, row.channel, row.recipient, row.template, row.templateLanguage, row.templateVersion, row.provider, row.providerId,
        row.status, event.at, event.status, event.source, event.detail, row.subject, row.body]);
    }
  }
  return table('Communications', columns, rows);
}

/** The table as CSV: quoted, and values a spreadsheet would run as a formula get a leading quote (csv.ts). */
export const communicationsCsv = (data: CommunicationsExport): string => tableCsv(communicationsTable(data));
