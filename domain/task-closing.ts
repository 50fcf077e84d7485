import type { CaseEvent } from '../workflows/case-messages.js';

/**
 * The queue holds only work still to do: which of a case's open (or claimed) tasks an event of the
 * case settles, and why in words. Pure; the projection applies it in the transaction that writes
 * the event (activities/task-upkeep.ts).
 */

export interface TaskClosing {
  /** The kinds of task it settles; `all` is every kind but those the closing itself asks for. */
  kinds: readonly string[] | 'all';
  reason: string;
}

/** Tasks a closed case still needs: the specialist routing that a death or a bankruptcy closes it with. */
export const tasksAfterClosing: readonly string[] = ['deceased', 'bankruptcy'];

/** Tasks about reaching and negotiating with the debtor: an agency works a placed case instead. */
const contactWork = ['call', 'callback', 'reply', 'broken_promise', 'skip_trace'] as const;

export function tasksClosedBy(event: CaseEvent): TaskClosing | null {
  switch (event.type) {
    case 'closed':
      return { kinds: 'all', reason: `the case closed (${event.data.reason.replace(/_/g, ' ')})` };
    case 'placed':
      return { kinds: contactWork, reason: `the case was placed with agency ${event.data.agency}` };
    case 'outcome_recorded':
      if (event.data.kind === 'settlement_decision' || event.data.kind === 'arrangement_decision') {
        return { kinds: ['approval'], reason: `approval decided: ${event.data.approve ? 'approved' : 'rejected'} by ${event.data.by}` };
      }
      return null;
    case 'arrangement_made':
      // A new promise or plan answers a broken one's follow-up call (a pending one is not agreed yet).
      return event.data.needsApproval || event.data.reinstated ? null : { kinds: ['broken_promise'], reason: `a new ${event.data.kind} was agreed` };
    case 'arrangement_kept':
      return { kinds: ['approval', 'broken_promise'], reason: `the ${event.data.kind} was kept` };
    case 'arrangement_broken':
      return { kinds: ['approval'], reason: `the ${event.data.kind} was broken; nothing is left to approve` };
    case 'arrangement_cancelled':
      return { kinds: ['approval'], reason: `the ${event.data.kind} was cancelled; nothing is left to approve` };
    default:
      return null;
  }
}
