import { DateTime } from 'luxon';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignArm } from '../../domain/segments.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { eventually } from '../../testing/eventually.js';
import { hasChromium, shot, signIn, startEngineAndBrowser } from '../console/browser.js';
import { enrollPerson, facts, hiddenValue, linkIn, pageClient, pageStrategy } from './support.js';

/**
 * The funnel report's page rows from what people really did on the page (dev server, the case
 * workflow, PostgreSQL, the Twilio stand-in, localstripe): a champion/challenger split of two
 * strategies, each person texted their link by the case; some open it, some confirm who they are,
 * and then pay, choose a plan, promise or dispute. The report tells the two arms apart at each step,
 * and the console's funnel report shows them to a manager (Chromium).
 */

let engine: Engine;
let browser: Browser | undefined;
const champion = pageStrategy('funnel-champion');
const challenger = pageStrategy('funnel-challenger');
const segment = 'page-split';

beforeAll(async () => {
  const options = { twilio: true, stripe: true, strategies: [champion, challenger] };
  if (hasChromium) [engine, browser] = await startEngineAndBrowser(options);
  else engine = await startEngine(options);
});
afterAll(async () => {
  await browser?.close();
  await engine?.stop();
});

/** External ids the split puts in `arm` (the arm is a hash of the segment and the id, so it can be chosen). */
function idsIn(arm: 'champion' | 'challenger', count: number): string[] {
  const ids: string[] = [];
  for (let n = 0; ids.length < count; n++) if (assignArm(segment, `FUNNEL-${n}`, 50).arm === arm) ids.push(`FUNNEL-${n}`);
  return ids;
}

async function linkFor(phone: string): Promise<string> {
  const sent = await eventually(async () => {
    const found = engine.twilio.messages.filter((message) => message.form.To === phone);
    return found.length > 0 && found;
  }, `an SMS to ${phone}`);
  return linkIn(sent[0]!.form.Body ?? '');
}

/** Opens the link; with `confirm`, answers the identity check and returns the acts' form. */
async function visit(phone: string, confirm: boolean) {
  const link = await linkFor(phone);
  const browser = pageClient();
  const opened = await browser.get(link);
  expect(opened.status).toBe(200);
  if (!confirm) return null;
  expect((await browser.post(link, { csrf: hiddenValue(opened.text, 'csrf'), method: 'last4', last4: facts.accountLast4 })).status).toBe(303);
  const csrf = hiddenValue((await browser.get(link)).text, 'csrf');
  return { link, browser, act: (form: Record<string, string>) => browser.submit(link, { csrf, lang: 'en', ...form }) };
}

describe('the funnel report and the debtor page', () => {
  it('counts messages sent, links opened, identities confirmed and what followed, per strategy and arm of a split', async () => {
    const saved = await engine.call('PUT', '/api/v1/segments', {
      key: engine.keys.manager,
      body: { segments: [{ id: segment, match: { portfolio: 'funnel' }, strategy: champion.key, challenger: { strategy: challenger.key, percent: 50 } }] },
    });
    expect(saved.status).toBe(200);
    const [paying, looking] = idsIn('champion', 2);
    const [planning, promising, disputing, silent] = idsIn('challenger', 4);
    const people = [
      [paying, '+15555550301'],
      [looking, '+15555550302'],
      [planning, '+15555550303'],
      [promising, '+15555550304'],
      [disputing, '+15555550305'],
      [silent, '+15555550306'],
    ] as const;
    const cases: Record<string, string> = {};
    for (const [externalId, phone] of people) cases[externalId!] = await enrollPerson(engine, null, externalId!, { name: `Pat ${externalId}`, phone }, 50_000, { portfolio: 'funnel' });
    const arms = await engine.db.case.findMany({ where: { id: { in: Object.values(cases) } }, select: { arm: true, strategy: { select: { key: true } } } });
    expect(arms.filter((row) => row.arm === 'champion' && row.strategy.key === champion.key)).toHaveLength(2);
    expect(arms.filter((row) => row.arm === 'challenger' && row.strategy.key === challenger.key)).toHaveLength(4);

    // Champion: one pays by card, one only looks (twice: one link opened).
    const payer = (await visit('+15555550301', true))!;
    const form = await payer.act({ action: 'pay', caseId: cases[paying!]!, amount: '100', currency: 'USD' });
    await engine.stripe.collectCard(/data-secret="([^"]+)"/.exec(form.text)![1]!);
    const paid = await payer.act({ action: 'pay_confirm', caseId: cases[paying!]!, paymentId: hiddenValue(form.text, 'paymentId') });
    expect(paid.text).toContain('Your payment of $100.00 was received');
    await visit('+15555550302', false);
    await visit('+15555550302', false);

    // Challenger: a plan, a promise, a dispute; one never opens the link.
    const planner = (await visit('+15555550303', true))!;
    expect((await planner.act({ action: 'plan', caseId: cases[planning!]!, installments: '2', firstDueDate: DateTime.utc().plus({ days: 7 }).toISODate() })).text).toContain('Your payment plan is in place');
    const promiser = (await visit('+15555550304', true))!;
    expect((await promiser.act({ action: 'promise', caseId: cases[promising!]!, amount: '50', dueDate: DateTime.utc().plus({ days: 3 }).toISODate() })).text).toContain('We noted your promise');
    const disputer = (await visit('+15555550305', true))!;
    expect((await disputer.act({ action: 'dispute', caseId: cases[disputing!]!, reason: 'not my debt' })).text).toContain('We received your dispute');

    const rows = await eventually(async () => {
      const report = await engine.call('GET', `/api/v1/reports/funnel?asOf=${DateTime.utc().toISODate()}`, { key: engine.keys.manager });
      expect(report.status).toBe(200);
      const page = (report.body.page as { strategy: string; messagesSent: number }[]).filter((row) => row.strategy.startsWith('funnel-'));
      // Once all six texts count as sent (a send's row may still be written as the report runs).
      return page.reduce((sum, row) => sum + row.messagesSent, 0) >= people.length && page;
    }, 'the page rows of the funnel');
    expect(rows).toEqual([
      { strategy: challenger.key, arm: 'challenger', messagesSent: 4, linksOpened: 3, identityConfirmed: 3, paid: 0, plan: 1, promise: 1, dispute: 1, openRate: 0.75, conversionRate: 0.6667 },
      { strategy: champion.key, arm: 'champion', messagesSent: 2, linksOpened: 2, identityConfirmed: 1, paid: 1, plan: 0, promise: 0, dispute: 0, openRate: 1, conversionRate: 0.5 },
    ]);
  });

  it.skipIf(!hasChromium)("shows the page's funnel per strategy and arm in the console's funnel report", async () => {
    const page = await browser!.newPage({ viewport: { width: 1440, height: 1000 } });
    await signIn(engine, page, engine.keys.manager, 'manager');
    await page.goto(`${engine.baseUrl}/console/reports`);
    await page.getByRole('tab', { name: 'Funnel' }).click();
    const table = page.getByRole('table', { name: 'Debtor page funnel' });
    const row = (strategy: string) => table.locator('tbody tr', { hasText: strategy }).locator('td').allTextContents();
    await expect.poll(() => row(challenger.key)).toEqual([challenger.key, 'challenger', '4', '3', '3', '0', '1', '1', '1', '75.0%', '66.7%']);
    expect(await row(champion.key)).toEqual([champion.key, 'champion', '2', '2', '1', '1', '0', '0', '0', '100.0%', '50.0%']);
    await shot(page, 'reports-funnel-debtor-page');
    await page.close();
  });
});
