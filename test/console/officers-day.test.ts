import { DateTime } from 'luxon';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envKeyId } from '../../api/auth.js';
import type { Engine } from '../../testing/engine.js';
import { testKeys } from '../../testing/api-client.js';
import { eventually } from '../../testing/eventually.js';
import { startSkipTraceVendor, type SkipTraceVendorStandIn } from '../../testing/standins/skip-trace-vendor.js';
import { statusQuery } from '../../workflows/case-messages.js';
import { callStrategy, enroll, officerLine, zoneAtLocalHour } from '../calls/support.js';
import { hasChromium, shot, signIn, startEngineAndBrowser } from './browser.js';

/**
 * The officer's day (issue 19's proof) in Debian's Chromium, one session against the real engine:
 * the worker and the Temporal dev server, PostgreSQL, the Twilio stand-in (click-to-call over
 * HTTP), localstripe (the card read out by phone) and a skip-trace vendor on loopback. A manager
 * gives the officer a case on its screen (audited); the officer opens "my cases", tries a debtor
 * at 21:xx their time (refused with the next permitted time, nothing dialed) and one at 09:xx
 * (rung and bridged, disposition saved), writes a note that the debtor screen shows too, books
 * the callback the person asked for (in "my callbacks today"), takes a card payment by phone, and
 * confirms the phone number a skip trace found; an auditor reads that screen with the note masked.
 */

const zone = zoneAtLocalHour(9);
let engine: Engine;
let browser: Browser;
let vendor: SkipTraceVendorStandIn;
let late = '';
let morning = '';

/** Types a card into localstripe's fake card Element (its inputs are named by their placeholders). */
async function enterCard(page: Page, number: string) {
  const element = page.getByTestId('card-element');
  await element.getByPlaceholder('number').fill(number);
  await element.getByPlaceholder('exp_month').fill('12');
  await element.getByPlaceholder('exp_year').fill('30');
  await element.getByPlaceholder('cvc').fill('123');
  await element.getByPlaceholder('postal_code').fill('60601');
}

