import { CancellationScope, condition, sleep } from '@temporalio/workflow';
import { patchedOrCurrent } from '../patches.js';

/** A started timer: the instant it fires at, its scope (to cancel it), and whether it fired or was cancelled. */
interface Timer {
  at: number;
  scope: CancellationScope;
  settled: boolean;
}

/**
 * The timer the case's wait sleeps on, kept across waits that end at the same instant.
 *
 * Before 'keeps-wake-timer' every wait raced the signals against a timer of its own: a payment (or
 * any signal) that woke the case cancelled the timer, and the next wait started a new one for the
 * same instant, two commands and two history events per signal for nothing (longer replays for
 * cases not in the worker's cache). Since, a wait for the instant the kept timer fires on awaits
 * that timer; only a different instant (or none) cancels it.
 */
export class WakeTimer {
  /** Whether this run took 'keeps-wake-timer'; asked at the first timed wait, so untimed waits stay as they were. */
  private keeps = false;
  private timer: Timer | null = null;

  /** Sleeps until `at` (`null`: no time) or until `woken()` holds, whichever is first. */
  async wait(at: number | null, woken: () => boolean): Promise<void> {
    const timed = at !== null && at > Date.now();
    if (timed && !this.keeps) this.keeps = patchedOrCurrent('keeps-wake-timer');
    if (!this.keeps) {
      if (at === null) await condition(woken);
      else if (timed) await condition(woken, at - Date.now());
      return;
    }
    // A timer for another instant would wake the case for nothing: cancelled before the wait.
    if (this.timer && this.timer.at !== at) this.cancel();
    if (woken()) return;
    if (at === null) return condition(woken);
    if (!timed) return;
    const timer = (this.timer ??= this.start(at));
    // One condition, no scope, race or timer of its own: less for the workflow thread than condition() with a timeout.
    await condition(() => timer.settled || woken());
  }

  private start(at: number): Timer {
    const scope = new CancellationScope({ cancellable: true });
    const timer: Timer = { at, scope, settled: false };
    // Settles either way: cancelled by `cancel()` nobody waits on it, and a cancelled wait throws from its own condition.
    const settle = () => {
      timer.settled = true;
      if (this.timer === timer) this.timer = null;
    };
    void scope.run(() => sleep(at - Date.now())).then(settle, settle);
    return timer;
  }

  private cancel(): void {
    this.timer?.scope.cancel();
    this.timer = null;
  }
}
