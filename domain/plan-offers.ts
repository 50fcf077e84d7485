import type { Installment } from './arrangements.js';
import type { TNegotiationPolicy } from './negotiation-defaults.js';
import { validateOutcome } from './outcomes.js';

/**
 * The payment plans the debtor's page offers: monthly plans at the policy's smallest down
 * payment, each checked by {@link validateOutcome} as an officer's plan would be (the same rule the
 * case's update validator applies), so a plan chosen online never exceeds what an officer could grant.
 */

export interface PlanOffer {
  installments: number;
  frequency: 'monthly';
  downPayment: number;
  firstDueDate: string;
  schedule: Installment[];
}

/** Installment counts tried, smallest first; the policy and the officer's authority cut the list. */
const counts = [2, 3, 4, 6, 9, 12, 18, 24, 36, 48, 60] as const;
const shownAtMost = 5;

export function planOffers({ balance, policy, firstDueDate, now }: { balance: number; policy: TNegotiationPolicy; firstDueDate: string; now: number }): PlanOffer[] {
  const limit = Math.min(policy.maxInstallments, policy.officerAuthority.maxInstallments);
  const offers: PlanOffer[] = [];
  for (const installments of counts) {
    if (installments > limit || offers.length >= shownAtMost) break;
    const outcome = { kind: 'payment_plan' as const, downPayment: policy.minDownPayment, installments, frequency: 'monthly' as const, firstDueDate };
    const decision = validateOutcome(outcome, { balance, policy, role: 'officer', now, arrangement: 'none', hold: 'none', placed: false, closed: false });
    if (decision.ok && decision.schedule) offers.push({ installments, frequency: 'monthly', downPayment: policy.minDownPayment, firstDueDate, schedule: decision.schedule });
  }
  return offers;
}
