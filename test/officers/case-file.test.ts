import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgencyActivities, referralAlertAfterMs } from '../../activities/agency.js';
import { buildCaseFileFromDb } from '../../records/case-file.js';
import { renderCaseFilePdf } from '../../records/case-file-pdf.js';
import { createTaskActivities } from '../../activities/tasks.js';
import { createApiKey } from '../../api/services/api-keys.js';
import { balanceHistory, caseFileJson, ZCaseFile, type TCaseFile } from '../../domain/case-file.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { testKeys } from '../../testing/api-client.js';
import { at, seedWorkedCase, type SeededCase } from './case-file-fixture.js';

/**
 * The case file an agency or the legal team receives: its contents for a worked case (payments,
 * a returned payment, an adjustment, communications, outcomes), the PDF, delivery to the outbox
 * folder and to an HTTP agency exactly once, the legal review task's package, and the API routes
 * with their roles, team scope and masking. Real PostgreSQL; no Temporal needed.
 */

let engine: Engine;
let east: SeededCase;
let west: SeededCase;
const keys = { eastOfficer: '', westOfficer: '' };
const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/** PDF page objects (pdfkit writes no object streams, so they are visible even when compressed). */
const pageCount = (pdf: Buffer) => pdf.toString('latin1').match(/\/Type \/Page\b/g)?.length ?? 0;

beforeAll(async () => {
  engine = await startEngine({ temporal: 'none' });
  east = await seedWorkedCase(engine.db, { suffix: 'east', team: 'east' });
  west = await seedWorkedCase(engine.db, { suffix: 'west', team: 'west' });
  keys.eastOfficer = (await createApiKey(engine.db, { role: 'officer', name: 'east officer', team: 'east', actor: 'test' })).key;
  keys.westOfficer = (await createApiKey(engine.db, { role: 'officer', name: 'west officer', team: 'west', actor: 'test' })).key;
}, 60_000);

afterAll(async () => {
  await engine?.stop();
});

