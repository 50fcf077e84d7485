import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../testing/engine.js';
import { testKeys } from '../../testing/api-client.js';
import { middayZone } from '../../testing/midday-zone.js';
import { consumerEarly } from '../support/strategies.js';
import { hasChromium, shot, signIn, startEngineAndBrowser } from './browser.js';

/**
 * The debtor screen in Debian's Chromium against the real engine: two accounts enrolled with the
 * same debtor.externalId are one person; an officer finds the person from the case and from the
 * search list, sees both accounts, adds a contact (shown with its source) and a designated
 * inconvenient time (listed, and in the API's answer); an auditor sees the person masked and no
 * form at all; a manager merges a suggested match after confirming it and undoes it. Pages are
 * photographed into test-results/screenshots/.
 */

const strategyKey = 'debtor-screen-test';
const definition = {
  ...consumerEarly,
  key: strategyKey,
  name: 'Debtor screen test strategy',
  // Nothing is sent while the test runs: the first step is days away.
  steps: [{ id: 'reminder', at: 'P5D', action: 'email', template: 'reminder' }],
};
const person = { externalId: 'PERSON-ANA', name: 'Ana Ruiz', email: 'ana.ruiz@example.com', phone: '+15555550142' };

let engine: Engine;
let browser: Browser;
let debtorId: string;
let firstCaseId: string;

