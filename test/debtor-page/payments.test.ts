import { DateTime } from 'luxon';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PageEvent } from '../../api/services/debtor-page/events.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { eventually } from '../../testing/eventually.js';
import { testStripeWebhookSecret } from '../../testing/parts/stripe.js';
import { statusQuery } from '../../workflows/case-messages.js';
import { enrollPerson, facts, hiddenValue, linkIn, pageClient, pageStrategy } from './support.js';

/**
 * Card payments on the debtor page against localstripe (the processor's real client, the stand-in's
 * own card collection as its fake Stripe.js does it): a part payment lands on the case at once
 * with the PaymentIntent as reference, a declined card changes nothing, and amounts above the
 * balance or in another currency never reach the processor.
 */

let engine: Engine;
const strategy = pageStrategy('page-pay');

beforeAll(async () => {
  engine = await startEngine({ twilio: true, stripe: true, strategies: [strategy] });
});
afterAll(() => engine?.stop());

const status = (caseId: string) => engine.temporal.workflow.getHandle(caseId).query(statusQuery);

async function signedIn(phone: string) {
  const messages = await eventually(async () => {
    const sent = engine.twilio.messages.filter((message) => message.form.To === phone);
    return sent.length > 0 && sent;
  }, `an SMS to ${phone}`);
  const link = linkIn(messages[0]!.form.Body ?? '');
  const browser = pageClient();
  const opened = await browser.get(link);
  expect((await browser.post(link, { csrf: hiddenValue(opened.text, 'csrf'), method: 'last4', last4: facts.accountLast4, lang: 'en' })).status).toBe(303);
  const page = await browser.get(link);
  return { link, browser, csrf: hiddenValue(page.text, 'csrf') };
}

