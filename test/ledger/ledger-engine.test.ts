import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagePerson } from '../../api/services/debtor-page/person.js';
import { agingReport } from '../../api/services/reports/aging.js';
import { asOfDay } from '../../api/services/reports/as-of.js';
import { liquidationReport } from '../../api/services/reports/liquidation.js';
import { messagesFor } from '../../debtor-page/i18n.js';
import { accrue, daysBetween } from '../../domain/ledger/interest.js';
import { formatMoney } from '../../domain/money.js';
import { accountsPage } from '../../debtor-page/views.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { pdfText } from '../../testing/pdf-text.js';
import { contactChangedSignal, ledgerQuery, statusQuery, strategyVersionChangedSignal, type CaseStatus } from '../../workflows/case-messages.js';
import { consumerEarly, negotiationLimits } from '../support/strategies.js';

/**
 * The account ledger on the real engine (time-skipping server, PostgreSQL, the API): an account
 * enrolled with its itemization and 18% interest accrues 60 days, pays part (fees, then interest,
 * then principal), the payment is returned; the live status, the ledger's read model and the
 * itemization agree to the cent. Fees and waivers go through the case's validator; bad input is
 * refused 422 naming the field, with nothing written.
 */

let engine: Engine;
let enrolled = 0;
// The call is far off: the tests together move the engine's clock by most of a year, and a case whose timeline ran out closes.
const strategy = { ...consumerEarly, key: 'ledger-test', steps: [{ id: 'reminder', at: 'P0D', action: 'email', template: 'reminder' }, { id: 'call', at: 'P3000D', action: 'call' }], negotiation: { ...negotiationLimits } };

beforeAll(async () => {
  engine = await startEngine({ temporal: 'time-skipping', api: true, worker: 'in-process', strategies: [strategy] });
});
afterAll(() => engine?.stop());

const status = (caseId: string): Promise<CaseStatus> => engine.temporal.workflow.getHandle(caseId).query(statusQuery);
const address = (region: string) => ({ line1: '1 Main St', city: 'Springfield', region, postalCode: '62701', country: 'US' });
const account = (ledger: unknown, region = 'IL', balance = 105_000) => ({
  externalId: `LEDGER-${++enrolled}`,
  strategy: 'ledger-test',
  currency: 'USD',
  balance,
  debtor: { name: 'Lena Ledger', email: 'lena@example.com', timeZone: 'America/Chicago', address: address(region) },
  ledger,
});
const today = () => new Date().toISOString().slice(0, 10);
/**
 * Days the engine's clock runs ahead of the API's when a test enrolls: earlier tests skipped time,
 * and a case's ledger accrues from its start as enrollment dated it (the API's clock); 0 in a test run alone.
 */
const lagDays = async () => daysBetween(today(), new Date(await engine.testEnv.currentTimeMs()).toISOString().slice(0, 10));
/** 18% on 100,000 of principal for `days` (e.g. 60 days: 100,000 × 18% × 60 / 365 = 2958.90 → 2958). */
const interestFor = (days: number) => accrue(100_000, { annualRatePpm: 180_000, dayCount: 'actual/365', base: 'principal' }, days).posted;
const usd = (minor: number) => formatMoney(minor, 'USD');
const itemized = () => ({ itemizationDate: today(), itemization: { principal: 100_000, interest: 4_000, fees: 1_000 }, interest: { annualRateBps: 1800 }, authorizedFees: ['late'] });

