import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PaymentMethodMissing, WebhookSignatureError, type PaymentProcessor, type StartPayment } from '../../payments/processor.js';
import { createStripeProcessor } from '../../payments/stripe-processor.js';
import { startStripe, testStripeWebhookSecret, type StripePart } from '../../testing/parts/stripe.js';
import { createStopStack } from '../../testing/stop-stack.js';

// The Stripe processor against localstripe (the real stand-in, over HTTP): payments the browser
// confirms, saved methods and off-session charges, declines, webhooks with Stripe's signature.

const stops = createStopStack();
let stripe: StripePart;
let processor: PaymentProcessor;
let seq = 0;

const payment = (over: Partial<StartPayment> = {}): StartPayment => ({
  caseId: 'case-acc-1',
  debtorId: 'debtor-1',
  amount: 12_500,
  currency: 'USD',
  methods: ['card'],
  channel: 'debtor_page',
  saveForAutopay: false,
  idempotencyKey: `test-${++seq}`,
  ...over,
});

beforeAll(async () => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'stripe-processor-'));
  stops.push('data folder', () => rm(dataDir, { recursive: true, force: true }));
  stripe = await startStripe(stops, dataDir);
  processor = stripe.processor;
});
afterAll(() => stops.unwind());

describe('payments the browser confirms', () => {
  it('a card payment: started, the card collected, charged, read back with its case', async () => {
    const started = await processor.startPayment(payment());
    expect(started.paymentId).toMatch(/^pi_/);
    expect(started.clientSecret.startsWith(`${started.paymentId}_secret_`)).toBe(true);
    expect((await processor.retrievePayment(started.paymentId)).state).toBe('requires_action');

    await expect(processor.confirmPayment(started.paymentId)).rejects.toBeInstanceOf(PaymentMethodMissing);
    await stripe.collectCard(started.setupClientSecret);
    const confirmed = await processor.confirmPayment(started.paymentId);
    expect(confirmed).toMatchObject({ paymentId: started.paymentId, state: 'succeeded', amount: 12_500, currency: 'USD', caseId: 'case-acc-1', saved: null, failureReason: null });
    expect(await processor.retrievePayment(started.paymentId)).toEqual(confirmed);
    // Confirming again changes nothing and charges nothing more.
    expect((await processor.confirmPayment(started.paymentId)).state).toBe('succeeded');
    const intent = await stripe.processor.client.paymentIntents.retrieve(started.paymentId);
    expect(intent.metadata).toMatchObject({ case_id: 'case-acc-1', debtor_id: 'debtor-1', channel: 'debtor_page' });
  });

  it('a declined card (4000000000000341) fails with the reason and leaves the payment unpaid', async () => {
    const started = await processor.startPayment(payment());
    await stripe.collectCard(started.setupClientSecret, '4000000000000341');
    const declined = await processor.confirmPayment(started.paymentId);
    expect(declined).toMatchObject({ state: 'failed', failureReason: expect.stringMatching(/declined/i) });
    expect((await processor.retrievePayment(started.paymentId)).state).toBe('failed');
  });

  it('the browser config points Stripe.js at the stand-in', async () => {
    const config = processor.browserConfig();
    expect(config).toEqual({ publishableKey: 'pk_test_localstripe', scriptUrl: `${stripe.url}/js.stripe.com/v3/` });
    const script = await fetch(config.scriptUrl);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(await script.text()).toContain('confirmCardSetup');
  });

  it('an unknown payment is refused, not retried as an outage', async () => {
    await expect(processor.retrievePayment('pi_doesnotexist')).rejects.toThrow();
  });
});

describe('saved methods and off-session charges (autopay)', () => {
  it('a payment saved for autopay answers its customer and method, which a later off-session charge uses', async () => {
    const started = await processor.startPayment(payment({ saveForAutopay: true }));
    await stripe.collectCard(started.setupClientSecret);
    const paid = await processor.confirmPayment(started.paymentId);
    expect(paid.state).toBe('succeeded');
    expect(paid.saved).toMatchObject({ customerId: expect.stringMatching(/^cus_/), paymentMethodId: expect.stringMatching(/^pm_/), kind: 'card' });
    const saved = paid.saved!;

    const before = (await stripe.paymentIntents()).length;
    const charge = await processor.chargeSaved({ caseId: 'case-acc-1', customerId: saved.customerId, paymentMethodId: saved.paymentMethodId, amount: 4_000, currency: 'usd', idempotencyKey: 'autopay:case-acc-1:1' });
    expect(charge).toMatchObject({ state: 'succeeded', amount: 4_000, currency: 'USD', caseId: 'case-acc-1' });
    expect(charge.paymentId).not.toBe(started.paymentId);
    expect((await stripe.paymentIntents()).length).toBe(before + 1);
  });

  it('a method saved without paying (SetupIntent) is read back once the browser finished, and charged', async () => {
    const setup = await processor.startSaveMethod({ caseId: 'case-acc-2', debtorId: 'debtor-2', methods: ['card'] });
    expect(await processor.retrieveSavedMethod(setup.setupId)).toBeNull();
    await stripe.collectCard(setup.clientSecret);
    const saved = await processor.retrieveSavedMethod(setup.setupId);
    expect(saved).toMatchObject({ caseId: 'case-acc-2', kind: 'card', customerId: expect.stringMatching(/^cus_/) });
    const charge = await processor.chargeSaved({ caseId: 'case-acc-2', customerId: saved!.customerId, paymentMethodId: saved!.paymentMethodId, amount: 2_500, currency: 'USD', idempotencyKey: 'autopay:case-acc-2:1' });
    expect(charge.state).toBe('succeeded');
  });

  it('an off-session charge of a card that declines answers failed with the reason', async () => {
    const setup = await processor.startSaveMethod({ caseId: 'case-acc-3', debtorId: 'debtor-3', methods: ['card'] });
    await stripe.collectCard(setup.clientSecret, '4000000000000341');
    const saved = (await processor.retrieveSavedMethod(setup.setupId))!;
    const charge = await processor.chargeSaved({ caseId: 'case-acc-3', customerId: saved.customerId, paymentMethodId: saved.paymentMethodId, amount: 2_500, currency: 'USD', idempotencyKey: 'autopay:case-acc-3:1' });
    expect(charge).toMatchObject({ state: 'failed', failureReason: expect.stringMatching(/declined/i), caseId: 'case-acc-3' });
  });
});

