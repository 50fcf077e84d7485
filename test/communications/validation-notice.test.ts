import { readFile } from 'node:fs/promises';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { candidateZones } from '../../domain/case-facts.js';
import { collectionDisclosure } from '../../domain/disclosures.js';
import { validationPeriodEnd } from '../../domain/regulation/validation-notice.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { eventually } from '../../testing/eventually.js';
import { daytimeAddress } from '../../testing/midday-zone.js';
import { pdfText } from '../../testing/pdf-text.js';
import { contactFactsQuery, statusQuery, type CaseStatus } from '../../workflows/case-messages.js';

/**
 * The generated validation notice in real cases (the case workflow on the time-skipping server,
 * PostgreSQL, SMTP on loopback, letters in the outbox folder): an account of a third-party
 * collector's portfolio gets the notice as its first communication, before the strategy's own
 * first step; by email (with the letter attached) where the debtor consented to electronic
 * delivery, by letter otherwise, in the debtor's language; the validation period runs from it.
 * A first-party portfolio's account gets no generated notice.
 */

let engine: Engine;

const strategy = {
  key: 'notice-first',
  name: 'Collector: reminder, then a call',
  templates: {
    reminder: { channel: 'email', subject: 'Your balance', body: `Hello {{debtor.name}}, {{balance}} is overdue.\n\n${collectionDisclosure.en}\n\nUnsubscribe: {{unsubscribeUrl}}` },
  },
  steps: [
    { id: 'reminder', at: 'PT0S', action: 'email', template: 'reminder' },
    { id: 'call', at: 'P30D', action: 'call' },
  ],
};

const portfolio = (regime: string) => ({
  name: `Northwind ${regime}`,
  regime,
  strategies: [strategy.key],
  commission: { basis: 'age_band', bands: [{ fromDays: 0, ratePercent: 20 }] },
  remittance: { dayOfMonth: 10 },
});

const engineNow = async () => new Date(await engine.testEnv.currentTimeMs());
const status = (caseId: string): Promise<CaseStatus> => engine.temporal.workflow.getHandle(caseId).query(statusQuery);

