import { z } from 'zod';

/**
 * What the debtor's own page (`{{links.pay}}`) may do under a strategy: how the person proves who
 * they are before anything about a debt is shown, and how long a message's link stays good. What
 * they may agree there is the negotiation policy's, at an officer's authority (never more).
 */

/** Ways a person confirms who they are: last name and ZIP code, date of birth, the account number's last four digits. */
export const identityMethods = ['last_name_zip', 'birth_date', 'last4'] as const;
export type IdentityMethod = (typeof identityMethods)[number];

export const ZSelfServicePolicy = z
  .object({
    enabled: z.boolean().default(true).describe('Whether the messages\' `{{links.pay}}` links open the page; false shows a notice to call instead.'),
    identity: z
      .array(z.enum(identityMethods))
      .min(1)
      .max(identityMethods.length)
      .refine((methods) => new Set(methods).size === methods.length, 'names a method twice')
      .default([...identityMethods])
      .describe('The identity checks the page offers, in order (each only when the engine holds what it checks): ' +
        '`last_name_zip`, `birth_date`, `last4` (the account number\'s last four digits).'),
    identityByPortfolio: z
      .record(z.string().trim().min(1).max(100), z.array(z.enum(identityMethods)).min(1).max(identityMethods.length))
      .optional()
      .describe('Identity checks for the accounts of a portfolio (the enrollment\'s `portfolio`), in place of `identity`: a client may require, say, only `birth_date`.'),
    linkDays: z.number().int().min(1).max(90).default(30).describe('Days a message\'s page link stays good after the message was written.'),
  })
  .strict()
  .describe('The debtor\'s own page: identity checks and link lifetime.');
export type TSelfServicePolicy = z.infer<typeof ZSelfServicePolicy>;

export const selfServiceDefaults: TSelfServicePolicy = ZSelfServicePolicy.parse({});

/** The identity checks for an account: its portfolio's when the strategy names one, else the strategy's. */
export function identityMethodsFor(policy: TSelfServicePolicy, portfolio: string | null): IdentityMethod[] {
  return (portfolio !== null ? policy.identityByPortfolio?.[portfolio] : undefined) ?? policy.identity;
}
