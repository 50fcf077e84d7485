import { CancellationScope, condition, workflowInfo } from '@temporalio/workflow';
import type { Projector } from './activities.js';
import { project, projectionRetryAt } from './projection.js';
import type { LiveCase } from './state.js';

/**
 * The case's state with what its asynchronous parts share: the projection, the interruptible
 * wait, the race against closing, and idempotency keys.
 */
export class CaseRun {
  /** Bumped by every signal and update so a wait wakes up and plans again. */
  changes = 0;
  /** The value of `changes` the loop last planned from, so an update can answer with the plan it caused. */
  planned = 0;

  constructor(
    readonly live: LiveCase,
    private readonly projects: Projector,
    /** Since 'projection-bounded': a failing projection lets the case go on (case/projection.ts). */
    private readonly boundedProjection: boolean,
  ) {}

  get state() {
    return this.live.state;
  }

  /** Writes the state and the events since the last write (see {@link project}). */
  project(): Promise<void> {
    return project(this.live, this.projects, this.boundedProjection);
  }

  /** Records what the case waits for, then sleeps until `until` or a signal, whichever is first. */
  async waitUntil(until: number | null, why: string): Promise<void> {
    // Taken first: a signal that lands while the projection runs must still cut the wait short.
    const seen = this.changes;
    this.state.nextActionAt = until === null ? null : new Date(until).toISOString();
    this.state.nextActionWhy = why;
    this.planned = seen;
    await this.project();
    // A lagging read model is tried again on time even when the case has nothing else to do.
    const retryAt = projectionRetryAt(this.state);
    // A ledger that bears interest wakes the case at each month end to post the month's interest.
    const accrualAt = this.live.accountLedger?.nextAccrualAt() ?? null;
    const wake = [until, retryAt, accrualAt].reduce<number | null>((first, at) => (at === null ? first : first === null ? at : Math.min(first, at)), null);
    if (wake === null) await condition(() => this.changes !== seen);
    else if (wake > Date.now()) await condition(() => this.changes !== seen, wake - Date.now());
    this.live.accountLedger?.accrueAtMonthEnd();
  }

  /**
   * Runs a provider call unless the case closes first (a payment during a provider outage must
   * stop the retrying send). Returns `undefined` when the close won.
   */
  async unlessClosed<T>(run: () => Promise<T>): Promise<{ value: T } | undefined> {
    return CancellationScope.cancellable(async () => {
      const work = run().then((value) => ({ value }));
      const closed = condition(() => this.state.status === 'closed').then(() => undefined);
      const winner = await Promise.race([work, closed]);
      // The loser is cancelled; its rejection is expected and swallowed.
      work.catch(() => undefined);
      closed.catch(() => undefined);
      CancellationScope.current().cancel();
      return winner;
    });
  }

  idempotencyKey(suffix: string): string {
    return `${this.live.caseId}/${workflowInfo().firstExecutionRunId}/${suffix}`;
  }
}