describe('the case file package', () => {
  let file: TCaseFile;

  beforeAll(async () => {
    const built = await buildCaseFileFromDb(engine.db, east.caseId, 'agency');
    if (!built) throw new Error('no case file');
    file = built;
  });

  it('is a versioned document that its own schema accepts', () => {
    expect(ZCaseFile.parse(file)).toEqual(file);
    expect(file).toMatchObject({ version: 1, purpose: 'agency', asOf: '2026-01-05T17:00:00.000Z' });
    expect(file.case).toMatchObject({ id: east.caseId, status: 'open', team: 'east', strategy: { key: 'case-file-test', version: 1 }, currentStep: 'letter' });
    expect(file.account).toMatchObject({ id: east.accountId, externalId: 'CF-east', currency: 'USD', originalBalance: 100_000, balance: 65_000, daysPastDue: 40 });
    expect(file.debtor).toMatchObject({ name: east.debtorName, timeZone: 'America/Chicago' });
    expect(file.contacts.map((contact) => [contact.channel, contact.value, contact.consent])).toEqual([
      ['email', 'grace.east@example.com', false],
      ['sms', '+15555550177', true],
    ]);
  });

  it('has the balance history with the running balance after each payment, reversal and adjustment', () => {
    expect(file.balance).toMatchObject({ currency: 'USD', opening: 100_000, closing: 65_000, recorded: 65_000 });
    expect(file.balance.entries.map(({ at: when, kind, reference, amount, change, balanceAfter }) => [when.slice(11, 16), kind, reference, amount, change, balanceAfter])).toEqual([
      ['12:00', 'payment', 'PAY-1', 30_000, -30_000, 70_000],
      ['14:00', 'payment', 'PAY-2', 20_000, -20_000, 50_000],
      ['15:00', 'reversal', 'PAY-2', 20_000, 20_000, 70_000],
      ['16:00', 'adjustment', null, 5_000, -5_000, 65_000],
    ]);
    // The running balance is the opening plus every change.
    expect(file.balance.opening + file.balance.entries.reduce((sum, entry) => sum + entry.change, 0)).toBe(file.balance.closing);
    expect(file.payments).toEqual([
      { reference: 'PAY-1', amount: 30_000, currency: 'USD', receivedAt: '2026-01-05T12:00:00.000Z', reversedAt: null },
      { reference: 'PAY-2', amount: 20_000, currency: 'USD', receivedAt: '2026-01-05T14:00:00.000Z', reversedAt: '2026-01-05T15:00:00.000Z' },
    ]);
  });

  it('has every communication with template, content or its reference, and its status history; and the reply received', async () => {
    expect(file.communications.map((message) => message.id)).toEqual(east.communicationIds);
    const [email, letter] = file.communications;
    expect(email).toMatchObject({
      channel: 'email',
      template: 'reminder',
      templateLanguage: 'en',
      templateVersion: 3,
      recipient: 'grace.east@example.com',
      subject: 'Your balance of $1,000.00 is overdue',
      body: `Hello ${east.debtorName}, your balance of $1,000.00 is overdue.`,
      htmlSha256: sha256('<p>Hello</p>'),
      status: 'delivered',
      deliveredAt: '2026-01-05T09:31:00.000Z',
    });
    expect(email?.events.map((event) => `${event.status}/${event.source}`)).toEqual(['sending/activity', 'sent/activity', 'delivered/email_dsn']);
    expect(letter).toMatchObject({ channel: 'letter', template: 'demand', document: { name: `${east.caseId}-letter.pdf`, sha256: 'ab'.repeat(32) } });
    expect(letter?.events.map((event) => event.status)).toEqual(['sending', 'sent']);
    expect(file.inbound).toEqual([{ at: '2026-01-05T11:00:00.000Z', channel: 'sms', kind: 'reply', from: '+15555550177', text: 'I can pay 300 today', intent: 'other' }]);
    // Nothing missing: every row of the case is in the file.
    expect(file.communications).toHaveLength(await engine.db.communication.count({ where: { caseId: east.caseId } }));
    expect(file.communications.flatMap((message) => message.events)).toHaveLength(await engine.db.communicationEvent.count({ where: { communication: { caseId: east.caseId } } }));
    expect(file.payments).toHaveLength(await engine.db.payment.count({ where: { caseId: east.caseId } }));
    expect(file.tasks).toHaveLength(await engine.db.task.count({ where: { caseId: east.caseId } }));
  });

  it('has every outcome in order with its terms, the tasks, and the history without reads', async () => {
    expect(file.outcomes.map((outcome) => [outcome.at.slice(11, 19), outcome.action, outcome.actor])).toEqual([
      ['11:30:00', 'outcome_recorded', 'workflow'],
      ['11:30:00', 'arrangement_made', 'workflow'],
      ['11:30:00', 'call_outcome', 'officer:abc'],
      ['12:00:00', 'arrangement_kept', 'workflow'],
      ['17:00:00', 'outcome_recorded', 'workflow'],
    ]);
    expect(file.outcomes[0]).toMatchObject({ detail: 'promise to pay recorded by officer:abc', data: { kind: 'promise_to_pay', amount: 30_000, dueDate: '2026-01-06', by: 'officer:abc', role: 'officer', stepId: null } });
    expect(file.outcomes[4]?.data).toMatchObject({ kind: 'escalate', to: 'agency', reason: 'no contact' });
    expect(file.tasks).toEqual([expect.objectContaining({ kind: 'call', status: 'done', outcome: 'promise', outcomeNote: 'will pay today' })]);

    const recorded = await engine.db.auditEvent.count({ where: { caseId: east.caseId } });
    expect(file.history).toHaveLength(recorded - 1);
    expect(file.history.map((event) => event.action)).not.toContain('contact_details_read');
    expect(file.history.filter((event) => event.action === 'step_done').map((event) => event.stepId)).toEqual(['reminder', 'letter']);
  });

  it('is the same bytes when built again from the same data', async () => {
    const again = await buildCaseFileFromDb(engine.db, east.caseId, 'agency');
    expect(caseFileJson(again as TCaseFile)).toBe(caseFileJson(file));
  });

  it('renders a PDF a person can read: valid, paged, the same bytes each time', async () => {
    const pdf = await renderCaseFilePdf(file);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.subarray(-6).toString('latin1')).toContain('%%EOF');
    expect(pageCount(pdf)).toBeGreaterThanOrEqual(2);
    expect(sha256(await renderCaseFilePdf(file))).toBe(sha256(pdf));

    // Uncompressed, the text is readable: pdfkit writes each line as a TJ array of hex strings
    // split where kerning applies.
    const plain = (await renderCaseFilePdf(file, { compress: false })).toString('latin1');
    const lines = [...plain.matchAll(/\[(.*?)\] TJ/g)].map(([, parts]) =>
      [...(parts ?? '').matchAll(/<([0-9a-f]*)>/g)].map(([, hex]) => Buffer.from(hex ?? '', 'hex').toString('latin1')).join(''),
    );
    for (const text of [east.debtorName, 'payment PAY-2', 'reversal PAY-2', '$650.00', 'Balance history', 'I can pay 300 today']) {
      expect(lines.some((line) => line.includes(text)), text).toBe(true);
    }
  });
});

