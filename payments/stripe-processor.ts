import Stripe from 'stripe';
import {
  PaymentMethodKind,
  PaymentMethodMissing,
  PaymentRequestRefused,
  WebhookSignatureError,
  type ChargeSaved,
  type PaymentProcessor,
  type PaymentSnapshot,
  type PaymentState,
  type ProcessorEvent,
  type SavedMethod,
  type StartPayment,
  type StartSaveMethod,
} from './processor.js';
import type { StripeSettings } from './stripe-config.js';

/**
 * {@link PaymentProcessor} on Stripe through the official client: a PaymentIntent per payment
 * (card, US bank account), the method collected by a SetupIntent on the payment's customer so it
 * can be saved for autopay, off-session charges of saved methods, webhooks verified with Stripe's
 * signature (`stripe.webhooks.constructEvent`).
 *
 * Against a stand-in (`apiBase`, localstripe) a few calls go its way, because it refuses what it
 * does not model: no `setup_future_usage` (the method is attached to the customer by hand), no
 * `off_session` on a confirmation (an off-session charge is created, then confirmed), cards only
 * (no us_bank_account), and no Idempotency-Key (callers count what reached it).
 */

/** Our metadata on Stripe's objects: how a payment finds its case again. */
const Meta = { caseId: 'case_id', debtorId: 'debtor_id', channel: 'channel', setupIntent: 'setup_intent', save: 'save_for_autopay', idempotencyKey: 'idempotency_key' } as const;

export function createStripeClient(settings: Pick<StripeSettings, 'secretKey' | 'apiBase'>): Stripe {
  if (!settings.apiBase) return new Stripe(settings.secretKey, { maxNetworkRetries: 2 });
  const base = new URL(settings.apiBase);
  const protocol = base.protocol === 'https:' ? 'https' : 'http';
  return new Stripe(settings.secretKey, { host: base.hostname, port: Number(base.port || (protocol === 'https' ? 443 : 80)), protocol, maxNetworkRetries: 2 });
}

function stateOf(intent: Stripe.PaymentIntent): PaymentState {
  switch (intent.status) {
    case 'succeeded':
      return 'succeeded';
    case 'processing':
      return 'processing';
    case 'canceled':
      return 'canceled';
    case 'requires_payment_method':
      // Back to "needs a method" after an attempt: that attempt was declined.
      return intent.last_payment_error ? 'failed' : 'requires_action';
    default:
      return 'requires_action';
  }
}

function idOf(value: string | { id: string } | null | undefined): string | null {
  return value === null || value === undefined ? null : typeof value === 'string' ? value : value.id;
}

function kindOf(type: string | undefined): PaymentMethodKind {
  return type === 'us_bank_account' ? PaymentMethodKind.usBankAccount : PaymentMethodKind.card;
}

/** The processor's own refusals (a bad id, bad parameters) as {@link PaymentRequestRefused}; outages stay as they are (retried). */
function refusal(error: unknown): unknown {
  if (error instanceof Stripe.errors.StripeInvalidRequestError) return new PaymentRequestRefused(error.message);
  return error;
}