async function enroll(externalId: string, portfolioKey: string, debtor: Record<string, unknown>): Promise<string> {
  const place = daytimeAddress(await engineNow());
  const response = await engine.call('POST', '/api/v1/accounts', {
    key: engine.keys.integration,
    body: { externalId, strategy: strategy.key, portfolio: portfolioKey, currency: 'USD', balance: 125_000, debtor: { ...place, ...debtor } },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return String(response.body.caseId);
}

/** The last day of the validation period as the case computes it from the notice it sent, in `language`. */
async function periodEnd(caseId: string, language: 'en-US' | 'es-US'): Promise<string> {
  const { facts } = await engine.temporal.workflow.getHandle(caseId).query(contactFactsQuery);
  const sent = facts.history?.validationNoticeSentAt;
  expect(sent).toEqual(expect.any(Number));
  const zones = candidateZones(facts);
  const end = validationPeriodEnd({ validationNoticeSentAt: sent ?? 0 }, zones) ?? 0;
  return DateTime.fromMillis(end, { zone: zones[0] }).setLocale(language).toLocaleString(DateTime.DATE_FULL);
}

beforeAll(async () => {
  engine = await startEngine({ temporal: 'time-skipping', api: true, worker: 'in-process', smtp: true });
  expect((await engine.call('POST', '/api/v1/strategies', { body: strategy })).status).toBe(201);
  expect((await engine.call('PUT', '/api/v1/clients/northwind', { body: { name: 'Northwind Bank' } })).status).toBe(201);
  for (const [key, regime] of [['northwind-collect', 'third_party'], ['northwind-own', 'first_party']]) {
    const created = await engine.call('PUT', `/api/v1/clients/northwind/portfolios/${key}`, { body: portfolio(regime ?? '') });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  }
}, 120_000);

afterAll(async () => {
  await engine?.stop();
});

describe('the generated validation notice', () => {
  it('goes first, by email where the debtor consented to electronic delivery, with the letter attached', async () => {
    const caseId = await enroll('VN-EMAIL', 'northwind-collect', { name: 'Ana Ruiz', email: 'ana@example.com', emailConsent: true });
    const notice = await eventually(() => engine.db.communication.findFirst({ where: { caseId, template: 'validation-notice', status: 'sent' } }), 'the notice email');
    expect(notice.channel).toBe('email');
    const reminder = await eventually(() => engine.db.communication.findFirst({ where: { caseId, template: 'reminder' } }), 'the reminder after it');
    expect(reminder.createdAt.getTime()).toBeGreaterThanOrEqual(notice.createdAt.getTime());

    const mail = await eventually(async () => engine.smtp.messages.find((message) => message.parsed.subject === 'Notice of debt: validation information'), 'the notice at the SMTP server');
    const until = await periodEnd(caseId, 'en-US');
    const text = mail.parsed.text ?? '';
    for (const line of [
      'Collections Department is a debt collector',
      'a debt that you owe to Northwind Bank',
      'with account number VN-EMAIL',
      'you owed: $1,250.00',
      'You were charged this amount in interest: + $0.00',
      'Total amount of the debt now: $1,250.00',
      `Call or write to us by ${until}, to dispute all or part of the debt.`,
      'www.cfpb.gov/debt-collection',
      collectionDisclosure.en,
    ]) {
      expect(text).toContain(line);
    }
    expect(mail.parsed.html).toContain('<h2>How can you dispute the debt?</h2>');
    const attachment = mail.parsed.attachments.find((each) => each.contentType === 'application/pdf');
    const letter = pdfText(attachment?.content ?? Buffer.alloc(0));
    expect(letter).toContain('Notice of debt: validation information');
    expect(letter).toContain('$1,250.00');

    const history = (await status(caseId)).history;
    const sentAt = history.findIndex((event) => event.type === 'step_done' && event.stepId === 'validation-notice');
    const firstStep = history.findIndex((event) => event.type === 'step_done' && event.stepId === 'reminder');
    expect(sentAt).toBeGreaterThan(-1);
    expect(history.find((event) => event.type === 'compliance' && event.detail === 'validation notice sent (email)')).toBeDefined();
    if (firstStep > -1) expect(firstStep).toBeGreaterThan(sentAt);
  }, 60_000);

  it('goes by letter, in Spanish, without consent to electronic delivery', async () => {
    const caseId = await enroll('VN-LETTER', 'northwind-collect', { name: 'Luis Peña', email: 'luis@example.com', language: 'es' });
    const notice = await eventually(() => engine.db.communication.findFirst({ where: { caseId, template: 'validation-notice', status: 'sent' } }), 'the notice letter');
    expect(notice).toMatchObject({ channel: 'letter', templateLanguage: 'es' });
    expect(engine.smtp.messages.some((message) => message.envelope.to.includes('luis@example.com') && message.parsed.subject?.startsWith('Aviso'))).toBe(false);
    const until = await periodEnd(caseId, 'es-US');
    const lines = pdfText(await readFile(notice.documentPath ?? '')).replaceAll('\x96', '–');
    for (const line of ['Aviso de deuda: información de validación', 'Luis Peña', 'una deuda que usted le', 'Cantidad total de la deuda ahora:', '$1,250.00', '¿Cómo puede disputar la deuda?', collectionDisclosure.es]) {
      expect(lines).toContain(line);
    }
    expect(lines.replace(/\s+/g, ' ')).toContain(`antes del ${until}`);

    // Returned undelivered, it was never provided: the validation period runs from a notice that is delivered.
    const returned = await engine.call('POST', `/api/v1/communications/${notice.id}/returned`, { key: engine.keys.integration, body: { reason: 'moved', at: new Date(await engineNow()).toISOString() } });
    expect(returned.status).toBe(200);
    await eventually(async () => (await status(caseId)).history.some((event) => event.type === 'compliance' && event.detail.startsWith('validation notice returned undelivered')), 'the case to take the notice as not provided');
    const { facts } = await engine.temporal.workflow.getHandle(caseId).query(contactFactsQuery);
    expect(facts.history?.validationNoticeSentAt).toBeNull();
  }, 60_000);

  it('is not generated for a first-party portfolio', async () => {
    const caseId = await enroll('VN-OWN', 'northwind-own', { name: 'Ada Own', email: 'ada@example.com', emailConsent: true });
    await eventually(() => engine.db.communication.findFirst({ where: { caseId, template: 'reminder', status: 'sent' } }), 'the reminder');
    expect(await engine.db.communication.count({ where: { caseId, template: 'validation-notice' } })).toBe(0);
  }, 60_000);
});

describe('the lint, where a strategy meets a collector\'s portfolio', () => {
  it('refuses a new version that turns the notice off, naming the field and the portfolio', async () => {
    const off = await engine.call('POST', '/api/v1/strategies', { body: { ...strategy, contact: { validationNotice: { required: false } } } });
    expect(off.status).toBe(422);
    expect(off.body.error.code).toBe('invalid_strategy_for_regime');
    expect(off.body.error.fields).toEqual([{ path: 'body.contact.validationNotice.required', message: expect.stringContaining('(portfolio "northwind-collect", third_party)') }]);
    // Turned off, with an email before the letter that carries the notice: the email step is named.
    const late = await engine.call('POST', '/api/v1/strategies', {
      body: {
        ...strategy,
        templates: { ...strategy.templates, notice: { channel: 'letter', body: `Dear {{debtor.name}}, validation information. ${collectionDisclosure.en}` } },
        steps: [strategy.steps[0], { id: 'notice', at: 'P1D', action: 'letter', template: 'notice' }, strategy.steps[1]],
        contact: { validationNotice: { generate: false, templates: ['notice'] } },
      },
    });
    expect(late.status).toBe(422);
    expect(late.body.error.fields.map((field: { path: string }) => field.path)).toEqual(['body.steps.0']);
  });

  it('refuses a collector\'s portfolio naming a strategy without the notice; a first-party one takes it', async () => {
    const silent = { ...strategy, key: 'no-notice', contact: { validationNotice: { required: false } } };
    expect((await engine.call('POST', '/api/v1/strategies', { body: silent })).status).toBe(201);
    const refused = await engine.call('PUT', '/api/v1/clients/northwind/portfolios/northwind-bought', { body: { ...portfolio('debt_buyer'), strategies: [strategy.key, 'no-notice'] } });
    expect(refused.status).toBe(422);
    expect(refused.body.error.fields).toEqual([{ path: 'body.strategies.1', message: expect.stringMatching(/^strategy "no-notice" v1, contact\.validationNotice\.required: a debt buyer must give the validation notice/) }]);
    expect((await engine.call('PUT', '/api/v1/clients/northwind/portfolios/northwind-own', { body: { ...portfolio('first_party'), strategies: [strategy.key, 'no-notice'] } })).status).toBe(200);
  });
});

describe('a dispute and a request for the original creditor within the period', () => {
  it('each holds collection until the generated answer is sent, then the case resumes', async () => {
    const caseId = await enroll('VN-DISPUTE', 'northwind-collect', { name: 'Dana Spute' });
    await eventually(() => engine.db.communication.findFirst({ where: { caseId, template: 'validation-notice', status: 'sent' } }), 'the notice letter');
    const outcome = (key: string, body: Record<string, unknown>) => engine.call('POST', `/api/v1/cases/${caseId}/outcomes`, { key, body });

    // A dispute: held, then verified with the itemization and where the documents are.
    expect((await outcome(engine.keys.officer, { kind: 'dispute', reason: 'I paid part of this' })).status).toBe(200);
    expect((await status(caseId)).hold).toMatchObject({ kind: 'dispute' });
    expect((await outcome(engine.keys.manager, { kind: 'dispute_resolution', upheld: false, note: 'statements checked' })).status).toBe(200);
    const verification = await eventually(() => engine.db.communication.findFirst({ where: { caseId, template: 'verification', status: 'sent' } }), 'the verification letter');
    const verified = pdfText(await readFile(verification.documentPath ?? '')).replace(/-\n/g, '-').replace(/\s+/g, ' ');
    expect(verified).toContain('Verification of your debt');
    expect(verified).toContain('You wrote to us about the debt you owe to Northwind Bank (account number VN-DISPUTE).');
    expect(verified).toContain('Total amount of the debt now:');
    expect(verified).toContain('$1,250.00');
    expect(verified).toContain(`kept in our file ${caseId}`);
    expect((await status(caseId)).hold).toBeNull();

    // A request for the original creditor: held until its name and address are sent.
    expect((await outcome(engine.keys.officer, { kind: 'dispute', about: 'original_creditor', reason: 'letter of Dec 1 asks who the original creditor is' })).status).toBe(200);
    const held = await status(caseId);
    expect(held.hold).toMatchObject({ kind: 'dispute', reason: expect.stringContaining("asked for the original creditor's name and address") });
    const { facts } = await engine.temporal.workflow.getHandle(caseId).query(contactFactsQuery);
    expect(facts.history?.dispute).toMatchObject({ about: 'original_creditor', verificationSentAt: null });
    const permission = await engine.call('GET', `/api/v1/cases/${caseId}`);
    expect(permission.body.nextActionWhy).toMatch(/on hold \(dispute\)/);

    const answered = await outcome(engine.keys.manager, { kind: 'dispute_resolution', upheld: false, note: 'creditor confirmed', originalCreditor: 'First Springfield Bank, 1 Bank Plaza, Springfield, IL 62701' });
    expect(answered.status).toBe(200);
    const answer = await eventually(async () => (await engine.db.communication.findMany({ where: { caseId, template: 'verification', status: 'sent' }, orderBy: { createdAt: 'asc' } }))[1], 'the original creditor letter');
    const named = pdfText(await readFile(answer.documentPath ?? '')).replace(/-\n/g, '-').replace(/\s+/g, ' ');
    expect(named).toContain('Your request for the original creditor');
    expect(named).toContain('The original creditor is: First Springfield Bank, 1 Bank Plaza, Springfield, IL 62701.');
    const resumed = await eventually(async () => {
      const now = await status(caseId);
      return now.hold === null && now.nextActionAt !== null && now;
    }, 'the case to resume its timeline');
    expect(resumed.nextActionWhy).not.toMatch(/hold/);
    const after = await engine.temporal.workflow.getHandle(caseId).query(contactFactsQuery);
    expect(after.facts.history?.dispute?.verificationSentAt).toEqual(expect.any(Number));
    expect(resumed.history.filter((event) => event.type === 'compliance').map((event) => event.detail)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^original creditor requested/), expect.stringMatching(/^verification sent/)]),
    );
  }, 60_000);
});

