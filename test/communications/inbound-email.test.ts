import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '../../testing/engine.js';
import { eventually } from '../../testing/eventually.js';
import { caseStatus, enrollWithAddress, inboundStrategy } from './support/inbound-cases.js';

/**
 * Email coming back into real cases (Temporal dev server, the case workflow, PostgreSQL): a
 * bounce report that invalidates the address (the next email step gives way to the letter), a
 * reply matched by its token, an automatic reply, and the one-click unsubscribe.
 */

let engine: Engine;

const strategy = inboundStrategy('comms-email', 7);
const enroll = (externalId: string, debtor: Record<string, unknown>) => enrollWithAddress(engine, strategy.key, externalId, debtor);
const status = (caseId: string) => caseStatus(engine, caseId);

async function postEmail(raw: string, secret = engine.communications.inboundEmailSecret) {
  const signature = `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
  const response = await fetch(`${engine.baseUrl}/webhooks/email/inbound`, { method: 'POST', headers: { 'content-type': 'message/rfc822', 'x-dunning-signature': signature }, body: raw });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  engine = await startEngine({ smtp: true, twilio: true, strategies: [strategy] });
});
afterAll(() => engine?.stop());

describe('email webhooks', () => {
  it('a hard bounce marks the address invalid: the next email step is skipped and the letter goes out', async () => {
    const caseId = await enroll('ACC-BOUNCE', { name: 'Bea Soto', email: 'bea@example.com' });
    const mail = await eventually(async () => engine.smtp.messages.find((message) => message.envelope.to[0] === 'bea@example.com'), 'the first email');
    const bounceAddress = mail.envelope.from;
    expect(bounceAddress).toMatch(new RegExp(`^bounce\\+[0-9a-f]{32}\\.[0-9a-f]{20}@${engine.communications.mailDomain}$`));
    const dsn = [
      'From: Mail Delivery System <MAILER-DAEMON@mx.example.com>',
      `To: ${bounceAddress}`,
      'Subject: Undelivered Mail Returned to Sender',
      'Message-ID: <dsn-0001@mx.example.com>',
      'Auto-Submitted: auto-replied',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=us-ascii',
      '',
      'This is the mail system. Your message could not be delivered.',
      '--b1',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.example.com',
      '',
      'Final-Recipient: rfc822; bea@example.com',
      'Action: failed',
      'Status: 5.1.1',
      'Diagnostic-Code: smtp; 550 5.1.1 <bea@example.com>: Recipient address rejected: User unknown',
      '',
      '--b1',
      'Content-Type: text/rfc822-headers',
      '',
      `Message-ID: ${mail.parsed.messageId}`,
      'Subject: Your balance of $1,250.00 is overdue',
      '--b1--',
      '',
    ].join('\r\n');

    expect((await postEmail(dsn, 'not-the-secret-not-the-secret-not-the-secret')).status).toBe(403);
    const answer = await postEmail(dsn);
    expect(answer).toEqual({ status: 202, body: { matched: true, kind: 'bounce', caseId } });
    await eventually(async () => (await status(caseId)).channels.email?.valid === false, 'the case to mark the address invalid');
    const communication = await engine.db.communication.findFirstOrThrow({ where: { caseId, stepId: 'reminder' }, include: { events: { orderBy: { id: 'asc' } } } });
    expect(communication.status).toBe('bounced');
    expect(communication.events.at(-1)).toMatchObject({ status: 'bounced', source: 'email_dsn' });
    expect((await engine.db.contact.findFirstOrThrow({ where: { channel: 'email', value: 'bea@example.com' } })).status).toBe('invalid');

    // The case goes on by letter; the dead address gets no second email. Whichever comes first
    // decides how: the signal (the step is skipped) or the send activity's own check of the
    // contact (the step fails as InvalidRecipient without reaching the mail server).
    const letter = await eventually(
      async () => engine.db.communication.findFirst({ where: { caseId, channel: 'letter', status: 'sent' } }),
      'the letter to be sent',
      25_000,
    );
    expect(letter.documentSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(engine.smtp.messages.filter((message) => message.envelope.to[0] === 'bea@example.com')).toHaveLength(1);
    expect(await engine.db.communication.count({ where: { caseId, stepId: 'second-reminder', status: 'sent' } })).toBe(0);
    const second = (await status(caseId)).history.find((event) => event.stepId === 'second-reminder');
    expect(second?.type === 'step_failed' ? second.data?.type : second?.detail).toMatch(/marked invalid|InvalidRecipient/);
  }, 60_000);

  it('a reply is matched by its reply token, classified and signalled; an auto-reply is only recorded', async () => {
    const caseId = await enroll('ACC-REPLY', { name: 'Carl Diaz', email: 'carl@example.com' });
    const mail = await eventually(async () => engine.smtp.messages.find((message) => message.envelope.to[0] === 'carl@example.com'), 'the first email');
    const replyTo = mail.parsed.replyTo?.value[0]?.address ?? '';
    const reply = (messageId: string, body: string, extra: string[] = []) =>
      [
        'From: Carl Diaz <carl@example.com>',
        `To: ${replyTo}`,
        'Subject: Re: Your balance of $1,250.00 is overdue',
        `Message-ID: <${messageId}@example.com>`,
        `In-Reply-To: ${mail.parsed.messageId}`,
        ...extra,
        'Content-Type: text/plain; charset=utf-8',
        '',
        body,
      ].join('\r\n');

    const outOfOffice = await postEmail(reply('ooo-1', 'I am out of the office until Monday.', ['Auto-Submitted: auto-replied']));
    expect(outOfOffice.body).toMatchObject({ matched: true, kind: 'auto_reply' });
    const answer = await postEmail(reply('reply-1', 'Please call me tomorrow afternoon.\r\n\r\nOn Mon, Collections wrote:\r\n> Hello Carl, I dispute nothing'));
    expect(answer.body).toEqual({ matched: true, kind: 'reply', caseId, intent: 'call_me' });
    const event = await eventually(async () => (await status(caseId)).history.find((entry) => entry.type === 'reply_received'), 'the reply to reach the case');
    expect(event.data).toMatchObject({ channel: 'email', intent: 'call_me', text: 'Please call me tomorrow afternoon.' });
    expect((await status(caseId)).history.filter((entry) => entry.type === 'reply_received')).toHaveLength(1);
  });

  it('the one-click unsubscribe opts the address out in the case; a forged link changes nothing', async () => {
    const caseId = await enroll('ACC-UNSUB', { name: 'Dana Lee', email: 'dana@example.com' });
    const mail = await eventually(async () => engine.smtp.messages.find((message) => message.envelope.to[0] === 'dana@example.com'), 'the first email');
    const url = new URL((mail.parsed.headers.get('list') as { unsubscribe: { url: string } }).unsubscribe.url);
    const local = `${engine.baseUrl}${url.pathname}`;

    const forged = await fetch(`${local.slice(0, -1)}${local.endsWith('0') ? '1' : '0'}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(forged.status).toBe(404);
    const page = await fetch(local);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post"');
    expect((await status(caseId)).channels.email?.optedOut).toBe(false);

    const oneClick = await fetch(local, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(oneClick.status).toBe(200);
    await eventually(async () => (await status(caseId)).channels.email?.optedOut === true, 'the case to record the email opt-out');
    expect(await engine.db.contact.findFirstOrThrow({ where: { channel: 'email', value: 'dana@example.com' } })).toMatchObject({ optOutSource: 'email_unsubscribe' });
  });
});
