import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ApiDeps } from '../deps.js';
import { ZErrorResponse } from '../schemas.js';
import { processorNotConfigured, receiveProcessorWebhook } from '../services/processor-payments.js';

/**
 * `POST /webhooks/stripe`: Stripe's events, verified over the raw bytes with `Stripe-Signature`
 * (STRIPE_WEBHOOK_SECRET) before anything is read; handled once per event id.
 */

/** Stripe posts JSON; described for the OpenAPI document, read as bytes for the signature. */
const ZStripeEvent = z.any().describe("a Stripe event (JSON), signed in the Stripe-Signature header");

const ZReceived = z.object({ eventId: z.string(), duplicate: z.boolean(), outcome: z.string() });

export function stripeWebhookRoutes({ db, temporal, payments }: ApiDeps): FastifyPluginAsyncZod {
  return async (app) => {
    // This plugin's routes only (Fastify encapsulation): the signature covers the exact bytes Stripe sent.
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

    app.post(
      '/webhooks/stripe',
      {
        schema: {
          tags: ['webhooks'],
          summary: 'Stripe events: payment succeeded → the case\'s payment; refunded, disputed or a bank return → the payment reversed',
          description:
            'Authenticated by `Stripe-Signature` (a forged or unsigned event: 400, nothing recorded). Each event is handled once by its id ' +
            '(a replay answers `duplicate: true`); a payment is recorded once by its PaymentIntent id, whether the page confirmed it first or not.',
          consumes: ['application/json'],
          body: ZStripeEvent,
          response: { 200: ZReceived, 400: ZErrorResponse, 413: ZErrorResponse, 415: ZErrorResponse, 503: ZErrorResponse },
        },
      },
      async (request) => {
        if (!payments) throw processorNotConfigured();
        const signature = request.headers['stripe-signature'];
        const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        return receiveProcessorWebhook({ db, temporal, processor: payments, rawBody, signature: typeof signature === 'string' ? signature : undefined });
      },
    );
  };
}
