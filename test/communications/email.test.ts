import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { createMailer } from '../../activities/mailer.js';
import { createSmsSender } from '../../activities/sms-sender.js';
import { seedTemplates } from '../../api/services/templates.js';
import { LinkPurpose, verifyLinkToken } from '../../domain/template-links.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { linkSecret, mailDomain, seedCase, stepInput, templateAccount, workerSettings } from './support/harness.js';

/**
 * Email through a real SMTP server on loopback: the message as received (headers, both parts,
 * the letter PDF), its record, and what a retry, a rejected mailbox and an opt-out do.
 */

let engine: Engine;
let activities: ReturnType<typeof createActivities>;
let closeMailer: () => void;

beforeAll(async () => {
  engine = await startEngine({ temporal: 'none', smtp: { rejectRecipients: ['nobody@example.com'] } });
  const outboxDir = path.join(engine.dataDir, 'outbox');
  const mailer = createMailer({ smtpUrl: engine.smtp.url, from: 'Collections <collections@mail.test>', outboxDir: path.join(outboxDir, 'email') });
  closeMailer = () => mailer.close();
  activities = createActivities({
    db: engine.db,
    mailer,
    sms: createSmsSender({ outboxDir: path.join(outboxDir, 'sms') }),
    outboxDir,
    mailDomain,
    communications: workerSettings(),
  });
  await seedTemplates(engine.db);
});

afterAll(async () => {
  closeMailer?.();
  await engine?.stop();
});

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

