import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../testing/engine.js';
import { eventually } from '../../testing/eventually.js';
import { statusQuery } from '../../workflows/case-messages.js';
import { hasChromium, shot, startEngineAndBrowser } from '../console/browser.js';
import { enrollPerson, facts, linkIn, pageStrategy } from './support.js';

/**
 * The proof in Chromium: a person opens the page link from an SMS the case sent through
 * the Twilio stand-in, confirms who they are, chooses a plan with autopay (the card typed into
 * localstripe's fake Stripe.js), and on the time-skipping server the first installment is charged
 * on its due date: the page then shows the plan and the payment. Also: axe-core finds no serious or
 * critical violation in English and Spanish, screenshots at a phone and a desktop width, three
 * wrong answers lock the check, an altered link, an amount above the balance and a declined card
 * each get a clear message, and the page's first-load size and time are measured.
 */

let engine: Engine;
let browser: Browser;
const strategy = pageStrategy('page-browser');
const figures: Record<string, unknown> = {};
const phone = { width: 390, height: 844 };
const desktop = { width: 1280, height: 900 };

beforeAll(async () => {
  if (!hasChromium) return;
  [engine, browser] = await startEngineAndBrowser({ temporal: 'time-skipping', api: true, worker: 'in-process', twilio: true, stripe: true, strategies: [strategy] }, { console: false });
});
afterAll(async () => {
  await browser?.close();
  await engine?.stop();
});

const status = (caseId: string) => engine.temporal.workflow.getHandle(caseId).query(statusQuery);
const dayOf = async (plusDays: number) => new Date((await engine.testEnv.currentTimeMs()) + plusDays * 86_400_000).toISOString().slice(0, 10);

async function smsLink(to: string): Promise<string> {
  const messages = await eventually(async () => {
    const sent = engine.twilio.messages.filter((message) => message.form.To === to);
    // The time-skipping server moves only when told: the case's short waits (its person's answer) need it.
    if (sent.length === 0) await engine.testEnv.sleep('5 seconds');
    return sent.length > 0 && sent;
  }, `an SMS to ${to}`);
  return linkIn(messages[0]!.form.Body ?? '');
}

