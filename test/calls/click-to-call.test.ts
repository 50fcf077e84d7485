import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../api/auth.js';
import { testKeys } from '../../testing/api-client.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { eventually } from '../../testing/eventually.js';
import { callStrategy, caseStatus, dial, enroll, officerLine, personOf, zoneAtLocalHour } from './support.js';

/**
 * Click-to-call on the real engine: the API, the worker and the Temporal dev server, PostgreSQL,
 * and the Twilio stand-in reached over HTTP by the twilio client (the Calls resource) and calling
 * our voice webhooks back, signed. Every dial is checked at dial time against the case's rules and
 * the person's ledger; a refusal dials nothing.
 */

let engine: Engine;
beforeAll(async () => {
  // The second officer's key has its own line configured; the first officer gives one with each call.
  // The manager's key has a browser line (a softphone's Twilio Client identity).
  const lines = [`${hashApiKey(testKeys.officer2).slice(0, 12)}:+15555550112`, `${hashApiKey(testKeys.manager).slice(0, 12)}:client:desk_manager`];
  engine = await startEngine({ twilio: true, workerEnv: { CALL_OFFICER_LINES: lines.join(',') } });
  for (const [key, cap] of [['calls-plain', undefined], ['calls-capped', 2]] as const) {
    const saved = await engine.call('POST', '/api/v1/strategies', { body: callStrategy(key, cap) });
    expect(saved.status, saved.text).toBe(201);
  }
});
afterAll(() => engine?.stop());

