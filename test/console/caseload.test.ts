import { DateTime } from 'luxon';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envKeyId } from '../../api/auth.js';
import type { Engine } from '../../testing/engine.js';
import { testKeys } from '../../testing/api-client.js';
import { middayZone } from '../../testing/midday-zone.js';
import { consumerEarly } from '../support/strategies.js';
import { hasChromium, shot, signIn, startEngineAndBrowser } from './browser.js';

/**
 * The officer's caseload in Debian's Chromium against the real engine: a manager gives a case to
 * the officer; the officer opens "my cases" from the queue, opens the case, adds a note and a
 * correction of it, books a callback at 22:00 on the debtor's clock (refused with the rule, in the
 * API's words), then at a permitted time, and finds it under "my callbacks today". The browser's
 * zone is the debtor's, where it is about midday, so the permitted time is today for both.
 */

const strategyKey = 'caseload-screen-test';
const zone = middayZone();
let engine: Engine;
let browser: Browser;
let caseId = '';

describe.skipIf(!hasChromium)("the officer's caseload in a real browser", () => {
  beforeAll(async () => {
    [engine, browser] = await startEngineAndBrowser();
    const definition = { ...consumerEarly, key: strategyKey, steps: [{ id: 'reminder', at: 'P5D', action: 'email', template: 'reminder' }] };
    expect((await engine.call('POST', '/api/v1/strategies', { body: definition })).status).toBe(201);
    const enrolled = await engine.call('POST', '/api/v1/accounts', {
      body: { externalId: 'MINE-1', strategy: strategyKey, currency: 'USD', balance: 42_000, debtor: { name: 'Mia Caseload', phone: '+15555550150', timeZone: zone } },
    });
    expect(enrolled.status).toBe(201);
    caseId = enrolled.body.caseId;
    expect((await engine.call('PUT', `/api/v1/cases/${caseId}/owner`, { body: { officer: envKeyId(testKeys.officer) } })).status).toBe(200);
  });

  afterAll(async () => {
    await browser?.close();
    await engine?.stop();
  });

  it('an officer opens my cases, adds a note and its correction, and books a callback (refused at 22:00 their time, then booked)', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1100 }, timezoneId: zone });
    await signIn(engine, page, testKeys.officer, 'officer');
    await page.goto(`${engine.baseUrl}/console/queue`);
    await page.getByRole('link', { name: 'My caseload' }).click();
    const mine = page.getByRole('table', { name: 'My cases' });
    await expect.poll(() => mine.locator('tbody').textContent()).toContain('MINE-1');
    await shot(page, 'caseload-my-cases');
    await mine.getByRole('link', { name: 'MINE-1' }).click();
    await page.getByRole('heading', { name: /Account MINE-1/ }).waitFor();
    expect(await page.getByTestId('owner').textContent()).toBe('You own this case.');

    // A note, then a correction naming it: both stay.
    await page.getByLabel('New note').fill('Promised to call back after payday.');
    await page.getByRole('button', { name: 'Add note' }).click();
    const notes = page.getByRole('list', { name: 'Notes, oldest first' });
    await expect.poll(() => notes.textContent()).toContain('Promised to call back after payday.');
    await notes.getByRole('button', { name: /^Correct the note/ }).click();
    await page.getByLabel(/^Correction of the note/).fill('Payday is Friday, not Thursday.');
    await page.getByRole('button', { name: 'Add correction' }).click();
    await expect.poll(() => notes.locator('li').count()).toBe(2);
    expect(await notes.textContent()).toContain('corrects an earlier note');
    expect(await notes.textContent()).toContain('Promised to call back after payday.');

    // 22:00 on the debtor's clock: refused with the rule.
    const tomorrow22 = DateTime.now().setZone(zone).plus({ days: 1 }).set({ hour: 22, minute: 0 });
    await page.getByLabel(/^Time the person chose/).fill(tomorrow22.toFormat("yyyy-MM-dd'T'HH:mm"));
    await page.getByRole('button', { name: 'Book callback' }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'Callback not booked' });
    await expect.poll(() => refusal.textContent()).toMatch(/22:00 local is outside 08:00–21:00/);
    await shot(page, 'caseload-callback-refused');
    expect(await engine.db.callback.count({ where: { caseId } })).toBe(0);

    // In ten minutes, their time (about midday): booked, and listed on the case.
    const soon = DateTime.now().setZone(zone).plus({ minutes: 10 }).startOf('minute');
    await page.getByLabel(/^Time the person chose/).fill(soon.toFormat("yyyy-MM-dd'T'HH:mm"));
    await page.getByLabel('Note for the call (optional)').fill('asked for a call before lunch');
    await page.getByRole('button', { name: 'Book callback' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Callback booked' }).textContent()).toContain(soon.toFormat('yyyy-MM-dd HH:mm'));
    await expect.poll(() => page.getByRole('list', { name: 'Callbacks, soonest first' }).textContent()).toContain('asked for a call before lunch');
    const stored = await engine.db.callback.findFirstOrThrow({ where: { caseId } });
    expect(stored.at.toISOString()).toBe(soon.toUTC().toISO());
    expect(stored.officer).toBe(envKeyId(testKeys.officer));

    // My callbacks today.
    await page.goto(`${engine.baseUrl}/console/my`);
    const today = page.getByRole('table', { name: 'My callbacks today' });
    await expect.poll(() => today.locator('tbody').textContent()).toContain('asked for a call before lunch');
    await shot(page, 'caseload-my-callbacks');
    await page.close();
  });
});