export function createStripeProcessor(settings: StripeSettings, client: Stripe = createStripeClient(settings)): PaymentProcessor & { client: Stripe } {
  const standIn = settings.apiBase !== undefined;
  /** The methods a payment allows (Stripe's current API names them `allowed_payment_method_types`); localstripe takes cards only, its default. */
  const allowed = (methods: readonly PaymentMethodKind[]) => (standIn ? {} : { allowed_payment_method_types: methods.length > 0 ? [...methods] : [PaymentMethodKind.card] });

  async function savedOf(intent: Stripe.PaymentIntent): Promise<SavedMethod | null> {
    const customerId = idOf(intent.customer);
    const paymentMethodId = idOf(intent.payment_method);
    if (intent.metadata?.[Meta.save] !== 'true' || intent.status !== 'succeeded' || !customerId || !paymentMethodId) return null;
    const method = typeof intent.payment_method === 'object' && intent.payment_method ? intent.payment_method : await client.paymentMethods.retrieve(paymentMethodId);
    return { customerId, paymentMethodId, kind: kindOf(method.type) };
  }

  async function snapshotOf(intent: Stripe.PaymentIntent): Promise<PaymentSnapshot> {
    const state = stateOf(intent);
    return {
      paymentId: intent.id,
      state,
      amount: intent.amount,
      currency: intent.currency.toUpperCase(),
      caseId: intent.metadata?.[Meta.caseId] ?? null,
      saved: await savedOf(intent),
      failureReason: state === 'failed' ? (intent.last_payment_error?.message ?? intent.last_payment_error?.code ?? 'declined') : null,
    };
  }

  /** A declined charge answers the PaymentIntent it left behind; anything else is thrown. */
  async function afterDecline(error: unknown, paymentId: string | null): Promise<PaymentSnapshot> {
    if (!(error instanceof Stripe.errors.StripeCardError)) throw refusal(error);
    const id = paymentId ?? idOf(error.payment_intent);
    if (!id) throw error;
    const snapshot = await snapshotOf(await client.paymentIntents.retrieve(id));
    // localstripe leaves no last_payment_error on a PaymentIntent declined at creation.
    return snapshot.state === 'failed' ? snapshot : { ...snapshot, state: 'failed', failureReason: error.message };
  }

  return {
    name: 'stripe',
    client,

    browserConfig() {
      return { publishableKey: settings.publishableKey, scriptUrl: settings.apiBase ? `${settings.apiBase}/js.stripe.com/v3/` : 'https://js.stripe.com/v3/' };
    },

    async startPayment(input: StartPayment) {
      const key = input.idempotencyKey;
      const metadata = { [Meta.caseId]: input.caseId, [Meta.debtorId]: input.debtorId, [Meta.channel]: input.channel };
      try {
        const customer = await client.customers.create({ metadata }, { idempotencyKey: `${key}/customer` });
        const setup = await client.setupIntents.create(
          { customer: customer.id, usage: input.saveForAutopay ? 'off_session' : 'on_session', ...allowed(input.methods), metadata },
          { idempotencyKey: `${key}/setup` },
        );
        const intent = await client.paymentIntents.create(
          {
            amount: input.amount,
            currency: input.currency.toLowerCase(),
            customer: customer.id,
            ...allowed(input.methods),
            metadata: { ...metadata, [Meta.setupIntent]: setup.id, [Meta.save]: String(input.saveForAutopay) },
            ...(input.saveForAutopay && !standIn ? { setup_future_usage: 'off_session' as const } : {}),
          },
          { idempotencyKey: key },
        );
        if (!intent.client_secret || !setup.client_secret) throw new Error('Stripe answered without a client secret');
        return { paymentId: intent.id, clientSecret: intent.client_secret, setupClientSecret: setup.client_secret };
      } catch (error) {
        throw refusal(error);
      }
    },

    async retrievePayment(paymentId) {
      try {
        return await snapshotOf(await client.paymentIntents.retrieve(paymentId));
      } catch (error) {
        throw refusal(error);
      }
    },

    async confirmPayment(paymentId) {
      let intent: Stripe.PaymentIntent;
      try {
        intent = await client.paymentIntents.retrieve(paymentId);
      } catch (error) {
        throw refusal(error);
      }
      if (intent.status !== 'requires_payment_method' && intent.status !== 'requires_confirmation') return snapshotOf(intent);
      const setupId = intent.metadata?.[Meta.setupIntent];
      const setup = setupId ? await client.setupIntents.retrieve(setupId) : null;
      const methodId = idOf(setup?.payment_method);
      if (!setup || setup.status !== 'succeeded' || !methodId) throw new PaymentMethodMissing(`no payment method was collected for ${paymentId} yet`);
      const customerId = idOf(intent.customer);
      try {
        if (standIn && customerId && intent.metadata?.[Meta.save] === 'true') await client.paymentMethods.attach(methodId, { customer: customerId });
        if (standIn) {
          // localstripe confirms only a PaymentIntent that already carries its method.
          await client.paymentIntents.update(paymentId, { payment_method: methodId });
          return await snapshotOf(await client.paymentIntents.confirm(paymentId));
        }
        return await snapshotOf(await client.paymentIntents.confirm(paymentId, { payment_method: methodId }));
      } catch (error) {
        return afterDecline(error, paymentId);
      }
    },

    async startSaveMethod(input: StartSaveMethod) {
      const metadata = { [Meta.caseId]: input.caseId, [Meta.debtorId]: input.debtorId, [Meta.channel]: 'autopay' };
      try {
        const customer = await client.customers.create({ metadata });
        const setup = await client.setupIntents.create({ customer: customer.id, usage: 'off_session', ...allowed(input.methods), metadata });
        if (!setup.client_secret) throw new Error('Stripe answered without a client secret');
        return { setupId: setup.id, clientSecret: setup.client_secret };
      } catch (error) {
        throw refusal(error);
      }
    },

    async retrieveSavedMethod(setupId) {
      try {
        const setup = await client.setupIntents.retrieve(setupId);
        const customerId = idOf(setup.customer);
        const paymentMethodId = idOf(setup.payment_method);
        if (setup.status !== 'succeeded' || !customerId || !paymentMethodId) return null;
        const method = await client.paymentMethods.retrieve(paymentMethodId);
        // Stripe attaches the method when the SetupIntent succeeds; localstripe leaves it to us.
        if (standIn && !method.customer) await client.paymentMethods.attach(paymentMethodId, { customer: customerId });
        return { customerId, paymentMethodId, kind: kindOf(method.type), caseId: setup.metadata?.[Meta.caseId] ?? null };
      } catch (error) {
        throw refusal(error);
      }
    },

    async chargeSaved(input: ChargeSaved) {
      const params = {
        amount: input.amount,
        currency: input.currency.toLowerCase(),
        customer: input.customerId,
        payment_method: input.paymentMethodId,
        metadata: { [Meta.caseId]: input.caseId, [Meta.channel]: 'autopay', [Meta.idempotencyKey]: input.idempotencyKey },
      };
      if (!standIn) {
        try {
          return await snapshotOf(await client.paymentIntents.create({ ...params, confirm: true, off_session: true }, { idempotencyKey: input.idempotencyKey }));
        } catch (error) {
          return afterDecline(error, null);
        }
      }
      // localstripe: create, then confirm (it takes off_session only at creation and then answers a decline without the PaymentIntent's id).
      let created: Stripe.PaymentIntent;
      try {
        created = await client.paymentIntents.create(params, { idempotencyKey: input.idempotencyKey });
      } catch (error) {
        throw refusal(error);
      }
      try {
        return await snapshotOf(await client.paymentIntents.confirm(created.id));
      } catch (error) {
        return afterDecline(error, created.id);
      }
    },

    parseWebhook(rawBody, signatureHeader) {
      if (!settings.webhookSecret) throw new WebhookSignatureError('STRIPE_WEBHOOK_SECRET is not set: every Stripe webhook is refused');
      if (!signatureHeader) throw new WebhookSignatureError('no Stripe-Signature header');
      let event: Stripe.Event;
      try {
        event = client.webhooks.constructEvent(rawBody, signatureHeader, settings.webhookSecret);
      } catch (error) {
        throw new WebhookSignatureError(error instanceof Error ? error.message : String(error));
      }
      return eventOf(event);
    },
  };
}

