import { readFile } from 'node:fs/promises';
import { DateTime } from 'luxon';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definitionYaml } from '../../console/src/editor/definition-yaml.js';
import type { Engine } from '../../testing/engine.js';
import { testKeys } from '../../testing/api-client.js';
import { eventually } from '../../testing/eventually.js';
import { middayZone } from '../../testing/midday-zone.js';
import { consumerEarly } from '../support/strategies.js';
import { hasChromium, shot, signIn, startEngineAndBrowser } from './browser.js';

/**
 * The web console in Debian's Chromium, driven by playwright-core, against the real engine
 * (PostgreSQL, Temporal dev server, worker, API serving the built console): an officer claims a
 * task, sees the policy limits, a refusal and the schedule, records a promise and sees the case
 * suspended; a manager breaks a strategy, sees the lint error at its line, fixes it, previews and
 * activates; the recovery report draws its chart from seeded payments. Every page is
 * photographed into test-results/screenshots/ for a reviewer.
 */

const day = (plus: number) => DateTime.utc().plus({ days: plus }).toISODate() ?? '';

const strategyKey = 'console-test';
const definition = {
  ...consumerEarly,
  key: strategyKey,
  name: 'Console test strategy',
  steps: [
    { id: 'call', at: 'PT0S', action: 'call' },
    { id: 'reminder', at: 'P2D', action: 'email', template: 'reminder' },
    { id: 'letter', at: 'P9D', action: 'letter', template: 'demand' },
  ],
  negotiation: { maxSettlementDiscountPercent: 30, maxInstallments: 12, minInstallment: 5_000, maxPromiseDays: 30, graceDays: 3, officerAuthority: { maxSettlementDiscountPercent: 10, maxInstallments: 6 } },
};

let engine: Engine;
let browser: Browser;
let officerCaseId: string;

