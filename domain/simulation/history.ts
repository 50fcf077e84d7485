import type { ResponseKind } from './contract.js';
import type { ContactObservation } from './fit.js';

/**
 * The engine's history of a case as the fit reads it (records/simulation-history.ts loads it from
 * the read model), and the observations it yields: for each contact, the first thing that
 * followed within the window. A bounce is the contact's own fate; a payment of all that was owed
 * is `pay_full`, less is `pay_part`; a promise counts as kept or broken by how it ended; a reply
 * asking to stop is an opt-out, one disputing the debt a dispute, any other a reply.
 */

export interface CaseHistory {
  /** Minor units owed at the start, and days past due then. */
  balance: number;
  daysPastDue: number;
  /** Epoch ms. */
  startedAt: number;
  /** Epoch ms the case closed (or the end of the period read). */
  endedAt: number;
  contacts: Array<{ at: number; action: string; bounced: boolean }>;
  payments: Array<{ at: number; amount: number }>;
  replies: Array<{ at: number; intent: string | null }>;
  promises: Array<{ at: number; kept: boolean }>;
  disputes: Array<{ at: number }>;
}

const dayMs = 86_400_000;

type Happening = { at: number; response: ResponseKind; share?: number };

export function observationsOf(cases: readonly CaseHistory[], windowDays: number): { observations: ContactObservation[]; background: { payments: number; caseDays: number } } {
  const observations: ContactObservation[] = [];
  let backgroundPayments = 0;
  let caseDays = 0;
  const window = windowDays * dayMs;
  for (const history of cases) {
    caseDays += Math.max(0, (history.endedAt - history.startedAt) / dayMs);
    const contacts = [...history.contacts].sort((a, b) => a.at - b.at);
    const payments = [...history.payments].sort((a, b) => a.at - b.at);
    const owedAt = (at: number) => history.balance - payments.filter((payment) => payment.at < at).reduce((sum, payment) => sum + payment.amount, 0);
    const happenings: Happening[] = [
      ...payments.map((payment) => {
        const owed = owedAt(payment.at);
        return payment.amount >= owed ? { at: payment.at, response: 'pay_full' as const } : { at: payment.at, response: 'pay_part' as const, share: owed > 0 ? payment.amount / owed : 0 };
      }),
      ...history.promises.map((promise) => ({ at: promise.at, response: promise.kept ? ('promise_kept' as const) : ('promise_broken' as const) })),
      ...history.replies.map((reply) => ({ at: reply.at, response: reply.intent === 'stop' ? ('opt_out' as const) : reply.intent === 'dispute' ? ('dispute' as const) : ('reply' as const) })),
      ...history.disputes.map((dispute) => ({ at: dispute.at, response: 'dispute' as const })),
    ].sort((a, b) => a.at - b.at);

    let previous: number | null = null;
    for (const contact of contacts) {
      const following = contact.bounced ? { at: contact.at, response: 'bounce' as const } : happenings.find((happening) => happening.at > contact.at && happening.at <= contact.at + window);
      observations.push({
        action: contact.action,
        balance: owedAt(contact.at),
        daysPastDue: history.daysPastDue + Math.floor((contact.at - history.startedAt) / dayMs),
        daysSinceContact: previous === null ? null : Math.floor((contact.at - previous) / dayMs),
        response: following?.response ?? null,
        ...(following && 'share' in following && following.share !== undefined ? { share: following.share } : {}),
      });
      previous = contact.at;
    }
    // A full payment no contact of the window explains is the debtor's own doing.
    for (const payment of payments) {
      const explained = contacts.some((contact) => payment.at > contact.at && payment.at <= contact.at + window);
      if (!explained && payment.amount >= owedAt(payment.at)) backgroundPayments++;
    }
  }
  return { observations, background: { payments: backgroundPayments, caseDays } };
}