describe.skipIf(!hasChromium)("the officer's day in a real browser", () => {
  beforeAll(async () => {
    vendor = await startSkipTraceVendor({ findings: () => [{ channel: 'phone', value: '+15555550197', confidence: 81 }] });
    [engine, browser] = await startEngineAndBrowser({ twilio: true, stripe: true, workerEnv: { SKIP_TRACE_URL: vendor.url, SKIP_TRACE_TOKEN: vendor.token } });
    expect((await engine.call('POST', '/api/v1/strategies', { body: callStrategy('officers-day') })).status).toBe(201);
    late = await enroll(engine, { strategy: 'officers-day', externalId: 'DAY-LATE', person: 'P-DAY-LATE', phone: '+15555550191', timeZone: zoneAtLocalHour(21) });
    morning = await enroll(engine, { strategy: 'officers-day', externalId: 'DAY-MORNING', person: 'P-DAY-MORNING', phone: '+15555550192', timeZone: zone });
    // The manager gives the morning case to the officer (the late one on the screen, below), and sends its debtor to the skip-trace vendor.
    expect((await engine.call('PUT', `/api/v1/cases/${morning}/owner`, { body: { officer: envKeyId(testKeys.officer) } })).status).toBe(200);
    const traced = await engine.call('POST', '/api/v1/skip-traces', { body: { caseIds: [morning], mode: 'http' } });
    expect(traced.status, traced.text).toBe(202);
    await eventually(async () => {
      const { body } = await engine.call('GET', `/api/v1/skip-traces/${traced.body.batchId}`, { key: testKeys.officer });
      return body.requests.every((request: { status: string }) => request.status === 'completed');
    }, 'the skip trace to come back', 45_000);
  });

  afterAll(async () => {
    await browser?.close();
    await engine?.stop();
    await vendor?.stop();
  });

  it('my cases, a call refused at 21:xx and placed at 09:xx, a note on case and debtor screen, a callback, a phone payment, a skip-traced phone confirmed', async () => {
    // The manager reassigns the late case on its screen: an unknown key is refused naming the field, the officer's key is taken, audited.
    const manager = await browser.newPage({ viewport: { width: 1440, height: 1100 } });
    await signIn(engine, manager, testKeys.manager, 'manager');
    await manager.goto(`${engine.baseUrl}/console/cases/${late}`);
    await manager.getByLabel(/^New owner/).fill('no-such-key');
    await manager.getByRole('button', { name: 'Reassign' }).click();
    await expect.poll(() => manager.getByRole('alert').filter({ hasText: 'Not reassigned' }).textContent()).toContain('body.officer');
    await manager.getByLabel(/^New owner/).fill(envKeyId(testKeys.officer));
    await manager.getByLabel(/^Reassignment note/).fill('evening shift');
    await manager.getByRole('button', { name: 'Reassign' }).click();
    await expect.poll(() => manager.getByTestId('owner').textContent()).toBe(`Officer key ${envKeyId(testKeys.officer)}`);
    const audit = await engine.db.auditEvent.findFirstOrThrow({ where: { caseId: late, action: 'owner_assigned' } });
    expect(audit).toMatchObject({ before: { officer: null }, after: { officer: envKeyId(testKeys.officer) }, actor: expect.stringMatching(/^manager:/) });
    await manager.close();

    // The officer works in the morning debtor's zone, so "today" is the same day for both.
    const page = await browser.newPage({ viewport: { width: 1440, height: 1400 }, timezoneId: zone });
    await signIn(engine, page, testKeys.officer, 'officer');
    await page.goto(`${engine.baseUrl}/console/queue`);
    await page.getByRole('link', { name: 'My caseload' }).click();
    const mine = page.getByRole('table', { name: 'My cases' });
    await expect.poll(() => mine.locator('tbody').textContent()).toMatch(/DAY-LATE[\s\S]*DAY-MORNING|DAY-MORNING[\s\S]*DAY-LATE/);

    // 21:xx on the debtor's clock: refused with the next permitted time, nothing dialed.
    await mine.getByRole('link', { name: 'DAY-LATE' }).click();
    await expect.poll(() => page.getByTestId('may-i-call').textContent()).toMatch(/^Not now, from .*\(08:00 debtor's time\)/);
    await page.getByLabel(/Your phone/).fill(officerLine);
    await page.getByRole('button', { name: 'Call debtor' }).click();
    const refused = page.getByRole('alert').filter({ hasText: 'Not dialed' });
    await refused.waitFor();
    expect(await refused.textContent()).toMatch(/next permitted at \d{4}-\d{2}-\d{2}T/);
    expect(engine.twilio.calls).toHaveLength(0);
    await shot(page, 'officers-day-refused');

    // 09:xx: the officer's line rings and the debtor is bridged; the disposition is saved.
    await page.goBack();
    await mine.getByRole('link', { name: 'DAY-MORNING' }).click();
    await expect.poll(() => page.getByTestId('may-i-call').textContent()).toMatch(/^May call now, until 21:00 debtor's time/);
    await page.getByRole('button', { name: 'Call debtor' }).click();
    await page.getByTestId('call-placed').waitFor();
    expect(engine.twilio.calls.map((call) => call.form.To)).toEqual([officerLine]);
    expect(engine.twilio.calls[0]?.form.Twiml).toContain('<Number>+15555550192</Number>');
    await engine.twilio.runCall(engine.twilio.calls[0]?.sid ?? '', { durationSeconds: 95 });
    await page.reload();
    const calls = page.getByRole('table', { name: 'Calls on this case' });
    await expect.poll(() => calls.locator('tbody tr').first().textContent()).toContain('connected 95s');
    await calls.getByLabel('Outcome').selectOption('left_message');
    await calls.getByLabel('Right party').uncheck();
    await calls.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => calls.locator('tbody tr').first().textContent()).toContain('left message');

    // A note.
    await page.getByLabel('New note').fill('Spouse answered; Ana calls back before lunch.');
    await page.getByRole('button', { name: 'Add note' }).click();
    await expect.poll(() => page.getByRole('list', { name: 'Notes, oldest first' }).textContent()).toContain('Spouse answered; Ana calls back before lunch.');

    // The callback the person asked for, in ten minutes on their clock (09:xx, inside the window).
    const soon = DateTime.now().setZone(zone).plus({ minutes: 10 }).startOf('minute');
    await page.getByLabel(/^Time the person chose/).fill(soon.toFormat("yyyy-MM-dd'T'HH:mm"));
    await page.getByLabel('Note for the call (optional)').fill('before lunch, on the mobile');
    await page.getByRole('button', { name: 'Book callback' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Callback booked' }).textContent()).toContain(soon.toFormat('yyyy-MM-dd HH:mm'));

    // A card read out by phone: $150.00 of the $500.00 owed.
    const payment = page.getByRole('region', { name: 'Take a payment' });
    await payment.getByLabel('To charge (USD)').fill('150');
    await payment.getByRole('button', { name: 'Enter card' }).click();
    await enterCard(page, '4242424242424242');
    await payment.getByRole('button', { name: /Charge/ }).click();
    await expect.poll(() => payment.getByTestId('payment-outcome').textContent()).toMatch(/^Paid: \$150\.00 \(pi_/);
    await expect.poll(async () => (await engine.temporal.workflow.getHandle(morning).query(statusQuery)).balance).toBe(35_000);
    await shot(page, 'officers-day-case');

    // The debtor screen: the note (with its account), and the phone the skip trace found, confirmed.
    await page.locator('#debtor-title').getByRole('link').click();
    const personNotes = page.getByRole('list', { name: "Notes on the person's accounts, newest first" });
    await expect.poll(() => personNotes.textContent()).toContain('Spouse answered; Ana calls back before lunch.');
    expect(await personNotes.textContent()).toContain('account DAY-MORNING');
    const found = page.getByRole('region', { name: 'Found by skip trace, not yet confirmed' });
    expect(await found.textContent()).toContain('confidence 81%');
    await found.getByLabel('Why it is confirmed').fill('Ana answered on it');
    await found.getByRole('button', { name: /^Confirm phone/ }).click();
    await expect.poll(() => page.getByRole('region', { name: 'Found by skip trace, not yet confirmed' }).count()).toBe(0);
    const contact = await engine.db.contact.findFirstOrThrow({ where: { value: '+15555550197', source: 'skip_trace' } });
    expect(contact.verifiedAt).not.toBeNull();
    expect(await engine.db.auditEvent.count({ where: { debtorId: contact.debtorId, action: 'debtor_contact_changed', data: { path: ['reason'], equals: 'Ana answered on it' } } })).toBe(1);
    await shot(page, 'officers-day-debtor');

    // The day's callbacks.
    await page.goto(`${engine.baseUrl}/console/my`);
    await expect.poll(() => page.getByRole('table', { name: 'My callbacks today' }).locator('tbody').textContent()).toContain('before lunch, on the mobile');

    // What the day left in the record: one call (the refused one dialed nothing), one note, one callback, one payment.
    expect(await engine.db.call.count({ where: { caseId: { in: [late, morning] } } })).toBe(1);
    expect(await engine.db.call.findFirstOrThrow({ where: { caseId: morning } })).toMatchObject({ connected: true, durationSeconds: 95, outcome: 'left_message', rightParty: false });
    expect(await engine.db.caseNote.count({ where: { caseId: morning } })).toBe(1);
    expect((await engine.db.callback.findFirstOrThrow({ where: { caseId: morning } })).at.toISOString()).toBe(soon.toUTC().toISO());
    await page.close();

    // An auditor reading the same debtor screen sees that there is a note, not what it says.
    const auditor = await browser.newPage({ viewport: { width: 1440, height: 1100 } });
    await signIn(engine, auditor, testKeys.auditor, 'auditor');
    await auditor.goto(`${engine.baseUrl}/console/debtors/${contact.debtorId}`);
    await auditor.getByText('Note text is masked for your role.').waitFor();
    const masked = auditor.getByRole('list', { name: "Notes on the person's accounts, newest first" });
    await expect.poll(() => masked.textContent()).toContain('account DAY-MORNING');
    expect(await masked.textContent()).not.toContain('Spouse answered');
    await auditor.close();
  });
});
