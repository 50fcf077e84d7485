import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { createMailer } from '../../activities/mailer.js';
import { createSmsSender } from '../../activities/sms-sender.js';
import { collectionDisclosure } from '../../domain/disclosures.js';
import { stateOverrides } from '../../domain/regulation/state-overrides.js';
import { statusQuery, type CaseStatus } from '../../workflows/case-messages.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { loadWorkerConfig } from '../../worker/config.js';
import { eventually } from '../../testing/eventually.js';
import { middayZone, untilDaytimeIn } from '../../testing/midday-zone.js';

/**
 * What a message says and to whom, in real cases (the case workflow on the time-skipping server,
 * PostgreSQL, SMTP on loopback): a time-barred debt in California gets no message without the
 * state's disclosure (the step's fallback letter, which carries it, goes instead); a Spanish-speaking
 * debtor gets the Spanish version of a managed template; SMS consent given at enrollment or
 * import is on the contact with its source and time.
 */

let engine: Engine;
const californiaDisclosure = stateOverrides.CA?.timeBarredDisclosure ?? '';

const timeBarredStrategy = {
  key: 'old-debts',
  name: 'Old debts',
  templates: {
    plain: {
      channel: 'email',
      subject: 'Your balance is overdue',
      body: `Hello {{debtor.name}}, {{balance}} is overdue.\n\n${collectionDisclosure.en}\n\nUnsubscribe: {{unsubscribeUrl}}`,
    },
    disclosed: {
      channel: 'letter',
      subject: 'About your old balance',
      body: `Dear {{debtor.name}}, {{balance}} is unpaid.\n\n${californiaDisclosure}\n\n${collectionDisclosure.en}`,
    },
  },
  steps: [
    { id: 'plain', at: 'PT0S', action: 'email', template: 'plain', fallback: { action: 'letter', template: 'disclosed' } },
    { id: 'call', at: 'P30D', action: 'call' },
  ],
};

/** Sends the managed template "saludo" in the debtor's language; its inline copy while there is none. */
const bilingualStrategy = {
  key: 'bilingual',
  name: 'Bilingual',
  templates: {
    hello: {
      channel: 'email',
      subject: 'Inline copy',
      body: `Inline {{debtor.name}}: {{balance}}.\n\n${collectionDisclosure.en}\n\n{{unsubscribeUrl}}`,
      managed: 'saludo',
    },
  },
  steps: [
    { id: 'hello', at: 'PT0S', action: 'email', template: 'hello' },
    { id: 'call', at: 'P30D', action: 'call' },
  ],
};

/** Enrolls and waits: nothing is sent by itself for 30 days. */
const quietStrategy = { key: 'quiet', name: 'Quiet', templates: {}, steps: [{ id: 'call', at: 'P30D', action: 'call' }] };

const california = { line1: '5 Palm Ave', city: 'Fresno', region: 'CA', postalCode: '93701', country: 'US' };
const engineNow = async () => new Date(await engine.testEnv.currentTimeMs());

/**
 * A Californian address adds California's zone to the 8 a.m.–9 p.m. rule: the case waits for the
 * morning there when the test runs at night in California, so the clock is moved to it.
 */
async function morningInCalifornia(): Promise<void> {
  const wait = untilDaytimeIn('America/Los_Angeles', await engineNow());
  if (wait > 0) await engine.testEnv.sleep(wait);
}
const status = (caseId: string): Promise<CaseStatus> => engine.temporal.workflow.getHandle(caseId).query(statusQuery);

