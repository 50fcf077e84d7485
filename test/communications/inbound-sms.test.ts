import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postTwilio } from './support/harness.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { eventually } from '../../testing/eventually.js';
import { caseStatus, enrollWithAddress, inboundStrategy } from './support/inbound-cases.js';

/**
 * Twilio webhooks into a real case (Temporal dev server, the case workflow, PostgreSQL): signed
 * and badly signed requests, STOP then START, HELP, classified replies, delivery status with an
 * undeliverable number, and the audit export of that case.
 */

let engine: Engine;

const strategy = inboundStrategy('comms-e2e', 9);
const enroll = (externalId: string, debtor: Record<string, unknown>) => enrollWithAddress(engine, strategy.key, externalId, debtor);
const status = (caseId: string) => caseStatus(engine, caseId);

function twilio(path: string, form: Record<string, string>, signature?: string | null) {
  return postTwilio(engine.baseUrl, path, form, { authToken: engine.communications.twilioAuthToken ?? '', publicUrl: engine.communications.publicUrl, ...(signature === undefined ? {} : { signature }) });
}

let sid = 0;
const sms = (from: string, body: string) => ({ MessageSid: `SM${String(++sid).padStart(32, '0')}`, AccountSid: engine.twilio.accountSid, From: from, To: '+15555550199', Body: body, NumMedia: '0' });

beforeAll(async () => {
  engine = await startEngine({ smtp: true, twilio: true, strategies: [strategy] });
});
afterAll(() => engine?.stop());

describe('SMS webhooks', () => {
  it('refuse bad signatures, honour STOP then START and HELP, classify replies, and track delivery', async () => {
    const phone = '+15555550142';
    // Twilio's answer to the send is held back, so its delivery reports reach us before the
    // activity records the send, as they can in production.
    const answerSend = engine.twilio.holdNext();
    const caseId = await enroll('ACC-SMS', { name: 'Ana Ruiz', email: 'ana@example.com', phone, smsConsent: true });
    const [sent] = await engine.twilio.waitForMessages(1, 20_000);
    const callback = new URL(sent?.form.StatusCallback ?? '');
    expect(`${callback.origin}${callback.pathname}`).toBe(`${engine.communications.publicUrl}/webhooks/twilio/status`);
    const statusPath = `${callback.pathname}${callback.search}`;

    // Delivery reports, out of order and repeated: the record keeps every one and never moves back.
    const report = (messageStatus: string, extra: Record<string, string> = {}) =>
      twilio(statusPath, { MessageSid: sent?.sid ?? '', MessageStatus: messageStatus, AccountSid: engine.twilio.accountSid, To: phone, From: '+15555550199', ...extra });
    expect((await report('sent')).status).toBe(204);
    expect((await report('delivered')).status).toBe(204);
    expect((await report('sent')).status).toBe(204);
    answerSend();
    const communicationId = callback.searchParams.get('c') ?? '';
    const delivered = await eventually(async () => {
      const row = await engine.db.communication.findUniqueOrThrow({ where: { id: communicationId }, include: { events: { orderBy: { id: 'asc' } } } });
      return row.sentAt !== null && row;
    }, 'the activity to record the send');
    expect(delivered.status).toBe('delivered');
    expect(delivered.deliveredAt).not.toBeNull();
    expect(delivered.providerId).toBe(sent?.sid);
    expect(delivered.events.map((event) => `${event.source}:${event.status}`)).toEqual(['activity:sending', 'twilio:sent', 'twilio:delivered', 'activity:sent']);

    // Refused: no signature, a wrong one, one made for another URL, one made with another token.
    const stop = sms(phone, 'STOP');
    expect((await twilio('/webhooks/twilio/sms', stop, null)).status).toBe(403);
    expect((await twilio('/webhooks/twilio/sms', stop, 'bm90IGEgc2lnbmF0dXJl')).status).toBe(403);
    const otherUrl = await postTwilio(engine.baseUrl, '/webhooks/twilio/sms', stop, { authToken: engine.communications.twilioAuthToken ?? '', publicUrl: 'https://attacker.example' });
    expect(otherUrl.status).toBe(403);
    const otherToken = await postTwilio(engine.baseUrl, '/webhooks/twilio/sms', stop, { authToken: 'not-the-auth-token', publicUrl: engine.communications.publicUrl });
    expect(otherToken.status).toBe(403);
    expect(await engine.db.inboundMessage.count()).toBe(0);
    expect((await status(caseId)).channels.sms?.optedOut).toBe(false);

    // STOP, signed: TwiML with no message (Twilio confirms the opt-out itself), the case stops SMS.
    const stopped = await twilio('/webhooks/twilio/sms', stop);
    expect(stopped.status).toBe(200);
    expect(stopped.contentType).toContain('text/xml');
    expect(stopped.text).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    await eventually(async () => (await status(caseId)).channels.sms?.optedOut === true, 'the case to record the SMS opt-out');
    const contact = await engine.db.contact.findFirstOrThrow({ where: { channel: 'sms', value: phone } });
    expect(contact).toMatchObject({ optOutSource: 'sms_reply' });
    expect(contact.optedOutAt).not.toBeNull();
    // Twilio retries a webhook it thinks failed: the same message is taken once.
    expect((await twilio('/webhooks/twilio/sms', stop)).status).toBe(200);
    expect(await engine.db.inboundMessage.count({ where: { providerKey: `twilio:${stop.MessageSid}` } })).toBe(1);

    // START opts back in.
    expect((await twilio('/webhooks/twilio/sms', sms(phone, 'start'))).status).toBe(200);
    await eventually(async () => (await status(caseId)).channels.sms?.optedOut === false, 'the case to record the SMS opt-in');
    expect((await engine.db.contact.findFirstOrThrow({ where: { channel: 'sms', value: phone } })).optedOutAt).toBeNull();

    // HELP is answered with the help text.
    const help = await twilio('/webhooks/twilio/sms', sms(phone, 'HELP'));
    expect(help.text).toBe(`<?xml version="1.0" encoding="UTF-8"?><Response><Message>${engine.communications.smsHelpText}</Message></Response>`);

    // Other replies are classified and signalled; what a machine cannot read becomes an officer task.
    await twilio('/webhooks/twilio/sms', sms(phone, 'I already paid this last week'));
    await twilio('/webhooks/twilio/sms', sms(phone, 'Who is this? Is this about the car?'));
    const history = await eventually(async () => {
      const events = (await status(caseId)).history.filter((event) => event.type === 'reply_received');
      return events.length >= 5 && events;
    }, 'the replies to reach the case');
    expect(history.map((event) => event.data?.intent)).toEqual(['stop', 'start', 'help', 'paid', 'other']);
    // One task per reply a person must read, made by the case (not a second one by the webhook).
    const tasks = await eventually(async () => {
      const rows = await engine.db.task.findMany({ where: { caseId, kind: { in: ['reply', 'review'] } } });
      return rows.length >= 2 && rows;
    }, 'the reply tasks');
    expect(tasks.map((task) => task.kind)).toEqual(['reply', 'reply']);
    expect(tasks.map((task) => task.reason).sort()).toEqual(['debtor replied by sms (paid)', 'debtor replied by sms; it could not be classified: read it and record the outcome']);

    // An undeliverable number (30005: unknown handset) marks the contact invalid in the case.
    expect((await report('undelivered', { ErrorCode: '30005' })).status).toBe(204);
    await eventually(async () => (await status(caseId)).channels.sms?.valid === false, 'the case to mark the number invalid');
    expect((await engine.db.contact.findFirstOrThrow({ where: { channel: 'sms', value: phone } })).status).toBe('invalid');
    const audit = await engine.call('GET', `/api/v1/cases/${caseId}`, { key: engine.keys.officer });
    expect(audit.body.history.some((line: { action: string; detail: string }) => line.action === 'contact_invalid' && line.detail.includes('30005'))).toBe(true);
  });
});

