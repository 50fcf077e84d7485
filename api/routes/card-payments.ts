import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { maxMinorUnits } from '../../domain/account.js';
import { PaymentChannel, PaymentMethodKind } from '../../payments/processor.js';
import { actorOf } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { errorResponses, ZCaseIdParams, ZErrorResponse } from '../schemas.js';
import { confirmProcessorPayment, processorNotConfigured, startProcessorPayment } from '../services/processor-payments.js';

/**
 * The officer's phone payment: the console starts a payment of the case through the processor
 * (within the balance, in the case's currency), Stripe.js collects the card the debtor reads out,
 * and the confirmation records it through the same path as the debtor's page and the webhooks.
 */

const ZStartCardPayment = z
  .object({
    amount: z.number().int('must be a whole number of minor units (cents)').positive('must be more than zero').max(maxMinorUnits, 'must be at most 2147483647 minor units'),
    /** Defaults to the case's currency; a different one is refused. */
    currency: z.string().length(3).optional(),
    methods: z.array(z.enum([PaymentMethodKind.card, PaymentMethodKind.usBankAccount])).min(1).max(2).default([PaymentMethodKind.card]),
    /** A retry of the same start (a double click) answers the same payment. */
    idempotencyKey: z.string().trim().min(8).max(200).optional(),
  })
  .strict();

const ZStartedCardPayment = z.object({
  paymentId: z.string(),
  clientSecret: z.string(),
  setupClientSecret: z.string(),
  amount: z.number().int(),
  currency: z.string(),
  /** Load Stripe.js from here with this key. */
  publishableKey: z.string(),
  scriptUrl: z.string(),
});

const ZConfirmedPayment = z.object({
  paymentId: z.string(),
  state: z.enum(['requires_action', 'processing', 'succeeded', 'failed', 'canceled']),
  amount: z.number().int(),
  currency: z.string(),
  failureReason: z.string().nullable(),
  /** The case's payment was recorded (succeeded); a repeat records nothing new. */
  recorded: z.boolean(),
});

const ZPaymentParams = ZCaseIdParams.extend({ paymentId: z.string().regex(/^[A-Za-z0-9_]{3,200}$/, "must be the processor's payment id") });

const takers = ['officer', 'manager', 'admin'] as const;

export function cardPaymentRoutes({ db, temporal, payments }: ApiDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/v1/cases/:caseId/card-payments',
      {
        config: { roles: takers },
        schema: {
          tags: ['payments'],
          summary: 'Start a card (or bank) payment the officer takes by phone',
          description:
            'Answers the payment and the secrets Stripe.js needs: `confirmCardSetup(setupClientSecret, { payment_method: { card } })` collects the card, ' +
            'then `POST .../card-payments/{paymentId}/confirm` charges it. Refused (422, naming the field) above the balance owed, in another currency, or at zero.',
          params: ZCaseIdParams,
          body: ZStartCardPayment,
          response: { 201: ZStartedCardPayment, 409: ZErrorResponse, 422: ZErrorResponse, ...errorResponses },
        },
      },
      async (request, reply) => {
        if (!payments) throw processorNotConfigured();
        const { caseId } = request.params;
        const { amount, currency, methods, idempotencyKey } = request.body;
        const started = await startProcessorPayment({
          db,
          temporal,
          processor: payments,
          caseId,
          amount,
          currency,
          methods,
          channel: PaymentChannel.officerPhone,
          idempotencyKey: `officer-phone:${caseId}:${idempotencyKey ?? randomUUID()}`,
        });
        return reply.code(201).send(started);
      },
    );

    app.post(
      '/api/v1/cases/:caseId/card-payments/:paymentId/confirm',
      {
        config: { roles: takers },
        schema: {
          tags: ['payments'],
          summary: 'Charge the card collected for a payment and record it on the case',
          description:
            '`succeeded`: recorded as the case\'s payment (reference = the payment id), once however often it is confirmed or the webhook arrives. ' +
            '`failed`: declined, with the reason; nothing recorded. `requires_action`: the bank asks for authentication (Stripe.js `confirmCardPayment(clientSecret)`), then confirm again.',
          params: ZPaymentParams,
          response: { 200: ZConfirmedPayment, 409: ZErrorResponse, 422: ZErrorResponse, ...errorResponses },
        },
      },
      async (request) => {
        if (!payments) throw processorNotConfigured();
        const { caseId, paymentId } = request.params;
        const { saved: _saved, ...confirmed } = await confirmProcessorPayment({ db, temporal, processor: payments, caseId, paymentId, actor: actorOf(request) });
        return confirmed;
      },
    );
  };
}