/** axe-core in the page (evaluated, so the page's own CSP stays on); the serious and critical violations. */
async function axeProblems(page: Page): Promise<string[]> {
  const source = await readFile(path.resolve('node_modules/axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source);
  // The card fields belong to the processor's script (Stripe's own frame in production), not to this page.
  const result = await page.evaluate<{ violations: { id: string; impact: string | null; nodes: { target: unknown }[] }[] }>(`axe.run({ exclude: [['#card']] }, { resultTypes: ['violations'] })`);
  return result.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical').map((violation) => `${violation.id} (${violation.impact}) at ${JSON.stringify(violation.nodes.map((node) => node.target))}`);
}

/** The navigation's size and timings as the browser measured them. */
async function loadFigures(page: Page) {
  return page.evaluate(`(() => {
    const [entry] = performance.getEntriesByType('navigation');
    return {
      transferBytes: entry.transferSize,
      htmlBytes: entry.decodedBodySize,
      responseEndMs: Math.round(entry.responseEnd),
      domContentLoadedMs: Math.round(entry.domContentLoadedEventEnd),
      loadMs: Math.round(entry.loadEventEnd),
      resources: performance.getEntriesByType('resource').length,
    };
  })()`);
}

describe.skipIf(!hasChromium)('the debtor page in a real browser', () => {
  it('walks a person from the SMS link through identity to a plan with autopay charged on its due date', async () => {
    const caseId = await enrollPerson(engine, strategy.key, 'PAGE-WEB', { name: 'Ana Ruiz', phone: '+15555550191' });
    const link = await smsLink('+15555550191');
    const context = await browser.newContext({ viewport: phone, locale: 'en-US' });
    const page = await context.newPage();

    await page.goto(link);
    figures.identityFirstLoad = await loadFigures(page);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('First, confirm who you are');
    expect(await page.content()).not.toContain('1,250');
    expect(await axeProblems(page)).toEqual([]);
    await shot(page, 'debtor-page-identity-phone');

    await page.getByLabel('Last name').fill('Ruiz');
    await page.getByLabel('ZIP code').fill(facts.postalCode);
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Your open accounts');
    figures.accountsLoad = await loadFigures(page);
    expect(await page.getByText('$1,250.00').count()).toBeGreaterThan(0);
    expect(await axeProblems(page)).toEqual([]);
    await shot(page, 'debtor-page-accounts-phone-en');

    // Spanish, switched on the page.
    await page.getByRole('link', { name: 'Español' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Sus cuentas abiertas');
    expect(await page.getAttribute('html', 'lang')).toBe('es');
    expect(await axeProblems(page)).toEqual([]);
    await shot(page, 'debtor-page-accounts-phone-es');
    await page.getByRole('link', { name: 'English' }).click();

    // More than the balance: said plainly, nothing started.
    await page.getByLabel(/^Amount In USD/).first().fill('5000');
    await page.getByRole('button', { name: 'Pay this amount' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('The amount is more than the balance of $1,250.00.');

    // A declined card: the processor's script collects it, the charge is refused, the balance stands.
    await page.getByLabel(/^Amount In USD/).first().fill('100');
    await page.getByRole('button', { name: 'Pay this amount' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Pay by card');
    figures.cardPageLoad = await loadFigures(page);
    expect(await axeProblems(page)).toEqual([]);
    await shot(page, 'debtor-page-card-phone');
    await page.getByPlaceholder('number').fill('4000000000000341');
    await page.getByPlaceholder('exp_month').fill('12');
    await page.getByPlaceholder('exp_year').fill('30');
    await page.getByPlaceholder('cvc').fill('123');
    await page.getByPlaceholder('postal_code').fill('60601');
    await page.getByRole('button', { name: 'Pay $100.00' }).click();
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 20_000 }).toContain('The payment did not go through');
    expect((await status(caseId)).balance).toBe(125_000);

    // A plan of three monthly payments, the first in three days, with autopay.
    await page.getByLabel(/^3 monthly payments/).check();
    await page.getByLabel('First payment on').fill(await dayOf(3));
    await page.getByRole('button', { name: 'Choose this plan' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Your payment plan is in place');
    expect((await status(caseId)).arrangement).toMatchObject({ kind: 'plan', agreedBy: 'debtor_page' });
    await page.getByPlaceholder('number').fill('4242424242424242');
    await page.getByPlaceholder('exp_month').fill('12');
    await page.getByPlaceholder('exp_year').fill('30');
    await page.getByPlaceholder('cvc').fill('123');
    await page.getByPlaceholder('postal_code').fill('60601');
    await page.getByRole('button', { name: 'Save card for autopay' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent(), { timeout: 20_000 }).toContain('Autopay is set');
    await expect.poll(async () => (await status(caseId)).autopay?.by).toBe('debtor_page');

    // Four days on, the first installment was charged on its due date, off session.
    await engine.testEnv.sleep('4 days');
    const charged = await eventually(async () => {
      const live = await status(caseId);
      return live.history.some((event) => event.type === 'payment_applied') && live;
    }, 'the first autopay charge', 30_000);
    expect(charged.balance).toBe(125_000 - 41_666);
    const payment = await eventually(async () => (await engine.db.payment.findFirst({ where: { caseId } })) ?? false, 'the payment in the read model');
    expect(payment.amount).toBe(41_666);
    expect(payment.reference).toMatch(/^pi_/);

    await page.setViewportSize(desktop);
    await page.goto(`${link}?lang=en`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Your open accounts');
    expect(await page.getByText('Autopay is on').count()).toBe(1);
    const paidRow = page.getByRole('row').filter({ hasText: '$416.66' }).first();
    expect(await paidRow.textContent()).toContain('$416.66$416.66');
    expect(await page.getByText('$833.34').count()).toBeGreaterThan(0);
    // How the balance adds up, opened: what is left of it is principal (the ledger's parts).
    await page.getByText('How the balance adds up').click();
    await expect.poll(() => page.locator('dt.part').first().isVisible()).toBe(true);
    expect(await page.locator('dt.part').allTextContents()).toEqual(['Principal', 'Interest', 'Fees']);
    expect(await page.locator('dd.part').allTextContents()).toEqual(['$833.34', '$0.00', '$0.00']);
    expect(await axeProblems(page)).toEqual([]);
    await shot(page, 'debtor-page-accounts-desktop');
    await context.close();
  });

  it('locks after three wrong answers and refuses an altered link, each with a clear page', async () => {
    await enrollPerson(engine, strategy.key, 'PAGE-WEB-LOCK', { name: 'Luis Stone', phone: '+15555550192', language: 'es' });
    const link = await smsLink('+15555550192');
    const context = await browser.newContext({ viewport: phone });
    const page = await context.newPage();

    await page.goto(link.replace(/[0-9a-f]$/, (last) => (last === 'a' ? 'b' : 'a')));
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('This link is not valid');

    await page.goto(link);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Primero, confirme quién es');
    for (const expected of ['Le quedan 2 intentos', 'Le queda un intento', 'Demasiados intentos']) {
      await page.getByLabel('Apellido').fill('Stone');
      await page.getByLabel('Código postal (ZIP)').fill('11111');
      await page.getByRole('button', { name: 'Continuar' }).click();
      await expect.poll(() => page.locator('main').textContent()).toContain(expected);
    }
    expect(await axeProblems(page)).toEqual([]);
    await shot(page, 'debtor-page-locked-phone-es');
    await context.close();
    console.log(`DEBTOR-PAGE-FIGURES ${JSON.stringify(figures)}`);
    await writeFile(path.resolve('test-results/debtor-page-figures.json'), JSON.stringify(figures, null, 2));
  });
});