describe.skipIf(!hasChromium)('the web console in a real browser', () => {
  beforeAll(async () => {
    [engine, browser] = await startEngineAndBrowser();

    expect((await engine.call('POST', '/api/v1/strategies', { body: definition })).status).toBe(201);
    const enroll = async (externalId: string, name: string, balance: number) => {
      const answer = await engine.call('POST', '/api/v1/accounts', {
        body: { externalId, strategy: strategyKey, currency: 'USD', balance, daysPastDue: 40, debtor: { name, email: `${externalId.toLowerCase()}@example.com`, phone: '+15555550123', timeZone: middayZone() } },
      });
      expect(answer.status).toBe(201);
      return answer.body.caseId as string;
    };
    officerCaseId = await enroll('CON-1', 'Dee Console', 100_000);
    const payingCaseId = await enroll('CON-2', 'Pat Payer', 50_000);
    expect((await engine.call('POST', `/api/v1/cases/${payingCaseId}/payments`, { body: { reference: 'CON-PAY-1', amount: 20_000 } })).status).toBe(202);
    await eventually(async () => (await engine.db.payment.count({ where: { caseId: payingCaseId } })) > 0, 'the payment in the projection');
    await eventually(async () => (await engine.db.task.count({ where: { caseId: officerCaseId, status: 'open' } })) > 0, 'the call task');
  });

  afterAll(async () => {
    await browser?.close();
    await engine?.stop();
  });

  it('an officer claims a task, sees the policy limits and a refusal, records a promise and sees the case suspended', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    await signIn(engine, page, testKeys.officer, 'officer');
    // Officers see their pages only.
    await expect.poll(() => page.getByRole('navigation', { name: 'Pages', exact: true }).textContent()).toBe('Work queueCasesDebtors');

    const row = page.locator('tr', { hasText: 'CON-1' });
    await row.getByText('call (+10)').waitFor();
    await shot(page, 'work-queue');
    await row.getByRole('button', { name: 'Claim task for CON-1' }).click();
    await page.getByRole('heading', { name: /Account CON-1/ }).waitFor();

    // Contacts are masked until revealed.
    await expect.poll(() => page.locator('.contact-value').first().textContent()).toMatch(/\*\*\*/);
    await page.getByRole('button', { name: 'Reveal contacts' }).click();
    await page.getByText('con-1@example.com').waitFor();

    await page.getByLabel('Agreed').selectOption('promise_to_pay');
    await expect.poll(() => page.getByLabel('Call outcome').inputValue()).toBe('promise');
    // Beyond the balance: the preview shows the policy's reason before anything is sent.
    await page.getByLabel('Amount (USD)').fill('2000');
    await page.getByLabel('Due date').fill(day(5));
    await page.getByTestId('refusal').waitFor();
    expect(await page.getByTestId('refusal').textContent()).toMatch(/^Refused by the policy: .+/);
    await page.getByLabel('Amount (USD)').fill('400');
    await page.getByText('Within the policy.').waitFor();
    const limits = page.getByLabel('Policy limits');
    expect(await limits.textContent()).toContain('Largest settlement discount30%');
    expect(await limits.textContent()).toContain('Promise at most30 days');
    expect(await page.getByRole('table', { name: 'Generated schedule' }).textContent()).toContain(day(5));
    await shot(page, 'case-outcome-preview');

    await page.getByRole('button', { name: 'Complete task' }).click();
    await page.getByTestId('suspended').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('suspended').textContent()).toBe('Timeline suspended: promise');
    expect(await page.getByTestId('next-action').textContent()).toContain(`promise: $400.00 due ${day(5)}`);
    await page.getByRole('heading', { name: /Promise to pay/ }).waitFor();
    await page.getByRole('button', { name: 'Show communications' }).click();
    await page.getByRole('heading', { name: 'Communications' }).waitFor();
    await shot(page, 'case-suspended');

    // The API agrees: the task is done and the promise is in force.
    const task = await engine.db.task.findFirstOrThrow({ where: { caseId: officerCaseId } });
    expect(task).toMatchObject({ status: 'done', outcome: 'promise' });
    const detail = await engine.call('GET', `/api/v1/cases/${officerCaseId}`);
    expect(detail.body.arrangement).toMatchObject({ kind: 'promise', status: 'active', installments: [{ amount: 40_000, dueDate: day(5) }] });
    expect((await engine.db.auditEvent.count({ where: { caseId: officerCaseId, action: 'contact_details_read' } })) > 0).toBe(true);
    await page.close();
  });

  it('a manager edits a strategy, sees the lint error at its line, fixes it, previews and activates the new version', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1100 } });
    await signIn(engine, page, testKeys.manager, 'manager');
    await page.goto(`${engine.baseUrl}/console/strategies/${strategyKey}`);
    await page.getByText('No problems.').waitFor();

    // The editor shows the stored definition as YAML; the line of the reminder's offset is known from it.
    const stored = (await engine.call('GET', `/api/v1/strategies/${strategyKey}`)).body.versions[0].definition;
    const expectedLine = definitionYaml(stored).split('\n').findIndex((line) => line.trim() === 'at: P2D') + 1;
    expect(expectedLine).toBeGreaterThan(0);

    const editor = page.getByRole('textbox', { name: 'Strategy definition (YAML)' });
    await page.locator('.cm-line', { hasText: 'at: P2D' }).click();
    await page.keyboard.press('End');
    await page.keyboard.press('Backspace');
    await page.keyboard.type('X');
    await page.getByText('1 problem(s)').waitFor();
    const problem = page.getByRole('list', { name: 'Problems' }).getByRole('listitem');
    expect(await problem.textContent()).toBe(`line ${expectedLine} steps.1.at must be an ISO-8601 duration such as P3D or PT2H`);
    // Underlined in the editor at that line.
    await page.locator('.cm-line', { hasText: 'at: P2X' }).locator('.cm-lintRange-error').waitFor();
    expect(await page.getByRole('button', { name: 'Save as draft' }).isDisabled()).toBe(true);
    await shot(page, 'strategy-lint-error');

    await editor.focus();
    await page.keyboard.press('Backspace');
    await page.keyboard.type('D');
    await page.getByText('No problems.').waitFor();
    // A real change so the draft differs: the letter two days later.
    await page.locator('.cm-line', { hasText: 'at: P9D' }).click();
    await page.keyboard.press('End');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await page.keyboard.type('11D');
    await page.getByText('No problems.').waitFor();
    await page.getByRole('button', { name: 'Save as draft' }).click();
    await page.getByTestId('version-2-status').waitFor();
    expect(await page.getByTestId('version-2-status').textContent()).toBe('draft');

    await page.getByRole('heading', { name: 'Preview v2 for a sample account' }).waitFor();
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    const timeline = page.getByRole('table', { name: 'Preview timeline' });
    await timeline.waitFor();
    const previewText = await timeline.textContent();
    expect(previewText).toContain('call');
    expect(previewText).toContain('letter');
    expect(previewText).toContain('day 11');
    await shot(page, 'strategy-preview');

    await page.getByRole('button', { name: 'Activate v2' }).click();
    await page.getByText('v2 is active: new accounts start on it.').waitFor();
    // The versions are fetched again after the message: a busy machine shows the old list a moment longer.
    await expect.poll(() => page.getByTestId('version-2-status').textContent()).toBe('active');
    await expect.poll(() => page.getByTestId('version-1-status').textContent()).toBe('retired');
    const versions = (await engine.call('GET', `/api/v1/strategies/${strategyKey}`)).body.versions;
    expect(versions[0]).toMatchObject({ version: 2, status: 'active', definition: { steps: [{ at: 'PT0S' }, { at: 'P2D' }, { at: 'P11D' }] } });
    await shot(page, 'strategies');
    await page.close();
  });

  it('the reports page draws the recovery chart from seeded payments, with the CSV and the champion-challenger view', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    await signIn(engine, page, testKeys.manager, 'manager');
    await page.goto(`${engine.baseUrl}/console/reports`);
    const table = page.getByRole('table', { name: 'Recovery' });
    const row = table.locator('tr', { hasText: strategyKey });
    await row.waitFor();
    // Two cases placed 1,500.00, 200.00 collected on one of them.
    // Collected 200.00, all of it principal (no interest or fees on these accounts).
    expect(await row.textContent()).toBe(`${strategyKey}21$1,500.00$200.00$200.00$0.00$0.00${((20_000 / 150_000) * 100).toFixed(1)}%`);
    // One bar per strategy, drawn by recharts as an SVG path.
    await page.locator('[data-testid="chart"] .recharts-bar-rectangle path').first().waitFor();
    expect(await page.locator('[data-testid="chart"] .recharts-bar-rectangle path').count()).toBeGreaterThan(0);
    await shot(page, 'reports-recovery');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^recovery-\d{4}-\d{2}-\d{2}\.csv$/);
    const [workbook] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download .xlsx' }).click()]);
    expect(workbook.suggestedFilename()).toMatch(/^recovery-\d{4}-\d{2}-\d{2}\.xlsx$/);
    // A zip (PK): the workbook itself, not an error page.
    expect((await readFile(await workbook.path())).subarray(0, 2).toString()).toBe('PK');

    await page.getByRole('tab', { name: 'Champion vs challenger' }).click();
    await page.getByRole('table', { name: 'Recovery' }).locator('th', { hasText: 'Arm' }).waitFor();
    await shot(page, 'reports-champion-challenger');
    await page.getByRole('tab', { name: 'Aging' }).click();
    const aging = page.getByRole('table', { name: 'Aging' });
    await aging.waitFor();
    // 1,300.00 still owed (1,000.00 + 300.00), all of it principal: balance, principal, interest, fees per bucket.
    const cents = (text: string) => Math.round(Number(text.replace(/[^0-9.]/g, '')) * 100);
    const owed = async () => {
      const cells = await aging.locator('tbody tr').evaluateAll((rows) => rows.map((tr) => [...tr.querySelectorAll('td')].slice(2).map((td) => td.textContent ?? '')));
      return [0, 1, 2, 3].map((column) => cells.reduce((sum, row) => sum + cents(row[column] ?? ''), 0));
    };
    await expect.poll(owed).toEqual([130_000, 130_000, 0, 0]);
    await shot(page, 'reports-aging');

    await page.close();
  });

  it('a manager pauses a case in bulk from the cases page, and imports a file with a rejected row', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    await signIn(engine, page, testKeys.manager, 'manager');
    await page.getByRole('link', { name: 'Cases' }).click();
    // CON-2 owes 300.00 after its payment; CON-1 owes 1,000.00.
    await page.getByLabel('Balance from').fill('250');
    await page.getByLabel('Balance to').fill('350');
    await page.getByRole('button', { name: 'Search' }).click();
    const cases = page.getByRole('table', { name: 'Cases' });
    await expect.poll(async () => (await cases.locator('tbody tr').allTextContents()).map((text) => text.slice(0, 5))).toEqual(['CON-2']);
    await page.getByLabel('Select CON-2').check();
    await page.getByLabel('Reason').fill('debtor asked for a week');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('1 done').waitFor();
    const paused = await engine.db.case.findFirstOrThrow({ where: { account: { externalId: 'CON-2' } } });
    await eventually(async () => (await engine.call('GET', `/api/v1/cases/${paused.id}`)).body.status === 'paused', 'the case paused');
    await expect
      .poll(async () => {
        await page.getByRole('button', { name: 'Search' }).click();
        return cases.locator('tr', { hasText: 'CON-2' }).locator('.badge').first().textContent();
      })
      .toBe('paused');
    await shot(page, 'cases');

    await page.getByRole('link', { name: 'Import' }).click();
    const csv = [
      'externalId,strategy,currency,balance,daysPastDue,debtorName,email,phone,timeZone,smsConsent',
      `CON-3,${strategyKey},USD,30000,12,Imported One,one@example.com,,${middayZone()},false`,
      `CON-4,${strategyKey},USD,not-money,12,Imported Two,two@example.com,,${middayZone()},false`,
    ].join('\n');
    await page.getByLabel('File (CSV with a header row, JSON Lines, or an .xlsx workbook)').setInputFiles({ name: 'accounts.csv', mimeType: 'text/csv', buffer: Buffer.from(`${csv}\n`) });
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByRole('heading', { name: /Import completed/ }).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('import-progress').textContent()).toBe('2 of 2 rows: 1 created, 0 updated, 0 unchanged, 1 rejected');
    const [rejected] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download rejected rows CSV' }).click()]);
    expect(rejected.suggestedFilename()).toMatch(/^import-[0-9a-f-]+-rejected\.csv$/);
    const rejectedCsv = await readFile(await rejected.path(), 'utf8');
    expect(rejectedCsv).toContain('CON-4');
    const [rejectedXlsx] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download rejected rows .xlsx' }).click()]);
    expect(rejectedXlsx.suggestedFilename()).toMatch(/^import-[0-9a-f-]+-rejected\.xlsx$/);
    expect((await readFile(await rejectedXlsx.path())).subarray(0, 2).toString()).toBe('PK');
    await shot(page, 'import');
    await page.close();
  });
});
