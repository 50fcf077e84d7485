import { Context } from '@temporalio/activity';

/**
 * Sends heartbeats while an activity runs, so the server notices a dead worker within the
 * activity's `heartbeatTimeout` instead of waiting out its start-to-close timeout
 * (workflows/case/activities.ts `sends`). A timer beats a few times per heartbeat timeout,
 * whatever the activity awaits (a provider call, the database); the SDK forwards to the server at most
 * one a second (the worker's maxHeartbeatThrottleInterval). Beating also lets the activity learn that
 * the server gave up on it (`Context.cancellationSignal`): see `throwIfAbandoned`.
 *
 * Only when the activity was scheduled with a heartbeat timeout (an attempt scheduled before
 * that option existed has none), and never outside an activity (tests, scripts).
 */
export function heartbeating<Args extends unknown[], Result>(run: (...args: Args) => Promise<Result>): (...args: Args) => Promise<Result> {
  return async (...args) => {
    const timeoutMs = currentContext()?.info.heartbeatTimeoutMs;
    if (!timeoutMs) return run(...args);
    const context = Context.current();
    const beat = setInterval(() => context.heartbeat(), Math.max(100, Math.min(1_000, timeoutMs / 4)));
    try {
      context.heartbeat();
      return await run(...args);
    } finally {
      clearInterval(beat);
    }
  };
}

/** Every activity of `activities`, heartbeating while it runs (same names, same signatures). */
export function withHeartbeats<T extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, run] of Object.entries(activities)) wrapped[name] = heartbeating(run as (...args: unknown[]) => Promise<unknown>);
  return wrapped as T;
}

/**
 * Throws the SDK's CancelledFailure when the server has given this attempt up (its heartbeat
 * timed out, or the case cancelled it): asked right before a provider call, so an attempt the
 * server already retried elsewhere does not send beside the retry.
 */
export function throwIfAbandoned(): void {
  currentContext()?.cancellationSignal.throwIfAborted();
}

function currentContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}
