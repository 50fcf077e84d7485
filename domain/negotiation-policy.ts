import { z } from 'zod';

/**
 * What officers may agree with a debtor under a strategy: the strategy's outer limits, and the
 * narrower authority an officer has alone (above it a manager decides).
 */
export const ZNegotiationPolicy = z
  .object({
    /** Largest settlement discount anyone may grant, percent of the balance. */
    maxSettlementDiscountPercent: z.number().min(0).max(100).default(0),
    maxInstallments: z.number().int().min(1).default(12),
    /** Smallest installment in minor units. */
    minInstallment: z.number().int().nonnegative().default(0),
    /** Smallest down payment in minor units. */
    minDownPayment: z.number().int().nonnegative().default(0),
    /** Days after a due date before an unpaid promise or installment counts as broken. */
    graceDays: z.number().int().min(0).max(60).default(3),
    /** Latest a promise to pay may fall, in days from today. */
    maxPromiseDays: z.number().int().min(1).max(365).default(30),
    /** Days before each due date that the debtor gets a reminder. */
    reminderDaysBefore: z.number().int().min(0).max(30).default(2),
    /** What a broken promise or plan does to the timeline. */
    onBroken: z.enum(['resume', 'restart', 'escalate_agency']).default('resume'),
    /** How long a closed (paid or settled) case waits for a returned payment before it ends. */
    reversalWindowDays: z.number().int().min(0).max(120).default(10),
    officerAuthority: z
      .object({
        maxSettlementDiscountPercent: z.number().min(0).max(100).default(0),
        maxInstallments: z.number().int().min(1).default(6),
      })
      .strict()
      .default({ maxSettlementDiscountPercent: 0, maxInstallments: 6 }),
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
export type TNegotiationPolicy = z.infer<typeof ZNegotiationPolicy>;