describe('the balance history rules', () => {
  it('applies movements the events do not describe by the workflow rules: a payment lowers the balance to zero at most', () => {
    const { entries, closing } = balanceHistory({
      opening: 10_000,
      events: [{ id: 1n, at: at('10:00:00'), actor: 'workflow', action: 'closed', data: { reason: 'settled', detail: 'settled; $40.00 waived' } }],
      payments: [
        { reference: 'B', amount: 15_000, currency: 'USD', receivedAt: at('09:00:00'), reversedAt: at('11:00:00') },
        { reference: 'A', amount: 6_000, currency: 'USD', receivedAt: at('08:00:00'), reversedAt: null },
      ],
    });
    expect(entries.map(({ kind, reference, amount, change, balanceAfter }) => [kind, reference, amount, change, balanceAfter])).toEqual([
      ['payment', 'A', 6_000, -6_000, 4_000],
      ['payment', 'B', 15_000, -4_000, 0],
      ['reversal', 'B', 15_000, 15_000, 15_000],
    ]);
    expect(closing).toBe(15_000);
  });

  it('records a settlement waiver as the rest of the balance written off', () => {
    const { entries } = balanceHistory({
      opening: 10_000,
      events: [
        { id: 1n, at: at('09:00:00'), actor: 'workflow', action: 'payment_applied', data: { reference: 'S', amount: 6_000, balanceAfter: 4_000 } },
        { id: 2n, at: at('09:00:00'), actor: 'workflow', action: 'closed', data: { reason: 'settled' } },
      ],
      payments: [{ reference: 'S', amount: 6_000, currency: 'USD', receivedAt: at('09:00:00'), reversedAt: null }],
    });
    expect(entries.map(({ kind, amount, change, balanceAfter }) => [kind, amount, change, balanceAfter])).toEqual([
      ['payment', 6_000, -6_000, 4_000],
      ['waiver', 4_000, -4_000, 0],
    ]);
  });
});

