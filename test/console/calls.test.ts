import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../testing/engine.js';
import { testKeys } from '../../testing/api-client.js';
import { callStrategy, enroll, officerLine, zoneAtLocalHour } from '../calls/support.js';
import { expectCallRefused } from './call-steps.js';
import { hasChromium, shot, signIn, startEngineAndBrowser } from './browser.js';

/**
 * Click-to-call in Debian's Chromium against the real engine and the Twilio stand-in: the work
 * queue says on each task whether the debtor may be called now; on the case, a call at 21:xx in
 * the debtor's time is refused with the next permitted time and nothing is dialed, a call at
 * 09:xx rings the officer's line and bridges the debtor, and its disposition is recorded.
 */

let engine: Engine;
let browser: Browser;
let late: string;
let morning: string;

describe.skipIf(!hasChromium)('click-to-call in a real browser', () => {
  beforeAll(async () => {
    [engine, browser] = await startEngineAndBrowser({ twilio: true });
    expect((await engine.call('POST', '/api/v1/strategies', { body: callStrategy('console-calls') })).status).toBe(201);
    late = await enroll(engine, { strategy: 'console-calls', externalId: 'CONSOLE-LATE', person: 'P-CONSOLE-LATE', phone: '+15555550181', timeZone: zoneAtLocalHour(21) });
    morning = await enroll(engine, { strategy: 'console-calls', externalId: 'CONSOLE-MORNING', person: 'P-CONSOLE-MORNING', phone: '+15555550182', timeZone: zoneAtLocalHour(9) });
    for (const caseId of [late, morning]) await engine.db.task.create({ data: { caseId, kind: 'call', reason: 'call the debtor', idempotencyKey: `${caseId}:console-call` } });
  });

  afterAll(async () => {
    await browser?.close();
    await engine?.stop();
  });

  it('shows may-I-call in the queue, refuses the late call with the next time, places the morning call and records its disposition', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1100 } });
    await signIn(engine, page, testKeys.officer, 'officer');
    await page.goto(`${engine.baseUrl}/console/queue`);
    const queue = page.getByRole('table', { name: 'Tasks, highest priority first' });
    const lateBadge = queue.locator('tr', { hasText: 'CONSOLE-LATE' }).getByTestId('call-permission');
    const morningBadge = queue.locator('tr', { hasText: 'CONSOLE-MORNING' }).getByTestId('call-permission');
    await expect.poll(() => lateBadge.getAttribute('data-permitted')).toBe('false');
    expect(await lateBadge.textContent()).toContain('not before');
    await expect.poll(() => morningBadge.textContent()).toBe('☎ call now, until 21:00 (7 left)');
    await shot(page, 'calls-queue');

    await page.goto(`${engine.baseUrl}/console/cases/${late}`);
    await expectCallRefused(page, engine);
    await shot(page, 'calls-refused');

    await page.goto(`${engine.baseUrl}/console/cases/${morning}`);
    await expect.poll(() => page.getByTestId('may-i-call').textContent()).toMatch(/^May call now, until 21:00 debtor's time/);
    // The officer's line is remembered for the tab.
    expect(await page.getByLabel(/Your phone/).inputValue()).toBe(officerLine);
    await page.getByRole('button', { name: 'Call debtor' }).click();
    await page.getByTestId('call-placed').waitFor();
    expect(engine.twilio.calls).toHaveLength(1);
    expect(engine.twilio.calls[0]?.form.To).toBe(officerLine);
    await engine.twilio.runCall(engine.twilio.calls[0]?.sid ?? '', { durationSeconds: 61 });
    await page.reload();
    const calls = page.getByRole('table', { name: 'Calls on this case' });
    await expect.poll(() => calls.locator('tbody tr').first().textContent()).toContain('connected 61s');
    await calls.getByLabel('Outcome').selectOption('left_message');
    await calls.getByLabel('Right party').uncheck();
    await calls.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => calls.locator('tbody tr').first().textContent()).toContain('left message');
    await shot(page, 'calls-case');
    const recorded = await engine.db.call.findFirstOrThrow({ where: { caseId: morning } });
    expect(recorded).toMatchObject({ outcome: 'left_message', rightParty: false, connected: true, durationSeconds: 61 });
  });
});