describe('click-to-call', () => {
  it('refuses a call at 21:xx in the debtor’s time with the next permitted time, dialing nothing; at 09:xx rings the officer and bridges the debtor', async () => {
    const lateZone = zoneAtLocalHour(21);
    const late = await enroll(engine, { strategy: 'calls-plain', externalId: 'CALL-LATE', person: 'P-LATE', phone: '+15555550121', timeZone: lateZone });
    const refused = await dial(engine, late);
    expect(refused.status, refused.text).toBe(409);
    expect(refused.body.error.code).toBe('call_not_permitted');
    expect(refused.body.error.reason).toMatch(/08:00|local|inconvenient|21:00/i);
    // The next permitted time is 08:00 tomorrow in the debtor's zone.
    const next = DateTime.fromISO(refused.body.error.nextPermittedAt, { zone: lateZone });
    expect(next.toFormat('HH:mm')).toBe('08:00');
    expect(next.diffNow('hours').hours).toBeGreaterThan(9);
    expect(next.diffNow('hours').hours).toBeLessThan(12);
    expect(engine.twilio.calls).toHaveLength(0);
    expect(engine.twilio.requests.filter((request) => request.path.includes('/Calls'))).toHaveLength(0);
    // The case's permission says the same, and so would the queue.
    const permission = await engine.call('GET', `/api/v1/cases/${late}/call-permission`, { key: engine.keys.officer });
    expect(permission.body).toMatchObject({ permitted: false, windowStartLocal: '08:00', windowEndLocal: '21:00', timeZone: lateZone });

    const morningZone = zoneAtLocalHour(9);
    const morning = await enroll(engine, { strategy: 'calls-plain', externalId: 'CALL-MORNING', person: 'P-MORNING', phone: '+15555550122', timeZone: morningZone });
    const before = await engine.call('GET', `/api/v1/call-permissions?caseIds=${morning},${late}`, { key: engine.keys.officer });
    const mine = before.body.items.find((item: { caseId: string }) => item.caseId === morning);
    expect(mine).toMatchObject({ permitted: true, windowEndLocal: '21:00', callsAllowed: 7 });
    const placed = await dial(engine, morning);
    expect(placed.status, placed.text).toBe(201);
    expect(placed.body).toMatchObject({ status: 'dialing', source: 'click_to_call', recorded: false, disclosure: null });
    expect(engine.twilio.calls).toHaveLength(1);
    const call = engine.twilio.calls[0];
    expect(call?.form.To).toBe(officerLine);
    expect(call?.form.Twiml).toContain('<Number>+15555550122</Number>');
    await engine.twilio.runCall(call?.sid ?? '', { durationSeconds: 140 });
    expect(call?.callbacks.map((callback) => callback.status)).toEqual([200, 200]);
    const listed = await engine.call('GET', `/api/v1/cases/${morning}/calls`, { key: engine.keys.officer });
    expect(listed.body.items[0]).toMatchObject({ status: 'ended', connected: true, durationSeconds: 140, outcome: null });

    // The person counted the call when it was granted; the disposition reports the same call (a conversation), not another.
    expect((await personOf(engine, morning)).contacts.filter((contact) => contact.medium === 'phone')).toHaveLength(1);
    const disposition = await engine.call('POST', `/api/v1/cases/${morning}/calls/${placed.body.callId}/disposition`, { key: engine.keys.officer, body: { outcome: 'promise', rightParty: true } });
    expect(disposition.status, disposition.text).toBe(200);
    expect(disposition.body).toMatchObject({ outcome: 'promise', rightParty: true, connected: true });
    const status = await eventually(async () => {
      const live = await caseStatus(engine, morning);
      return live.history.some((event) => event.type === 'call_attempted') && live;
    }, 'the call attempt on the case');
    expect(status.history.filter((event) => event.type === 'call_attempted')).toHaveLength(1);
    const person = await eventually(async () => {
      const read = await personOf(engine, morning);
      return read.contacts.some((contact) => contact.conversation) && read;
    }, 'the conversation in the person’s ledger');
    expect(person.contacts.filter((contact) => contact.medium === 'phone')).toHaveLength(1);
    // A conversation holds further calls for the week (12 CFR 1006.14(b)(2)(ii)): the next dial is refused.
    const again = await dial(engine, morning);
    expect(again.status, again.text).toBe(409);
    expect(engine.twilio.calls).toHaveLength(1);
    // The same disposition again is accepted as it is; another is refused, and the first stands.
    const repeat = await engine.call('POST', `/api/v1/cases/${morning}/calls/${placed.body.callId}/disposition`, { key: engine.keys.officer, body: { outcome: 'promise', rightParty: true } });
    expect(repeat.status).toBe(200);
    const differing = await engine.call('POST', `/api/v1/cases/${morning}/calls/${placed.body.callId}/disposition`, { key: engine.keys.officer, body: { outcome: 'refused', rightParty: true } });
    expect(differing.status).toBe(409);
    expect(differing.body.error.fields).toEqual([{ path: 'body.outcome', message: 'differs from the disposition recorded first' }]);
    expect((await caseStatus(engine, morning)).history.filter((event) => event.type === 'call_attempted')).toHaveLength(1);
  });

  it('shares a person’s call cap across their accounts: the third call of the day is refused, whichever account it is for', async () => {
    const zone = zoneAtLocalHour(10);
    const first = await enroll(engine, { strategy: 'calls-capped', externalId: 'CAP-ACC-1', person: 'P-CAP', phone: '+15555550131', timeZone: zone });
    const second = await enroll(engine, { strategy: 'calls-capped', externalId: 'CAP-ACC-2', person: 'P-CAP', phone: '+15555550131', timeZone: zone });
    const dialed = engine.twilio.calls.length;
    expect((await dial(engine, first)).status).toBe(201);
    const permission = await engine.call('GET', `/api/v1/cases/${second}/call-permission`, { key: engine.keys.officer });
    expect(permission.body).toMatchObject({ permitted: true, callsAllowed: 1 });
    expect((await dial(engine, second)).status).toBe(201);
    const refused = await dial(engine, first);
    expect(refused.status, refused.text).toBe(409);
    expect(refused.body.error.reason).toMatch(/Ana Ruiz|2 calls/);
    expect(DateTime.fromISO(refused.body.error.nextPermittedAt, { zone }).toFormat('HH:mm')).toBe('08:00');
    expect((await dial(engine, second)).status).toBe(409);
    expect(engine.twilio.calls).toHaveLength(dialed + 2);
    const after = await engine.call('GET', `/api/v1/cases/${second}/call-permission`, { key: engine.keys.officer });
    expect(after.body).toMatchObject({ permitted: false, windowStartLocal: '08:00' });
  });

  it('plays the recording disclosure to a debtor in a two-party consent state before a recorded call connects, and keeps the recording reference', async () => {
    const zone = zoneAtLocalHour(11);
    const california = await enroll(engine, { strategy: 'calls-plain', externalId: 'REC-CA', person: 'P-REC-CA', phone: '+15555550141', timeZone: zone });
    const texas = await enroll(engine, { strategy: 'calls-plain', externalId: 'REC-TX', person: 'P-REC-TX', phone: '+15555550142', timeZone: zone });
    // The state on the debtor's record (no address on file, so no other zone joins the rules).
    for (const [caseId, state] of [[california, 'CA'], [texas, 'TX']] as const) {
      const row = await engine.db.case.findUniqueOrThrow({ where: { id: caseId }, select: { account: { select: { debtorId: true } } } });
      await engine.db.debtor.update({ where: { id: row.account.debtorId }, data: { state } });
    }

    const recorded = await dial(engine, california, { record: true });
    expect(recorded.status, recorded.text).toBe(201);
    expect(recorded.body).toMatchObject({ recorded: true, disclosure: { state: 'CA', text: expect.stringContaining('This call is being recorded') } });
    const call = engine.twilio.calls.at(-1);
    expect(call?.form.Twiml).toMatch(/record="record-from-answer-dual"/);
    const ran = await engine.twilio.runCall(call?.sid ?? '');
    expect(ran.calleeHeard).toContain('<Say>This call is being recorded. This is a communication from a debt collector.</Say>');
    const listed = await engine.call('GET', `/api/v1/cases/${california}/calls`, { key: engine.keys.officer });
    expect(listed.body.items[0].recording.ref).toMatch(/^RE/);
    expect(listed.body.items[0].disclosure).toEqual({ text: 'This call is being recorded. This is a communication from a debt collector.', state: 'CA' });

    // One-party consent (Texas): recorded without a disclosure played to the debtor.
    const oneParty = await dial(engine, texas, { record: true });
    expect(oneParty.status, oneParty.text).toBe(201);
    expect(oneParty.body.disclosure).toBeNull();
    const texasCall = engine.twilio.calls.at(-1);
    expect(texasCall?.form.Twiml).not.toContain('url=');
    expect((await engine.twilio.runCall(texasCall?.sid ?? '')).calleeHeard).toBeUndefined();
  });

  it('reports a call placed from a claimed task once, when the task is completed', async () => {
    const zone = zoneAtLocalHour(13);
    const caseId = await enroll(engine, { strategy: 'calls-plain', externalId: 'CALL-TASK', person: 'P-TASK', phone: '+15555550171', timeZone: zone });
    const task = await engine.db.task.create({ data: { caseId, kind: 'call', reason: 'call the debtor', idempotencyKey: `${caseId}:call-task` } });
    expect((await engine.call('POST', `/api/v1/tasks/${task.id}/claim`, { key: engine.keys.officer })).status).toBe(200);
    const placed = await dial(engine, caseId, { taskId: task.id });
    expect(placed.status, placed.text).toBe(201);
    expect(placed.body.taskId).toBe(task.id);
    await engine.twilio.runCall(engine.twilio.calls.at(-1)?.sid ?? '', { debtor: 'no-answer' });
    const done = await engine.call('POST', `/api/v1/tasks/${task.id}/complete`, { key: engine.keys.officer, body: { outcome: 'no_answer' } });
    expect(done.status, done.text).toBe(200);
    const status = await eventually(async () => {
      const live = await caseStatus(engine, caseId);
      return live.history.some((event) => event.type === 'call_attempted') && live;
    }, 'the call attempt on the case');
    expect(status.history.filter((event) => event.type === 'call_attempted')).toHaveLength(1);
    expect((await personOf(engine, caseId)).contacts.filter((contact) => contact.medium === 'phone')).toHaveLength(1);
    const listed = await engine.call('GET', `/api/v1/cases/${caseId}/calls`, { key: engine.keys.officer });
    expect(listed.body.items[0]).toMatchObject({ taskId: task.id, outcome: 'no_answer', connected: false, durationSeconds: 0, status: 'ended' });
    const otherCase = await dial(engine, caseId, { taskId: '00000000-0000-4000-8000-000000000000' });
    expect(otherCase.status).toBe(400);
    expect(otherCase.body.error.fields[0].path).toBe('body.taskId');
  });

  it('holds a callback that comes due by the contact rules like any other call: the day\'s calls used, its task is refused at dial time', async () => {
    const zone = zoneAtLocalHour(14);
    const caseId = await enroll(engine, { strategy: 'calls-capped', externalId: 'CALL-CALLBACK', person: 'P-CALLBACK', phone: '+15555550181', timeZone: zone });
    // 14:xx on the debtor's clock: the callback's time is permitted when it is booked.
    const at = DateTime.utc().plus({ seconds: 3 });
    const booked = await engine.call('POST', `/api/v1/cases/${caseId}/callbacks`, { key: engine.keys.officer, body: { at: at.toISO(), note: 'after the meeting' } });
    expect(booked.status, booked.text).toBe(201);
    // Meanwhile the day's two calls are used (no answer, twice).
    expect((await dial(engine, caseId)).status).toBe(201);
    expect((await dial(engine, caseId)).status).toBe(201);
    const dialed = engine.twilio.calls.length;

    const taskIds = async () => (await engine.call('GET', '/api/v1/tasks?kind=call', { key: engine.keys.officer })).body.items.map((task: { id: string }) => task.id);
    await eventually(async () => (await taskIds()).includes(booked.body.taskId), 'the callback to reach the queue', 20_000, 500);
    // The queue's may-I-call says not before 08:00 tomorrow; the officer claims the callback and is refused at dial time.
    const permission = await engine.call('GET', `/api/v1/call-permissions?caseIds=${caseId}`, { key: engine.keys.officer });
    expect(permission.body.items[0]).toMatchObject({ caseId, permitted: false, windowStartLocal: '08:00' });
    expect((await engine.call('POST', `/api/v1/tasks/${booked.body.taskId}/claim`, { key: engine.keys.officer })).status).toBe(200);
    const refused = await dial(engine, caseId, { taskId: booked.body.taskId });
    expect(refused.status, refused.text).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'call_not_permitted', reason: expect.stringMatching(/2 calls/) });
    expect(DateTime.fromISO(refused.body.error.nextPermittedAt, { zone }).toFormat('HH:mm')).toBe('08:00');
    expect(engine.twilio.calls).toHaveLength(dialed);
    expect(await engine.db.call.count({ where: { caseId } })).toBe(2);
  });

  it("dials the debtor's own number before one a skip trace found, and the found one once an officer confirms it", async () => {
    const zone = zoneAtLocalHour(15);
    const caseId = await enroll(engine, { strategy: 'calls-plain', externalId: 'CALL-TRACED', person: 'P-TRACED', phone: '+15555550185', timeZone: zone });
    const { account } = await engine.db.case.findUniqueOrThrow({ where: { id: caseId }, select: { account: { select: { debtorId: true } } } });
    // Enrollment keeps the mobile number as an SMS contact; the skip trace adds a phone line, unconfirmed.
    const traced = await engine.db.contact.create({ data: { debtorId: account.debtorId, channel: 'phone', value: '+15555550186', source: 'skip_trace', confidence: 70 } });
    const campaignPhone = async () => {
      await engine.db.case.update({ where: { id: caseId }, data: { team: 'traced' } });
      const json = await engine.call('GET', '/api/v1/dialer/campaign?team=traced&window=now&format=json', { key: engine.keys.officer });
      return json.body.items.map((row: { phone: string }) => row.phone);
    };
    expect(await campaignPhone()).toEqual(['+15555550185']);
    expect((await dial(engine, caseId)).status).toBe(201);
    expect(engine.twilio.calls.at(-1)?.form.Twiml).toContain('<Number>+15555550185</Number>');

    const confirmed = await engine.call('PATCH', `/api/v1/debtors/${account.debtorId}/contacts/${traced.id}`, { key: engine.keys.officer, body: { verified: true, reason: 'the debtor gave it as her line' } });
    expect(confirmed.status, confirmed.text).toBe(200);
    expect(await campaignPhone()).toEqual(['+15555550186']);
    expect((await dial(engine, caseId)).status).toBe(201);
    expect(engine.twilio.calls.at(-1)?.form.Twiml).toContain('<Number>+15555550186</Number>');
  });

  it('rings the line configured for the key; refuses a request without a line, and a forged Twilio callback', async () => {
    const zone = zoneAtLocalHour(12);
    const caseId = await enroll(engine, { strategy: 'calls-plain', externalId: 'CALL-BAD', person: 'P-BAD', phone: '+15555550151', timeZone: zone });
    const configured = await engine.call('POST', `/api/v1/cases/${caseId}/calls`, { key: engine.keys.officer2, body: {} });
    expect(configured.status, configured.text).toBe(201);
    expect(engine.twilio.calls.at(-1)?.form.To).toBe('+15555550112');
    const managerBrowser = await engine.call('POST', `/api/v1/cases/${caseId}/calls`, { key: engine.keys.manager, body: {} });
    expect(managerBrowser.status, managerBrowser.text).toBe(201);
    expect(engine.twilio.calls.at(-1)?.form.To).toBe('client:desk_manager');
    const noLine = await engine.call('POST', `/api/v1/cases/${caseId}/calls`, { key: engine.keys.officer, body: {} });
    expect(noLine.status).toBe(400);
    expect(noLine.body.error.fields[0].path).toBe('body.officerPhone');
    const badLine = await engine.call('POST', `/api/v1/cases/${caseId}/calls`, { key: engine.keys.officer, body: { officerPhone: '555-0111' } });
    expect(badLine.status).toBe(400);
    expect(badLine.body.error.fields[0]).toMatchObject({ path: 'body.officerPhone', message: expect.stringContaining('client:alice') });
    // A browser line: the softphone signed in under a Twilio Client identity rings, then the debtor is bridged.
    const browserLine = await engine.call('POST', `/api/v1/cases/${caseId}/calls`, { key: engine.keys.officer, body: { officerPhone: 'client:officer_ana' } });
    expect(browserLine.status, browserLine.text).toBe(201);
    const rung = engine.twilio.calls.at(-1);
    expect(rung?.form.To).toBe('client:officer_ana');
    expect(rung?.form.Twiml).toContain('<Number>+15555550151</Number>');
    await engine.twilio.runCall(rung?.sid ?? '', { durationSeconds: 12 });
    const listed = await engine.call('GET', `/api/v1/cases/${caseId}/calls`, { key: engine.keys.officer });
    expect(listed.body.items[0]).toMatchObject({ callId: browserLine.body.callId, connected: true, durationSeconds: 12 });
    const auditor = await engine.call('POST', `/api/v1/cases/${caseId}/calls`, { key: engine.keys.auditor, body: { officerPhone: officerLine } });
    expect(auditor.status).toBe(403);
    // A closed case takes no calls.
    expect((await engine.call('POST', `/api/v1/cases/${caseId}/payments`, { body: { reference: 'PAY-CALL-BAD', amount: 50_000 } })).status).toBe(202);
    await eventually(async () => (await caseStatus(engine, caseId)).status === 'closed', 'the paid case to close');
    const closed = await dial(engine, caseId);
    expect(closed.status, closed.text).toBe(409);
    expect(closed.body.error.code).toBe('case_closed');
    const forged = await fetch(`${engine.baseUrl}/webhooks/twilio/voice/00000000-0000-4000-8000-000000000000/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'forged' },
      body: 'CallStatus=completed',
    });
    expect(forged.status).toBe(403);
  });
});
