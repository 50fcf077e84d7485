import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../testing/engine.js';
import { testKeys } from '../../testing/api-client.js';
import { hasChromium, shot, signIn, startEngineAndBrowser } from './browser.js';

/**
 * The reports' champion/challenger tab in Chromium against the real API and PostgreSQL: segment
 * "retail" splits 40 cases each between "steady" (champion, 8 paid in full: 20%) and "bold"
 * (challenger, 20 paid: 50%). By hand: SEs sqrt(.2 x .8 / 39) = 0.064 and sqrt(.5 x .5 / 39) =
 * 0.080, z = 0.3 / 0.1025 = 2.9, significant. The manager sees each arm's rate with its interval
 * and the verdict with its test, promotes the challenger after confirming with a reason, and the
 * segment rules and the audit trail show it; an auditor sees the statistics but no button.
 */

let engine: Engine;
const day = 86_400_000;

async function seedArm({ arm, strategyId, count, paid }: { arm: string; strategyId: string; count: number; paid: number }) {
  const debtor = await engine.db.debtor.create({ data: { name: `Debtor ${arm}`, timeZone: 'UTC' } });
  const ids = Array.from({ length: count }, (_, index) => `cc-${arm}-${index}`);
  await engine.db.account.createMany({ data: ids.map((id) => ({ id: `a-${id}`, externalId: `EXT-${id}`, debtorId: debtor.id, currency: 'USD', originalBalance: 100_000, balance: 100_000, daysPastDue: 30 })) });
  await engine.db.case.createMany({
    data: ids.map((id) => ({ id, accountId: `a-${id}`, strategyId, arm, segment: 'retail', status: 'open', balance: 100_000, currency: 'USD', startedAt: new Date(Date.now() - 40 * day) })),
  });
  await engine.db.payment.createMany({ data: ids.slice(0, paid).map((id) => ({ caseId: id, reference: `pay-${id}`, amount: 100_000, currency: 'USD', receivedAt: new Date(Date.now() - 10 * day) })) });
}

describe.skipIf(!hasChromium)('champion/challenger statistics in the console', () => {
  let browser: Browser;

  beforeAll(async () => {
    [engine, browser] = await startEngineAndBrowser({ temporal: 'none' });
    const strategy = async (key: string) => (await engine.db.strategy.create({ data: { key, version: 1, name: key, status: 'active', definition: { key, steps: [] } } })).id;
    const steady = await strategy('steady');
    const bold = await strategy('bold');
    const saved = await engine.call('PUT', '/api/v1/segments', { body: { segments: [{ id: 'retail', strategy: 'steady', challenger: { strategy: 'bold', percent: 50 } }] } });
    expect(saved.status, saved.text).toBe(200);
    await seedArm({ arm: 'champion', strategyId: steady, count: 40, paid: 8 });
    await seedArm({ arm: 'challenger', strategyId: bold, count: 40, paid: 20 });
  });

  afterAll(async () => {
    await browser?.close();
    await engine?.stop();
  });

  it('shows each arm with its interval and the verdict, and promotes the challenger in one audited action', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1100 } });
    await signIn(engine, page, testKeys.manager, 'manager');
    await page.getByRole('navigation', { name: 'Pages', exact: true }).getByRole('link', { name: 'Reports' }).click();
    await page.getByRole('tab', { name: 'Champion vs challenger' }).click();

    const split = page.getByRole('article', { name: 'Segment retail (USD)' });
    const arms = split.getByRole('table', { name: 'Arms of Segment retail (USD)' });
    const rate = (arm: string) => arms.locator('tr', { has: page.getByRole('rowheader', { name: arm, exact: true }) }).locator('td').last().textContent();
    const low = (0.2 - 1.96 * Math.sqrt((0.2 * 0.8) / 39)) * 100;
    await expect.poll(() => rate('champion')).toBe(`20.0% (${low.toFixed(1)}%–${(40 - low).toFixed(1)}%)`);
    expect(await rate('challenger')).toMatch(/^50\.0% \(\d+\.\d%–\d+\.\d%\)$/);
    const verdict = split.getByTestId('recovery-verdict');
    expect(await verdict.getAttribute('data-verdict')).toBe('significant');
    expect(await verdict.textContent()).toMatch(/challenger − champion \+30\.0 pts \(.+\) — significant \(Welch's z-test \(unequal variances\) on the recovery rate, p = 0\.00\d\d\)/);
    await shot(page, 'champion-challenger-stats');

    // Promoting asks first, and wants a reason.
    await split.getByRole('button', { name: 'Promote challenger of segment retail…' }).click();
    const confirm = split.getByRole('form', { name: 'Confirm promoting the challenger of segment retail' });
    await confirm.getByLabel('Why').fill('significant at 40 cases an arm');
    await confirm.getByRole('button', { name: 'Confirm promotion' }).click();
    await split.getByRole('status').getByText(/segment retail now starts new accounts on bold \(segment rules v2\)/).waitFor();

    // The segment rules changed and the audit trail holds who, why and the statistics seen.
    const rules = await engine.call('GET', '/api/v1/segments');
    expect(rules.body).toMatchObject({ version: 2, segments: [{ id: 'retail', strategy: 'bold' }] });
    expect(rules.body.segments[0].challenger).toBeUndefined();
    const audit = await engine.db.auditEvent.findFirstOrThrow({ where: { action: 'challenger_promoted' } });
    expect(audit.data).toMatchObject({ segment: 'retail', from: 'steady', to: 'bold', reason: 'significant at 40 cases an arm' });

    // Once promoted there is no challenger left to promote: the statistics stay, the button does not.
    await page.reload();
    await page.getByRole('tab', { name: 'Champion vs challenger' }).click();
    await split.getByTestId('recovery-verdict').waitFor();
    await page.getByRole('button', { name: 'Promote challenger of segment retail…' }).waitFor({ state: 'detached' });
  });

  it('shows an auditor the statistics without the button', async () => {
    // Put the split back so a manager would see the button.
    expect((await engine.call('PUT', '/api/v1/segments', { body: { segments: [{ id: 'retail', strategy: 'steady', challenger: { strategy: 'bold', percent: 50 } }] } })).status).toBe(200);
    const page = await browser.newPage();
    await signIn(engine, page, testKeys.auditor, 'auditor');
    await page.getByRole('navigation', { name: 'Pages', exact: true }).getByRole('link', { name: 'Reports' }).click();
    await page.getByRole('tab', { name: 'Champion vs challenger' }).click();
    await page.getByRole('article', { name: 'Segment retail (USD)' }).getByTestId('recovery-verdict').waitFor();
    expect(await page.getByRole('button', { name: /Promote challenger/ }).count()).toBe(0);
  });
});
