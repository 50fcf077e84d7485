import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { ApiError } from '../errors.js';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import twilio from 'twilio';
import type { ContactChannel } from '../../domain/case-facts.js';
import { channels, inboundChannelOf, isChannel } from '../../domain/channels/index.js';
import { classifyReply, ReplyIntent } from '../../domain/replies.js';
import {
  parseDeliveryStatus,
  permanentTwilioDeliveryCodes,
  twilioOptedOutCode,
  twilioStatus,
} from '../../domain/template-delivery.js';
import { communicationIdsInMessageIds, LinkPurpose, tokensInAddresses, verifyLinkToken } from '../../domain/template-links.js';
import type { Db } from '../../lib/db.js';
import { contactChangedSignal, debtorRepliedSignal } from '../../workflows/case-messages.js';
import type { ApiCommunicationSettings } from './communication-settings.js';
import { clip, wellFormed } from '../../domain/well-formed-text.js';
import {
  auditCase,
  communicationCase,
  markContactInvalid,
  recordCommunicationStatus,
  setOptOut,
  signalCaseIfOpen,
  type CommunicationWithCase,
} from './communication-records.js';

/**
 * What debtors and providers send back: SMS replies and delivery status from Twilio, email
 * replies and bounce reports, one-click unsubscribes. Each is stored once (providers retry),
 * recorded against its communication and case, and signalled to the case's workflow.
 */

interface InboundDeps {
  db: Db;
  temporal: Client;
}

/** The most recent open (or paused) case of a debtor who has this number on `channel`. */
export async function findOpenCaseByPhone(db: Db, phone: string, channel: ContactChannel = 'sms') {
  return db.case.findFirst({
    where: { status: { in: ['open', 'paused'] }, account: { debtor: { contacts: { some: { channel, value: phone } } } } },
    orderBy: { startedAt: 'desc' },
    select: { id: true, account: { select: { debtorId: true } } },
  });
}

/** Stores an inbound message once; false when the provider already delivered this one. */
async function storeInbound(db: Db, data: { providerKey: string; channel: string; kind: string; caseId: string | null; communicationId?: string | null; fromAddress: string; text: string; intent?: string | null }) {
  const stored = await db.inboundMessage.createMany({ data: [data], skipDuplicates: true });
  return stored.count === 1;
}

/** A reply a machine could not read goes to an officer. */
async function reviewTask(db: Db, { caseId, providerKey, channel }: { caseId: string; providerKey: string; channel: string }) {
  await db.task.upsert({
    where: { idempotencyKey: `inbound:${providerKey}` },
    create: { caseId, kind: 'review', idempotencyKey: `inbound:${providerKey}`, reason: `a ${channel} reply could not be classified; read it and record the outcome` },
    update: {},
  });
}

export type TwilioForm = Record<string, string>;

/**
 * `POST /webhooks/twilio/sms`: a message from a debtor through Twilio, on the channel its sender
 * names (domain/channels/: `+1555...` is SMS). Keywords per Twilio's conventions (STOP family opts
 * out of that channel only, START family opts back in, HELP/INFO answered), everything else
 * classified and signalled. Answers TwiML: a message for HELP, empty otherwise (Twilio confirms
 * STOP/START itself).
 */
export async function receiveInboundSms({ db, temporal, settings, form }: InboundDeps & { settings: ApiCommunicationSettings; form: TwilioForm }): Promise<string> {
  const sender = form.From ?? '';
  const { channel, address: from } = inboundChannelOf(sender) ?? { channel: 'sms' as const, address: sender };
  const text = clip(form.Body ?? '', 5000);
  const providerKey = `twilio:${form.MessageSid ?? form.SmsSid ?? createHash('sha256').update(`${sender}\n${text}`).digest('hex')}`;
  const intent = classifyReply(text);
  const found = await findOpenCaseByPhone(db, from, channel);
  const kind = intent === ReplyIntent.stop || intent === ReplyIntent.start || intent === ReplyIntent.help ? 'keyword' : 'reply';
  const first = await storeInbound(db, { providerKey, channel, kind, caseId: found?.id ?? null, fromAddress: from, text, intent });

  const response = new twilio.twiml.MessagingResponse();
  if (intent === ReplyIntent.help) response.message(settings.smsHelpText);
  if (!first) return response.toString();

  // The opt-out is recorded on every contact with this number at once, case or no case: the
  // send activities check it, so no message goes out while the signal is on its way.
  if (intent === ReplyIntent.stop) await setOptOut(db, { channel, address: from, optedOut: true, source: `${channel}_reply` });
  if (intent === ReplyIntent.start) await setOptOut(db, { channel, address: from, optedOut: false, source: `${channel}_reply` });
  if (found) {
    const signalled = await signalCaseIfOpen(temporal, found.id, debtorRepliedSignal, { channel, text, intent, receivedAt: new Date().toISOString() });
    // A running case makes its own task for a reply a person must read; without one, we do.
    if (!signalled && intent === ReplyIntent.other) await reviewTask(db, { caseId: found.id, providerKey, channel: channels[channel].name });
  }
  return response.toString();
}