describe('webhooks', () => {
  const signed = (event: object, secret = testStripeWebhookSecret) => {
    const payload = JSON.stringify(event);
    return { payload, header: Stripe.webhooks.generateTestHeaderString({ payload, secret }) };
  };

  it('localstripe posts a payment_intent.succeeded whose signature the processor verifies', async () => {
    const received: { body: string; signature: string | undefined }[] = [];
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ body: Buffer.concat(chunks).toString('utf8'), signature: request.headers['stripe-signature'] as string | undefined });
        response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    stops.push('webhook sink', () => new Promise((resolve) => server.close(resolve)));
    await stripe.deliverWebhooksTo(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);

    const started = await processor.startPayment(payment({ amount: 777 }));
    await stripe.collectCard(started.setupClientSecret);
    await processor.confirmPayment(started.paymentId);
    // Earlier tests' events may arrive too (localstripe posts each a second later): this payment's is the one.
    const ours = () => received.find((each) => JSON.parse(each.body).type === 'payment_intent.succeeded' && JSON.parse(each.body).data.object.id === started.paymentId);
    await expect.poll(ours).toBeDefined();
    const delivery = ours()!;
    expect(processor.parseWebhook(Buffer.from(delivery.body), delivery.signature)).toMatchObject({
      kind: 'payment_succeeded', paymentId: started.paymentId, caseId: 'case-acc-1', amount: 777, currency: 'USD', eventId: expect.stringMatching(/^evt_/),
    });
    // The same bytes with one character changed, or signed with another secret, are forged.
    expect(() => processor.parseWebhook(Buffer.from(delivery.body.replace('777', '778')), delivery.signature)).toThrow(WebhookSignatureError);
    const other = signed(JSON.parse(delivery.body), 'whsec_someone_else');
    expect(() => processor.parseWebhook(other.payload, other.header)).toThrow(WebhookSignatureError);
    expect(() => processor.parseWebhook(delivery.body, undefined)).toThrow(WebhookSignatureError);
  });

  it('refunds, chargebacks and ACH returns read as reversals with their reason; a partial refund is not one', () => {
    const refunded = signed({ id: 'evt_r', type: 'charge.refunded', created: 1_700_000_000, data: { object: { id: 'ch_1', object: 'charge', payment_intent: 'pi_1', refunded: true, amount: 500, amount_refunded: 500, currency: 'usd', metadata: {} } } });
    expect(processor.parseWebhook(refunded.payload, refunded.header)).toEqual({ eventId: 'evt_r', kind: 'payment_reversed', paymentId: 'pi_1', caseId: null, amount: 500, currency: 'USD', reason: 'refunded', at: 1_700_000_000_000 });
    const partial = signed({ id: 'evt_p', type: 'charge.refunded', created: 1, data: { object: { id: 'ch_1', payment_intent: 'pi_1', refunded: false, amount: 500, amount_refunded: 100, currency: 'usd' } } });
    expect(processor.parseWebhook(partial.payload, partial.header)).toMatchObject({ kind: 'ignored' });
    const dispute = signed({ id: 'evt_d', type: 'charge.dispute.created', created: 1, data: { object: { id: 'dp_1', object: 'dispute', charge: 'ch_1', payment_intent: 'pi_1', amount: 500, currency: 'usd', reason: 'fraudulent' } } });
    expect(processor.parseWebhook(dispute.payload, dispute.header)).toMatchObject({ kind: 'payment_reversed', paymentId: 'pi_1', reason: 'chargeback' });
    const achReturn = signed({ id: 'evt_a', type: 'charge.failed', created: 1, data: { object: { id: 'ch_2', payment_intent: 'pi_2', amount: 900, currency: 'usd', failure_code: 'insufficient_funds', payment_method_details: { type: 'us_bank_account' } } } });
    expect(processor.parseWebhook(achReturn.payload, achReturn.header)).toMatchObject({ kind: 'payment_reversed', paymentId: 'pi_2', reason: 'ach_return', amount: 900 });
    const cardFailure = signed({ id: 'evt_c', type: 'charge.failed', created: 1, data: { object: { id: 'ch_3', payment_intent: 'pi_3', amount: 900, currency: 'usd', payment_method_details: { type: 'card' } } } });
    expect(processor.parseWebhook(cardFailure.payload, cardFailure.header)).toEqual({ eventId: 'evt_c', kind: 'ignored', type: 'charge.failed' });
  });

  it('without a webhook secret every webhook is refused', () => {
    const unsigned = createStripeProcessor({ ...stripe.settings, webhookSecret: undefined });
    const event = signed({ id: 'evt_x', type: 'payment_intent.succeeded', created: 1, data: { object: {} } });
    expect(() => unsigned.parseWebhook(event.payload, event.header)).toThrow(WebhookSignatureError);
  });
});
