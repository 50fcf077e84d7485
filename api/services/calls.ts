import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import twilio from 'twilio';
import { numberToDial } from '../../domain/calls/number-to-dial.js';
import { recordingDisclosure, recordingDisclosureText } from '../../domain/calls/recording-consent.js';
import type { ContactVerdict } from '../../domain/regulation/index.js';
import { Prisma } from '../../generated/prisma/client.js';
import type { Db } from '../../lib/db.js';
import { createTwilioClient } from '../../lib/twilio-client.js';
import { grantStartingPerson } from '../../records/person-workflow.js';
import { callAttemptedSignal, callFactsQuery, contactPermissionQuery } from '../../workflows/case-messages.js';
import { grantContactUpdate, personWorkflowId, type ContactGrant, type ContactGrantRequest } from '../../workflows/person-messages.js';
import { ApiError, conflict, invalidRequest, notFound } from '../errors.js';
import type { CallOutcome } from './tasks.js';
import type { VoiceSettings } from './voice-settings.js';

/**
 * Click-to-call through Twilio Voice. The engine rings the officer's line and bridges the debtor
 * (TwiML `<Dial><Number>`), after checking the call at dial time: the case's own rules (its
 * `contactPermission` query, at the API's clock) and then the person's ledger (the person's
 * `grantContact` update, which counts a permitted call at once, so two officers dialing the same
 * person's accounts cannot both pass a cap). A refusal dials nothing. Twilio's callbacks record
 * whether the debtor answered, for how long, and the recording; the officer's disposition reaches
 * the case as `callAttempted` under the grant's id, so the person counts the call once.
 */

/** A call the rules refused: the reason, and when it may be placed (null when never, as the facts stand). */
export class CallRefused extends Error {
  constructor(
    readonly statusCode: 409 | 422,
    readonly code: 'call_not_permitted' | 'call_barred',
    readonly reason: string,
    readonly nextPermittedAt: string | null,
  ) {
    super(nextPermittedAt ? `${reason}; next permitted at ${nextPermittedAt}` : reason);
  }
}

function refusal(verdict: ContactVerdict | ContactGrant): CallRefused | null {
  if (verdict.kind === 'permitted') return null;
  if (verdict.kind === 'barred') return new CallRefused(422, 'call_barred', verdict.reason, null);
  return new CallRefused(409, 'call_not_permitted', verdict.reason, verdict.until === null ? null : new Date(verdict.until).toISOString());
}

/** The number the debtor is called on (domain/calls/number-to-dial.ts: a trusted phone line first). */
async function debtorNumber(db: Db, debtorId: string): Promise<string | null> {
  const rows = await db.contact.findMany({ where: { debtorId, channel: { in: ['phone', 'sms'] }, status: 'valid', retiredAt: null }, orderBy: { createdAt: 'asc' } });
  return numberToDial(rows);
}

export type CallRow = Awaited<ReturnType<Db['call']['findUniqueOrThrow']>>;

/** A call as the API shows it. */
export function callView(row: CallRow) {
  return {
    callId: row.id,
    caseId: row.caseId,
    source: row.source,
    officer: row.officer,
    status: row.status,
    placedAt: row.placedAt.toISOString(),
    endedAt: row.endedAt?.toISOString() ?? null,
    connected: row.connected,
    rightParty: row.rightParty,
    durationSeconds: row.durationSeconds,
    outcome: row.outcome,
    note: row.note,
    dialerCallId: row.dialerCallId,
    taskId: row.taskId,
    recording: row.recordingRef ? { ref: row.recordingRef, url: row.recordingUrl } : null,
    disclosure: row.recordingDisclosure ? { text: row.recordingDisclosure, state: row.disclosureState } : null,
    dispositionAt: row.dispositionAt?.toISOString() ?? null,
  };
}

/** Where Twilio reaches us about call `callId`. */
export function voiceCallbackUrl(publicUrl: string, callId: string, what: 'disclosure' | 'dial' | 'recording' | 'status'): string {
  return `${publicUrl}/webhooks/twilio/voice/${callId}/${what}`;
}

