import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../testing/engine.js';
import { testKeys } from '../../testing/api-client.js';
import { consumerEarly, plainTemplates } from '../support/strategies.js';
import { hasChromium, shot, signIn, startEngineAndBrowser } from './browser.js';

/**
 * The simulations page in Chromium against the real engine (PostgreSQL, the Temporal dev server,
 * the simulation worker): a manager compares two strategies on 30 open cases and sees both arms'
 * recovery curves with their interval bands beside the table; a refused request names its field;
 * the strategy editor simulates its text against the active version.
 */

const gentle = { key: 'sim-gentle', name: 'Gentle', templates: plainTemplates, steps: [{ id: 'reminder', at: 'P0D', action: 'email', template: 'reminder' }, { id: 'letter', at: 'P20D', action: 'letter', template: 'demand' }] };
const rates = { pay_full: 0.05, pay_part: 0.05, promise_kept: 0.03, promise_broken: 0.02, reply: 0.04, dispute: 0.01, opt_out: 0.02, bounce: 0.02 };

let engine: Engine;
let browser: Browser;

describe.skipIf(!hasChromium)('simulations in the console', () => {
  beforeAll(async () => {
    [engine, browser] = await startEngineAndBrowser({ strategies: [consumerEarly, gentle] });
    const strategy = await engine.db.strategy.findFirstOrThrow({ where: { key: 'consumer-early' } });
    for (let index = 0; index < 30; index++) {
      const debtor = await engine.db.debtor.create({
        data: { name: `Debtor ${index}`, timeZone: 'America/Chicago', contacts: { create: [{ channel: 'email', value: `c${index}@example.com`, consent: true }, { channel: 'sms', value: `+1555555${String(index).padStart(4, '0')}`, consent: true }] } },
      });
      const id = `console-sim-${index}`;
      await engine.db.account.create({ data: { id: `a-${id}`, externalId: `EXT-${id}`, debtorId: debtor.id, currency: 'USD', originalBalance: 40_000, balance: 40_000, daysPastDue: 45, portfolio: 'ACME' } });
      await engine.db.case.create({ data: { id, accountId: `a-${id}`, strategyId: strategy.id, status: 'open', balance: 40_000, currency: 'USD' } });
    }
    const model = await engine.call('POST', '/api/v1/response-models', { body: { name: 'baseline', model: { responseWindowDays: 7, partShare: 0.5, priorStrength: 10, base: rates, backgroundDailyPayFull: 0.002, strata: [] } } });
    expect(model.status).toBe(201);
  });

  afterAll(async () => {
    await browser?.close();
    await engine?.stop();
  });

  it('draws both arms with their intervals beside the table, and names a refused field', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1100 } });
    await signIn(engine, page, testKeys.manager, 'manager');
    await page.getByRole('navigation', { name: 'Pages', exact: true }).getByRole('link', { name: 'Simulations' }).click();
    const form = page.getByRole('form', { name: 'New simulation' });
    await expect.poll(() => form.getByLabel('Response model').inputValue()).toBe('baseline');
    await form.getByLabel('Strategy (key or key@version)').fill('consumer-early');
    await form.getByLabel('Compare with (optional)').fill('sim-gentle@1');
    await form.getByLabel('Portfolio').fill('ACME');

    // Zero runs: refused, naming the field.
    await form.getByLabel('Runs').fill('0');
    await form.getByRole('button', { name: 'Simulate' }).click();
    await form.getByRole('alert').getByText('body.runs').waitFor();

    await form.getByLabel('Runs').fill('20');
    await form.getByLabel('Days').fill('90');
    await form.getByRole('button', { name: 'Simulate' }).click();
    await page.waitForURL(/\/console\/simulations\/[0-9a-f-]{36}$/);
    await expect.poll(() => page.getByTestId('simulation-status').textContent(), { timeout: 60_000 }).toBe('completed');
    await page.getByTestId('simulation-progress').getByText(/^(\d+) of \1 chunks$/).waitFor();

    const chart = page.getByTestId('recovery-curves');
    for (const label of ['consumer-early@1', 'sim-gentle@1']) {
      // 91 days, each a point of the mean line; the band goes up the high side and back down the low.
      const line = await chart.getByTestId(`curve-${label}`).getAttribute('points');
      expect(line?.split(' ')).toHaveLength(91);
      const band = await chart.getByTestId(`band-${label}`).getAttribute('points');
      expect(band?.split(' ')).toHaveLength(182);
    }
    const table = page.getByTestId('simulation-table');
    await expect.poll(() => table.locator('thead th').allTextContents()).toEqual(['Figure', 'consumer-early@1', 'sim-gentle@1']);
    const recovery = table.locator('tr', { has: page.getByRole('rowheader', { name: 'Recovery rate' }) });
    await expect.poll(() => recovery.locator('td').allTextContents()).toEqual([expect.stringMatching(/^\d+\.\d% \(\d+\.\d%–\d+\.\d%\)$/), expect.stringMatching(/^\d+\.\d% \(\d+\.\d%–\d+\.\d%\)$/)]);
    await page.getByTestId('simulation-difference').getByText(/sim-gentle@1 − consumer-early@1, recovery rate on the same draws/).waitFor();
    await shot(page, 'simulation-comparison');

    // The list on the left holds it.
    await page.getByRole('list', { name: 'Recent simulations' }).getByText('consumer-early@1 vs sim-gentle@1').waitFor();
  });

  it("simulates the editor's draft against the active version", async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1100 } });
    await signIn(engine, page, testKeys.manager, 'manager');
    await page.goto(`${engine.baseUrl}/console/strategies/consumer-early`);
    await page.getByRole('button', { name: 'Simulate this draft against v1' }).click();
    await page.waitForURL(/\/console\/simulations\/[0-9a-f-]{36}$/);
    await page.getByRole('heading', { name: 'active vs draft' }).waitFor();
    await expect.poll(() => page.getByTestId('simulation-status').textContent(), { timeout: 60_000 }).toBe('completed');
    await page.getByText(/30 open cases of strategy consumer-early/).waitFor();
    await shot(page, 'simulation-draft');
  });
});