async function enroll(body: Record<string, unknown>, debtor: Record<string, unknown>): Promise<string> {
  const response = await engine.call('POST', '/api/v1/accounts', {
    key: engine.keys.integration,
    body: { currency: 'USD', balance: 45_000, ...body, debtor: { timeZone: middayZone(await engineNow()), ...debtor } },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return String(response.body.caseId);
}

const mailsTo = (address: string) => engine.smtp.messages.filter((message) => message.envelope.to.includes(address));

beforeAll(async () => {
  engine = await startEngine({ temporal: 'time-skipping', api: true, worker: 'in-process', smtp: true, twilio: true });
  for (const strategy of [timeBarredStrategy, quietStrategy, bilingualStrategy]) {
    const created = await engine.call('POST', '/api/v1/strategies', { body: strategy });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  }
});

afterAll(async () => {
  await engine?.stop();
});

describe('content enforced at send', () => {
  it('a time-barred debt in California: the message without the disclosure is refused, the fallback with it is sent', async () => {
    const caseId = await enroll({ externalId: 'ACC-OLD-CA', strategy: timeBarredStrategy.key, timeBarred: true }, { name: 'Olga Paz', email: 'olga@example.com', address: california, timeZone: 'America/Los_Angeles' });
    await morningInCalifornia();
    const { db } = engine;
    const letter = await eventually(async () => db.communication.findFirst({ where: { caseId, channel: 'letter', status: 'sent' } }), 'the fallback letter');
    expect(letter.subject).toBe('About your old balance');
    expect(letter.body.replace(/\s+/g, ' ')).toContain(californiaDisclosure);

    const refused = await db.communication.findFirstOrThrow({ where: { caseId, stepId: 'plain' }, include: { events: true } });
    expect(refused.status).toBe('refused');
    expect(refused.sentAt).toBeNull();
    expect(refused.error).toContain('California Civil Code 1788.14(d)');
    expect(refused.error).toContain(californiaDisclosure);
    expect(refused.events.map((event) => event.status)).toEqual(['refused']);
    const failed = await eventually(async () => (await status(caseId)).history.find((event) => event.type === 'step_failed' && event.stepId === 'plain'), 'the failed step in the case');
    expect(failed.data).toMatchObject({ type: 'ContentRefused' });
    expect((await db.account.findFirstOrThrow({ where: { externalId: 'ACC-OLD-CA' } })).timeBarred).toBe(true);
    expect(mailsTo('olga@example.com')).toHaveLength(0);
  });

  it('the same message to a California debt that is not time-barred is sent as written', async () => {
    await enroll({ externalId: 'ACC-NEW-CA', strategy: timeBarredStrategy.key }, { name: 'Nina Paz', email: 'nina@example.com', address: california, timeZone: 'America/Los_Angeles' });
    await morningInCalifornia();
    const mail = await eventually(async () => mailsTo('nina@example.com')[0], 'the email');
    expect(mail.parsed.subject).toBe('Your balance is overdue');
  });

  it('an inline template without the disclosure or the opt-out goes out with both added', async () => {
    const caseId = await enroll({ externalId: 'ACC-INLINE', strategy: quietStrategy.key }, { name: 'Ines Gil', email: 'ines@example.com' });
    const { db } = engine;
    const outboxDir = path.join(engine.dataDir, 'outbox-inline');
    const activities = createActivities({
      db,
      mailer: createMailer({ smtpUrl: engine.smtp.url, from: 'c@mail.test', outboxDir }),
      sms: createSmsSender({ outboxDir }),
      outboxDir,
      mailDomain: engine.communications.mailDomain,
      // The engine's own worker settings: its public URL is in the unsubscribe link.
      communications: loadWorkerConfig(engine.env).communications,
    });
    const account = { externalId: 'ACC-INLINE', currency: 'USD', balance: 45_000, originalBalance: 45_000, debtor: { name: 'Ines Gil' } };
    const send = { caseId, templateKey: 'bare', account };

    await activities.sendEmail({ ...send, stepId: 'email', idempotencyKey: `${caseId}/email`, to: 'ines@example.com', template: { channel: 'email', subject: 'Hi', body: 'Hello {{debtor.name}}, please pay.' } });
    const email = await db.communication.findFirstOrThrow({ where: { caseId, stepId: 'email' } });
    expect(email.status).toBe('sent');
    expect(email.body).toMatch(new RegExp(`^Hello Ines Gil, please pay\\.\\n\\n${collectionDisclosure.en.replace('.', '\\.')}\\n\\nUnsubscribe: ${engine.communications.publicUrl}/u/\\S+$`));
    const [mail] = mailsTo('ines@example.com');
    expect(mail?.parsed.text).toContain(collectionDisclosure.en);
    expect(mail?.parsed.html).toMatch(/Unsubscribe: <a href="[^"]+\/u\//);

    // In the debtor's language, and only what is missing (this one has its opt-out).
    await activities.sendSms({ ...send, language: 'es', stepId: 'sms', idempotencyKey: `${caseId}/sms`, to: '+15555550188', contact: { consent: true, optedOut: false }, template: { channel: 'sms', body: 'Hola {{debtor.name}}. Reply STOP to opt out.' } });
    const sms = await db.communication.findFirstOrThrow({ where: { caseId, stepId: 'sms' } });
    expect(sms.status).toBe('sent');
    expect(sms.body).toBe(`Hola Ines Gil. Reply STOP to opt out. ${collectionDisclosure.es}`);
  });
});

describe('debtor language', () => {
  it('a Spanish-speaking debtor gets the Spanish version of a managed template; an English one the English', async () => {
    // Before the managed template exists, the strategy's inline copy goes out.
    await enroll({ externalId: 'ACC-EARLY', strategy: bilingualStrategy.key }, { name: 'Eva Early', email: 'eva@example.com', language: 'es' });
    expect((await eventually(async () => mailsTo('eva@example.com')[0], 'the inline email')).parsed.subject).toBe('Inline copy');

    for (const [language, subject, greeting] of [['en', 'Your balance', 'Hello'], ['es', 'Su saldo', 'Hola']] as const) {
      const saved = await engine.call('POST', '/api/v1/templates', {
        body: { key: 'saludo', language, channel: 'email', subject, body: `${greeting} {{debtor.name}}: {{balance}}.\n\n${collectionDisclosure[language]}\n\n{{unsubscribeUrl}}` },
      });
      expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    }
    // Through the case workflow: the step names the managed template, the debtor's language picks the version.
    const spanish = await enroll({ externalId: 'ACC-ES', strategy: bilingualStrategy.key }, { name: 'Lucía Mora', email: 'lucia@example.com', language: 'es' });
    await enroll({ externalId: 'ACC-EN', strategy: bilingualStrategy.key }, { name: 'Liam Moore', email: 'liam@example.com' });
    const { db } = engine;
    expect((await db.debtor.findFirstOrThrow({ where: { name: 'Lucía Mora' } })).language).toBe('es');
    expect((await db.debtor.findFirstOrThrow({ where: { name: 'Liam Moore' } })).language).toBe('en');

    const toLucia = await eventually(async () => mailsTo('lucia@example.com')[0], 'the Spanish email');
    expect(toLucia.parsed.subject).toBe('Su saldo');
    expect(toLucia.parsed.text).toContain('Hola Lucía Mora');
    expect(toLucia.parsed.text).toContain(collectionDisclosure.es);
    expect((await eventually(async () => mailsTo('liam@example.com')[0], 'the English email')).parsed.subject).toBe('Your balance');
    expect(await db.communication.findFirstOrThrow({ where: { caseId: spanish, stepId: 'hello' } })).toMatchObject({ templateLanguage: 'es', templateVersion: 1 });
  });
});

describe('SMS consent at enrollment and import', () => {
  it('is stored on the contact with its source and time', async () => {
    const before = Date.now();
    const caseId = await enroll({ externalId: 'ACC-CONSENT', strategy: quietStrategy.key }, { name: 'Cora Diaz', phone: '+15555550123', smsConsent: true });
    const { db } = engine;
    const started = await db.case.findUniqueOrThrow({ where: { id: caseId } });
    const contact = await db.contact.findFirstOrThrow({ where: { channel: 'sms', value: '+15555550123' } });
    expect(contact).toMatchObject({ consent: true, consentSource: 'enrollment', consentAt: started.startedAt });
    expect(contact.consentAt!.getTime()).toBeGreaterThanOrEqual(before - 1_000);
    expect((await status(caseId)).channels.sms).toMatchObject({ consent: true });
    // Officers see where consent came from on the case's debtor screen.
    const shown = await engine.call('GET', `/api/v1/cases/${caseId}/debtor?reveal=true`, { key: engine.keys.officer });
    expect(shown.body.contacts.find((row: { channel: string }) => row.channel === 'sms')).toMatchObject({ consent: true, consentSource: 'enrollment', consentAt: started.startedAt.toISOString() });

    // Without consent, nothing is recorded as given.
    await enroll({ externalId: 'ACC-NO-CONSENT', strategy: quietStrategy.key }, { name: 'Noel Diaz', phone: '+15555550124' });
    expect(await db.contact.findFirstOrThrow({ where: { channel: 'sms', value: '+15555550124' } })).toMatchObject({ consent: false, consentAt: null, consentSource: null });

    const csv = ['externalId,currency,balance,debtorName,timeZone,phone,smsConsent,language', 'ACC-IMP-1,USD,30000,Ivan Ruiz,America/Chicago,+15555550125,yes,es', ''].join('\n');
    const response = await fetch(`${engine.baseUrl}/api/v1/accounts/import?strategy=${quietStrategy.key}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${engine.keys.integration}`, 'content-type': 'text/csv' },
      body: csv,
    });
    expect(response.status).toBe(202);
    const imported = await eventually(async () => db.contact.findFirst({ where: { channel: 'sms', value: '+15555550125' }, include: { debtor: true } }), 'the imported contact');
    expect(imported).toMatchObject({ consent: true, consentSource: 'import', debtor: { language: 'es' } });
    expect(imported.consentAt).toBeInstanceOf(Date);
  });
});
