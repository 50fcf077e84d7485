import { z } from 'zod';
import { negotiationDefaults, type TNegotiationPolicy } from './negotiation-defaults.js';

/**
 * What officers may agree with a debtor under a strategy: the strategy's outer limits, and the
 * narrower authority an officer has alone (above it a manager decides). The defaults live in
 * negotiation-defaults.ts, which the workflow uses without loading zod.
 */
export const ZNegotiationPolicy = z
  .object({
    /** Largest settlement discount anyone may grant, percent of the balance. */
    maxSettlementDiscountPercent: z.number().min(0).max(100).default(negotiationDefaults.maxSettlementDiscountPercent),
    maxInstallments: z.number().int().min(1).default(negotiationDefaults.maxInstallments),
    /** Smallest installment in minor units. */
    minInstallment: z.number().int().nonnegative().default(negotiationDefaults.minInstallment),
    /** Smallest down payment in minor units. */
    minDownPayment: z.number().int().nonnegative().default(negotiationDefaults.minDownPayment),
    /** Days after a due date before an unpaid promise or installment counts as broken. */
    graceDays: z.number().int().min(0).max(60).default(negotiationDefaults.graceDays),
    /** Latest a promise to pay may fall, in days from today. */
    maxPromiseDays: z.number().int().min(1).max(365).default(negotiationDefaults.maxPromiseDays),
    /** Days before each due date that the debtor gets a reminder. */
    reminderDaysBefore: z.number().int().min(0).max(30).default(negotiationDefaults.reminderDaysBefore),
    /** What a broken promise or plan does to the timeline. */
    onBroken: z.enum(['resume', 'restart', 'escalate_agency']).default(negotiationDefaults.onBroken),
    /** How long a closed (paid or settled) case waits for a returned payment before it ends. */
    reversalWindowDays: z.number().int().min(0).max(120).default(negotiationDefaults.reversalWindowDays),
    officerAuthority: z
      .object({
        maxSettlementDiscountPercent: z.number().min(0).max(100).default(negotiationDefaults.officerAuthority.maxSettlementDiscountPercent),
        maxInstallments: z.number().int().min(1).default(negotiationDefaults.officerAuthority.maxInstallments),
      })
      .strict()
      .default({ ...negotiationDefaults.officerAuthority }),
  })
  .strict()
  .superRefine((policy, ctx) => {
    if (policy.officerAuthority.maxSettlementDiscountPercent > policy.maxSettlementDiscountPercent) {
      ctx.addIssue({ code: 'custom', path: ['officerAuthority', 'maxSettlementDiscountPercent'], message: 'officer authority exceeds the policy maximum' });
    }
    if (policy.officerAuthority.maxInstallments > policy.maxInstallments) {
      ctx.addIssue({ code: 'custom', path: ['officerAuthority', 'maxInstallments'], message: 'officer authority exceeds the policy maximum' });
    }
  });
export type { TNegotiationPolicy } from './negotiation-defaults.js';

// The zod-free interface and this schema must describe the same policy.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameShape: Same<z.output<typeof ZNegotiationPolicy>, TNegotiationPolicy> = true;
void sameShape;