describe('an email from a managed template', () => {
  it('arrives with a stable Message-ID, a working unsubscribe, a reply token, both parts and the letter attached', async () => {
    const seeded = await seedCase(engine.db, { name: 'Ana <Ruiz> & Co', email: 'ana@example.com' });
    const address = 'Ana Ruiz | 1 Main St | Chicago, IL 60601 | US';
    const input = {
      caseId: seeded.caseId,
      stepId: 'reminder',
      idempotencyKey: `${seeded.caseId}/run-1/reminder`,
      templateKey: 'reminder',
      templateRef: { key: 'reminder' },
      language: 'es',
      to: seeded.email,
      account: templateAccount(seeded),
      attachLetter: { templateRef: { key: 'demand' }, address },
    };
    const result = await activities.sendEmail(input);
    expect(result.duplicate).toBe(false);

    const [mail] = await engine.smtp.waitForMessages(1);
    if (!mail) throw new Error('no mail');
    const { parsed } = mail;
    expect(mail.envelope.to).toEqual(['ana@example.com']);
    expect(parsed.messageId).toBe(`<${result.communicationId}@${mailDomain}>`);
    expect(parsed.subject).toBe('Su saldo de $1,250.00 con Acme Bank está vencido');

    // Reply-To and the envelope sender carry a token only we can mint, naming this communication.
    const replyTo = parsed.replyTo?.value[0]?.address ?? '';
    const replyToken = /^reply\+(.+)@mail\.test$/.exec(replyTo)?.[1] ?? '';
    expect(verifyLinkToken(linkSecret, LinkPurpose.reply, replyToken)).toBe(result.communicationId);
    expect(mail.envelope.from).toBe(`bounce+${replyToken}@${mailDomain}`);

    // One-click unsubscribe (RFC 8058) pointing at the API, the same link as in the body.
    // mailparser reads the List-* headers into one object (the header itself is folded, as long headers are).
    const list = parsed.headers.get('list') as { unsubscribe?: { url?: string }; 'unsubscribe-post'?: { name?: string } };
    const unsubscribeUrl = /^(https:\/\/collections\.example\.test\/u\/(.+))$/.exec(list.unsubscribe?.url ?? '');
    expect(unsubscribeUrl).not.toBeNull();
    expect(verifyLinkToken(linkSecret, LinkPurpose.unsubscribe, unsubscribeUrl?.[2] ?? '')).toBe(result.communicationId);
    expect(list['unsubscribe-post']?.name).toBe('List-Unsubscribe=One-Click');
    expect(mail.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);

    // Both parts: the text as written, the HTML with the debtor's name escaped and the link clickable.
    expect(parsed.text).toContain('Hola Ana <Ruiz> & Co:');
    expect(parsed.text).toContain('Esta es una comunicación de un cobrador de deudas.');
    expect(parsed.text).toContain(unsubscribeUrl?.[1]);
    expect(parsed.html).toContain('Hola Ana &lt;Ruiz&gt; &amp; Co:');
    expect(parsed.html).not.toContain('<Ruiz>');
    expect(parsed.html).toContain(`<a href="${unsubscribeUrl?.[1]}">`);

    // The letter, as a PDF, the same bytes as the copy kept for the record.
    expect(parsed.attachments).toHaveLength(1);
    const [pdf] = parsed.attachments;
    expect(pdf?.contentType).toBe('application/pdf');
    expect(pdf?.filename).toBe('letter.pdf');
    expect(pdf?.content.subarray(0, 5).toString()).toBe('%PDF-');
    const row = await engine.db.communication.findUniqueOrThrow({ where: { id: result.communicationId }, include: { events: { orderBy: { id: 'asc' } } } });
    expect(createHash('sha256').update(pdf?.content ?? '').digest('hex')).toBe(row.documentSha256);
    expect(createHash('sha256').update(await readFile(row.documentPath ?? '')).digest('hex')).toBe(row.documentSha256);

    expect(row).toMatchObject({ channel: 'email', status: 'sent', provider: 'smtp', template: 'reminder', templateLanguage: 'es', templateVersion: 1, attempts: 1 });
    expect(row.html).toBe(parsed.html);
    expect(row.events.map((event) => event.status)).toEqual(['sending', 'sent']);
  });

  it('is not sent again when the activity retries', async () => {
    const seeded = await seedCase(engine.db, { email: 'retry@example.com' });
    const input = stepInput(seeded, 'reminder', seeded.email);
    const before = engine.smtp.messages.length;
    const first = await activities.sendEmail(input);
    const again = await activities.sendEmail(input);
    expect(again).toEqual({ communicationId: first.communicationId, providerId: first.providerId, duplicate: true });
    await engine.smtp.waitForMessages(before + 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(engine.smtp.messages.filter((message) => message.envelope.to[0] === 'retry@example.com')).toHaveLength(1);
  });

  it('still works with a template written inline in the strategy (English by default)', async () => {
    const seeded = await seedCase(engine.db, { email: 'inline@example.com' });
    const result = await activities.sendEmail({
      caseId: seeded.caseId,
      stepId: 'reminder',
      idempotencyKey: `${seeded.caseId}/run-1/reminder`,
      templateKey: 'reminder',
      template: { channel: 'email', subject: 'Balance {{balance}}', body: 'Hello {{debtor.name}}. Unsubscribe: {{unsubscribeUrl}}' },
      to: seeded.email,
      account: templateAccount(seeded),
    });
    const mail = (await engine.smtp.waitForMessages(engine.smtp.messages.length)).find((message) => message.envelope.to[0] === 'inline@example.com');
    expect(mail?.parsed.subject).toBe('Balance $1,250.00');
    const row = await engine.db.communication.findUniqueOrThrow({ where: { id: result.communicationId } });
    expect(row).toMatchObject({ template: 'reminder', templateLanguage: 'en', templateVersion: null });
  });
});

describe('an email that must not or cannot go out', () => {
  it('a mailbox the server rejects fails as InvalidRecipient and is recorded failed', async () => {
    const seeded = await seedCase(engine.db, { email: 'nobody@example.com' });
    const failure = await failureOf(
      activities.sendEmail({ caseId: seeded.caseId, stepId: 'reminder', idempotencyKey: `${seeded.caseId}/r/reminder`, templateKey: 'reminder', templateRef: { key: 'reminder' }, to: seeded.email, account: templateAccount(seeded) }),
    );
    expect(failure.type).toBe('InvalidRecipient');
    expect(failure.nonRetryable).toBe(true);
    const row = await engine.db.communication.findFirstOrThrow({ where: { caseId: seeded.caseId }, include: { events: { orderBy: { id: 'asc' } } } });
    expect(row.status).toBe('failed');
    expect(row.events.map((event) => event.status)).toEqual(['sending', 'failed']);
  });

  it('an address the debtor unsubscribed is refused as ContactNotPermitted, and nothing reaches the server', async () => {
    const seeded = await seedCase(engine.db, { email: 'gone@example.com' });
    await engine.db.contact.updateMany({ where: { debtorId: seeded.debtorId, channel: 'email' }, data: { optedOutAt: new Date(), optOutSource: 'email_unsubscribe' } });
    const before = engine.smtp.messages.length;
    const failure = await failureOf(
      activities.sendEmail({ caseId: seeded.caseId, stepId: 'reminder', idempotencyKey: `${seeded.caseId}/r/reminder`, templateKey: 'reminder', templateRef: { key: 'reminder' }, to: seeded.email, account: templateAccount(seeded) }),
    );
    expect(failure.type).toBe('ContactNotPermitted');
    expect(failure.message).toContain('email_unsubscribe');
    expect(engine.smtp.messages.length).toBe(before);
    const row = await engine.db.communication.findFirstOrThrow({ where: { caseId: seeded.caseId } });
    expect(row).toMatchObject({ status: 'suppressed', attempts: 0 });
  });

  it('an address already known to bounce is refused as InvalidRecipient before the server is called', async () => {
    const seeded = await seedCase(engine.db, { email: 'bounced@example.com' });
    await engine.db.contact.updateMany({ where: { debtorId: seeded.debtorId, channel: 'email' }, data: { status: 'invalid' } });
    const before = engine.smtp.messages.length;
    const failure = await failureOf(
      activities.sendEmail({ caseId: seeded.caseId, stepId: 'reminder', idempotencyKey: `${seeded.caseId}/r/reminder`, templateKey: 'reminder', templateRef: { key: 'reminder' }, to: seeded.email, account: templateAccount(seeded) }),
    );
    expect(failure.type).toBe('InvalidRecipient');
    expect(engine.smtp.messages.length).toBe(before);
    expect(await engine.db.communication.findFirstOrThrow({ where: { caseId: seeded.caseId } })).toMatchObject({ status: 'failed', attempts: 0 });
  });

  it('a step naming a managed template that does not exist fails as StepMisconfigured', async () => {
    const seeded = await seedCase(engine.db);
    const failure = await failureOf(
      activities.sendEmail({ caseId: seeded.caseId, stepId: 'x', idempotencyKey: `${seeded.caseId}/r/x`, templateKey: 'x', templateRef: { key: 'no-such-template' }, to: seeded.email, account: templateAccount(seeded) }),
    );
    expect(failure.type).toBe('StepMisconfigured');
  });
});
