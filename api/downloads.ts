import { z } from 'zod';
import type { FastifyReply } from 'fastify';
import { DownloadFormat, tableCsv, xlsxMediaType, xlsxStream, type SyncTable } from './services/tables.js';

/**
 * How a route answers with a table as a file: CSV or an .xlsx workbook (api/services/tables.ts
 * writes both), named `<filename>.csv` or `<filename>.xlsx`, and the media types /openapi.json lists.
 */

/** The download media types a route's 200 answer adds beside its JSON. */
export const downloadMediaTypes = {
  'text/csv': z.string().describe('CSV, when format=csv'),
  [xlsxMediaType]: z.string().describe('An .xlsx workbook (one sheet, the same columns as the CSV), when format=xlsx'),
} as const;

export function sendTable(
  reply: FastifyReply,
  { format, filename, table, csv }: { format: DownloadFormat; filename: string; table: SyncTable; /** A CSV of the route's own (a dialer's columns), else the table's. */ csv?: string },
) {
  if (format === DownloadFormat.xlsx) {
    return reply.type(xlsxMediaType).header('content-disposition', `attachment; filename="${filename}.xlsx"`).send(xlsxStream(table));
  }
  return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${filename}.csv"`).send(csv ?? tableCsv(table));
}
