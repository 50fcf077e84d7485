import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedTemplates } from '../../api/services/templates.js';
import { collectionDisclosure } from '../../domain/disclosures.js';
import { fitRenderedSms, managedTemplateProblems, ZManagedTemplate } from '../../domain/template-definition.js';
import { smsLength } from '../../domain/template-sms.js';
import { startEngine, type Engine } from '../../testing/engine.js';

/**
 * Managed templates: required content is enforced when a template is saved (disclosure,
 * opt-out, creditor and amount when asked, known fields, SMS length), versions per key and
 * language, preview with a sample account, and the English/Spanish examples seed cleanly.
 */

// Templates never talk to Temporal.
let engine: Engine;

const en = collectionDisclosure.en;
const es = collectionDisclosure.es;
const goodEmail = {
  key: 'reminder',
  language: 'en',
  channel: 'email',
  subject: 'Your balance of {{balance}} is overdue',
  body: `Hello {{debtor.name}}, {{balance}} is owed to {{creditor.name}}.\n\n${en}\n\nUnsubscribe: {{unsubscribeUrl}}`,
  requires: ['creditor', 'amount'],
};
const goodSms = { key: 'nudge', language: 'en', channel: 'sms', body: `{{debtor.name}}, {{balance}} is overdue. ${en} Reply STOP to opt out.` };

beforeAll(async () => {
  engine = await startEngine({ temporal: 'none' });
});

afterAll(async () => {
  await engine?.stop();
});

describe('saving a template', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['an email without the collection disclosure', { ...goodEmail, body: 'Hello {{debtor.name}}, pay {{balance}} to {{creditor.name}}. {{unsubscribeUrl}}' }, 'the collection disclosure is missing'],
    ['an email without its unsubscribe link', { ...goodEmail, body: `Hello, pay {{balance}} to {{creditor.name}}. ${en}` }, 'include {{unsubscribeUrl}}'],
    ['an SMS without an opt-out instruction', { ...goodSms, body: `{{balance}} is overdue. ${en}` }, 'opt-out instruction'],
    ['a letter without the creditor it requires', { key: 'demand', language: 'en', channel: 'letter', body: `Pay {{balance}}. ${en}`, requires: ['creditor'] }, 'include {{creditor.name}}'],
    ['a letter without the amount it requires', { key: 'demand', language: 'en', channel: 'letter', body: `Pay {{creditor.name}}. ${en}`, requires: ['amount'] }, 'include {{balance}}'],
    ['a template using a field no account has', { ...goodSms, body: `{{debtor.ssn}} ${en} Reply STOP to opt out.` }, 'unknown field {{debtor.ssn}}'],
    ['a Spanish template carrying the English disclosure', { ...goodSms, language: 'es', body: `{{balance}} vencido. ${en} Responda STOP para darse de baja.` }, es],
    ['an email without a subject', { ...goodEmail, subject: undefined }, 'needs a subject'],
    ['an SMS longer than three segments for the sample account', { ...goodSms, body: `{{debtor.name}}, ${'please call us about your account. '.repeat(14)}${en} Reply STOP to opt out.` }, 'SMS segments'],
  ])('refuses %s, naming the field, and stores nothing', async (_name, template, message) => {
    const before = await engine.db.template.count();
    const response = await engine.call('POST', '/api/v1/templates', { body: template });
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('invalid_template');
    const fields = response.body.error.fields as { path: string; message: string }[];
    expect(fields.some((field) => field.message.includes(message))).toBe(true);
    expect(fields.every((field) => field.path.startsWith('body.'))).toBe(true);
    expect(await engine.db.template.count()).toBe(before);
  });

  it('only lets managers and admins save', async () => {
    const response = await engine.call('POST', '/api/v1/templates', { body: goodSms, key: engine.keys.officer });
    expect(response.status).toBe(403);
  });

  it('stores versions per key and language, keeping one active', async () => {
    const first = await engine.call('POST', '/api/v1/templates', { body: goodEmail });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ key: 'reminder', language: 'en', version: 1, status: 'active', requiredBlocks: ['disclosure', 'opt_out', 'creditor', 'amount'] });
    const second = await engine.call('POST', '/api/v1/templates', { body: { ...goodEmail, subject: 'Reminder: {{balance}} overdue' } });
    expect(second.body).toMatchObject({ version: 2, status: 'active' });
    const spanish = await engine.call('POST', '/api/v1/templates', {
      body: { ...goodEmail, language: 'es', subject: 'Su saldo de {{balance}} está vencido', body: `Hola {{debtor.name}}, debe {{balance}} a {{creditor.name}}.\n\n${es}\n\nBaja: {{unsubscribeUrl}}` },
    });
    expect(spanish.body).toMatchObject({ language: 'es', version: 1 });

    const versions = await engine.call('GET', '/api/v1/templates/reminder', { key: engine.keys.auditor });
    expect(versions.body.versions.map((v: { language: string; version: number; status: string }) => `${v.language}${v.version}:${v.status}`)).toEqual(['en2:active', 'en1:retired', 'es1:active']);

    const rollback = await engine.call('POST', '/api/v1/templates/reminder/activate', { body: { language: 'en', version: 1 } });
    expect(rollback.body).toMatchObject({ version: 1, status: 'active' });
    const list = await engine.call('GET', '/api/v1/templates?channel=email');
    expect(list.body.items.map((item: { language: string; version: number }) => `${item.language}${item.version}`)).toEqual(['en2', 'es1']);
    expect((await engine.call('GET', '/api/v1/templates/reminder')).body.versions[0]).toMatchObject({ version: 2, status: 'retired' });
  });

  it('refuses a key reused for another channel', async () => {
    const response = await engine.call('POST', '/api/v1/templates', { body: { ...goodSms, key: 'reminder' } });
    expect(response.status).toBe(422);
    expect(response.body.error.fields[0].message).toContain('is a email template');
  });
});

