import type { Db } from '../../lib/db.js';
import type { Table } from './tables.js';

/**
 * An import's rejected rows as a download table (line, externalId, field, reason), in line order,
 * read from the database a page at a time however many there are: the one source of both
 * downloads, rejected.csv (tables.ts `csvLines`) and rejected.xlsx (`xlsxStream`).
 */

export const rejectionColumns = ['line', 'externalId', 'field', 'reason'] as const;

async function* rejectedRows({ db, jobId }: { db: Db; jobId: string }): AsyncGenerator<readonly unknown[]> {
  let after: { line: number; field: string } | undefined;
  for (;;) {
    const page = await db.importRejection.findMany({
      where: { jobId, ...(after ? { OR: [{ line: { gt: after.line } }, { line: after.line, field: { gt: after.field } }] } : {}) },
      orderBy: [{ line: 'asc' }, { field: 'asc' }],
      take: 1000,
    });
    for (const row of page) yield [row.line, row.externalId, row.field, row.reason];
    const last = page.at(-1);
    if (!last || page.length < 1000) return;
    after = { line: last.line, field: last.field };
  }
}

export function rejectedRowsTable({ db, jobId }: { db: Db; jobId: string }): Table {
  return { sheet: 'Rejected rows', header: rejectionColumns, rows: rejectedRows({ db, jobId }) };
}
