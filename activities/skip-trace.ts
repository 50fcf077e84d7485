import { ApplicationFailure } from '@temporalio/activity';
import { parse } from 'csv-parse/sync';
import { findingOfCsv, plainCsvLine, skipTraceBatchHeader } from '../domain/skip-trace.js';
import type { Db } from '../lib/db.js';
import { completeSkipTrace, failSkipTrace, skipTraceSubject, type SkipTraceSummary } from '../records/skip-trace-results.js';
import type { SkipTraceVendor } from './skip-trace-vendor.js';

/**
 * Skip-trace activities (workflows/skip-trace.ts runs them with Temporal's retries): ask the
 * vendor and store what it found. A transient failure is thrown and retried; a refusal the vendor
 * will repeat (or no vendor configured) marks the request failed, with the reason, for good.
 */

const isPermanent = (error: unknown) => error instanceof ApplicationFailure && error.nonRetryable;
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function createSkipTraceActivities({ db, vendor }: { db: Db; vendor?: SkipTraceVendor | undefined }) {
  const notConfigured = 'no skip-trace vendor is configured (SKIP_TRACE_URL)';
  return {
    /** One person, one HTTP search. */
    async runSkipTrace({ requestId }: { requestId: string }): Promise<SkipTraceSummary> {
      const request = await db.skipTraceRequest.findUniqueOrThrow({ where: { id: requestId } });
      if (request.status !== 'pending') return { requestId, status: request.status as SkipTraceSummary['status'], found: request.found };
      if (!vendor) return failSkipTrace(db, requestId, notConfigured);
      let findings: unknown[];
      try {
        findings = await vendor.search(await skipTraceSubject(db, requestId));
      } catch (error) {
        if (isPermanent(error)) return failSkipTrace(db, requestId, messageOf(error));
        throw error;
      }
      return completeSkipTrace(db, requestId, findings);
    },

    /** A CSV batch out; answers the vendor's batch id, or null when the batch failed for good. */
    async submitSkipTraceBatch({ batchId, requestIds }: { batchId: string; requestIds: string[] }): Promise<string | null> {
      const fail = async (why: string) => {
        for (const requestId of requestIds) await failSkipTrace(db, requestId, why);
        return null;
      };
      if (!vendor) return fail(notConfigured);
      let csv = plainCsvLine(skipTraceBatchHeader);
      for (const requestId of requestIds) {
        const subject = await skipTraceSubject(db, requestId);
        csv += plainCsvLine([subject.reference, subject.name, subject.phones.join(' '), subject.emails.join(' '), subject.addresses.join(' / ')]);
      }
      try {
        return await vendor.submitBatch(batchId, csv);
      } catch (error) {
        if (isPermanent(error)) return fail(messageOf(error));
        throw error;
      }
    },

    /** The batch's results CSV back, stored per request; fails (and is retried) while the vendor is still working. */
    async collectSkipTraceBatch({ vendorBatchId, requestIds }: { batchId: string; vendorBatchId: string; requestIds: string[] }): Promise<SkipTraceSummary[]> {
      if (!vendor) return Promise.all(requestIds.map((requestId) => failSkipTrace(db, requestId, notConfigured)));
      const csv = await vendor.fetchBatch(vendorBatchId);
      if (csv === null) throw ApplicationFailure.retryable(`the vendor is still working on batch ${vendorBatchId}`, 'SkipTraceBatchPending');
      let rows: Record<string, string>[];
      try {
        rows = parse<Record<string, string>>(csv, { columns: true, skip_empty_lines: true, trim: true, bom: true });
      } catch (error) {
        return Promise.all(requestIds.map((requestId) => failSkipTrace(db, requestId, `the vendor's results file is not CSV: ${messageOf(error)}`)));
      }
      const summaries: SkipTraceSummary[] = [];
      for (const requestId of requestIds) {
        summaries.push(await completeSkipTrace(db, requestId, rows.filter((row) => row.reference === requestId).map(findingOfCsv)));
      }
      return summaries;
    },
  };
}
