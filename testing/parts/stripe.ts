import path from 'node:path';
import { freePort } from '../../lib/free-port.js';
import { localstripeKeys, startLocalstripe } from '../../lib/localstripe-server.js';
import { createStripeProcessor } from '../../payments/stripe-processor.js';
import type { StripeSettings } from '../../payments/stripe-config.js';
import type { StopStack } from '../stop-stack.js';

/** The webhook secret the engine's API and localstripe share in tests. */
export const testStripeWebhookSecret = 'whsec_test_dunning_engine_0123456789';

/**
 * localstripe on a free port with its store in the test's data folder, the Stripe settings the
 * worker and the API take (`env`), a processor on them, and what a test asks the stand-in: how
 * many PaymentIntents reached it (it ignores Idempotency-Key, so "never charged twice" is counted
 * there), and where it posts its webhooks.
 */
export async function startStripe(stops: StopStack, dataDir: string) {
  const port = await freePort();
  const localstripe = await startLocalstripe({ port, storePath: path.join(dataDir, 'localstripe.pickle'), logPath: path.join(dataDir, 'localstripe.log') });
  stops.push('localstripe', () => localstripe.stop());
  const settings: StripeSettings = { ...localstripeKeys, webhookSecret: testStripeWebhookSecret, apiBase: localstripe.url };
  const processor = createStripeProcessor(settings);
  return {
    url: localstripe.url,
    settings,
    processor,
    env: {
      STRIPE_SECRET_KEY: settings.secretKey,
      STRIPE_PUBLISHABLE_KEY: settings.publishableKey,
      STRIPE_WEBHOOK_SECRET: testStripeWebhookSecret,
      STRIPE_API_BASE: localstripe.url,
    },
    /** Every PaymentIntent the stand-in holds, newest first. */
    async paymentIntents() {
      const list = await processor.client.paymentIntents.list({ limit: 100 });
      return list.data;
    },
    /**
     * What the fake Stripe.js's `confirmCardSetup(setupClientSecret, { payment_method: { card } })`
     * sends, for tests without a browser: the card collected against the SetupIntent. Test numbers:
     * 4242424242424242 pays, 4000000000000341 saves but every charge is declined.
     */
    async collectCard(setupClientSecret: string, number = '4242424242424242') {
      const setupId = setupClientSecret.replace(/_secret_.*$/, '');
      const answer = await fetch(`${localstripe.url}/v1/setup_intents/${setupId}/confirm`, {
        method: 'POST',
        body: JSON.stringify({
          key: settings.publishableKey,
          use_stripe_sdk: true,
          client_secret: setupClientSecret,
          payment_method_data: { type: 'card', card: { number, exp_month: '12', exp_year: '2030', cvc: '123' } },
        }),
      });
      const body = (await answer.json()) as { status?: string; payment_method?: string; error?: { message: string } };
      if (!answer.ok) throw new Error(`localstripe refused the card: ${answer.status} ${body.error?.message ?? ''}`);
      return body;
    },
    /** Has localstripe post its events (signed with the shared secret) to `url`. */
    async deliverWebhooksTo(url: string) {
      const answer = await fetch(`${localstripe.url}/_config/webhooks/engine`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${settings.secretKey}` },
        body: JSON.stringify({ url, secret: testStripeWebhookSecret }),
      });
      if (!answer.ok) throw new Error(`localstripe refused the webhook configuration: ${answer.status} ${await answer.text()}`);
    },
  };
}

export type StripePart = Awaited<ReturnType<typeof startStripe>>;
