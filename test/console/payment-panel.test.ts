import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testKeys } from '../../testing/api-client.js';
import type { Engine } from '../../testing/engine.js';
import { statusQuery } from '../../workflows/case-messages.js';
import { consumerEarly } from '../support/strategies.js';
import { enterCard, hasChromium, shot, signIn, startEngineAndBrowser } from './browser.js';

/**
 * The officer's payment panel on the case screen in Debian's Chromium, against the real engine and
 * localstripe's fake Stripe.js (loaded from localstripe through the console's Content-Security-
 * Policy): a card read out by phone is charged and shows on the case once; a declined card says so
 * and changes nothing; an amount above the balance is refused naming the field; a payment made
 * elsewhere is recorded with its reference.
 */

const strategy = { ...consumerEarly, key: 'payment-panel-test', steps: [{ id: 'reminder', at: 'P5D', action: 'email', template: 'reminder' }] };

let engine: Engine;
let browser: Browser;
let caseId: string;

const balance = async () => (await engine.temporal.workflow.getHandle(caseId).query(statusQuery)).balance;

describe.skipIf(!hasChromium)("the officer's payment panel in a real browser", () => {
  beforeAll(async () => {
    [engine, browser] = await startEngineAndBrowser({ stripe: true, strategies: [strategy] });
    const account = await engine.call('POST', '/api/v1/accounts', {
      body: { externalId: 'PANEL-1', strategy: strategy.key, currency: 'USD', balance: 50_000, debtor: { name: 'Pat Phone', email: 'pat@example.com', timeZone: 'America/Chicago' } },
    });
    expect(account.status).toBe(201);
    caseId = account.body.caseId as string;
  });

  afterAll(async () => {
    await browser?.close();
    await engine?.stop();
  });

  it('charges a card by phone, declines a bad one, refuses too much, and records a payment made elsewhere', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
    const refusedScripts: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) refusedScripts.push(message.text());
    });
    await signIn(engine, page, testKeys.officer, 'officer');
    await page.goto(`${engine.baseUrl}/console/cases/${caseId}`);
    const panel = page.getByRole('region', { name: 'Take a payment' });

    // More than the balance: the API's refusal, naming the field.
    await panel.getByLabel('To charge (USD)').fill('600');
    await panel.getByRole('button', { name: 'Enter card' }).click();
    await expect.poll(() => panel.getByRole('alert').textContent()).toContain('body.amount');

    // A card that declines.
    await panel.getByLabel('To charge (USD)').fill('150');
    await panel.getByRole('button', { name: 'Enter card' }).click();
    await enterCard(page, '4000000000000341');
    await panel.getByRole('button', { name: /Charge/ }).click();
    await expect.poll(() => panel.getByTestId('payment-outcome').textContent()).toMatch(/^Declined: .*declined/i);
    expect(await balance()).toBe(50_000);

    // A good card.
    await panel.getByRole('button', { name: 'Enter card' }).click();
    await enterCard(page, '4242424242424242');
    await shot(page, 'case-payment-panel-card');
    await panel.getByRole('button', { name: /Charge/ }).click();
    await expect.poll(() => panel.getByTestId('payment-outcome').textContent()).toMatch(/^Paid: \$150\.00 \(pi_/);
    await expect.poll(balance).toBe(35_000);
    await expect.poll(() => page.getByTestId('balance').textContent()).toContain('$350.00');

    // Paid elsewhere, with its reference.
    await panel.getByLabel('Paid elsewhere (reference)').check();
    await panel.getByLabel('Reference (bank transfer, check, receipt)').fill('CHK-2041');
    await panel.getByLabel('Amount paid (USD)').fill('50');
    await panel.getByRole('button', { name: 'Record payment' }).click();
    await expect.poll(balance).toBe(30_000);
    await expect.poll(() => page.getByRole('region', { name: 'Payments' }).textContent()).toContain('CHK-2041');
    await shot(page, 'case-payment-panel-paid');

    // One payment per charge, however the webhook and the page's confirmation crossed.
    const applied = (await engine.temporal.workflow.getHandle(caseId).query(statusQuery)).history.filter((event) => event.type === 'payment_applied');
    expect(applied.map((event) => event.data?.amount).sort()).toEqual([15_000, 5_000].sort());
    expect(refusedScripts).toEqual([]);
  });
});