/** The TwiML of the officer's leg: dial the debtor, with the disclosure the debtor hears first when the call is recorded. */
function bridgeTwiml({ publicUrl, callId, from, to, record, disclose }: { publicUrl: string; callId: string; from: string; to: string; record: boolean; disclose: boolean }): string {
  const response = new twilio.twiml.VoiceResponse();
  const dial = response.dial({
    callerId: from,
    timeout: 30,
    action: voiceCallbackUrl(publicUrl, callId, 'dial'),
    ...(record ? { record: 'record-from-answer-dual' as const, recordingStatusCallback: voiceCallbackUrl(publicUrl, callId, 'recording') } : {}),
  });
  dial.number(disclose ? { url: voiceCallbackUrl(publicUrl, callId, 'disclosure') } : {}, to);
  return response.toString();
}

/** Asks the person (following a merge once) whether the call may be placed now; a permitted one is counted. */
async function grantFromPerson(db: Db, temporal: Client, personId: string, request: ContactGrantRequest): Promise<ContactGrant | null> {
  let asked = personId;
  for (let hop = 0; hop < 3; hop++) {
    try {
      const grant = await temporal.workflow.getHandle(personWorkflowId(asked)).executeUpdate(grantContactUpdate, { args: [request], updateId: request.grantId });
      if (!grant.mergedInto) return grant;
      asked = grant.mergedInto;
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      // A new person's workflow starts with its first contact (records/person-workflow.ts); a merged one no longer answers.
      if (hop > 0) return null;
      const grant = await grantStartingPerson(temporal, db, asked, request);
      if (!grant.mergedInto) return grant;
      asked = grant.mergedInto;
    }
  }
  return null;
}