/** A verified Stripe event in the engine's words; types we do not act on are `ignored`. */
export function eventOf(event: Stripe.Event): ProcessorEvent {
  const at = event.created * 1000;
  const eventId = event.id;
  switch (event.type) {
    case 'payment_intent.succeeded': {
      const intent = event.data.object;
      return { eventId, kind: 'payment_succeeded', paymentId: intent.id, caseId: intent.metadata?.[Meta.caseId] ?? null, amount: intent.amount_received || intent.amount, currency: intent.currency.toUpperCase(), at };
    }
    case 'payment_intent.payment_failed': {
      const intent = event.data.object;
      return { eventId, kind: 'payment_failed', paymentId: intent.id, caseId: intent.metadata?.[Meta.caseId] ?? null, reason: intent.last_payment_error?.message ?? 'declined', at };
    }
    case 'charge.refunded': {
      const charge = event.data.object;
      const paymentId = idOf(charge.payment_intent);
      // A partial refund leaves part of the payment standing: the case's reversal takes back a whole payment, so only a full refund is one.
      if (!paymentId || !charge.refunded) return { eventId, kind: 'ignored', type: `${event.type} (partial)` };
      return { eventId, kind: 'payment_reversed', paymentId, caseId: charge.metadata?.[Meta.caseId] ?? null, amount: charge.amount_refunded, currency: charge.currency.toUpperCase(), reason: 'refunded', at };
    }
    case 'charge.dispute.created': {
      const dispute = event.data.object;
      const paymentId = idOf(dispute.payment_intent);
      if (!paymentId) return { eventId, kind: 'ignored', type: event.type };
      return { eventId, kind: 'payment_reversed', paymentId, caseId: null, amount: dispute.amount, currency: dispute.currency.toUpperCase(), reason: 'chargeback', at };
    }
    case 'charge.failed': {
      // A bank debit that fails after it was reported paid is a return (R01 insufficient funds...).
      const charge = event.data.object;
      const paymentId = idOf(charge.payment_intent);
      if (!paymentId || charge.payment_method_details?.type !== 'us_bank_account') return { eventId, kind: 'ignored', type: event.type };
      return { eventId, kind: 'payment_reversed', paymentId, caseId: charge.metadata?.[Meta.caseId] ?? null, amount: charge.amount, currency: charge.currency.toUpperCase(), reason: 'ach_return', at };
    }
    default:
      return { eventId, kind: 'ignored', type: event.type };
  }
}
