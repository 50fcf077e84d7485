import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectionDisclosure } from '../../domain/disclosures.js';
import { statusQuery, type CaseEvent, type CaseStatus } from '../../workflows/case-messages.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { eventually } from '../../testing/eventually.js';
import { middayZone } from '../../testing/midday-zone.js';
import { twilioFrom, whatsappFrom } from '../../testing/parts/standins.js';
import { postTwilio } from './support/harness.js';

/**
 * WhatsApp end to end (Temporal dev server, the case workflow, PostgreSQL, the API's signed Twilio
 * webhooks and the Twilio stand-in): free text refused outside the 24-hour session window and the
 * fallback sent instead, an approved template sent with whatsapp: addresses, its delivery status
 * recorded, the debtor's reply reaching the case and opening the window for free text, STOP
 * opting the number out of WhatsApp (not SMS), and a later WhatsApp step not sent.
 */

let engine: Engine;

const optOut = 'Reply STOP to opt out.';
const strategy = {
  key: 'whatsapp-e2e',
  name: 'WhatsApp end to end',
  templates: {
    approved: { channel: 'whatsapp', approvedTemplate: 'balance_reminder_v1', body: `Hello {{debtor.name}}, {{balance}} is overdue. ${collectionDisclosure.en} ${optOut}` },
    chat: { channel: 'whatsapp', body: `Thanks {{debtor.name}}, an officer will follow up. ${collectionDisclosure.en} ${optOut}` },
    nudge: { channel: 'sms', body: `{{debtor.name}}, {{balance}} is overdue. ${collectionDisclosure.en} ${optOut}` },
  },
  steps: [
    { id: 'chat-early', at: 'PT0S', action: 'whatsapp', template: 'chat', fallback: { action: 'sms', template: 'nudge' } },
    { id: 'reminder', at: 'PT1S', action: 'whatsapp', template: 'approved' },
    // The case is paused while the test plays the debtor, so these offsets race nothing: a paused
    // timeline resumes shifted by the pause (the margins only leave room for the pause to arrive).
    { id: 'chat', at: 'PT20S', action: 'whatsapp', template: 'chat' },
    { id: 'after-stop', at: 'PT40S', action: 'whatsapp', template: 'approved' },
    { id: 'sms-after-stop', at: 'PT41S', action: 'sms', template: 'nudge' },
    { id: 'call', at: 'P30D', action: 'call' },
  ],
};

const number = '+15555550177';
const whatsappNumber = `whatsapp:${number}`;

const status = (caseId: string): Promise<CaseStatus> => engine.temporal.workflow.getHandle(caseId).query(statusQuery);

function twilio(path: string, form: Record<string, string>) {
  return postTwilio(engine.baseUrl, path, form, { authToken: engine.communications.twilioAuthToken ?? '', publicUrl: engine.communications.publicUrl });
}

let sid = 0;
const inbound = (body: string) => ({ MessageSid: `SM${String(++sid).padStart(32, 'a')}`, AccountSid: engine.twilio.accountSid, From: whatsappNumber, To: whatsappFrom, Body: body, NumMedia: '0', ProfileName: 'Ana' });

/** Pauses or resumes the case's timeline, as an officer would. */
async function setPaused(caseId: string, action: 'pause' | 'resume'): Promise<void> {
  const answer = await engine.call('POST', `/api/v1/cases/${caseId}/${action}`, { body: { reason: `test plays the debtor (${action})` } });
  expect(answer.status).toBe(202);
  const wanted = action === 'pause' ? 'paused' : 'open';
  await eventually(async () => (await status(caseId)).status === wanted, `the case to be ${wanted}`);
}

/** The case's history line for a step, once it is there. */
async function stepEvent(caseId: string, stepId: string, types: CaseEvent['type'][]): Promise<CaseEvent> {
  return eventually(async () => (await status(caseId)).history.find((event) => event.stepId === stepId && types.includes(event.type)) ?? false, `step "${stepId}" to end`, 60_000);
}

beforeAll(async () => {
  engine = await startEngine({ smtp: true, twilio: true, strategies: [strategy] });
});
afterAll(() => engine?.stop());