/**
 * `POST /webhooks/twilio/status`: Twilio's delivery reports. Every report becomes an event of
 * the communication; an undeliverable number (permanent error code) marks the contact invalid
 * and tells the case, whose fallback channel then runs.
 */
export async function receiveSmsStatus({ db, temporal, form, communicationId }: InboundDeps & { form: TwilioForm; communicationId?: string | undefined }) {
  const sid = form.MessageSid ?? form.SmsSid ?? '';
  const reported = form.MessageStatus ?? form.SmsStatus ?? '';
  const row =
    (communicationId ? await communicationCase(db, communicationId) : null) ??
    (sid ? await db.communication.findFirst({ where: { providerId: sid }, select: { id: true } }).then((hit) => (hit ? communicationCase(db, hit.id) : null)) : null);
  if (!row || !reported) return { matched: false };

  const errorCode = form.ErrorCode ? Number(form.ErrorCode) : null;
  const newStatus = twilioStatus(reported);
  const { recorded } = await recordCommunicationStatus(db, {
    communicationId: row.id,
    status: reported,
    newStatus,
    detail: `twilio reported ${reported}${errorCode ? ` (error ${errorCode})` : ''}`,
    source: 'twilio',
    data: { sid, ...(errorCode ? { errorCode } : {}) },
    idempotencyKey: `twilio:${sid}:${reported}`,
    fields: {
      ...(sid ? { providerId: sid } : {}),
      ...(form.Price ? { price: form.Price, ...(form.PriceUnit ? { priceUnit: form.PriceUnit } : {}) } : {}),
      ...(newStatus === 'delivered' ? { deliveredAt: new Date() } : {}),
    },
  });
  if (!recorded || (newStatus !== 'undelivered' && newStatus !== 'failed') || errorCode === null) return { matched: true };
  await reactToFailedSms(db, temporal, row, errorCode);
  return { matched: true };
}

async function reactToFailedSms(db: Db, temporal: Client, row: CommunicationWithCase, errorCode: number) {
  const debtorId = row.case.account.debtorId;
  // The message's own channel (SMS, or another channel Twilio carries): only that one changes.
  const channel = isChannel(row.channel) ? row.channel : 'sms';
  const { name } = channels[channel];
  if (errorCode === twilioOptedOutCode) {
    await setOptOut(db, { channel, address: row.recipient, optedOut: true, source: 'carrier_stop', debtorId });
    await auditCase(db, { caseId: row.caseId, actor: 'webhook:twilio', action: 'contact_opted_out', detail: `the carrier reports the debtor opted out of ${name} (21610)`, data: { channel, communicationId: row.id } });
    await signalCaseIfOpen(temporal, row.caseId, contactChangedSignal, { channel, optedOut: true, source: 'carrier_stop' });
    return;
  }
  if (!permanentTwilioDeliveryCodes.has(errorCode)) return; // transient: the record says so, nothing else changes
  await markContactInvalid(db, { debtorId, channel, address: row.recipient });
  await auditCase(db, { caseId: row.caseId, actor: 'webhook:twilio', action: 'contact_invalid', detail: `${name} undeliverable to this number (twilio ${errorCode})`, data: { channel, communicationId: row.id, errorCode } });
  await signalCaseIfOpen(temporal, row.caseId, contactChangedSignal, { channel, valid: false, source: 'twilio_status' });
}

/** Drops the quoted earlier message from a reply ("> ..." lines and the "On ... wrote:" line). */
export function replyText(text: string): string {
  const lines: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*>/.test(line)) continue;
    if (/^\s*(On|El)\s.+(wrote|escribió):\s*$/i.test(line)) break;
    if (/^-{2,}\s*Original Message\s*-{2,}/i.test(line) || /^_{5,}\s*$/.test(line)) break;
    lines.push(line);
  }
  return lines.join('\n').trim();
}

/** A header as text, whatever shape mailparser gave it (string, list, structured, addresses). */
function headerString(mail: ParsedMail, name: string): string {
  const value: unknown = mail.headers.get(name);
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.filter((entry): entry is string => typeof entry === 'string').join(' ');
  if (value && typeof value === 'object') {
    if ('text' in value && typeof value.text === 'string') return value.text;
    if ('value' in value && typeof value.value === 'string') return value.value;
  }
  return '';
}

