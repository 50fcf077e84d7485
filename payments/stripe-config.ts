import { z } from 'zod';

/**
 * Stripe's configuration, shared by the worker (autopay charges) and the API (payments, webhooks).
 * A real account: `STRIPE_SECRET_KEY`, `STRIPE_PUBLISHABLE_KEY` and `STRIPE_WEBHOOK_SECRET`.
 * `STRIPE_API_BASE` points the client at a stand-in (localstripe, which `npm start` and the tests
 * run), whose keys can be anything starting `sk_` / `pk_`. Without a secret key there are no card
 * payments (the routes answer 503 `processor_not_configured`).
 */
const ZOptional = z
  .string()
  .optional()
  .transform((value) => (value === '' ? undefined : value));

export const ZStripeEnv = z.object({
  STRIPE_SECRET_KEY: ZOptional.refine((value) => value === undefined || /^(sk|rk)_/.test(value), 'must be a Stripe secret key (sk_... or rk_...)'),
  STRIPE_PUBLISHABLE_KEY: ZOptional.refine((value) => value === undefined || value.startsWith('pk_'), 'must be a Stripe publishable key (pk_...)'),
  STRIPE_WEBHOOK_SECRET: ZOptional,
  STRIPE_API_BASE: z.url().optional().or(z.literal('').transform(() => undefined)),
});
export type TStripeEnv = z.infer<typeof ZStripeEnv>;

export interface StripeSettings {
  secretKey: string;
  publishableKey: string;
  /** Verifies `Stripe-Signature` on /webhooks/stripe; unset refuses every webhook. */
  webhookSecret: string | undefined;
  /** A stand-in's base URL (localstripe); unset talks to api.stripe.com. */
  apiBase: string | undefined;
}

/** The settings when a secret key is configured (the publishable key is then required too), else undefined. */
export function stripeSettingsOf(env: TStripeEnv): StripeSettings | undefined {
  if (!env.STRIPE_SECRET_KEY) return undefined;
  return {
    secretKey: env.STRIPE_SECRET_KEY,
    publishableKey: env.STRIPE_PUBLISHABLE_KEY ?? '',
    webhookSecret: env.STRIPE_WEBHOOK_SECRET,
    apiBase: env.STRIPE_API_BASE?.replace(/\/+$/, ''),
  };
}

/** For a config's superRefine: a secret key needs the publishable key, which the browser loads Stripe.js with. */
export function checkStripeEnv(env: TStripeEnv, ctx: z.RefinementCtx): void {
  if (env.STRIPE_SECRET_KEY && !env.STRIPE_PUBLISHABLE_KEY) {
    ctx.addIssue({ code: 'custom', path: ['STRIPE_PUBLISHABLE_KEY'], message: 'set it with STRIPE_SECRET_KEY: the browser loads Stripe.js with it' });
  }
}
