import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PageEvent } from '../../api/services/debtor-page/events.js';
import { lockedUntil } from '../../api/services/debtor-page/identity.js';
import { collectionDisclosure } from '../../domain/disclosures.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { middayZone } from '../../testing/midday-zone.js';
import { eventually } from '../../testing/eventually.js';
import { statusQuery } from '../../workflows/case-messages.js';
import { enrollPerson, facts, hiddenValue, linkIn, pageClient, pageStrategy } from './support.js';

/**
 * The debtor page on the real engine (dev server, the case workflow, PostgreSQL, the Twilio
 * stand-in): the link from a real SMS, nothing shown before the identity check, three wrong
 * answers locking it, an altered or expired link, the session and its CSRF token, bad input that
 * changes nothing, and a plan chosen online landing on the case as an officer's would.
 */

let engine: Engine;
const strategy = pageStrategy('page-api');
// The strategy asks for the account number's last four; its client "acme" wants the date of birth instead.
const portfolioStrategy = pageStrategy('page-portfolio', { selfService: { identity: ['last4'], identityByPortfolio: { acme: ['birth_date'] } } });

// The link in an email as well.
const emailStrategy = {
  ...pageStrategy('page-email'),
  templates: { reminder: { channel: 'email', subject: 'Your balance of {{balance}}', body: `Hello {{debtor.name}}, pay or set up a plan online: {{links.pay}}\n\n${collectionDisclosure.en}` } },
  steps: [
    { id: 'reminder', at: 'PT0S', action: 'email', template: 'reminder' },
    { id: 'call', at: 'P30D', action: 'call' },
  ],
};

beforeAll(async () => {
  engine = await startEngine({ twilio: true, smtp: true, strategies: [strategy, portfolioStrategy, emailStrategy] });
});
afterAll(() => engine?.stop());

async function smsLinkFor(phone: string): Promise<string> {
  const messages = await eventually(async () => {
    const sent = engine.twilio.messages.filter((message) => message.form.To === phone);
    return sent.length > 0 && sent;
  }, `an SMS to ${phone}`);
  return linkIn(messages[0]!.form.Body ?? '');
}

const status = (caseId: string) => engine.temporal.workflow.getHandle(caseId).query(statusQuery);

/** Opens the person's link and confirms who they are by the account number's last four; the page's form token. */
async function signedIn(phone: string) {
  const link = await smsLinkFor(phone);
  const browser = pageClient();
  const opened = await browser.get(link);
  expect((await browser.post(link, { csrf: hiddenValue(opened.text, 'csrf'), method: 'last4', last4: facts.accountLast4 })).status).toBe(303);
  const page = await browser.get(`${link}?lang=en`);
  const csrf = hiddenValue(page.text, 'csrf');
  return { link, browser, page, act: (form: Record<string, string>) => browser.submit(link, { csrf, lang: 'en', ...form }) };
}