describe('agency referral', () => {
  it('delivers the package to the outbox folder once, even when the activity runs twice', async () => {
    const outboxDir = path.join(engine.dataDir, 'outbox', 'agency');
    const agency = createAgencyActivities({ db: engine.db, outboxDir });
    const referToAgency = (input: Parameters<typeof agency.referToAgency>[0]) => agency.referToAgency(input);
    const input = { caseId: east.caseId, stepId: 'agency', idempotencyKey: `${east.caseId}/run/agency`, agency: 'acme-recovery', balance: 65_000, currency: 'USD' };

    const first = await referToAgency(input);
    const stored = await engine.db.caseFilePackage.findFirstOrThrow({ where: { caseId: east.caseId, purpose: 'agency' } });
    expect(stored).toMatchObject({ placementId: first.placementId, version: 1, location: path.join(outboxDir, `${stored.id}.json`) });
    expect(stored.deliveredAt).toBeInstanceOf(Date);
    const json = await readFile(path.join(outboxDir, `${stored.id}.json`), 'utf8');
    const pdf = await readFile(path.join(outboxDir, `${stored.id}.pdf`));
    expect(json).toBe(stored.document);
    expect(sha256(json)).toBe(stored.sha256);
    expect(sha256(pdf)).toBe(stored.pdfSha256);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const document = ZCaseFile.parse(JSON.parse(json));
    expect(document.placement).toMatchObject({ agency: 'acme-recovery', balance: 65_000, currency: 'USD' });
    const written = await Promise.all(['json', 'pdf'].map(async (ext) => (await stat(path.join(outboxDir, `${stored.id}.${ext}`))).mtimeMs));

    // A payment lands, then the activity is retried: the same package, not delivered again.
    await engine.db.payment.create({ data: { caseId: east.caseId, reference: 'PAY-LATE', amount: 1_000, currency: 'USD', receivedAt: at('18:00:00') } });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await referToAgency(input);
    expect(second.placementId).toBe(first.placementId);
    expect(await engine.db.caseFilePackage.count({ where: { caseId: east.caseId, purpose: 'agency' } })).toBe(1);
    expect((await engine.db.caseFilePackage.findUniqueOrThrow({ where: { id: stored.id } })).deliveredAt).toEqual(stored.deliveredAt);
    expect(await readdir(outboxDir)).toEqual([`${stored.id}.json`, `${stored.id}.pdf`]);
    expect(await Promise.all(['json', 'pdf'].map(async (ext) => (await stat(path.join(outboxDir, `${stored.id}.${ext}`))).mtimeMs))).toEqual(written);
    expect(await engine.db.auditEvent.count({ where: { caseId: east.caseId, action: 'case_file_delivered' } })).toBe(1);
    await engine.db.$executeRawUnsafe(`DELETE FROM "Payment" WHERE reference = 'PAY-LATE'`);
  });

  it('posts the package to an HTTP agency with the package id as idempotency key, and retries while it refuses', async () => {
    const received: { headers: IncomingMessage['headers']; body: Buffer }[] = [];
    let answer = 503;
    const server: Server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ headers: request.headers, body: Buffer.concat(chunks) });
        response.writeHead(answer, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'AG-77' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/placements`;
      const agency = createAgencyActivities({ db: engine.db, outboxDir: path.join(engine.dataDir, 'unused'), provider: { url, token: 'agency-token' } });
      const referToAgency = (input: Parameters<typeof agency.referToAgency>[0]) => agency.referToAgency(input);
      const input = { caseId: west.caseId, stepId: 'agency', idempotencyKey: `${west.caseId}/run/agency`, agency: 'acme-recovery', balance: 65_000, currency: 'USD' };

      await expect(referToAgency(input)).rejects.toThrow('agency provider answered 503');
      const stored = await engine.db.caseFilePackage.findFirstOrThrow({ where: { caseId: west.caseId, purpose: 'agency' } });
      expect(stored.deliveredAt).toBeNull();
      const escalations = () => engine.db.task.findMany({ where: { caseId: west.caseId, kind: 'escalation' } });
      // Failing for less than an hour: retried quietly.
      expect(await escalations()).toEqual([]);

      // Failing for over an hour: an officer is told once, and the referral is still retried.
      const firstAttempt = new Date(Date.now() - referralAlertAfterMs - 60_000);
      await engine.db.caseFilePackage.update({ where: { id: stored.id }, data: { createdAt: firstAttempt } });
      await expect(referToAgency(input)).rejects.toThrow('agency provider answered 503');
      await expect(referToAgency(input)).rejects.toThrow('agency provider answered 503');
      const [alert, ...more] = await escalations();
      expect(more).toEqual([]);
      expect(alert?.reason).toBe(
        `the referral to agency acme-recovery has failed since ${firstAttempt.toISOString()} (agency provider answered 503); it is retried until the agency accepts it: check the agency connection and what it answers`,
      );
      expect(alert?.status).toBe('open');

      answer = 201;
      await referToAgency(input);
      await referToAgency(input);
      // Three refused attempts and the accepted one; the last call finds the package delivered.
      expect(received).toHaveLength(4);
      expect(await escalations()).toMatchObject([{ id: alert?.id, status: 'done', outcomeNote: 'the agency accepted the referral' }]);
      for (const request of received) {
        expect(request.headers).toMatchObject({ 'idempotency-key': stored.id, authorization: 'Bearer agency-token' });
        expect(request.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
      }
      const body = received[3]?.body.toString('latin1') ?? '';
      expect(body).toContain(`filename="${stored.id}.json"`);
      expect(body).toContain(`filename="${stored.id}.pdf"`);
      expect(body).toContain(stored.document);
      expect(body).toContain(`"sha256":"${stored.sha256}"`);
      expect(await engine.db.caseFilePackage.findUniqueOrThrow({ where: { id: stored.id } })).toMatchObject({ location: 'agency-http:AG-77' });
      expect(await engine.db.caseFilePackage.count({ where: { caseId: west.caseId } })).toBe(1);

      // A request the agency will never take fails for good at once: the case asks a person instead.
      answer = 422;
      const refused = await referToAgency({ ...input, idempotencyKey: `${west.caseId}/run-2/agency` }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(ApplicationFailure);
      expect(refused).toMatchObject({ type: 'ReferralRefused', nonRetryable: true, message: 'agency provider refused the referral (422)' });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('legal review', () => {
  it('creates the task with the case file linked to it; a retry finds the same task and package', async () => {
    const tasks = createTaskActivities({ db: engine.db });
    const createTask = (input: Parameters<typeof tasks.createTask>[0]) => tasks.createTask(input);
    const input = { caseId: east.caseId, idempotencyKey: `${east.caseId}/run/task-12-0`, kind: 'legal_review', reason: 'debtor has assets', balance: 65_000, daysPastDue: 60 };
    const first = await createTask(input);
    const second = await createTask(input);
    expect(second.taskId).toBe(first.taskId);

    const packages = await engine.db.caseFilePackage.findMany({ where: { caseId: east.caseId, purpose: 'legal' } });
    expect(packages).toHaveLength(1);
    expect(packages[0]).toMatchObject({ taskId: first.taskId, location: `task:${first.taskId}` });
    const task = await engine.db.task.findUniqueOrThrow({ where: { id: first.taskId }, include: { caseFile: true } });
    expect(task).toMatchObject({ kind: 'legal_review', caseFile: { id: packages[0]?.id } });
    const document = ZCaseFile.parse(JSON.parse(packages[0]?.document ?? ''));
    expect(document).toMatchObject({ purpose: 'legal', balance: { closing: 65_000 } });
    expect(document.tasks.map((row) => row.kind)).toContain('legal_review');

    const other = await createTask({ ...input, idempotencyKey: `${east.caseId}/run/task-13-0`, kind: 'dispute', reason: 'verify' });
    expect(await engine.db.caseFilePackage.count({ where: { taskId: other.taskId } })).toBe(0);
  });
});

describe('the case file API', () => {
  it('builds a fresh case file for managers, admins and the own team, masked for auditors', async () => {
    const reads = () => engine.db.auditEvent.count({ where: { caseId: east.caseId, action: 'contact_details_read' } });
    const before = await reads();
    const manager = await engine.call('GET', `/api/v1/cases/${east.caseId}/case-file`);
    expect(manager.status).toBe(200);
    expect(ZCaseFile.parse(manager.body)).toMatchObject({ purpose: 'review', debtor: { name: east.debtorName }, balance: { closing: 65_000 } });
    expect(manager.body.communications[0].body).toContain(east.debtorName);
    expect(manager.headers.get('x-case-file-masked')).toBe('false');

    const own = await engine.call('GET', `/api/v1/cases/${east.caseId}/case-file`, { key: keys.eastOfficer });
    expect(own.status).toBe(200);
    expect(await reads()).toBe(before + 2);

    const auditor = await engine.call('GET', `/api/v1/cases/${east.caseId}/case-file`, { key: testKeys.auditor });
    expect(auditor.status).toBe(200);
    expect(auditor.body.contacts.map((contact: { value: string }) => contact.value)).toEqual(['g***@example.com', '+******0177']);
    expect(auditor.body.communications[0]).toMatchObject({ recipient: 'g***@example.com', subject: '[masked]', body: '[masked]' });
    expect(auditor.body.inbound[0]).toMatchObject({ from: '+******0177', text: '[masked]' });
    expect(auditor.body.balance.entries).toHaveLength(4);
    expect(JSON.stringify(auditor.body)).not.toContain('grace.east@');
    expect(await reads()).toBe(before + 2);

    const pdf = await fetch(`${engine.baseUrl}/api/v1/cases/${east.caseId}/case-file?format=pdf`, { headers: { authorization: `Bearer ${testKeys.manager}` } });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const bytes = Buffer.from(await pdf.arrayBuffer());
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pageCount(bytes)).toBeGreaterThanOrEqual(2);
  });

  it('refuses other roles, unknown cases and another team', async () => {
    expect((await engine.call('GET', `/api/v1/cases/${east.caseId}/case-file`, { key: testKeys.integration })).status).toBe(403);
    const unknown = await engine.call('GET', '/api/v1/cases/case-nope/case-file');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'not_found', message: 'case "case-nope" not found' });
    expect((await engine.call('GET', `/api/v1/cases/${east.caseId}/case-file`, { key: keys.westOfficer })).status).toBe(404);
    expect((await engine.call('GET', `/api/v1/cases/${east.caseId}/case-files`, { key: keys.westOfficer })).status).toBe(404);
    expect((await engine.call('GET', `/api/v1/cases/${east.caseId}/case-file?format=docx`)).status).toBe(400);
  });

  it('serves a stored package byte for byte, lists them per case, and scopes them to the team', async () => {
    const stored = await engine.db.caseFilePackage.findFirstOrThrow({ where: { caseId: east.caseId, purpose: 'agency' } });
    const listed = await engine.call('GET', `/api/v1/cases/${east.caseId}/case-files`, { key: keys.eastOfficer });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((item: { purpose: string }) => item.purpose).sort()).toEqual(['agency', 'legal']);
    expect(listed.body.items.find((item: { packageId: string }) => item.packageId === stored.id)).toMatchObject({ sha256: stored.sha256, placementId: stored.placementId });

    const json = await engine.call('GET', `/api/v1/case-files/${stored.id}`, { key: keys.eastOfficer });
    expect(json.status).toBe(200);
    expect(json.text).toBe(stored.document);
    expect(json.headers.get('x-case-file-sha256')).toBe(stored.sha256);

    const pdf = await fetch(`${engine.baseUrl}/api/v1/case-files/${stored.id}?format=pdf`, { headers: { authorization: `Bearer ${testKeys.manager}` } });
    expect(pdf.status).toBe(200);
    expect(sha256(Buffer.from(await pdf.arrayBuffer()))).toBe(stored.pdfSha256);

    const auditor = await engine.call('GET', `/api/v1/case-files/${stored.id}`, { key: testKeys.auditor });
    expect(auditor.status).toBe(200);
    expect(auditor.headers.get('x-case-file-masked')).toBe('true');
    expect(auditor.body.communications[0].body).toBe('[masked]');
    const auditorPdf = await fetch(`${engine.baseUrl}/api/v1/case-files/${stored.id}?format=pdf`, { headers: { authorization: `Bearer ${testKeys.auditor}` } });
    expect(pageCount(Buffer.from(await auditorPdf.arrayBuffer()))).toBeGreaterThanOrEqual(2);

    expect((await engine.call('GET', `/api/v1/case-files/${stored.id}`, { key: keys.westOfficer })).status).toBe(404);
    expect((await engine.call('GET', `/api/v1/case-files/${stored.id}`, { key: testKeys.integration })).status).toBe(403);
    expect((await engine.call('GET', '/api/v1/case-files/no-such-package')).status).toBe(404);
  });
});