describe('the audit export', () => {
  it('lists every communication of a case with every status change, as JSON and CSV', async () => {
    const [row] = await engine.db.case.findMany({ where: { account: { externalId: 'ACC-SMS' } } });
    const caseId = row?.id ?? '';
    const json = await engine.call('GET', `/api/v1/cases/${caseId}/communications/export?format=json`, { key: engine.keys.auditor });
    expect(json.status).toBe(200);
    const sms = json.body.communications.find((item: { channel: string }) => item.channel === 'sms');
    expect(sms).toMatchObject({ template: 'nudge', templateVersion: null, provider: 'twilio', status: 'undelivered' });
    expect(sms.events.map((event: { status: string }) => event.status)).toEqual(['sending', 'sent', 'delivered', 'sent', 'undelivered']);
    expect(json.body.inbound.map((entry: { intent: string }) => entry.intent)).toEqual(['stop', 'start', 'help', 'paid', 'other']);

    const csv = await engine.call('GET', `/api/v1/cases/${caseId}/communications/export?format=csv`, { key: engine.keys.auditor });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('communication_id,step_id,channel,recipient,template,template_language,template_version,provider,provider_id,current_status,event_at,event_status,event_source,event_detail,subject,body');
    expect(lines.filter((line) => line.startsWith(`${sms.id},nudge,sms,`))).toHaveLength(5);
    expect((await engine.call('GET', `/api/v1/cases/${caseId}/communications/export`, { key: engine.keys.officer })).status).toBe(403);
  });
});
