import { CancellationScope, condition, workflowInfo } from '@temporalio/workflow';
import { patchedOrCurrent } from '../patches.js';
import type { Projector } from './activities.js';
import { project, projectionRetryAt } from './projection.js';
import type { LiveCase } from './state.js';
import { WakeTimer } from './wake-timer.js';

/**
 * The case's state with what its asynchronous parts share: the projection, the interruptible
 * wait, the race against closing, and idempotency keys.
 */
export class CaseRun {
  /** Bumped by every signal and update so a wait wakes up and plans again. */
  changes = 0;
  /** The value of `changes` the loop last planned from, so an update can answer with the plan it caused. */
  planned = 0;
  /** The value of `changes` when this pass of the loop began to plan (see {@link beginPlan}); taken by the next wait. */
  private planSeen: number | null = null;
  /** The timer the waits sleep on, kept while the instant they wake at stays the same. */
  private readonly wakeTimer = new WakeTimer();

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

  /** Marks the start of a pass of the loop: a signal or update after it makes the pass's wait plan again. */
  beginPlan(): void {
    this.planSeen = this.changes;
  }

  /** Records what the case waits for, then sleeps until `until` or a signal, whichever is first. */
  async waitUntil(until: number | null, why: string): Promise<void> {
    // Since 'wait-from-plan': a signal or update that landed after the pass began planning (while
    // the person was told of the next step, say) is planned for now; before, the pass slept on the
    // plan made without it until its timer (an officer's outcome then waited a day for its task).
    // Taken once, so a part that loops over waits of its own plans again from the second on.
    const planSeen = this.planSeen;
    this.planSeen = null;
    const fromPlan = planSeen !== null && patchedOrCurrent('wait-from-plan');
    if (fromPlan && this.changes !== planSeen) return;
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
    await this.wakeTimer.wait(wake, () => this.changes !== seen);
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