describe('WhatsApp through Twilio', () => {
  it('keeps the session window, sends with whatsapp: addresses, records delivery, takes replies and honours STOP for WhatsApp only', async () => {
    const enrolled = await engine.call('POST', '/api/v1/accounts', {
      key: engine.keys.integration,
      body: {
        externalId: 'ACC-WA',
        strategy: strategy.key,
        currency: 'USD',
        balance: 125_000,
        debtor: { name: 'Ana Ruiz', phone: number, smsConsent: true, whatsapp: number, whatsappOptIn: true, timeZone: middayZone() },
      },
    });
    expect(enrolled.status).toBe(201);
    const caseId = String(enrolled.body.caseId);

    // The opt-in is recorded on the number, with its source and time.
    const contact = await engine.db.contact.findFirstOrThrow({ where: { channel: 'whatsapp', value: number } });
    expect(contact).toMatchObject({ consent: true, consentSource: 'enrollment' });
    expect(contact.consentAt).not.toBeNull();

    // Free text before the debtor ever wrote: refused with the reason, and the fallback (SMS) goes.
    const refused = await stepEvent(caseId, 'chat-early', ['step_failed']);
    expect(refused.detail).toContain('outside the WhatsApp 24-hour session window');
    const early = await engine.db.communication.findFirstOrThrow({ where: { caseId, stepId: 'chat-early' } });
    expect(early).toMatchObject({ channel: 'whatsapp', status: 'suppressed', sentAt: null });

    // The approved template goes at once, from and to whatsapp: addresses, with a status callback.
    await stepEvent(caseId, 'reminder', ['step_done']);
    // Held while the debtor reads and answers, so the reply is in before the free-text step is due.
    await setPaused(caseId, 'pause');
    const messages = await engine.twilio.waitForMessages(2, 20_000);
    const fallback = messages.find((message) => message.form.To === number);
    expect(fallback?.form.From).toBe(twilioFrom);
    const reminder = messages.find((message) => message.form.To === whatsappNumber);
    expect(reminder?.form).toMatchObject({ From: whatsappFrom, Body: strategy.templates.approved.body.replace('{{debtor.name}}', 'Ana Ruiz').replace('{{balance}}', '$1,250.00') });
    const callback = new URL(reminder?.form.StatusCallback ?? '');
    expect(`${callback.origin}${callback.pathname}`).toBe(`${engine.communications.publicUrl}/webhooks/twilio/status`);

    // The stand-in posts its delivery status, signed, to the status webhook; it is recorded ("read" is delivered).
    const report = (messageStatus: string) => engine.twilio.postStatus(reminder?.sid ?? '', messageStatus, { via: engine.baseUrl });
    expect(await report('sent')).toBe(204);
    expect(await report('read')).toBe(204);
    const communicationId = callback.searchParams.get('c') ?? '';
    const delivered = await eventually(async () => {
      const row = await engine.db.communication.findUniqueOrThrow({ where: { id: communicationId }, include: { events: { orderBy: { id: 'asc' } } } });
      return row.status === 'delivered' && row;
    }, 'the delivery report to be recorded');
    expect(delivered).toMatchObject({ channel: 'whatsapp', recipient: number, provider: 'twilio', providerId: reminder?.sid, stepId: 'reminder' });
    expect(delivered.deliveredAt).not.toBeNull();
    expect(delivered.events.map((event) => `${event.source}:${event.status}`)).toEqual(expect.arrayContaining(['twilio:sent', 'twilio:read']));

    // The debtor answers on WhatsApp: the reply reaches the case, and the window opens for free text.
    const reply = await twilio('/webhooks/twilio/sms', inbound('Can someone call me tomorrow?'));
    expect(reply.status).toBe(200);
    const received = await eventually(async () => (await status(caseId)).history.find((event) => event.type === 'reply_received') ?? false, 'the reply to reach the case');
    expect(received.data).toMatchObject({ channel: 'whatsapp', intent: 'call_me' });
    expect(await engine.db.inboundMessage.findFirst({ where: { channel: 'whatsapp', fromAddress: number, caseId } })).not.toBeNull();
    await setPaused(caseId, 'resume');
    await stepEvent(caseId, 'chat', ['step_done']);
    // Held again while the debtor sends STOP, so the opt-out is in before the next WhatsApp step is due.
    await setPaused(caseId, 'pause');
    const chat = await engine.twilio.waitForMessages(3, 20_000);
    expect(chat.filter((message) => message.form.To === whatsappNumber).map((message) => message.form.Body)).toHaveLength(2);

    // STOP on WhatsApp: that number is out of WhatsApp (recorded with its source), SMS is untouched.
    expect((await twilio('/webhooks/twilio/sms', inbound('STOP'))).status).toBe(200);
    await eventually(async () => (await status(caseId)).channels.whatsapp?.optedOut === true, 'the case to record the WhatsApp opt-out');
    const stopped = await engine.db.contact.findFirstOrThrow({ where: { channel: 'whatsapp', value: number } });
    expect(stopped).toMatchObject({ optOutSource: 'whatsapp_reply' });
    expect(stopped.optedOutAt).not.toBeNull();
    expect((await engine.db.contact.findFirstOrThrow({ where: { channel: 'sms', value: number } })).optedOutAt).toBeNull();
    expect((await status(caseId)).channels.sms?.optedOut).toBe(false);
    await setPaused(caseId, 'resume');

    // The later WhatsApp step is not sent; the SMS step after it is.
    const skipped = await stepEvent(caseId, 'after-stop', ['step_skipped', 'step_done', 'step_failed']);
    expect(skipped).toMatchObject({ type: 'step_skipped' });
    expect(skipped.detail).toContain('opted out of whatsapp');
    await stepEvent(caseId, 'sms-after-stop', ['step_done']);
    const all = await engine.twilio.waitForMessages(4, 20_000);
    expect(all.filter((message) => message.form.To === whatsappNumber)).toHaveLength(2);
    expect(all.filter((message) => message.form.To === number)).toHaveLength(2);
  }, 120_000);
});