function addressText(value: AddressObject | AddressObject[] | undefined): string {
  if (!value) return '';
  return (Array.isArray(value) ? value : [value]).map((entry) => entry.text).join(', ');
}

/** The communication an email refers to: by a signed token in its addresses, else by our Message-ID it answers. */
async function matchCommunication(db: Db, settings: ApiCommunicationSettings, mail: ParsedMail, raw: string): Promise<CommunicationWithCase | null> {
  const addresses = [addressText(mail.to), addressText(mail.cc), headerString(mail, 'delivered-to'), headerString(mail, 'x-original-to')].join(' ');
  for (const token of tokensInAddresses(addresses, settings.mailDomain)) {
    const id = verifyLinkToken(settings.linkSecret, LinkPurpose.reply, token);
    const row = id ? await communicationCase(db, id) : null;
    if (row) return row;
  }
  const references = [mail.inReplyTo ?? '', ...(Array.isArray(mail.references) ? mail.references : [mail.references ?? ''])].join(' ');
  // A bounce report quotes the original message (its headers) in a part of its own.
  for (const text of [references, raw]) {
    for (const id of communicationIdsInMessageIds(text, settings.mailDomain)) {
      const row = await communicationCase(db, id);
      if (row?.channel === 'email') return row;
    }
  }
  return null;
}

export interface InboundEmailResult {
  matched: boolean;
  kind: 'bounce' | 'delay' | 'auto_reply' | 'reply' | 'duplicate';
  caseId: string | null;
  intent?: ReplyIntent;
}

/**
 * `POST /webhooks/email/inbound`: a raw RFC 822 message as mail providers post it. A delivery
 * status notification with a 5.x.x status marks the email contact invalid; a 4.x.x is recorded
 * as a delay; an automatic reply is recorded and not signalled; a reply is classified and
 * signalled like an SMS reply.
 */
export async function receiveInboundEmail({ db, temporal, settings, raw }: InboundDeps & { settings: ApiCommunicationSettings; raw: Buffer }): Promise<InboundEmailResult> {
  // A message the parser cannot read (e.g. a header line over its length limit) is the sender's fault.
  const mail = await simpleParser(raw).catch((error: unknown) => {
    throw new ApiError(422, 'unreadable_message', `the message could not be parsed: ${(error as { code?: string }).code ?? 'invalid'}`);
  });
  const rawText = raw.toString('utf8');
  const providerKey = `email:${mail.messageId ?? createHash('sha256').update(raw).digest('hex')}`;
  const row = await matchCommunication(db, settings, mail, rawText);
  const caseId = row?.caseId ?? null;
  // Decoded by us from the message's bytes and charset: repaired rather than refused, so a reply is never lost.
  const from = clip(wellFormed(addressText(mail.from)), 500);

  // mailparser hands the report part over as an attachment; some relays flatten it into the text.
  const report = mail.attachments.find((part) => part.contentType === 'message/delivery-status');
  const isReport = headerString(mail, 'content-type').toLowerCase() === 'multipart/report';
  const dsn = report ? parseDeliveryStatus(report.content.toString('utf8')) : isReport ? parseDeliveryStatus(rawText) : null;

  if (dsn) {
    const kind = dsn.permanent ? 'bounce' : 'delay';
    const first = await storeInbound(db, { providerKey, channel: 'email', kind, caseId, communicationId: row?.id ?? null, fromAddress: from, text: `${dsn.status} ${dsn.diagnostic ?? ''}`.trim() });
    if (!first) return { matched: row !== null, kind: 'duplicate', caseId };
    if (!row) return { matched: false, kind, caseId: null };
    await recordCommunicationStatus(db, {
      communicationId: row.id,
      status: dsn.permanent ? 'bounced' : 'delayed',
      newStatus: dsn.permanent ? 'bounced' : null,
      detail: `${dsn.permanent ? 'hard bounce' : 'delivery delayed'} ${dsn.status}${dsn.diagnostic ? `: ${dsn.diagnostic}` : ''}`.slice(0, 1000),
      source: 'email_dsn',
      data: { status: dsn.status, action: dsn.action },
      idempotencyKey: `${providerKey}:status`,
    });
    if (dsn.permanent) {
      await markContactInvalid(db, { debtorId: row.case.account.debtorId, channel: 'email', address: row.recipient });
      await auditCase(db, { caseId: row.caseId, actor: 'webhook:email', action: 'contact_invalid', detail: `email bounced (${dsn.status})`, data: { channel: 'email', communicationId: row.id } });
      await signalCaseIfOpen(temporal, row.caseId, contactChangedSignal, { channel: 'email', valid: false, source: 'email_bounce' });
    }
    return { matched: true, kind, caseId };
  }

  const autoSubmitted = (headerString(mail, 'auto-submitted') || 'no').toLowerCase();
  const automatic = autoSubmitted !== 'no' || mail.headers.has('x-autoreply') || /auto_reply|bulk|junk/i.test(headerString(mail, 'precedence'));
  const text = clip(wellFormed(replyText(mail.text ?? '')), 5000);
  const intent = automatic ? null : classifyReply(text || wellFormed(mail.subject ?? ''));
  const kind = automatic ? 'auto_reply' : 'reply';
  const first = await storeInbound(db, { providerKey, channel: 'email', kind, caseId, communicationId: row?.id ?? null, fromAddress: from, text, intent });
  if (!first) return { matched: row !== null, kind: 'duplicate', caseId };
  if (!row) return { matched: false, kind, caseId: null };
  if (automatic || !intent) {
    await recordCommunicationStatus(db, { communicationId: row.id, status: 'auto_reply', newStatus: null, detail: 'an automatic reply was received', source: 'email_inbound', idempotencyKey: `${providerKey}:auto` });
    return { matched: true, kind: 'auto_reply', caseId };
  }
  if (intent === ReplyIntent.stop) {
    await setOptOut(db, { channel: 'email', address: row.recipient, optedOut: true, source: 'email_reply', debtorId: row.case.account.debtorId });
  }
  const signalled = await signalCaseIfOpen(temporal, row.caseId, debtorRepliedSignal, { channel: 'email', text, intent, receivedAt: (mail.date ?? new Date()).toISOString() });
  if (!signalled && intent === ReplyIntent.other) await reviewTask(db, { caseId: row.caseId, providerKey, channel: 'email' });
  return { matched: true, kind: 'reply', caseId, intent };
}

