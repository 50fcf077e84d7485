import { DateTime } from 'luxon';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../testing/engine.js';
import { testKeys } from '../../testing/api-client.js';
import { eventually } from '../../testing/eventually.js';
import { middayZone } from '../../testing/midday-zone.js';
import { consumerEarly, negotiationLimits } from '../support/strategies.js';
import { hasChromium, shot, signIn, startEngineAndBrowser } from './browser.js';

/**
 * Account servicing in Debian's Chromium against the real engine: an officer reschedules a
 * promise and then cancels it with a reason on the case screen; a manager approves a plan an
 * officer agreed above their authority; an officer confirms a contact a skip trace found.
 */

const strategyKey = 'servicing-console-test';
const day = (plus: number) => DateTime.utc().plus({ days: plus }).toISODate() ?? '';

let engine: Engine;
let browser: Browser;

async function enroll(externalId: string): Promise<string> {
  const answer = await engine.call('POST', '/api/v1/accounts', {
    body: { externalId, strategy: strategyKey, currency: 'USD', balance: 100_000, debtor: { name: 'Rae Servicing', email: `${externalId.toLowerCase()}@example.com`, timeZone: middayZone() } },
  });
  expect(answer.status).toBe(201);
  return answer.body.caseId as string;
}

describe.skipIf(!hasChromium)('account servicing in a real browser', () => {
  beforeAll(async () => {
    [engine, browser] = await startEngineAndBrowser();
    const definition = { ...consumerEarly, key: strategyKey, steps: [{ id: 'reminder', at: 'P5D', action: 'email', template: 'reminder' }], negotiation: negotiationLimits };
    expect((await engine.call('POST', '/api/v1/strategies', { body: definition })).status).toBe(201);
  });

  afterAll(async () => {
    await browser?.close();
    await engine?.stop();
  });

  it('an officer reschedules a promise, then cancels it with a reason; a manager approves a plan above authority', async () => {
    const caseId = await enroll('SRV-C1');
    expect((await engine.call('POST', `/api/v1/cases/${caseId}/outcomes`, { key: testKeys.officer, body: { kind: 'promise_to_pay', amount: 30_000, dueDate: day(5) } })).status).toBe(200);
    const page = await browser.newPage({ viewport: { width: 1440, height: 1100 } });
    await signIn(engine, page, testKeys.officer, 'officer');
    await page.goto(`${engine.baseUrl}/console/cases/${caseId}`);
    const panel = page.getByRole('region', { name: 'Change the arrangement' });
    await panel.getByLabel('Next payment on').fill(day(12));
    await panel.getByLabel('Reason for the change').fill('payday moved');
    await panel.getByRole('button', { name: 'Record the change' }).click();
    await expect.poll(async () => (await engine.call('GET', `/api/v1/cases/${caseId}`)).body.arrangement?.installments[0]?.dueDate).toBe(day(12));
    // The screen shows the new schedule once the change is recorded.
    await panel.getByRole('status').filter({ hasText: 'Recorded.' }).waitFor();
    await page.getByRole('cell', { name: day(12), exact: true }).waitFor();
    await shot(page, 'servicing-rescheduled');

    await panel.getByLabel('Change', { exact: true }).selectOption('arrangement_cancel');
    await panel.getByLabel('Reason for the change').fill('the debtor withdrew the promise');
    await panel.getByRole('button', { name: 'Record the change' }).click();
    await expect.poll(async () => (await engine.call('GET', `/api/v1/cases/${caseId}`)).body.arrangement).toBeNull();
    await expect.poll(() => page.getByRole('region', { name: 'Change the arrangement' }).count()).toBe(0);

    // Above the officer's 6 installments: the manager sees it waiting and approves it.
    const planCase = await enroll('SRV-C2');
    const plan = await engine.call('POST', `/api/v1/cases/${planCase}/outcomes`, { key: testKeys.officer, body: { kind: 'payment_plan', downPayment: 10_000, installments: 8, frequency: 'monthly', firstDueDate: day(5) } });
    expect(plan.body.arrangement.status).toBe('pending_approval');
    const manager = await browser.newPage({ viewport: { width: 1440, height: 1100 } });
    await signIn(engine, manager, testKeys.manager, 'manager');
    await manager.goto(`${engine.baseUrl}/console/cases/${planCase}`);
    const decision = manager.getByRole('group', { name: "Manager's decision" });
    await decision.getByLabel('Decision note').fill('steady income');
    await decision.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(async () => (await engine.call('GET', `/api/v1/cases/${planCase}`)).body.arrangement?.status).toBe('active');
    await shot(manager, 'servicing-plan-approved');
  });

  it('an officer confirms a contact a skip trace found, with the reason, on the debtor screen', async () => {
    const caseId = await enroll('SRV-C3');
    const { debtorId } = (await engine.call('GET', `/api/v1/cases/${caseId}/debtor`)).body as { debtorId: string };
    // What a completed skip trace leaves (test/servicing/skip-trace.test.ts runs the vendor itself).
    const found = await engine.db.contact.create({ data: { debtorId, channel: 'phone', value: '+15555550188', source: 'skip_trace', confidence: 82 } });
    const page = await browser.newPage({ viewport: { width: 1440, height: 1100 } });
    await signIn(engine, page, testKeys.officer, 'officer');
    await page.goto(`${engine.baseUrl}/console/debtors/${debtorId}`);
    const panel = page.getByRole('region', { name: 'Found by skip trace, not yet confirmed' });
    expect(await panel.textContent()).toContain('confidence 82%');
    await panel.getByLabel('Why it is confirmed').fill('the debtor answered on it');
    await panel.getByRole('button', { name: /^Confirm phone/ }).click();
    await eventually(async () => (await engine.db.contact.findUniqueOrThrow({ where: { id: found.id } })).verifiedAt, 'the contact confirmed');
    await expect.poll(() => page.getByRole('region', { name: 'Found by skip trace, not yet confirmed' }).count()).toBe(0);
    expect(await engine.db.auditEvent.count({ where: { debtorId, action: 'debtor_contact_changed', data: { path: ['reason'], equals: 'the debtor answered on it' } } })).toBe(1);
  });
});