export async function placeCall({
  db,
  temporal,
  voice,
  publicUrl,
  caseId,
  actor,
  keyId,
  officerPhone,
  record,
  taskId,
  now = Date.now(),
}: {
  db: Db;
  temporal: Client;
  voice: VoiceSettings | undefined;
  publicUrl: string;
  caseId: string;
  actor: string;
  keyId: string;
  officerPhone?: string | undefined;
  record?: boolean | undefined;
  /** The call task it is placed for: completing the task then reports this call. */
  taskId?: string | undefined;
  now?: number;
}) {
  if (!voice) throw new ApiError(503, 'voice_not_configured', 'click-to-call is not configured on this server (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM)');
  const line = officerPhone ?? voice.officerLines[keyId];
  if (!line) throw invalidRequest([{ path: 'body.officerPhone', message: `no line is configured for this key (${keyId}); give the officer's phone number` }]);
  const row = await db.case.findUnique({ where: { id: caseId }, include: { account: { include: { debtor: true } } } });
  if (!row) throw notFound(`case "${caseId}"`);
  if (row.status === 'closed') throw conflict('case_closed', `case "${caseId}" is closed`);
  if (taskId) {
    const task = await db.task.findUnique({ where: { id: taskId }, select: { caseId: true, status: true } });
    if (!task || task.caseId !== caseId) throw invalidRequest([{ path: 'body.taskId', message: `no task "${taskId}" on this case` }]);
    if (task.status === 'done' || task.status === 'cancelled') throw invalidRequest([{ path: 'body.taskId', message: `the task is ${task.status}` }]);
  }
  const to = await debtorNumber(db, row.account.debtorId);
  if (!to) throw new ApiError(422, 'no_phone_number', 'the debtor has no valid phone number to call');

  const handle = temporal.workflow.getHandle(caseId);
  // The case's own rules first (its debt, its holds), then the person's ledger, which counts the call.
  const own = await handle.query(contactPermissionQuery, { channel: 'phone', action: 'collection', at: now }).catch((error: unknown) => {
    if (error instanceof WorkflowNotFoundError) throw conflict('case_closed', `case "${caseId}" is closed`);
    throw error;
  });
  const refusedByCase = refusal(own);
  const callId = randomUUID();
  const placedAt = new Date(now);
  const facts = await handle.query(callFactsQuery);
  if (facts.status === 'closed') throw conflict('case_closed', `case "${caseId}" is closed`);
  if (refusedByCase) {
    await auditRefusal(db, caseId, actor, refusedByCase);
    throw refusedByCase;
  }
  if (facts.personId && facts.grantRequest) {
    // The grant id is the one the case's callAttempted reports the call under (workflows/case/contacts.ts): counted once.
    const grant = await grantFromPerson(db, temporal, facts.personId, { ...facts.grantRequest, grantId: `call:${callId}:${placedAt.toISOString()}` });
    const refusedByPerson = grant ? refusal(grant) : null;
    if (refusedByPerson) {
      await auditRefusal(db, caseId, actor, refusedByPerson);
      throw refusedByPerson;
    }
  }

  const recorded = record ?? voice.recordByDefault;
  const disclosure = recorded ? recordingDisclosure({ state: facts.facts.state ?? row.account.debtor.state, language: row.account.debtor.language }) : null;
  await db.call.create({
    data: {
      id: callId,
      caseId,
      source: 'click_to_call',
      officer: actor,
      officerLine: line,
      status: 'dialing',
      ...(taskId ? { taskId } : {}),
      placedAt,
      ...(disclosure?.text ? { recordingDisclosure: disclosure.text, disclosureState: disclosure.state } : {}),
    },
  });
  const client = createTwilioClient({ accountSid: voice.accountSid, authToken: voice.authToken, ...(voice.apiBase ? { apiBase: voice.apiBase } : {}) });
  try {
    const created = await client.calls.create({
      to: line,
      from: voice.from,
      twiml: bridgeTwiml({ publicUrl, callId, from: voice.from, to, record: recorded, disclose: Boolean(disclosure?.text) }),
      statusCallback: voiceCallbackUrl(publicUrl, callId, 'status'),
      statusCallbackEvent: ['completed'],
    });
    const dialed = await db.call.update({ where: { id: callId }, data: { providerCallId: created.sid } });
    await db.auditEvent.create({ data: { caseId, actor, action: 'call_placed', data: { callId, recorded, disclosureState: disclosure?.state ?? null } } });
    return { ...callView(dialed), recorded };
  } catch (error) {
    // The person counted the attempt already: a call that never rang stays counted (the cautious side).
    await db.call.update({ where: { id: callId }, data: { status: 'failed', endedAt: new Date() } });
    const status = (error as { status?: number }).status;
    if (status === 400) throw new ApiError(422, 'call_rejected', `Twilio refused the call: ${(error as Error).message}`);
    throw new ApiError(503, 'voice_unavailable', 'Twilio could not be reached to place the call; retry in a moment');
  }
}

async function auditRefusal(db: Db, caseId: string, actor: string, refused: CallRefused): Promise<void> {
  await db.auditEvent.create({ data: { caseId, actor, action: 'call_refused', data: { code: refused.code, reason: refused.reason, nextPermittedAt: refused.nextPermittedAt } } });
}

export async function listCalls({ db, caseId }: { db: Db; caseId: string }) {
  const rows = await db.call.findMany({ where: { caseId }, orderBy: { placedAt: 'desc' }, take: 200 });
  return { items: rows.map(callView) };
}

/** Whether a call on the line counts as a conversation about the debt (12 CFR 1006.14(b)(2)(ii)). */
export function isConversation({ connected, rightParty, outcome }: { connected: boolean; rightParty: boolean; outcome: CallOutcome }): boolean {
  return connected && rightParty && !['no_answer', 'left_message', 'wrong_number'].includes(outcome);
}

export interface Disposition {
  outcome: CallOutcome;
  rightParty: boolean;
  connected?: boolean | undefined;
  note?: string | undefined;
}

/**
 * The officer's disposition of a click-to-call call: recorded once (a repeat that differs is 409,
 * the first stands) and told to the case as the call attempt it was, at the time it was placed.
 */
