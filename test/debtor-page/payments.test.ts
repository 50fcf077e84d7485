import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PageEvent } from '../../api/services/debtor-page/events.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { eventually } from '../../testing/eventually.js';
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
});

function hiddenSecret(page: string): string {
  const match = /data-secret="([^"]+)"/.exec(page);
  if (!match?.[1]) throw new Error('no card form in the page');
  return match[1];
}
