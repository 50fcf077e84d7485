import { CancellationScope, isCancellation, log } from '@temporalio/workflow';
import type { CaseState } from '../case-messages.js';
import { failureOf, type Projector } from './activities.js';
import type { LiveCase } from './state.js';

/**
 * The case's projection into the read model. Since 'projection-bounded' a write that cannot
 * succeed lets the case go on: its events are kept (bounded) for the next try, the failure is
 * recorded once and logged without debtor data, and the write is retried with backoff until the
 * read model catches up.
 */

/** When a lagging read model is tried again: after a minute, doubling up to an hour. */
const projectionRetry = { firstMs: 60_000, maxMs: 3_600_000 };
/** Events kept for a lagging read model at most; older ones are dropped (and counted) to bound the case's memory. */
const maxUnprojected = 500;

/**
 * Writes the state and the events since the last write; loops while signals add more. A write the
 * worker reports cancelled while the case itself is not (seen under load: a local attempt that
 * failed to get a connection, then recorded as cancelled) is a failed write like any other, not
 * the case's end. (Before, it failed the whole case; no running case can have met that path, so
 * this needs no patch.)
 */
export async function project(live: LiveCase, projects: Projector, bounded: boolean): Promise<void> {
  const { state } = live;
  do {
    const events = live.unprojected;
    live.unprojected = [];
    // Ledger entries since the last write go with it (cases of 'ledger-entries'); marked written once it succeeds.
    const ledger = live.accountLedger?.unprojected();
    const write = projects.projectCase({
      caseId: live.caseId,
      seq: state.seq,
      state: {
        status: state.status,
        closeReason: state.closeReason,
        balance: state.balance,
        currentStep: state.currentStep,
        nextActionAt: state.nextActionAt,
        nextActionWhy: state.nextActionWhy,
      },
      events,
      ...(ledger && ledger.rows.length > 0 ? { ledger: ledger.rows } : {}),
      ...(state.projection ? { catchingUp: true } : {}),
    });
    if (!bounded) {
      await write;
      ledger?.written();
      continue;
    }
    try {
      await write;
      ledger?.written();
    } catch (error) {
      if (isCancellation(error) && CancellationScope.current().consideredCancelled) throw error;
      live.unprojected = [...events, ...live.unprojected];
      projectionFailed(live, error);
      return;
    }
    if (state.projection) projectionCaughtUp(live, state.projection);
  } while (live.unprojected.length > 0);
}

/** When a lagging read model is due for its next try, or `null` when it is not lagging. */
export function projectionRetryAt(state: CaseState): number | null {
  return state.projection ? Date.parse(state.projection.retryAt) : null;
}

/** Notes a failed projection: recorded (and logged) once, retried later with backoff. */
function projectionFailed(live: LiveCase, error: unknown): void {
  const { state } = live;
  const { type, message } = failureOf(error);
  const lag = state.projection;
  if (!lag) {
    // The case id and the failure's type only: the message may come from the database.
    log.warn('case read model not written; the case goes on and catches up later', { caseId: live.caseId, type });
    live.record('projection_failed', `the read model could not be written (${type ?? 'error'}); the case goes on and writes it later`, { data: { type } });
  }
  const dropped = Math.max(0, live.unprojected.length - maxUnprojected);
  live.unprojected = live.unprojected.slice(dropped);
  const failures = (lag?.failures ?? 0) + 1;
  const delay = Math.min(projectionRetry.maxMs, projectionRetry.firstMs * 2 ** Math.min(failures - 1, 12));
  state.projection = {
    failingSince: lag?.failingSince ?? new Date().toISOString(),
    failures,
    error: `${type ?? 'Error'}: ${message}`.slice(0, 300),
    retryAt: new Date(Date.now() + delay).toISOString(),
    pending: live.unprojected.length,
    dropped: (lag?.dropped ?? 0) + dropped,
  };
}

function projectionCaughtUp(live: LiveCase, lag: NonNullable<CaseState['projection']>): void {
  live.state.projection = null;
  log.info('case read model caught up', { caseId: live.caseId, failures: lag.failures });
  const lost = lag.dropped > 0 ? `; ${lag.dropped} older event(s) did not fit in the case's memory and are missing from it` : '';
  live.record('projection_recovered', `the read model caught up after ${lag.failures} failed attempt(s) since ${lag.failingSince}${lost}`, {
    data: { failures: lag.failures, failingSince: lag.failingSince, dropped: lag.dropped },
  });
}