describe('account ledger on the engine', () => {
  it('accrues 60 days, pays part by the waterfall, is reversed: status, ledger and itemization agree to the cent', async () => {
    const created = await engine.call('POST', '/api/v1/accounts', { body: account(itemized()) });
    expect(created.status, created.text).toBe(201);
    const caseId = String(created.body.caseId);
    expect(created.body.balanceParts).toEqual({ principal: 100_000, interest: 4_000, fees: 1_000 });
    await expect.poll(async () => (await engine.call('GET', `/api/v1/cases/${caseId}/ledger`)).body.entries?.length, { timeout: 20_000 }).toBe(1);

    await engine.testEnv.sleep('60 days');
    // 100,000 × 18% × 60 / 365 = 2958.90: 2958 posted, however the month ends split it.
    const interest = 2_958;
    const paid = await engine.call('POST', `/api/v1/cases/${caseId}/payments`, { body: { reference: 'PAY-1', amount: 30_000, currency: 'USD' } });
    expect(paid.status, paid.text).toBe(202);
    await expect.poll(async () => (await status(caseId)).balance, { timeout: 20_000 }).toBe(105_000 + interest - 30_000);
    // Fees 1,000, then interest 4,000 + 2,958, then 22,042 of principal.
    expect((await status(caseId)).balanceParts).toEqual({ principal: 77_958, interest: 0, fees: 0 });
    const live = await engine.temporal.workflow.getHandle(caseId).query(ledgerQuery);
    expect(live?.entries.filter((entry) => entry.kind === 'interest').reduce((sum, entry) => sum + (entry.kind === 'interest' ? entry.amount : 0), 0)).toBe(interest);
    expect(live?.entries.find((entry) => entry.id === 'payment:PAY-1')).toMatchObject({ applied: { fees: 1_000, interest: 6_958, principal: 22_042 }, unapplied: 0 });

    await expect.poll(async () => engine.db.payment.count({ where: { caseId, reference: 'PAY-1' } }), { timeout: 20_000 }).toBe(1);
    const returned = await engine.call('POST', `/api/v1/cases/${caseId}/payments/PAY-1/reversal`, { body: { reason: 'NSF' } });
    expect(returned.status, returned.text).toBe(202);
    const owed = { principal: 100_000, interest: 4_000 + interest, fees: 1_000 };
    await expect.poll(async () => (await status(caseId)).balanceParts, { timeout: 20_000 }).toEqual(owed);

    const total = owed.principal + owed.interest + owed.fees;
    await expect.poll(async () => (await engine.call('GET', `/api/v1/cases/${caseId}/ledger`)).body.balance, { timeout: 20_000 }).toBe(total);
    const ledger = (await engine.call('GET', `/api/v1/cases/${caseId}/ledger`)).body;
    expect(ledger).toMatchObject({ keepsLedger: true, balance: total, parts: owed });
    expect(ledger.itemization).toEqual({ itemizationDate: today(), onItemizationDate: 105_000, interestSince: interest, feesSince: 0, paidOrCreditedSince: 0, now: total });
    expect(ledger.entries.at(-1)).toMatchObject({ kind: 'reversal', of: 'payment:PAY-1', effect: { fees: 1_000, interest: 6_958, principal: 22_042 } });
    const view = await engine.call('GET', `/api/v1/cases/${caseId}`);
    expect(view.body).toMatchObject({ balance: total, balanceParts: owed, live: true });
    expect((await engine.db.case.findUniqueOrThrow({ where: { id: caseId } })).balance).toBe(total);
    // The case file says the same, in JSON and in its PDF.
    const file = await engine.call('GET', `/api/v1/cases/${caseId}/case-file`);
    expect(file.status, file.text).toBe(200);
    expect(file.body.ledger).toEqual({ parts: owed, itemization: ledger.itemization });
    expect(file.body.balance.recorded).toBe(total);
    const pdf = await fetch(`${engine.baseUrl}/api/v1/cases/${caseId}/case-file?format=pdf`, { headers: { authorization: `Bearer ${engine.keys.manager}` } });
    const text = pdfText(Buffer.from(await pdf.arrayBuffer()));
    expect(text).toContain('$1,000.00 / $69.58 / $10.00');

    // Paid again the same day: the recovery report says what of it was principal, interest and fees.
    const now = new Date(await engine.testEnv.currentTimeMs());
    const again = await engine.call('POST', `/api/v1/cases/${caseId}/payments`, { body: { reference: 'PAY-2', amount: 30_000, currency: 'USD', receivedAt: now.toISOString() } });
    expect(again.status, again.text).toBe(202);
    await expect.poll(async () => (await engine.call('GET', `/api/v1/cases/${caseId}/ledger`)).body.balance, { timeout: 20_000 }).toBe(total - 30_000);
    const asOf = now.toISOString().slice(0, 10);
    const report = await engine.call('GET', `/api/v1/reports/recovery?asOf=${asOf}`);
    expect(report.status, report.text).toBe(200);
    expect(report.body.rows.find((row: { strategy: string }) => row.strategy === 'ledger-test')).toMatchObject({
      collected: 30_000,
      collectedFees: 1_000,
      collectedInterest: 6_958,
      collectedPrincipal: 22_042,
    });
  });

  it("a third-party account's notices itemize from the ledger: the verification answered after 60 days of interest agrees with the status, the ledger and the case file to the cent", async () => {
    expect((await engine.call('PUT', '/api/v1/clients/notice-client', { body: { name: 'Notice Bank' } })).status).toBe(201);
    const terms = { name: 'Collected for Notice Bank', regime: 'third_party', strategies: ['ledger-test'], commission: { basis: 'age_band', bands: [{ fromDays: 0, ratePercent: 10 }] }, remittance: { dayOfMonth: 10 } };
    expect((await engine.call('PUT', '/api/v1/clients/notice-client/portfolios/notice-collect', { body: terms })).status).toBe(201);
    const lag = await lagDays();
    const enrollment = { ...account(itemized()), portfolio: 'notice-collect' };
    const created = await engine.call('POST', '/api/v1/accounts', { body: enrollment });
    expect(created.status, created.text).toBe(201);
    const caseId = String(created.body.caseId);
    const sent = (template: string) => engine.db.communication.findMany({ where: { caseId, template, status: 'sent' }, orderBy: { createdAt: 'asc' } });
    // The notice on day 0 (by letter: no consent to electronic delivery) says no interest yet.
    await expect.poll(async () => (await sent('validation-notice')).length, { timeout: 20_000 }).toBe(1);
    const [notice] = await sent('validation-notice');
    expect(notice?.body).toContain(`You were charged this amount in interest: + ${usd(interestFor(lag))}`);
    expect(notice?.body).toContain(`Total amount of the debt now: ${usd(105_000 + interestFor(lag))}`);

    await engine.testEnv.sleep('60 days');
    const outcome = (key: string, body: Record<string, unknown>) => engine.call('POST', `/api/v1/cases/${caseId}/outcomes`, { key, body });
    expect((await outcome(engine.keys.officer, { kind: 'dispute', reason: 'the amount is wrong' })).status).toBe(200);
    expect((await outcome(engine.keys.manager, { kind: 'dispute_resolution', upheld: false, note: 'statements checked' })).status).toBe(200);
    await expect.poll(async () => (await sent('verification')).length, { timeout: 20_000 }).toBe(1);
    const [verification] = await sent('verification');

    // 100,000 × 18% × 60 / 365 = 2958.90: 2958 posted when the verification was written.
    const interest = interestFor(lag + 60);
    const owed = { principal: 100_000, interest: 4_000 + interest, fees: 1_000 };
    const total = owed.principal + owed.interest + owed.fees;
    const live = await status(caseId);
    expect(live).toMatchObject({ balance: total, balanceParts: owed });
    await expect.poll(async () => (await engine.call('GET', `/api/v1/cases/${caseId}/ledger`)).body.balance, { timeout: 20_000 }).toBe(total);
    const ledger = (await engine.call('GET', `/api/v1/cases/${caseId}/ledger`)).body;
    expect(ledger.itemization).toEqual({ itemizationDate: today(), onItemizationDate: 105_000, interestSince: interest, feesSince: 0, paidOrCreditedSince: 0, now: total });
    for (const line of ['you owed: $1,050.00', `You were charged this amount in interest: + ${usd(interest)}`, 'You were charged this amount in fees: + $0.00', 'You paid or were credited this amount toward the debt: – $0.00', `Total amount of the debt now: ${usd(total)}`]) {
      expect(verification?.body).toContain(line);
    }
    const file = await engine.call('GET', `/api/v1/cases/${caseId}/case-file`);
    expect(file.status, file.text).toBe(200);
    expect(file.body.ledger).toEqual({ parts: owed, itemization: ledger.itemization });
    expect(file.body.balance.recorded).toBe(total);

    // The debtor's page shows the same parts under the balance.
    const { debtorId } = await engine.db.account.findFirstOrThrow({ where: { externalId: enrollment.externalId }, select: { debtorId: true } });
    const person = await pagePerson({ db: engine.db, temporal: engine.temporal, debtorId, creditorName: 'Notice Bank' });
    expect(person?.accounts[0]?.balanceParts).toEqual(owed);
    const t = messagesFor('en');
    const page = accountsPage({ t, title: 'Accounts', brand: 'Notice Bank', switchHref: '#' }, { action: '/p/x', csrf: 'x', person: person!, payments: false, autopay: new Set(), today: today(), firstDueDate: today(), planLatest: today() });
    for (const [part, shown] of [['principal', '$1,000.00'], ['interest', usd(owed.interest)], ['fees', '$10.00']]) expect(page).toContain(`<dd class="part" data-part="${part}">${shown}</dd>`);

    // The aging report's balance of the client's open case is the ledger's, in its parts, on that day.
    const asOf = new Date(await engine.testEnv.currentTimeMs()).toISOString().slice(0, 10);
    const aging = await agingReport({ db: engine.db, at: asOfDay(asOf), scope: { client: 'notice-client' } });
    const filled = aging.rows.filter((row) => row.cases > 0);
    expect(filled).toEqual([expect.objectContaining({ currency: 'USD', cases: 1, balance: total, ...owed })]);
    for (const row of aging.rows) expect(row.principal + row.interest + row.fees).toBe(row.balance);
  });

  it('posts no interest while a dispute awaits its answer, and accrues again once it is answered', async () => {
    const lag = await lagDays();
    const created = await engine.call('POST', '/api/v1/accounts', { body: account(itemized()) });
    expect(created.status, created.text).toBe(201);
    const caseId = String(created.body.caseId);
    await expect.poll(async () => (await status(caseId).catch(() => null))?.status, { timeout: 20_000 }).toBe('open');
    const outcome = (key: string, body: Record<string, unknown>) => engine.call('POST', `/api/v1/cases/${caseId}/outcomes`, { key, body });
    const ledger = () => engine.temporal.workflow.getHandle(caseId).query(ledgerQuery);

    await engine.testEnv.sleep('10 days');
    expect((await outcome(engine.keys.officer, { kind: 'dispute', reason: 'the amount is wrong' })).status).toBe(200);
    await expect.poll(async () => (await ledger())?.interestStopped?.why, { timeout: 20_000 }).toMatch(/^dispute \(15 U\.S\.C\. 1692g\(b\)/);
    await engine.testEnv.sleep('30 days');
    expect((await ledger())?.accruedNotPosted).toBe(0);
    expect((await outcome(engine.keys.manager, { kind: 'dispute_resolution', upheld: false, note: 'statements checked' })).status).toBe(200);
    await expect.poll(async () => (await ledger())?.interestStopped, { timeout: 20_000 }).toBeNull();
    await engine.testEnv.sleep('20 days');
    expect((await engine.call('POST', `/api/v1/cases/${caseId}/payments`, { body: { reference: 'STOP-1', amount: 1_000, currency: 'USD' } })).status).toBe(202);
    // 10 days before the dispute and 20 after its answer: 100,000 × 18% × 30 / 365 = 1479.45 → 1479, not 60 days' 2958.
    // The fraction carries across the stop: the same as one accrual over the 30 days.
    await expect.poll(async () => (await status(caseId)).balanceParts, { timeout: 20_000 }).toEqual({ principal: 100_000, interest: 4_000 + interestFor(lag + 30), fees: 0 });
  });

  it('a notice that cannot be sent holds collection with one task across continue-as-new; sent on day 60 when an address comes, it itemizes 60 days of interest', async () => {
    expect((await engine.call('PUT', '/api/v1/clients/unsent-client', { body: { name: 'Unsent Bank' } })).status).toBe(201);
    const terms = { name: 'Collected for Unsent Bank', regime: 'third_party', strategies: ['ledger-test'], commission: { basis: 'age_band', bands: [{ fromDays: 0, ratePercent: 10 }] }, remittance: { dayOfMonth: 10 } };
    expect((await engine.call('PUT', '/api/v1/clients/unsent-client/portfolios/unsent-collect', { body: terms })).status).toBe(201);
    const lag = await lagDays();
    // An email without consent to electronic delivery, and no postal address: nothing can carry the notice.
    const enrollment = { ...account(itemized()), portfolio: 'unsent-collect', debtor: { name: 'Nora Noaddress', email: 'nora@example.com', timeZone: 'America/Chicago' } };
    const created = await engine.call('POST', '/api/v1/accounts', { body: enrollment });
    expect(created.status, created.text).toBe(201);
    const caseId = String(created.body.caseId);
    const handle = engine.temporal.workflow.getHandle(caseId);
    await expect.poll(async () => (await status(caseId).catch(() => null))?.nextActionWhy, { timeout: 20_000 }).toMatch(/^validation notice not sent/);
    const noticeTasks = () => engine.db.task.count({ where: { caseId, kind: 'notice' } });
    await expect.poll(noticeTasks, { timeout: 20_000 }).toBe(1);

    // Many changes later the case continues as new: still one task, still holding.
    const { runId: firstRun } = await handle.describe();
    const other = { id: 'other', key: 'other-strategy', version: 2, definition: strategy };
    // Signals until the first run's history passes the case's bound (a thousand events) or it has
    // continued as new (the handle then describes the new run), then at most one more to wake it:
    // a flood would keep meeting the continue-as-new, which is refused and tried again.
    const change = () => handle.signal(strategyVersionChangedSignal, { strategy: other as never, by: 'test', reason: 'a change that does not concern this case' });
    for (let batch = 0; ; batch++) {
      const { runId, historyLength } = await handle.describe();
      if (runId !== firstRun) break;
      if (historyLength > 1_000) {
        await change();
        break;
      }
      expect(batch, 'the history should pass a thousand events').toBeLessThan(100);
      for (let each = 0; each < 10; each++) await change();
      await status(caseId);
    }
    await expect.poll(async () => (await handle.describe()).runId, { timeout: 60_000 }).not.toBe(firstRun);
    await expect.poll(async () => (await status(caseId).catch(() => null))?.nextActionWhy, { timeout: 20_000 }).toMatch(/^validation notice not sent/);
    expect(await noticeTasks()).toBe(1);
    expect(await engine.db.communication.count({ where: { caseId } })).toBe(0);

    await engine.testEnv.sleep('60 days');
    expect(await engine.db.communication.count({ where: { caseId } })).toBe(0);
    await handle.signal(contactChangedSignal, { channel: 'letter', address: 'Nora Noaddress | 1 Main St | Springfield, IL 62701 | US', valid: true, source: 'skip_trace' });
    await expect.poll(async () => engine.db.communication.count({ where: { caseId, template: 'validation-notice', status: 'sent' } }), { timeout: 20_000 }).toBe(1);
    const notice = await engine.db.communication.findFirstOrThrow({ where: { caseId, template: 'validation-notice' } });
    // 100,000 × 18% × 60 / 365 = 2958.90: 2958 posted when the notice was written; the notice, the status and the ledger agree.
    const interest = interestFor(lag + 60);
    const owed = { principal: 100_000, interest: 4_000 + interest, fees: 1_000 };
    const total = 105_000 + interest;
    await expect.poll(async () => (await status(caseId)).history.some((event) => event.stepId === 'validation-notice' && event.type === 'step_done'), { timeout: 20_000 }).toBe(true);
    expect(await status(caseId)).toMatchObject({ balance: total, balanceParts: owed });
    const ledger = await handle.query(ledgerQuery);
    expect(ledger?.itemization).toMatchObject({ onItemizationDate: 105_000, interestSince: interest, feesSince: 0, paidOrCreditedSince: 0, now: total });
    for (const line of [`You were charged this amount in interest: + ${usd(interest)}`, `Total amount of the debt now: ${usd(total)}`]) expect(notice.body).toContain(line);
    // The timeline resumes after it: the reminder goes within the debtor's hours.
    await expect.poll(async () => (await status(caseId)).nextActionWhy, { timeout: 20_000 }).not.toMatch(/validation notice/);
    await engine.testEnv.sleep('1 day');
    await expect.poll(async () => engine.db.communication.count({ where: { caseId, template: 'reminder' } }), { timeout: 20_000 }).toBe(1);
    expect(await noticeTasks()).toBe(1);
  }, 120_000);

  it('adds an authorized fee, refuses another, and waives within authority or by a manager', async () => {
    const created = await engine.call('POST', '/api/v1/accounts', { body: account({ ...itemized(), interest: undefined }) });
    expect(created.status, created.text).toBe(201);
    const caseId = String(created.body.caseId);
    await expect.poll(async () => (await status(caseId).catch(() => null))?.status, { timeout: 20_000 }).toBe('open');

    const fee = await engine.call('POST', `/api/v1/cases/${caseId}/ledger/fees`, { key: engine.keys.officer, body: { feeType: 'late', amount: 2_500, reason: 'late charge under section 4 of the agreement' } });
    expect(fee.status, fee.text).toBe(200);
    expect(fee.body.parts).toEqual({ principal: 100_000, interest: 4_000, fees: 3_500 });
    const unauthorized = await engine.call('POST', `/api/v1/cases/${caseId}/ledger/fees`, { key: engine.keys.officer, body: { feeType: 'collection', amount: 2_500, reason: 'collection cost' } });
    expect(unauthorized.status).toBe(422);
    expect(unauthorized.body.error.fields).toEqual([{ path: 'body.feeType', message: expect.stringMatching(/agreement does not authorize a collection fee/) }]);

    const negative = await engine.call('POST', `/api/v1/cases/${caseId}/ledger/fees`, { key: engine.keys.officer, body: { feeType: 'late', amount: -100, reason: 'refund' } });
    expect(negative.status).toBe(422);
    expect(negative.body.error.fields).toEqual([{ path: 'body.amount', message: 'must be a whole number of minor units above 0' }]);
    const tooMuch = await engine.call('POST', `/api/v1/cases/${caseId}/ledger/waivers`, { key: engine.keys.officer, body: { part: 'interest', amount: 4_001, reason: 'goodwill' } });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.error.fields[0].path).toBe('body.amount');
    const officer = await engine.call('POST', `/api/v1/cases/${caseId}/ledger/waivers`, { key: engine.keys.officer, body: { part: 'fees', amount: 3_500, reason: 'goodwill' } });
    expect(officer.status, officer.text).toBe(200);
    const aboveAuthority = await engine.call('POST', `/api/v1/cases/${caseId}/ledger/waivers`, { key: engine.keys.officer, body: { part: 'interest', amount: 2_000, reason: 'hardship' } });
    expect(aboveAuthority.status).toBe(422);
    expect(aboveAuthority.body.error.message).toMatch(/above an officer's authority of 5000; a manager must waive it/);
    const manager = await engine.call('POST', `/api/v1/cases/${caseId}/ledger/waivers`, { key: engine.keys.manager, body: { part: 'interest', amount: 2_000, reason: 'hardship' } });
    expect(manager.status, manager.text).toBe(200);
    expect(manager.body.parts).toEqual({ principal: 100_000, interest: 2_000, fees: 0 });
    expect((await status(caseId)).balance).toBe(102_000);
  });

  it("pays by the portfolio's waterfall: a third-party portfolio that applies money to principal first", async () => {
    expect((await engine.call('PUT', '/api/v1/clients/ledger-client', { body: { name: 'Ledger client' } })).status).toBe(201);
    const terms = { name: 'Principal first', regime: 'third_party', strategies: ['ledger-test'], commission: { basis: 'age_band', bands: [{ fromDays: 0, ratePercent: 10 }] }, remittance: { dayOfMonth: 10 }, waterfall: 'principal_interest_fees' };
    const portfolio = await engine.call('PUT', '/api/v1/clients/ledger-client/portfolios/principal-first', { body: terms });
    expect(portfolio.status, portfolio.text).toBe(201);
    expect(portfolio.body.waterfall).toBe('principal_interest_fees');
    const created = await engine.call('POST', '/api/v1/accounts', { body: { ...account({ ...itemized(), interest: undefined }), portfolio: 'principal-first' } });
    expect(created.status, created.text).toBe(201);
    const caseId = String(created.body.caseId);
    await expect.poll(async () => (await status(caseId).catch(() => null))?.status, { timeout: 20_000 }).toBe('open');
    expect((await engine.call('POST', `/api/v1/cases/${caseId}/payments`, { body: { reference: 'PF-1', amount: 100_500, currency: 'USD' } })).status).toBe(202);
    await expect.poll(async () => (await status(caseId)).balanceParts, { timeout: 20_000 }).toEqual({ principal: 0, interest: 3_500, fees: 1_000 });
  });

  it('a portfolio that stops interest: an account enrolled with a rate accrues none', async () => {
    const terms = { name: 'Interest waived at charge-off', regime: 'debt_buyer', strategies: ['ledger-test'], commission: { basis: 'age_band', bands: [{ fromDays: 0, ratePercent: 10 }] }, remittance: { dayOfMonth: 10 }, accruesInterest: false };
    const portfolio = await engine.call('PUT', '/api/v1/clients/ledger-client/portfolios/no-interest', { body: terms });
    expect(portfolio.status, portfolio.text).toBe(201);
    expect(portfolio.body.accruesInterest).toBe(false);
    const created = await engine.call('POST', '/api/v1/accounts', { body: { ...account(itemized()), portfolio: 'no-interest' } });
    expect(created.status, created.text).toBe(201);
    const caseId = String(created.body.caseId);
    await expect.poll(async () => (await status(caseId).catch(() => null))?.status, { timeout: 20_000 }).toBe('open');
    await engine.testEnv.sleep('40 days');
    expect((await engine.call('POST', `/api/v1/cases/${caseId}/payments`, { body: { reference: 'NI-1', amount: 5_000, currency: 'USD' } })).status).toBe(202);
    await expect.poll(async () => (await status(caseId)).balanceParts, { timeout: 20_000 }).toEqual({ principal: 100_000, interest: 0, fees: 0 });
    const ledger = await engine.temporal.workflow.getHandle(caseId).query(ledgerQuery);
    expect(ledger?.terms?.interest).toBeUndefined();
    expect(ledger?.entries.map((entry) => entry.kind)).toEqual(['itemization', 'payment']);
  });

  it("a change to the portfolio's waterfall and interest reaches its open cases", async () => {
    expect((await engine.call('PUT', '/api/v1/clients/terms-client', { body: { name: 'Terms Bank' } })).status).toBe(201);
    const terms = { name: 'Terms that change', regime: 'first_party', strategies: ['ledger-test'], commission: { basis: 'age_band', bands: [{ fromDays: 0, ratePercent: 10 }] }, remittance: { dayOfMonth: 10 } };
    expect((await engine.call('PUT', '/api/v1/clients/terms-client/portfolios/changing', { body: terms })).status).toBe(201);
    const lag = await lagDays();
    const created = await engine.call('POST', '/api/v1/accounts', { body: { ...account(itemized()), portfolio: 'changing' } });
    expect(created.status, created.text).toBe(201);
    const caseId = String(created.body.caseId);
    await expect.poll(async () => (await status(caseId).catch(() => null))?.status, { timeout: 20_000 }).toBe('open');

    await engine.testEnv.sleep('10 days');
    const changed = await engine.call('PUT', '/api/v1/clients/terms-client/portfolios/changing', { body: { ...terms, waterfall: 'principal_interest_fees', accruesInterest: false } });
    expect(changed.status, changed.text).toBe(200);
    await expect.poll(async () => (await engine.temporal.workflow.getHandle(caseId).query(ledgerQuery))?.terms, { timeout: 20_000 }).toMatchObject({ waterfall: 'principal_interest_fees' });
    expect((await engine.temporal.workflow.getHandle(caseId).query(ledgerQuery))?.terms?.interest).toBeUndefined();
    await engine.testEnv.sleep('10 days');
    const first = await engine.call('POST', `/api/v1/cases/${caseId}/payments`, { body: { reference: 'TERMS-1', amount: 100_000, currency: 'USD' } });
    expect(first.status, first.text).toBe(202);
    // Principal first now, and interest only for the ten days before the change.
    await expect.poll(async () => (await status(caseId)).balanceParts, { timeout: 20_000 }).toEqual({ principal: 0, interest: 4_000 + interestFor(lag + 10), fees: 1_000 });

    // The liquidation curve says what the client's collections paid: 100,000 of principal, then 2,000 of interest.
    const second = await engine.call('POST', `/api/v1/cases/${caseId}/payments`, { body: { reference: 'TERMS-2', amount: 2_000, currency: 'USD' } });
    expect(second.status, second.text).toBe(202);
    await expect.poll(async () => engine.db.ledgerEntry.count({ where: { caseId, kind: 'payment' } }), { timeout: 20_000 }).toBe(2);
    await expect.poll(async () => engine.db.payment.count({ where: { caseId } }), { timeout: 20_000 }).toBe(2);
    const asOf = new Date(await engine.testEnv.currentTimeMs()).toISOString().slice(0, 10);
    const liquidation = await liquidationReport({ db: engine.db, at: asOfDay(asOf), scope: { client: 'terms-client' } });
    const points = liquidation.cohorts.flatMap((cohort) => cohort.points);
    expect(points.reduce((sum, point) => sum + point.collected, 0)).toBe(102_000);
    expect(points.filter((point) => point.collected > 0)).toEqual([expect.objectContaining({ collected: 102_000, collectedPrincipal: 100_000, collectedInterest: 2_000, collectedFees: 0 })]);
    for (const point of points) expect(point.collectedPrincipal + point.collectedInterest + point.collectedFees).toBe(point.collected);
  });

  it('refuses a rate above the state cap, a fee the state forbids, a negative part: 422 naming the field, nothing written', async () => {
    const cases = [
      { body: account({ ...itemized(), interest: { annualRateBps: 2500 } }, 'NY'), path: 'body.ledger.interest.annualRateBps', message: /above NY's cap of 1600/ },
      { body: account({ ...itemized(), interest: undefined, authorizedFees: ['collection'] }, 'CA'), path: 'body.ledger.authorizedFees.0', message: /CA does not allow a collection fee/ },
      { body: account({ ...itemized(), itemization: { principal: 106_000, interest: -1_000 } }), path: 'body.ledger.itemization.interest', message: /0 or more/ },
    ];
    for (const { body, path, message } of cases) {
      const answer = await engine.call('POST', '/api/v1/accounts', { body });
      expect(answer.status, answer.text).toBe(422);
      expect(answer.body.error).toMatchObject({ code: 'ledger_refused', fields: [{ path, message: expect.stringMatching(message) }] });
      expect(await engine.db.account.count({ where: { externalId: body.externalId } })).toBe(0);
    }
  });
});