/** Posts a Stripe event to the API, signed as Stripe signs it. */
async function postEvent(event: object) {
  const payload = JSON.stringify(event);
  const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: testStripeWebhookSecret });
  const answer = await fetch(`${engine.baseUrl}/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, body: payload });
  return (await answer.json()) as { duplicate?: boolean; outcome?: string };
}

describe('paying on the debtor page', () => {
  it('takes a part payment by card, refuses a declined card, and checks amount and currency before the processor', async () => {
    const caseId = await enrollPerson(engine, strategy.key, 'PAGE-PAY', { name: 'Carla Gomez', phone: '+15555550181' });
    const { link, browser, csrf } = await signedIn('+15555550181');
    const before = (await engine.stripe.paymentIntents()).length;

    const above = await browser.submit(link, { action: 'pay', caseId, amount: '2000.00', currency: 'USD', csrf, lang: 'en' });
    expect(above.status).toBe(422);
    expect(above.text).toContain('more than the balance');
    const euros = await browser.submit(link, { action: 'pay', caseId, amount: '10.00', currency: 'EUR', csrf, lang: 'en' });
    expect(euros.text).toContain('in USD only');
    expect((await engine.stripe.paymentIntents()).length).toBe(before);

    // A declined card: nothing is charged, the balance stands.
    const declinedForm = await browser.submit(link, { action: 'pay', caseId, amount: '100.00', currency: 'USD', csrf, lang: 'en' });
    expect(declinedForm.status).toBe(200);
    expect(declinedForm.text).toContain('Pay $100.00');
    await engine.stripe.collectCard(hiddenSecret(declinedForm.text), '4000000000000341');
    const declined = await browser.submit(link, { action: 'pay_confirm', caseId, paymentId: hiddenValue(declinedForm.text, 'paymentId'), csrf, lang: 'en' });
    expect(declined.status).toBe(422);
    expect(declined.text).toContain('The payment did not go through');
    expect((await status(caseId)).balance).toBe(125_000);

    const form = await browser.submit(link, { action: 'pay', caseId, amount: '250.00', currency: 'USD', csrf, lang: 'en' });
    const paymentId = hiddenValue(form.text, 'paymentId');
    // Confirmed before the card is collected: nothing charged.
    expect((await browser.submit(link, { action: 'pay_confirm', caseId, paymentId, csrf, lang: 'en' })).status).toBe(422);
    await engine.stripe.collectCard(hiddenSecret(form.text));
    const paid = await browser.submit(link, { action: 'pay_confirm', caseId, paymentId, csrf, lang: 'en' });
    expect(paid.status).toBe(200);
    expect(paid.text).toContain('Your payment of $250.00 was received');
    await eventually(async () => (await status(caseId)).balance === 100_000, 'the payment on the case');
    // The same confirmation again (a reload): the same payment, applied once.
    await browser.submit(link, { action: 'pay_confirm', caseId, paymentId, csrf, lang: 'en' });
    const payments = await eventually(async () => {
      const rows = await engine.db.payment.findMany({ where: { caseId } });
      return rows.length > 0 && rows;
    }, 'the payment in the read model');
    expect(payments.map((payment) => [payment.reference, payment.amount])).toEqual([[paymentId, 25_000]]);
    expect((await status(caseId)).balance).toBe(100_000);
    expect(await engine.db.auditEvent.count({ where: { caseId, action: PageEvent.paid } })).toBe(1);
  });

  it("pays in full; a payment the webhook recorded before the page's own confirmation is one payment, said as received", async () => {
    const caseId = await enrollPerson(engine, strategy.key, 'PAGE-FULL', { name: 'Nora Quinn', phone: '+15555550182' }, 40_000);
    const { link, browser, csrf } = await signedIn('+15555550182');

    // Part of it first: the browser's script charges it at the processor (3-D Secure's way), whose webhook reaches the engine first.
    const part = await browser.submit(link, { action: 'pay', caseId, amount: '150.00', currency: 'USD', csrf, lang: 'en' });
    const partId = hiddenValue(part.text, 'paymentId');
    await engine.stripe.collectCard(hiddenSecret(part.text));
    expect((await engine.stripe.processor.confirmPayment(partId)).state).toBe('succeeded');
    await eventually(async () => (await status(caseId)).balance === 25_000, "the webhook's payment on the case");
    const late = await browser.submit(link, { action: 'pay_confirm', caseId, paymentId: partId, csrf, lang: 'en' });
    expect(late.status).toBe(200);
    expect(late.text).toContain('Your payment of $150.00 was received');
    // The same PaymentIntent's success in another event: nothing more.
    const intent = await engine.stripe.processor.client.paymentIntents.retrieve(partId);
    expect(await postEvent({ id: `evt_again_${partId}`, object: 'event', type: 'payment_intent.succeeded', created: Math.floor(Date.now() / 1000), data: { object: intent } })).toMatchObject({ duplicate: false });
    expect((await status(caseId)).history.filter((event) => event.type === 'payment_applied')).toHaveLength(1);
    expect((await status(caseId)).balance).toBe(25_000);

    // The rest, with the "pay in full" button: the live balance, and the case closes paid.
    const full = await browser.submit(link, { action: 'pay', caseId, full: 'on', amount: '', currency: 'USD', csrf, lang: 'en' });
    expect(full.text).toContain('Pay $250.00');
    const fullId = hiddenValue(full.text, 'paymentId');
    await engine.stripe.collectCard(hiddenSecret(full.text));
    const paid = await browser.submit(link, { action: 'pay_confirm', caseId, paymentId: fullId, csrf, lang: 'en' });
    expect(paid.text).toContain('Your payment of $250.00 was received');
    await eventually(async () => (await status(caseId)).closeReason === 'paid', 'the case closed as paid');
    expect((await status(caseId)).balance).toBe(0);
    const rows = await eventually(async () => {
      const found = await engine.db.payment.findMany({ where: { caseId }, orderBy: { amount: 'asc' } });
      return found.length === 2 && found;
    }, 'both payments in the read model');
    expect(rows.map((payment) => [payment.reference, payment.amount])).toEqual([
      [partId, 15_000],
      [fullId, 25_000],
    ]);
    expect(await engine.db.auditEvent.count({ where: { caseId, action: PageEvent.paid } })).toBe(2);
  });

  it('a refund of the payment that kept a promise made on the page brings the promise back, with the balance', async () => {
    const caseId = await enrollPerson(engine, strategy.key, 'PAGE-REFUND', { name: 'Owen Reyes', phone: '+15555550183' });
    const { link, browser, csrf } = await signedIn('+15555550183');
    const dueDate = DateTime.utc().plus({ days: 5 }).toISODate();
    expect((await browser.submit(link, { action: 'promise', caseId, amount: '300', dueDate, csrf, lang: 'en' })).text).toContain('We noted your promise to pay $300.00');

    const form = await browser.submit(link, { action: 'pay', caseId, amount: '300', currency: 'USD', csrf, lang: 'en' });
    const paymentId = hiddenValue(form.text, 'paymentId');
    await engine.stripe.collectCard(hiddenSecret(form.text));
    expect((await browser.submit(link, { action: 'pay_confirm', caseId, paymentId, csrf, lang: 'en' })).text).toContain('Your payment of $300.00 was received');
    await eventually(async () => (await status(caseId)).arrangement === null, 'the promise kept');
    expect((await status(caseId)).history.some((event) => event.type === 'arrangement_kept')).toBe(true);

    // Refunded at the processor; Stripe's charge.refunded reaches the engine.
    await engine.stripe.processor.client.refunds.create({ payment_intent: paymentId });
    const latest = (await engine.stripe.processor.client.paymentIntents.retrieve(paymentId)).latest_charge;
    const charge = await engine.stripe.processor.client.charges.retrieve(typeof latest === 'string' ? latest : (latest?.id ?? ''));
    expect(await postEvent({ id: `evt_refund_${paymentId}`, object: 'event', type: 'charge.refunded', created: Math.floor(Date.now() / 1000), data: { object: charge } })).toMatchObject({ outcome: 'reversal_sent' });
    const live = await eventually(async () => {
      const current = await status(caseId);
      return current.arrangement !== null && current;
    }, 'the promise back');
    expect(live.balance).toBe(125_000);
    expect(live.arrangement).toMatchObject({ kind: 'promise', paidTotal: 0, agreedBy: 'debtor_page', installments: [expect.objectContaining({ amount: 30_000, dueDate })] });
    expect(live.history.find((event) => event.type === 'payment_reversed')?.data).toMatchObject({ reference: paymentId, reason: 'refunded', amount: 30_000 });
    // The page shows the promise again, and the balance owed.
    const page = await browser.get(`${link}?lang=en`);
    expect(page.text).toContain('Your promise to pay');
    expect(page.text).toContain('$1,250.00');
  });
});

function hiddenSecret(page: string): string {
  const match = /data-secret="([^"]+)"/.exec(page);
  if (!match?.[1]) throw new Error('no card form in the page');
  return match[1];
}