describe('the debtor page', () => {
  it('shows nothing before identity, locks after three wrong answers, refuses altered and expired links', async () => {
    const caseId = await enrollPerson(engine, strategy.key, 'PAGE-LOCK', { name: 'Bob Stone', phone: '+15555550171' });
    const link = await smsLinkFor('+15555550171');
    const browser = pageClient();
    // What the check needs is kept as keyed hashes only.
    const account = await engine.db.account.findFirstOrThrow({ where: { externalId: 'PAGE-LOCK' }, include: { debtor: true } });
    expect(account.last4Hash).toMatch(/^[0-9a-f]{64}$/);
    expect(account.debtor.postalCodeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(account.debtor.birthDateHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(account)).not.toMatch(/60601|1980-04-23|4321/);
    const refused = await engine.call('POST', '/api/v1/accounts', {
      key: engine.keys.integration,
      body: { externalId: 'PAGE-BAD', strategy: strategy.key, currency: 'USD', balance: 100, accountLast4: '12a4', debtor: { name: 'X Y', timeZone: 'UTC', birthDate: '2999-01-01' } },
    });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toMatch(/body\.accountLast4/);
    expect(JSON.stringify(refused.body)).toMatch(/body\.debtor\.birthDate/);

    const first = await browser.get(link);
    expect(first.status).toBe(200);
    expect(first.text).toContain('First, confirm who you are');
    expect(first.text).not.toContain('1,250');
    expect(first.text).not.toContain('PAGE-LOCK');

    // Altered: one character of the signature, or of the id.
    const altered = link.replace(/.$/, (last) => (last === '0' ? '1' : '0'));
    const alteredAnswer = await browser.get(altered);
    expect(alteredAnswer.status).toBe(404);
    expect(alteredAnswer.text).toContain('This link is not valid');
    expect(alteredAnswer.text).not.toContain('confirm who you are');

    const csrf = hiddenValue(first.text, 'csrf');
    const wrong = { csrf, method: 'last_name_zip', lastName: 'Stone', postalCode: '13579' };
    const one = await browser.post(link, wrong);
    expect(one.status).toBe(422);
    expect(one.text).toContain('2 tries left');
    expect((await browser.post(link, wrong)).text).toContain('One try left');
    const third = await browser.post(link, wrong);
    expect(third.status).toBe(423);
    expect(third.text).toContain('Too many tries');
    // Locked: even the right answer is not checked now.
    const right = await browser.post(link, { csrf, method: 'last_name_zip', lastName: 'stone', postalCode: facts.postalCode });
    expect(right.status).toBe(423);
    expect(right.text).not.toContain('1,250');
    expect((await browser.get(link)).status).toBe(423);
    const audited = await engine.db.auditEvent.findMany({ where: { caseId, action: { startsWith: 'debtor_page_identity' } }, orderBy: { id: 'asc' } });
    expect(audited.map((event) => event.action)).toEqual([PageEvent.identityFailed, PageEvent.identityFailed, PageEvent.identityFailed, PageEvent.identityLocked]);
    // The answers themselves are never recorded.
    expect(JSON.stringify(audited.map((event) => event.data))).not.toContain('13579');
    // Another browser is locked too: the lock is the person's, not the session's.
    expect((await pageClient().get(link)).status).toBe(423);
    // The lock lasts 30 minutes from the last wrong answer (the trail is append-only: the check is asked at a later instant).
    const lastWrong = audited[2]!.at.getTime();
    expect((await lockedUntil(engine.db, account.debtor.id))?.getTime()).toBe(lastWrong + 30 * 60_000);
    expect(await lockedUntil(engine.db, account.debtor.id, new Date(lastWrong + 30 * 60_000 + 1))).toBeNull();

    // Expired: the message was written longer ago than the strategy's link lifetime (30 days).
    const communication = await engine.db.communication.findFirstOrThrow({ where: { caseId, channel: 'sms' } });
    await engine.db.communication.update({ where: { id: communication.id }, data: { createdAt: DateTime.now().minus({ days: 31 }).toJSDate() } });
    const expired = await pageClient().get(`${link}?lang=es`);
    expect(expired.status).toBe(410);
    expect(expired.text).toContain('Este enlace ha vencido');
    await engine.db.communication.update({ where: { id: communication.id }, data: { createdAt: communication.createdAt } });
  });

  it('confirms identity, shows the accounts in English and Spanish, refuses bad input and records a plan as an officer would', async () => {
    const caseId = await enrollPerson(engine, strategy.key, 'PAGE-ANA', { name: 'Ana María Ruiz', phone: '+15555550172', language: 'es' });
    const link = await smsLinkFor('+15555550172');
    const browser = pageClient();
    const opened = await browser.get(link);
    // The person's language first.
    expect(opened.text).toContain('Primero, confirme quién es');
    const csrf = hiddenValue(opened.text, 'csrf');
    // Without the identity form's token: refused before any check.
    expect((await browser.post(link, { method: 'birth_date', birthDate: facts.birthDate })).status).toBe(403);

    const confirmed = await browser.post(link, { csrf, method: 'birth_date', birthDate: facts.birthDate, lang: 'en' });
    expect(confirmed.status).toBe(303);
    expect(browser.cookies.get('dp_session')).toBeTruthy();
    const page = await browser.get(`${link}?lang=en`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Your open accounts');
    expect(page.text).toContain('PAGE-ANA');
    expect(page.text).toContain('$1,250.00');
    expect(page.text).toContain('Acme Bank');
    const spanish = await browser.get(`${link}?lang=es`);
    expect(spanish.text).toContain('Sus cuentas abiertas');
    expect(spanish.text).toContain('<html lang="es">');

    const formToken = hiddenValue(page.text, 'csrf');
    // A form without the session's token changes nothing.
    expect((await browser.submit(link, { action: 'dispute', caseId, reason: 'not mine', csrf: 'forged', lang: 'en' })).status).toBe(403);
    // Above the balance, and beyond the policy's promise horizon: clear messages, nothing recorded.
    const above = await browser.submit(link, { action: 'promise', caseId, amount: '1250.01', dueDate: DateTime.utc().plus({ days: 3 }).toISODate(), csrf: formToken, lang: 'en' });
    expect(above.status).toBe(422);
    expect(above.text).toContain('more than the balance of $1,250.00');
    const late = await browser.submit(link, { action: 'promise', caseId, amount: '100', dueDate: DateTime.utc().plus({ days: 60 }).toISODate(), csrf: formToken, lang: 'en' });
    expect(late.text).toContain('The date must be no later than');
    const otherCurrency = await browser.submit(link, { action: 'pay', caseId, amount: '10', currency: 'EUR', csrf: formToken, lang: 'en' });
    expect(otherCurrency.text).toContain('Payments for this account are in USD only');
    // More installments than an officer may grant alone (6): not an offer.
    const tooMany = await browser.submit(link, { action: 'plan', caseId, installments: '12', firstDueDate: DateTime.utc().plus({ days: 7 }).toISODate(), csrf: formToken, lang: 'en' });
    expect(tooMany.text).toContain('Choose one of the plans offered');
    expect((await status(caseId)).arrangement).toBeNull();
    expect(page.text).not.toContain('value="12"');

    const plan = await browser.submit(link, { action: 'plan', caseId, installments: '3', firstDueDate: DateTime.utc().plus({ days: 7 }).toISODate(), csrf: formToken, lang: 'en' });
    expect(plan.status).toBe(200);
    expect(plan.text).toContain('Your payment plan is in place');
    const live = await status(caseId);
    expect(live.arrangement).toMatchObject({ kind: 'plan', agreedBy: 'debtor_page' });
    expect(live.arrangement?.installments.map((installment) => installment.amount)).toEqual([41_666, 41_666, 41_668]);
    expect(plan.text).toContain('$416.68');
    // The form answered with a redirect: a reload shows the page again, without the notice and without a second plan.
    const reloaded = await browser.get(`${link}?lang=en`);
    expect(reloaded.text).not.toContain('Your payment plan is in place');
    expect(reloaded.text).toContain('Your payment plan');

    const events = await engine.db.auditEvent.findMany({ where: { caseId, actor: 'debtor_page' }, orderBy: { id: 'asc' } });
    expect(events.map((event) => event.action)).toEqual([PageEvent.opened, PageEvent.identityConfirmed, PageEvent.plan]);
    expect(events[0]?.data).toMatchObject({ strategy: strategy.key, communicationId: expect.any(String) });
  });

  it('takes a dispute as it takes an officer\'s (collection stops), books a call, and saves preferences and an opt-out for the person', async () => {
    const caseId = await enrollPerson(engine, strategy.key, 'PAGE-ACTS', { name: 'Dora Lane', phone: '+15555550173' });
    const link = await smsLinkFor('+15555550173');
    const browser = pageClient();
    const opened = await browser.get(link);
    expect((await browser.post(link, { csrf: hiddenValue(opened.text, 'csrf'), method: 'last_name_zip', lastName: 'LANE', postalCode: facts.postalCode })).status).toBe(303);
    const csrf = hiddenValue((await browser.get(link)).text, 'csrf');
    const act = (form: Record<string, string>) => browser.submit(link, { csrf, lang: 'en', ...form });

    const call = await act({ action: 'callback', caseId, note: 'after work please' });
    expect(call.status).toBe(200);
    expect(call.text).toContain('We will call you at');
    const callback = await engine.db.callback.findFirstOrThrow({ where: { caseId } });
    expect(callback).toMatchObject({ source: 'debtor_page', note: 'after work please' });

    const saved = await act({ action: 'preferences', language: 'es', preferredChannel: 'email', quietFrom: '12:00', quietTo: '13:00' });
    expect(saved.text).toContain('Your preferences are saved');
    const badTime = await act({ action: 'preferences', language: 'es', preferredChannel: 'email', quietFrom: '13:00', quietTo: '12:00' });
    expect(badTime.status).toBe(422);
    expect(badTime.text).toContain('Enter times such as 09:00 and 17:00');
    const optOut = await act({ action: 'opt_out', channel: 'sms' });
    expect(optOut.text).toContain('You will get no more Text message (SMS) about your accounts');
    const person = await engine.db.debtor.findFirstOrThrow({ where: { accounts: { some: { externalId: 'PAGE-ACTS' } } } });
    expect(person.language).toBe('es');
    expect(person.preferences).toMatchObject({
      preferredChannel: 'email',
      inconvenientTimes: [expect.objectContaining({ from: '12:00', to: '13:00', source: 'debtor_page' })],
      refusedMedia: [expect.objectContaining({ medium: 'sms' })],
    });

    const empty = await act({ action: 'dispute', caseId, reason: '' });
    expect(empty.text).toContain('Tell us why, in a few words');
    const disputed = await act({ action: 'dispute', caseId, reason: 'I paid this in 2024' });
    expect(disputed.text).toContain('We received your dispute');
    const live = await status(caseId);
    expect(live.hold).toMatchObject({ kind: 'dispute' });
    // The timeline waits on the hold: no next step until someone resolves the dispute.
    expect({ at: live.nextActionAt, why: live.nextActionWhy }).toEqual({ at: null, why: expect.stringMatching(/disput/i) });
    // Collection waits as it does for an officer's dispute: no plan or promise while it holds.
    const promise = await act({ action: 'promise', caseId, amount: '10', dueDate: DateTime.utc().plus({ days: 3 }).toISODate() });
    expect(promise.status).toBe(422);
    expect(promise.text).toContain('the debt is disputed');
    const outcome = await engine.db.auditEvent.findFirstOrThrow({ where: { caseId, action: 'outcome_recorded' } });
    expect(outcome.data).toMatchObject({ kind: 'dispute', by: 'debtor_page' });
  });

  it("asks for the check the account's portfolio names, else the strategy's, and takes no other", async () => {
    await enrollPerson(engine, portfolioStrategy.key, 'PAGE-ACME', { name: 'Eva Marsh', phone: '+15555550174' }, 125_000, { portfolio: 'acme' });
    await enrollPerson(engine, portfolioStrategy.key, 'PAGE-GLOBEX', { name: 'Hugo Vance', phone: '+15555550175' }, 125_000, { portfolio: 'globex' });

    // acme: the date of birth only, even when the link asks for another check.
    const acmeLink = await smsLinkFor('+15555550174');
    const acme = pageClient();
    const opened = await acme.get(acmeLink);
    expect(opened.text).toContain('name="birthDate"');
    expect(opened.text).not.toMatch(/name="(lastName|postalCode|last4)"/);
    expect(opened.text).not.toContain('Confirm another way');
    expect((await acme.get(`${acmeLink}?method=last_name_zip`)).text).not.toContain('name="lastName"');
    // The right answers to checks this portfolio does not use are wrong answers, and count.
    const csrf = hiddenValue(opened.text, 'csrf');
    const byZip = await acme.post(acmeLink, { csrf, method: 'last_name_zip', lastName: 'Marsh', postalCode: facts.postalCode });
    expect(byZip.status).toBe(422);
    expect(byZip.text).toContain('2 tries left');
    expect(byZip.text).not.toContain('$1,250.00');
    const byLast4 = await acme.post(acmeLink, { csrf, method: 'last4', last4: facts.accountLast4 });
    expect(byLast4.text).toContain('One try left');
    expect(acme.cookies.has('dp_session')).toBe(false);
    expect((await acme.post(acmeLink, { csrf, method: 'birth_date', birthDate: facts.birthDate })).status).toBe(303);
    expect((await acme.get(acmeLink)).text).toContain('PAGE-ACME');
    const acmeCase = await engine.db.case.findFirstOrThrow({ where: { account: { externalId: 'PAGE-ACME' } } });
    const attempts = await engine.db.auditEvent.findMany({ where: { caseId: acmeCase.id, action: { startsWith: 'debtor_page_identity' } }, orderBy: { id: 'asc' } });
    expect(attempts.map((event) => [event.action, (event.data as { method?: string }).method])).toEqual([
      [PageEvent.identityFailed, 'last_name_zip'],
      [PageEvent.identityFailed, 'last4'],
      [PageEvent.identityConfirmed, 'birth_date'],
    ]);

    // globex is not named: the strategy's own check, the last four.
    const globexLink = await smsLinkFor('+15555550175');
    const globex = pageClient();
    const globexPage = await globex.get(globexLink);
    expect(globexPage.text).toContain('name="last4"');
    expect(globexPage.text).not.toMatch(/name="(lastName|birthDate)"/);
    const globexCsrf = hiddenValue(globexPage.text, 'csrf');
    expect((await globex.post(globexLink, { csrf: globexCsrf, method: 'birth_date', birthDate: facts.birthDate })).status).toBe(422);
    expect((await globex.post(globexLink, { csrf: globexCsrf, method: 'last4', last4: facts.accountLast4 })).status).toBe(303);
  });

  it('takes a promise to pay on a date, within the policy, and shows it with its schedule beside the validation rights', async () => {
    const caseId = await enrollPerson(engine, strategy.key, 'PAGE-PROMISE', { name: 'Iris Vale', phone: '+15555550176' });
    const { page, act } = await signedIn('+15555550176');
    expect(page.text).toContain('Your rights');
    expect(page.text).toContain('You may dispute all or part of this debt');
    expect(page.text).toContain('Promise to pay on a date');

    const dueDate = DateTime.utc().plus({ days: 10 }).toISODate();
    const zero = await act({ action: 'promise', caseId, amount: '0', dueDate });
    expect(zero.text).toContain('Enter an amount greater than zero');
    const past = await act({ action: 'promise', caseId, amount: '300', dueDate: DateTime.utc().minus({ days: 1 }).toISODate() });
    expect(past.text).toContain('The date is in the past');
    expect((await status(caseId)).arrangement).toBeNull();

    const promised = await act({ action: 'promise', caseId, amount: '300.00', dueDate });
    expect(promised.status).toBe(200);
    expect(promised.text).toContain('We noted your promise to pay $300.00 on');
    const live = await status(caseId);
    expect(live.arrangement).toMatchObject({ kind: 'promise', status: 'active', agreedBy: 'debtor_page', installments: [expect.objectContaining({ amount: 30_000, dueDate })] });
    // Its schedule on the page; no second arrangement offered while it stands.
    expect(promised.text).toContain('Your promise to pay');
    const longDate = new Intl.DateTimeFormat('en-US', { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${dueDate}T00:00:00Z`));
    expect(promised.text).toMatch(new RegExp(`<tr><td>${longDate}</td><td class="num">\\$300\\.00</td><td class="num">\\$0\\.00</td></tr>`));
    expect(promised.text).not.toContain('Choose this plan');
    expect(promised.text).not.toContain('Promise to pay on a date');
    const second = await act({ action: 'promise', caseId, amount: '100', dueDate });
    expect(second.status).toBe(422);
    expect((await status(caseId)).arrangement?.installments).toHaveLength(1);
    expect(await engine.db.auditEvent.count({ where: { caseId, action: PageEvent.promise } })).toBe(1);
  });

  it("itemizes the balance from the case's ledger (owed on its date, interest, fees, payments since) and its parts, in English and Spanish", async () => {
    const itemizationDate = DateTime.utc().minus({ days: 40 }).toISODate();
    const ledger = { itemizationDate, itemization: { principal: 100_000, interest: 15_000, fees: 10_000 }, authorizedFees: ['late'] };
    const caseId = await enrollPerson(engine, strategy.key, 'PAGE-PARTS', { name: 'Ruth Ives', phone: '+15555550177' }, 125_000, { ledger });
    const { link, browser } = await signedIn('+15555550177');
    // An officer adds a late fee the agreement authorizes: the page's itemization carries it.
    const fee = await engine.call('POST', `/api/v1/cases/${caseId}/ledger/fees`, { key: engine.keys.officer, body: { feeType: 'late', amount: 2_500, reason: 'late charge under the agreement' } });
    expect(fee.status).toBe(200);
    const itemized = (text: string) => {
      const block = /<details><summary>[^<]*<\/summary><dl>([^]*?)<\/dl><\/details>/.exec(text)?.[1] ?? '';
      return [...block.matchAll(/<dt(?: class="part")?>([^<]+)<\/dt><dd[^>]*>([^<]+)<\/dd>/g)].map((match) => [match[1], match[2]]);
    };
    const owedOn = new Intl.DateTimeFormat('en-US', { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${itemizationDate}T00:00:00Z`));
    expect(itemized((await browser.get(`${link}?lang=en`)).text)).toEqual([
      [`Owed on ${owedOn}`, '$1,250.00'],
      ['Interest since', '+$0.00'],
      ['Fees since', '+$25.00'],
      ['Payments and credits since', '−$0.00'],
      ['Balance now', '$1,275.00'],
      ['Principal', '$1,000.00'],
      ['Interest', '$150.00'],
      ['Fees', '$125.00'],
    ]);
    const spanish = itemized((await browser.get(`${link}?lang=es`)).text).map(([label]) => label);
    expect(spanish.slice(1)).toEqual(['Intereses desde entonces', 'Cargos desde entonces', 'Pagos y créditos desde entonces', 'Saldo actual', 'Capital', 'Intereses', 'Cargos']);
    expect(spanish[0]).toMatch(/^Adeudado al \d+ de \w+ de \d{4}$/);
  });

  it("opens from an email's link too; a person the engine holds nothing to check is asked to call, and sees nothing", async () => {
    const emailLink = async (to: string) => {
      const mail = await eventually(async () => engine.smtp.messages.find((message) => message.envelope.to.includes(to)) ?? false, `an email to ${to}`);
      return linkIn(mail.parsed.text ?? '');
    };
    const caseId = await enrollPerson(engine, emailStrategy.key, 'PAGE-MAIL', { name: 'Tess Moon', phone: '+15555550178', email: 'tess@example.com' });
    const link = await emailLink('tess@example.com');
    const browser = pageClient();
    const opened = await browser.get(link);
    expect(opened.text).toContain('First, confirm who you are');
    expect((await browser.post(link, { csrf: hiddenValue(opened.text, 'csrf'), method: 'last4', last4: facts.accountLast4 })).status).toBe(303);
    expect((await browser.get(link)).text).toContain('PAGE-MAIL');
    const email = await engine.db.communication.findFirstOrThrow({ where: { caseId, channel: 'email' } });
    const visitEvent = await engine.db.auditEvent.findFirstOrThrow({ where: { caseId, action: PageEvent.opened } });
    expect(visitEvent.data).toMatchObject({ communicationId: email.id, strategy: emailStrategy.key });

    const bare = await engine.call('POST', '/api/v1/accounts', {
      key: engine.keys.integration,
      body: { externalId: 'PAGE-BARE', strategy: emailStrategy.key, currency: 'USD', balance: 9_900, debtor: { name: 'Uma Bare', email: 'uma@example.com', timeZone: middayZone() } },
    });
    expect(bare.status).toBe(201);
    const bareLink = await emailLink('uma@example.com');
    const page = await pageClient().get(bareLink);
    expect(page.status).toBe(200);
    expect(page.text).toContain('We cannot confirm who you are online. Please call us.');
    expect(page.text).not.toContain('<form');
    expect(page.text).not.toMatch(/PAGE-BARE|\$99\.00/);
  });
});