/**
 * `POST /u/:token` (and the one-click POST of RFC 8058 from mail clients): the debtor stops
 * email. Recorded on the contact at once, signalled to the case. Idempotent.
 */
export async function unsubscribe({ db, temporal, settings, token }: InboundDeps & { settings: ApiCommunicationSettings; token: string }): Promise<boolean> {
  const id = verifyLinkToken(settings.linkSecret, LinkPurpose.unsubscribe, token);
  const row = id ? await communicationCase(db, id) : null;
  if (!row || row.channel !== 'email') return false;
  await setOptOut(db, { channel: 'email', address: row.recipient, optedOut: true, source: 'email_unsubscribe', debtorId: row.case.account.debtorId });
  const { recorded } = await recordCommunicationStatus(db, {
    communicationId: row.id,
    status: 'unsubscribed',
    newStatus: null,
    detail: 'the debtor unsubscribed from email through this message',
    source: 'unsubscribe',
    idempotencyKey: `unsubscribe:${row.id}`,
  });
  if (recorded) {
    await auditCase(db, { caseId: row.caseId, actor: 'debtor', action: 'contact_opted_out', detail: 'the debtor unsubscribed from email', data: { channel: 'email', communicationId: row.id } });
  }
  // Signalled every time: harmless when repeated, and it heals a signal lost the first time.
  await signalCaseIfOpen(temporal, row.caseId, contactChangedSignal, { channel: 'email', optedOut: true, source: 'email_unsubscribe' });
  return true;
}

/** `X-Twilio-Signature` over the public URL Twilio called and the posted form. */
export function twilioSignatureValid({ authToken, signature, url, form }: { authToken: string; signature: string | undefined; url: string; form: TwilioForm }): boolean {
  return Boolean(signature) && twilio.validateRequest(authToken, signature ?? '', url, form);
}

/**
 * Inbound email posts are signed by whatever relays them (a Postfix pipe, a provider's inbound
 * hook through a small forwarder): `X-Dunning-Signature: sha256=<hex HMAC-SHA256 of the raw
 * body with INBOUND_EMAIL_SECRET>`. An HMAC rather than a shared header: the secret never
 * travels, and a captured request cannot carry another message.
 */
export function inboundEmailSignatureValid({ secret, raw, header }: { secret: string; raw: Buffer; header: string | undefined }): boolean {
  const given = /^sha256=([0-9a-f]{64})$/i.exec(header?.trim() ?? '')?.[1];
  if (!given) return false;
  const expected = createHmac('sha256', secret).update(raw).digest();
  return timingSafeEqual(Buffer.from(given.toLowerCase(), 'hex'), expected);
}
