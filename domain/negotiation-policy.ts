import { z } from 'zod';
import { negotiationDefaults, type TNegotiationPolicy } from './negotiation-defaults.js';

/**
 * What officers may agree with a debtor under a strategy: the strategy's outer limits, and the
 * narrower authority an officer has alone (above it a manager decides). The defaults live in
 * negotiation-defaults.ts, which the workflow uses without loading zod.
 */
export const ZNegotiationPolicy = z
  .object({
    maxSettlementDiscountPercent: z
      .number()
      .min(0)
      .max(100)
      .default(negotiationDefaults.maxSettlementDiscountPercent)
      .describe('Largest settlement discount anyone (a manager included) may grant, percent of the balance.'),
    maxInstallments: z.number().int().min(1).default(negotiationDefaults.maxInstallments).describe('Most installments a payment plan may have.'),
    minInstallment: z.number().int().nonnegative().default(negotiationDefaults.minInstallment).describe('Smallest installment, in minor units (cents).'),
    minDownPayment: z.number().int().nonnegative().default(negotiationDefaults.minDownPayment).describe('Smallest down payment of a plan, in minor units (cents).'),
    graceDays: z
      .number()
      .int()
      .min(0)
      .max(60)
      .default(negotiationDefaults.graceDays)
      .describe('Days after a due date before an unpaid promise or installment counts as broken.'),
    maxPromiseDays: z.number().int().min(1).max(365).default(negotiationDefaults.maxPromiseDays).describe('Latest a promise to pay may fall, in days from today.'),
    reminderDaysBefore: z
      .number()
      .int()
      .min(0)
      .max(30)
      .default(negotiationDefaults.reminderDaysBefore)
      .describe('Days before each due date that the debtor gets a reminder.'),
    onBroken: z
      .enum(['resume', 'restart', 'escalate_agency'])
      .default(negotiationDefaults.onBroken)
      .describe('What a broken promise or plan does to the timeline; `on.brokenPromise` wins when both are given.'),
    reversalWindowDays: z
      .number()
      .int()
      .min(0)
      .max(120)
      .default(negotiationDefaults.reversalWindowDays)
      .describe('How long a paid or settled case waits for a returned payment (which reopens it) before it ends.'),
    officerAuthority: z
      .object({
        maxSettlementDiscountPercent: z
          .number()
          .min(0)
          .max(100)
          .default(negotiationDefaults.officerAuthority.maxSettlementDiscountPercent)
          .describe('Largest discount an officer grants alone; above it (up to the policy maximum) the settlement waits for a manager.'),
        maxInstallments: z
          .number()
          .int()
          .min(1)
          .default(negotiationDefaults.officerAuthority.maxInstallments)
          .describe('Most installments an officer agrees alone; above it a manager must record the plan.'),
        maxWaiver: z
          .number()
          .int()
          .min(0)
          .optional()
          .describe('Most interest or fees (minor units) an officer waives alone on a case, all waivers counted; above it a manager waives. Absent: 5000.'),
      })
      .strict()
      .default({ ...negotiationDefaults.officerAuthority })
      .describe('What an officer may agree alone; never more than the policy allows.'),
  })
  .strict()
  .superRefine((policy, ctx) => {
    if (policy.officerAuthority.maxSettlementDiscountPercent > policy.maxSettlementDiscountPercent) {
      ctx.addIssue({ code: 'custom', path: ['officerAuthority', 'maxSettlementDiscountPercent'], message: 'officer authority exceeds the policy maximum' });
    }
    if (policy.officerAuthority.maxInstallments > policy.maxInstallments) {
      ctx.addIssue({ code: 'custom', path: ['officerAuthority', 'maxInstallments'], message: 'officer authority exceeds the policy maximum' });
    }
  })
  .describe('What officers may agree with a debtor: the outer limits, and the narrower authority of an officer alone.');
export type { TNegotiationPolicy } from './negotiation-defaults.js';

// The zod-free interface and this schema must describe the same policy.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameShape: Same<z.output<typeof ZNegotiationPolicy>, TNegotiationPolicy> = true;
void sameShape;
