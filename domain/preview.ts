import type { TStrategyDefinition } from './strategy.js';
import { TimelineWalk, type PreviewAccount, type PreviewEntry, type PreviewEvent } from './timeline-walk.js';

export type { PreviewAccount, PreviewEntry, PreviewEvent } from './timeline-walk.js';

/**
 * A dry run of a strategy for one sample account: the dated list of what the case would do and
 * why, including the steps its conditions skip and the ones the contact rules hold. It walks the
 * timeline as the case workflow does (domain/timeline-walk.ts, shared with the simulator) over a
 * simulated clock: a wait moves the clock to its end (or to the next event, which wakes a case as
 * a signal would), a skip is recorded, a run is recorded as sent (or as the failure asked for).
 */

export type PreviewEnd = 'placed' | 'timeline_complete' | 'paid' | 'horizon';

export interface PreviewResult {
  entries: PreviewEntry[];
  end: { at: string; reason: PreviewEnd };
}

const dayMs = 86_400_000;
/** A timeline that has not ended by then is cut off: a safety net, not a limit anyone should meet. */
const defaultHorizonDays = 3 * 365;
const maxMoves = 10_000;

export function previewStrategy({
  definition,
  account,
  startedAt,
  events = [],
  failures = {},
  horizonDays = defaultHorizonDays,
}: {
  definition: TStrategyDefinition;
  account: PreviewAccount;
  /** Epoch ms. */
  startedAt: number;
  events?: PreviewEvent[];
  /** Sends that fail for good, by step id, to see the fallbacks. */
  failures?: Record<string, 'bounced' | 'failed'>;
  horizonDays?: number;
}): PreviewResult {
  const horizon = startedAt + horizonDays * dayMs;
  const queue = [...events].sort((a, b) => a.at - b.at);
  const entries: PreviewEntry[] = [];
  const walk = new TimelineWalk({ definition, account, startedAt, resultOf: (step) => failures[step.id] ?? 'sent', onEntry: (entry) => entries.push(entry) });
  let now = startedAt;
  const finish = (reason: PreviewEnd, at: number): PreviewResult => ({ entries, end: { at: new Date(at).toISOString(), reason } });

  for (let moves = 0; moves < maxMoves; moves++) {
    while (queue[0] && queue[0].at <= now) {
      if (walk.apply(queue.shift() as PreviewEvent)) return finish('paid', now);
    }
    const step = walk.move(now);
    if (step.kind === 'end') return finish(step.reason, now);
    if (step.kind === 'wait') {
      const next = queue[0];
      // A signal wakes a waiting case, which plans again; the preview's events do the same.
      const wake = next && next.at < step.until ? next.at : step.until;
      if (wake > horizon) return finish('horizon', horizon);
      now = Math.max(now, wake);
    }
  }
  return finish('horizon', now);
}