export async function recordDisposition({ db, temporal, caseId, callId, actor, disposition }: { db: Db; temporal: Client; caseId: string; callId: string; actor: string; disposition: Disposition }) {
  const call = await db.call.findUnique({ where: { id: callId } });
  if (!call || call.caseId !== caseId || call.source !== 'click_to_call') throw notFound(`call "${callId}"`);
  const connected = disposition.connected ?? call.connected ?? false;
  const given = { outcome: disposition.outcome, rightParty: disposition.rightParty, connected, note: disposition.note ?? null };
  if (call.dispositionAt) {
    const first = call.disposition as typeof given;
    const differs = (Object.keys(given) as (keyof typeof given)[]).filter((field) => first[field] !== given[field]);
    if (differs.length > 0) {
      throw new ApiError(409, 'disposition_conflict', `the call's disposition was recorded already; it differs in ${differs.join(', ')}`, differs.map((field) => ({ path: `body.${field}`, message: 'differs from the disposition recorded first' })));
    }
    return callView(call);
  }
  // Claimed first, so two officers' disposals cannot both reach the case.
  const { count } = await db.call.updateMany({ where: { id: callId, dispositionAt: null }, data: { dispositionAt: new Date(), disposition: given, outcome: given.outcome, rightParty: given.rightParty, connected, note: given.note } });
  if (count === 0) return recordDisposition({ db, temporal, caseId, callId, actor, disposition });
  try {
    await temporal.workflow.getHandle(caseId).signal(callAttemptedSignal, {
      taskId: callId,
      placedAt: call.placedAt.toISOString(),
      outcome: given.outcome,
      conversation: isConversation({ connected, rightParty: given.rightParty, outcome: given.outcome }),
      by: actor,
    });
  } catch (error) {
    await db.call.update({ where: { id: callId }, data: { dispositionAt: null, disposition: Prisma.DbNull, outcome: null, rightParty: null, note: null } });
    if (error instanceof WorkflowNotFoundError) throw conflict('case_closed', `case "${caseId}" is closed`);
    throw error;
  }
  await db.auditEvent.create({ data: { caseId, actor, action: 'call_disposition', data: { callId, outcome: given.outcome, rightParty: given.rightParty, connected } } });
  return callView(await db.call.findUniqueOrThrow({ where: { id: callId } }));
}

/** Twilio's callbacks about a call, by what they report. */
export async function receiveVoiceCallback({ db, callId, what, form }: { db: Db; callId: string; what: 'dial' | 'recording' | 'status'; form: Record<string, string> }): Promise<void> {
  const call = await db.call.findUnique({ where: { id: callId } });
  if (!call) return;
  if (what === 'dial') {
    const duration = Number.parseInt(form.DialCallDuration ?? '0', 10);
    await db.call.update({ where: { id: callId }, data: { connected: form.DialCallStatus === 'completed', durationSeconds: Number.isFinite(duration) ? duration : 0 } });
  } else if (what === 'recording') {
    if (form.RecordingStatus && form.RecordingStatus !== 'completed') return;
    await db.call.update({ where: { id: callId }, data: { recordingRef: form.RecordingSid ?? null, recordingUrl: form.RecordingUrl ?? null } });
  } else {
    const status = form.CallStatus ?? '';
    if (!['completed', 'busy', 'no-answer', 'failed', 'canceled'].includes(status)) return;
    // The officer's leg not answered: the debtor was never rung.
    await db.call.update({ where: { id: callId }, data: { status: status === 'completed' ? 'ended' : 'failed', endedAt: new Date(), ...(status === 'completed' ? {} : { connected: false, durationSeconds: 0 }) } });
  }
}

/** The disclosure the debtor hears before a recorded call connects (TwiML `<Say>`); an empty response when none. */
export async function disclosureTwiml({ db, callId }: { db: Db; callId: string }): Promise<string> {
  const call = await db.call.findUnique({ where: { id: callId } });
  const response = new twilio.twiml.VoiceResponse();
  // Spoken in the language it is written in (the debtor's).
  if (call?.recordingDisclosure) response.say(call.recordingDisclosure === recordingDisclosureText.es ? { language: 'es-US' } : {}, call.recordingDisclosure);
  return response.toString();
}