describe('previewing a template', () => {
  it('renders the active version with the sample account, escaping what the debtor supplied in HTML', async () => {
    const response = await engine.call('POST', '/api/v1/templates/reminder/preview', { body: { account: { name: '<b>Ana</b> & Co', balance: 5_000 } }, key: engine.keys.officer });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ key: 'reminder', language: 'en', version: 1, channel: 'email', problems: [] });
    expect(response.body.text).toContain('Hello <b>Ana</b> & Co, $50.00 is owed to Example Creditor Inc.');
    expect(response.body.html).toContain('Hello &lt;b&gt;Ana&lt;&#x2F;b&gt; &amp; Co');
    expect(response.body.html).toMatch(/<a href="https:\/\/collections\.example\.com\/u\/[^"]+">/);
  });

  it('renders a draft and reports its problems and SMS length', async () => {
    const response = await engine.call('POST', '/api/v1/templates/nudge/preview', {
      body: { language: 'es', draft: { channel: 'sms', body: '{{debtor.name}}, su saldo de {{balance}} está vencido.' } },
    });
    expect(response.status).toBe(200);
    expect(response.body.sms).toMatchObject({ segments: 1, encoding: 'UCS-2' });
    expect(response.body.problems.map((problem: { message: string }) => problem.message).join(' ')).toContain(es);
  });

  it('answers 404 for a template that does not exist', async () => {
    expect((await engine.call('POST', '/api/v1/templates/nope/preview', { body: {} })).status).toBe(404);
  });
});

describe('the API description', () => {
  it('documents the template, webhook, unsubscribe and export routes', async () => {
    const response = await fetch(`${engine.baseUrl}/openapi.json`);
    expect(response.status).toBe(200);
    const paths = Object.keys(((await response.json()) as { paths: Record<string, unknown> }).paths);
    expect(paths).toEqual(
      expect.arrayContaining(['/api/v1/templates', '/api/v1/templates/{key}/preview', '/webhooks/twilio/sms', '/webhooks/twilio/status', '/webhooks/email/inbound', '/u/{token}', '/api/v1/cases/{caseId}/communications/export']),
    );
  });
});

describe('the example templates', () => {
  it('seed in English and Spanish, every one passing the rules, once', async () => {
    const { created } = await seedTemplates(engine.db);
    expect(created.sort()).toEqual(['demand/en', 'demand/es', 'nudge/en', 'nudge/es']); // reminder/en and reminder/es exist from the tests above
    expect((await seedTemplates(engine.db)).created).toEqual([]);
    const rows = await engine.db.template.findMany({ where: { key: { in: ['nudge', 'demand'] } } });
    for (const row of rows) {
      const template = ZManagedTemplate.parse({ key: row.key, language: row.language, channel: row.channel, body: row.body, ...(row.subject ? { subject: row.subject } : {}) });
      expect(managedTemplateProblems(template, { maxSmsSegments: 3 })).toEqual([]);
    }
  });
});

describe('an SMS too long at send time', () => {
  it('is shortened in its free text, keeping the disclosure and the opt-out, with a marker', () => {
    const text = `Ana, ${'your account needs attention, please call us today. '.repeat(12)}${en} Reply STOP to opt out.`;
    expect(smsLength(text).segments).toBeGreaterThan(3);
    const fitted = fitRenderedSms(text, { language: 'en', maxSegments: 3 });
    expect(fitted.ok).toBe(true);
    if (!fitted.ok) return;
    expect(fitted.truncated).toBe(true);
    expect(fitted.length.segments).toBe(3);
    expect(fitted.body).toContain(`... ${en} Reply STOP to opt out.`);
    expect(fitted.body.startsWith('Ana, your account needs attention')).toBe(true);
  });

  it('is refused when the required passages alone do not fit', () => {
    // The Spanish disclosure has "ó", so the message is UCS-2: 70 characters to a segment.
    const fitted = fitRenderedSms(`${es} Responda STOP para darse de baja. ${'Llámenos. '.repeat(5)}`, { language: 'es', maxSegments: 1 });
    expect(fitted).toEqual({ ok: false, reason: 'the required disclosure and opt-out alone need more than 1 SMS segments' });
  });
});