describe.skipIf(!hasChromium)('the debtor screen in a real browser', () => {
  beforeAll(async () => {
    [engine, browser] = await startEngineAndBrowser();

    expect((await engine.call('POST', '/api/v1/strategies', { body: definition })).status).toBe(201);
    const enroll = async (externalId: string, balance: number) => {
      const answer = await engine.call('POST', '/api/v1/accounts', {
        body: { externalId, strategy: strategyKey, currency: 'USD', balance, daysPastDue: 40, debtor: { ...person, timeZone: middayZone() } },
      });
      expect(answer.status).toBe(201);
      return answer.body.caseId as string;
    };
    firstCaseId = await enroll('ANA-1', 120_000);
    await enroll('ANA-2', 35_050);
    const accounts = await engine.db.account.findMany({ where: { externalId: { in: ['ANA-1', 'ANA-2'] } }, select: { debtorId: true } });
    // Same debtor.externalId, one person.
    expect(new Set(accounts.map((account) => account.debtorId)).size).toBe(1);
    debtorId = accounts[0]?.debtorId ?? '';
  });

  afterAll(async () => {
    await browser?.close();
    await engine?.stop();
  });

  it('an officer opens the person from the case, sees both accounts, adds a contact and an inconvenient time', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1100 } });
    await signIn(engine, page, testKeys.officer, 'officer');
    await page.goto(`${engine.baseUrl}/console/cases/${firstCaseId}`);
    await page.getByRole('link', { name: person.name }).click();
    await page.getByRole('heading', { name: person.name, level: 2 }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/console/debtors/${debtorId}`);

    const accounts = page.getByRole('table', { name: 'Accounts' });
    await expect.poll(async () => (await accounts.locator('tbody tr').allTextContents()).map((row) => row.slice(0, 5)).sort()).toEqual(['ANA-1', 'ANA-2']);
    expect(await accounts.locator('tr', { hasText: 'ANA-2' }).textContent()).toContain('$350.50');
    expect(await page.getByTestId('person-total').textContent()).toBe('$1,550.50 on 2 accounts');
    // Each account says what it does next and why.
    expect(await accounts.locator('tr', { hasText: 'ANA-1' }).textContent()).toContain('step "reminder" (email) is due');

    // A number in the wrong form: refused, the field named, nothing added.
    await page.getByLabel('Channel', { exact: true }).selectOption('phone');
    await page.getByLabel('Number (E.164, e.g. +15555550123)').fill('555-0199');
    await page.getByRole('button', { name: 'Add contact' }).click();
    const refusal = page.getByRole('form', { name: 'Add a contact' }).getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/^Contact not added: .*value: .+/);
    expect(await engine.db.contact.count({ where: { debtorId, channel: 'phone' } })).toBe(0);

    // The number the debtor gave on the call.
    await page.getByLabel('Number (E.164, e.g. +15555550123)').fill('+15555550199');
    await page.getByLabel('Place', { exact: true }).selectOption('work');
    await page.getByLabel('Source', { exact: true }).selectOption('debtor');
    await page.getByRole('button', { name: 'Add contact' }).click();
    const contacts = page.getByRole('table', { name: 'Contacts' });
    const added = contacts.locator('tr', { hasText: '0199' });
    await added.waitFor();
    expect(await added.getByTestId('contact-source').textContent()).toMatch(/^the debtor/);
    expect(await added.textContent()).toContain('work');

    // Verified on the call: the standing says so, with the time.
    await added.getByRole('button', { name: /^Verify phone/ }).click();
    const verify = page.getByRole('form', { name: /^Mark verified: phone/ });
    await verify.getByLabel('Reason').fill('read back to the debtor');
    await verify.getByRole('button', { name: 'Mark verified' }).click();
    await added.getByText(/^verified /).waitFor();

    // "Not at work", and consent to be called given on this call.
    await page.getByLabel('Not to be contacted at').selectOption('work');
    await page.getByRole('button', { name: 'Add refused place' }).click();
    await page.getByRole('list', { name: 'Places refused' }).getByText('not at work').waitFor();
    await page.getByRole('button', { name: 'Record consent to be called (given on this call)' }).click();
    await expect.poll(() => page.getByTestId('call-consent').textContent()).toMatch(/^Given .+ \(debtor\)/);

    // "Don't call me before ten."
    await page.getByLabel('Inconvenient', { exact: true }).selectOption('not_before');
    await page.getByLabel('Time', { exact: true }).fill('10:00');
    await page.getByRole('button', { name: 'Add inconvenient time' }).click();
    await expect.poll(() => page.getByTestId('designated-time').allTextContents()).toEqual(['not before 10:00']);
    await shot(page, 'debtor-screen');

    // The API agrees: the contact with its source, the designation in the preferences.
    const detail = (await engine.call('GET', `/api/v1/debtors/${debtorId}?reveal=true`)).body;
    expect(detail.contacts).toContainEqual(expect.objectContaining({ channel: 'phone', value: '+15555550199', source: 'debtor', place: 'work', status: 'valid' }));
    expect(detail.preferences.inconvenientTimes).toEqual([expect.objectContaining({ from: '00:00', to: '10:00' })]);
    expect(detail.preferences.refusedPlaces).toEqual([expect.objectContaining({ place: 'work' })]);
    expect(detail.preferences.callConsent).toMatchObject({ source: 'debtor' });
    expect(detail.contacts.find((contact: { value: string }) => contact.value === '+15555550199').verifiedAt).toEqual(expect.any(String));

    // The same screen fits a phone.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('heading', { name: person.name, level: 2 }).waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth + 1')).toBe(true);
    await shot(page, 'debtor-screen-phone');
    await page.close();
  });

  it('the search list finds the person by name', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    await signIn(engine, page, testKeys.officer, 'officer');
    await page.getByRole('link', { name: 'Debtors' }).click();
    await page.getByLabel('Name').fill('ana ru');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('table', { name: 'Debtors' }).getByRole('link', { name: person.name }).click();
    await page.getByRole('table', { name: 'Accounts' }).locator('tr', { hasText: 'ANA-2' }).waitFor();
    await page.close();
  });

  it('an auditor sees the person masked and no forms', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    await signIn(engine, page, testKeys.auditor, 'auditor');
    await page.goto(`${engine.baseUrl}/console/debtors/${debtorId}`);
    const contacts = page.getByRole('table', { name: 'Contacts' });
    await contacts.waitFor();
    await page.getByRole('table', { name: 'Accounts' }).locator('tr', { hasText: 'ANA-2' }).waitFor();
    const values = await contacts.locator('.contact-value').allTextContents();
    expect(values.length).toBeGreaterThanOrEqual(3);
    for (const value of values) expect(value).toContain('***');
    expect(await page.getByText(person.email).count()).toBe(0);
    // Read-only: no form, no change button, the designation still listed.
    expect(await page.locator('main form').count()).toBe(0);
    expect(await page.getByRole('button', { name: /Add|Correct|Verify|Retire|Remove|Reveal|Record|Set flag|Save/ }).count()).toBe(0);
    expect(await page.getByTestId('designated-time').allTextContents()).toEqual(['not before 10:00']);
    await shot(page, 'debtor-screen-auditor');
    await page.close();
  });

  it('a manager merges a suggested match after confirming it, and undoes the merge', async () => {
    // The same email on an account enrolled without the person's id: a second person, suggested as a match.
    const enrolled = await engine.call('POST', '/api/v1/accounts', {
      body: { externalId: 'ANA-3', strategy: strategyKey, currency: 'USD', balance: 10_000, daysPastDue: 20, debtor: { name: 'Ana M. Ruiz', email: person.email, timeZone: middayZone() } },
    });
    expect(enrolled.status).toBe(201);
    const other = (await engine.db.account.findFirstOrThrow({ where: { externalId: 'ANA-3' } })).debtorId;
    expect(other).not.toBe(debtorId);

    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    await signIn(engine, page, testKeys.manager, 'manager');
    await page.getByRole('link', { name: 'Debtors' }).click();
    const suggestion = page.getByRole('list', { name: 'Suggested matches' }).getByRole('listitem').filter({ hasText: 'Ana M. Ruiz' });
    await suggestion.waitFor();
    expect(await suggestion.textContent()).toContain('same email address');
    await suggestion.getByRole('button', { name: /^Merge/ }).click();
    // The person with more accounts is kept unless the manager picks the other.
    expect(await suggestion.getByLabel('Keep').inputValue()).toBe(debtorId);
    await suggestion.getByLabel('Why they are one person').fill('same email, same person on the phone');
    await shot(page, 'debtor-merge-confirm');
    await suggestion.getByRole('button', { name: 'Confirm merge' }).click();
    await suggestion.waitFor({ state: 'detached' });

    await page.goto(`${engine.baseUrl}/console/debtors/${debtorId}`);
    const accounts = page.getByRole('table', { name: 'Accounts' });
    await expect.poll(async () => (await accounts.locator('tbody tr').allTextContents()).map((row) => row.slice(0, 5)).sort()).toEqual(['ANA-1', 'ANA-2', 'ANA-3']);
    const merges = page.getByRole('table', { name: 'Merges' });
    const row = merges.locator('tbody tr').first();
    expect(await row.textContent()).toContain('Ana M. Ruiz');
    await row.getByRole('button', { name: 'Undo the merge of Ana M. Ruiz into Ana Ruiz' }).click();
    await row.getByLabel('Why').fill('two people after all');
    await row.getByRole('button', { name: 'Undo merge' }).click();
    await row.getByText(/^undone /).waitFor();
    await expect.poll(async () => (await accounts.locator('tbody tr').allTextContents()).map((text) => text.slice(0, 5)).sort()).toEqual(['ANA-1', 'ANA-2']);
    await shot(page, 'debtor-merge-undone');
    expect(await engine.db.debtorMerge.findFirstOrThrow({ where: { survivorId: debtorId, mergedId: other } })).toMatchObject({ undoneAt: expect.any(Date), undoReason: 'two people after all' });
    await page.close();
  });
});
